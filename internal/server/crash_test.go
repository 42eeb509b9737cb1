package server_test

// Crash and shutdown tests of the real binary: a SIGKILL in the middle of an
// SBOM ingest or of a feed sync must leave nothing partial behind, a job
// whose runner died must be taken over once its lease runs out, two
// replicas on one PostgreSQL must run a sync once, and SIGTERM must give a
// running job back instead of leaving it "running".
//
// "In the middle" is observed from outside the server, not guessed from a
// sleep: an uncommitted transaction already takes space on disk — SQLite
// spills its pages into the WAL file, PostgreSQL extends the table's
// relation files — so the test kills the server once the open transaction
// has written a good part of its data, long before it can commit.

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// crashEnv is one engine's database and data directory, shared by the
// server's lives in one test.
type crashEnv struct {
	opts   servertest.Options
	cfg    store.Config // for opening the store directly
	schema string       // PostgreSQL schema of this test
}

func newCrashEnv(t *testing.T, e storetest.Engine) *crashEnv {
	t.Helper()
	cfg := e.Config(t)
	env := &crashEnv{cfg: cfg}
	if cfg.DatabaseURL != "" {
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		env.schema = u.Query().Get("search_path")
		env.opts = servertest.Options{DataDir: t.TempDir(), DatabaseURL: cfg.DatabaseURL}
	} else {
		env.opts = servertest.Options{DataDir: cfg.DataDir}
	}
	return env
}

func (e *crashEnv) start(t *testing.T, args ...string) *servertest.Proc {
	t.Helper()
	o := e.opts
	// The feeds of these tests are served over loopback HTTP.
	o.Args = append([]string{"--allow-private-feeds"}, args...)
	return servertest.Start(t, o)
}

// openStore opens the same database directly (the server may be running or
// dead).
func (e *crashEnv) openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), e.cfg)
	if err != nil {
		t.Fatalf("opening the store directly: %v", err)
	}
	return s
}

// counts runs COUNT(*) queries directly on the database.
func (e *crashEnv) counts(t *testing.T, queries ...string) []int {
	t.Helper()
	s := e.openStore(t)
	defer s.Close()
	out := make([]int, len(queries))
	for i, q := range queries {
		if err := s.DB().QueryRow(q).Scan(&out[i]); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return out
}

// writtenProbe returns a function reporting how many bytes the database has
// taken on disk for the given tables, committed or not: on SQLite the WAL
// file's size (a big transaction spills its dirty pages there before it
// commits), on PostgreSQL the tables' total relation size (new rows extend
// the files before commit).
func (e *crashEnv) writtenProbe(t *testing.T, tables ...string) func() int64 {
	t.Helper()
	if e.cfg.DatabaseURL == "" {
		wal := filepath.Join(e.cfg.DataDir, "vulndesk.db-wal")
		return func() int64 {
			st, err := os.Stat(wal)
			if err != nil {
				return 0
			}
			return st.Size()
		}
	}
	db, err := sql.Open("pgx", storetest.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	return func() int64 {
		var n int64
		err := db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1 AND c.relname = ANY($2)`,
			e.schema, "{"+strings.Join(tables, ",")+"}").Scan(&n)
		if err != nil {
			t.Logf("size probe: %v", err)
		}
		return n
	}
}

// crashWaitWritten polls probe until it grew by at least min bytes over base;
// it fails when abort says the moment has passed (the server answered or
// exited) or after a minute.
func crashWaitWritten(t *testing.T, probe func() int64, base, min int64, abort func() string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if probe()-base >= min {
			return time.Since(start)
		}
		if why := abort(); why != "" {
			t.Fatalf("the kill did not land inside the transaction: %s (%d of %d bytes seen written); the workload is too small for this machine",
				why, probe()-base, min)
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("the transaction never wrote %d bytes (%d seen) in a minute", min, probe()-base)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// crashBigSBOM is a synthetic CycloneDX 1.5 JSON SBOM of crashBigComponents PyPI
// components (2,500 package names × 80 versions), made once per process.
const crashBigComponents = 200_000

var crashBigSBOM = sync.OnceValue(func() []byte {
	prefixes := []string{"django", "flask", "py", "aio", "requests", "pytest", "sphinx", "azure", "google-cloud",
		"types", "jupyter", "data", "ml", "open", "fast", "async", "sqlalchemy", "celery", "boto", "zope",
		"pyramid", "tornado", "grpc", "mkdocs", "ansible"}
	stems := []string{"auth", "cache", "client", "config", "core", "crypto", "db", "http", "json", "log",
		"mail", "metrics", "orm", "parser", "queue", "redis", "rest", "schema", "storage", "utils"}
	suffixes := []string{"", "-tools", "-ext", "2", "-plugin"}
	var b bytes.Buffer
	b.Grow(crashBigComponents * 150)
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",` +
		`"version":1,"metadata":{"timestamp":"2026-01-02T03:04:05Z","component":{"type":"application","bom-ref":"big-app",` +
		`"name":"big","version":"1.0.0"}},"components":[`)
	n := 0
	for _, p := range prefixes {
		for _, s := range stems {
			for _, x := range suffixes {
				name := p + "-" + s + x
				for v := range 80 {
					if n > 0 {
						b.WriteByte(',')
					}
					ver := fmt.Sprintf("%d.%d.%d", v/20, (v/4)%5, v%4)
					purl := "pkg:pypi/" + name + "@" + ver
					fmt.Fprintf(&b, `{"type":"library","bom-ref":%q,"name":%q,"version":%q,"purl":%q}`, purl, name, ver, purl)
					n++
				}
			}
		}
	}
	b.WriteString(`]}`)
	if n != crashBigComponents {
		panic(fmt.Sprintf("generated %d components, want %d", n, crashBigComponents))
	}
	return b.Bytes()
})

// crashSentReader closes sent once the whole body has been read by the client
// transport, i.e. written to the connection.
type crashSentReader struct {
	r    *bytes.Reader
	once sync.Once
	sent chan struct{}
}

func (s *crashSentReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if s.r.Len() == 0 {
		s.once.Do(func() { close(s.sent) })
	}
	return n, err
}

type crashAnswer struct {
	status int
	body   []byte
	err    error
	at     time.Time
}

// crashPostAsync sends body with a token and reports when it was fully sent and
// what (if anything) came back.
func crashPostAsync(url, token string, body []byte) (sent <-chan struct{}, answered <-chan crashAnswer) {
	sr := &crashSentReader{r: bytes.NewReader(body), sent: make(chan struct{})}
	out := make(chan crashAnswer, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, sr)
		if err != nil {
			out <- crashAnswer{err: err, at: time.Now()}
			return
		}
		req.ContentLength = int64(len(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		if err != nil {
			out <- crashAnswer{err: err, at: time.Now()}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		out <- crashAnswer{status: resp.StatusCode, body: b, err: err, at: time.Now()}
	}()
	return sr.sent, out
}

type crashIngest struct {
	Asset    model.Asset    `json:"asset"`
	Snapshot model.Snapshot `json:"snapshot"`
}

type crashOverview struct {
	Assets     int          `json:"assets"`
	Snapshots  int          `json:"snapshots"`
	Components int          `json:"components"`
	Advisories int          `json:"advisories"`
	Feeds      []model.Feed `json:"feeds"`
}

type crashJobList struct {
	Items []model.Job `json:"items"`
}

func TestCrashDuringIngest(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			start := time.Now()
			data := crashBigSBOM()
			env := newCrashEnv(t, e)
			p := env.start(t, "--empty")
			tok := servertest.Token(t, env.opts, "admin")
			probe := env.writtenProbe(t, "components", "snapshots", "assets")
			base := probe()

			const path = "/api/v1/sboms?asset=big&create=true&source=big.cdx.json"
			sent, answered := crashPostAsync(p.URL+path, tok, data)
			select {
			case <-sent:
			case a := <-answered:
				t.Fatalf("the upload ended before its body was sent: %d %v %s", a.status, a.err, a.body)
			case <-time.After(time.Minute):
				t.Fatal("the upload's body was not sent in a minute")
			}
			// Kill once the ingest transaction has written 8 MB — a good part
			// of its components, well before it can commit.
			var early crashAnswer
			waited := crashWaitWritten(t, probe, base, 8<<20, func() string {
				select {
				case early = <-answered:
					return fmt.Sprintf("the server answered %d first (%s)", early.status, early.body)
				case <-p.Done():
					return "the server exited on its own"
				default:
					return ""
				}
			})
			p.Kill()
			a := <-answered
			if a.err == nil {
				t.Fatalf("the upload was answered (%d %s) although the server was killed mid-ingest", a.status, a.body)
			}
			t.Logf("%s: %d-component SBOM (%.1f MB) sent; killed %v later, inside the ingest transaction (%.1f MB written); the client saw: %v",
				e.Name, crashBigComponents, float64(len(data))/(1<<20), waited.Round(time.Millisecond),
				float64(probe()-base)/(1<<20), a.err)

			// Nothing of it is visible after a restart: not through the API…
			p = env.start(t, "--empty")
			c := &servertest.Client{URL: p.URL, Token: tok}
			var assets struct{ Items []model.Asset }
			c.JSON(t, "GET", "/api/v1/assets?q=big", nil, 200, &assets)
			if len(assets.Items) != 0 {
				t.Fatalf("after the crash the API lists assets %+v", assets.Items)
			}
			var ov crashOverview
			c.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			if ov.Assets != 0 || ov.Snapshots != 0 || ov.Components != 0 {
				t.Fatalf("after the crash the overview shows %d assets, %d snapshots, %d components; want none", ov.Assets, ov.Snapshots, ov.Components)
			}
			var jobs crashJobList
			c.JSON(t, "GET", "/api/v1/jobs?kind=match-snapshot", nil, 200, &jobs)
			if len(jobs.Items) != 0 {
				t.Fatalf("after the crash a match job is queued: %+v", jobs.Items)
			}
			// …nor in the tables.
			got := env.counts(t, `SELECT COUNT(*) FROM components`, `SELECT COUNT(*) FROM snapshots`,
				`SELECT COUNT(*) FROM assets WHERE name = 'big'`, `SELECT COUNT(*) FROM jobs WHERE kind = 'match-snapshot'`)
			if got[0]+got[1]+got[2]+got[3] != 0 {
				t.Fatalf("after the crash the database holds %d components, %d snapshots, %d assets 'big', %d match jobs; want none",
					got[0], got[1], got[2], got[3])
			}

			// The same upload again is stored whole.
			t0 := time.Now()
			var in crashIngest
			c.JSON(t, "POST", path, bytes.NewReader(data), 201, &in)
			took := time.Since(t0)
			if in.Asset.Name != "big" || in.Snapshot.Components != crashBigComponents {
				t.Fatalf("retry stored asset %q with %d components, want big with %d", in.Asset.Name, in.Snapshot.Components, crashBigComponents)
			}
			var sn model.Snapshot
			c.JSON(t, "GET", fmt.Sprintf("/api/v1/snapshots/%d", in.Snapshot.ID), nil, 200, &sn)
			if sn.Components != crashBigComponents {
				t.Fatalf("snapshot %d has %d components, want %d", sn.ID, sn.Components, crashBigComponents)
			}
			got = env.counts(t, fmt.Sprintf(`SELECT COUNT(*) FROM components WHERE snapshot_id = %d`, in.Snapshot.ID),
				`SELECT COUNT(*) FROM components`, `SELECT COUNT(*) FROM snapshots`)
			if got[0] != crashBigComponents || got[1] != crashBigComponents || got[2] != 1 {
				t.Fatalf("after the retry the database holds %d components of the snapshot, %d in all, %d snapshots; want %d, %d, 1",
					got[0], got[1], got[2], crashBigComponents, crashBigComponents)
			}
			t0 = time.Now()
			servertest.Eventually(t, 90*time.Second, "the snapshot's match job to finish", func() bool {
				var jobs crashJobList
				c.JSON(t, "GET", "/api/v1/jobs?kind=match-snapshot", nil, 200, &jobs)
				for _, j := range jobs.Items {
					if j.State == model.JobFailed {
						t.Fatalf("match job failed: %s", j.Error)
					}
				}
				return len(jobs.Items) == 1 && jobs.Items[0].State == model.JobDone &&
					jobs.Items[0].Payload == fmt.Sprintf(`{"snapshot_id":%d}`, in.Snapshot.ID)
			})
			matched := time.Since(t0)
			c.JSON(t, "GET", fmt.Sprintf("/api/v1/snapshots/%d", in.Snapshot.ID), nil, 200, &sn)
			if sn.MatchedAt.IsZero() {
				t.Fatalf("snapshot %d is not marked matched after its job finished", sn.ID)
			}
			t.Logf("%s: retry stored %d components in %v (request to 201); matched %v later; whole subtest %v",
				e.Name, crashBigComponents, took.Round(time.Millisecond), matched.Round(time.Millisecond),
				time.Since(start).Round(time.Millisecond))
		})
	}
}

// crashZipRecords counts the OSV records of a zip and the unique IDs that are
// not withdrawn (the newest copy of an ID decides, as the sync does).
func crashZipRecords(t *testing.T, data []byte) (records, live int) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		withdrawn bool
		modified  string
	}
	ids := map[string]rec{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ ID, Modified, Withdrawn string }
		err = json.NewDecoder(rc).Decode(&v)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		records++
		if prev, ok := ids[v.ID]; ok && prev.modified >= v.Modified {
			continue
		}
		ids[v.ID] = rec{withdrawn: strings.TrimSpace(v.Withdrawn) != "", modified: v.Modified}
	}
	for _, r := range ids {
		if !r.withdrawn {
			live++
		}
	}
	return records, live
}

// crashFeedServer serves one file over loopback HTTP and counts the requests.
// Every request after the first `free` ones waits until gate is closed (or
// its client goes away).
type crashFeedServer struct {
	*httptest.Server
	data        []byte
	free        int32
	gate        chan struct{}
	releaseOnce sync.Once
	reqs        atomic.Int32
	mu          sync.Mutex
	arrived     []time.Time
	served      chan int32 // request number, after its body was written
	incoming    chan int32 // request number, on arrival
}

func newCrashFeedServer(t *testing.T, data []byte, free int32) *crashFeedServer {
	fs := &crashFeedServer{data: data, free: free, gate: make(chan struct{}), served: make(chan int32, 16), incoming: make(chan int32, 16)}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := fs.reqs.Add(1)
		fs.mu.Lock()
		fs.arrived = append(fs.arrived, time.Now())
		fs.mu.Unlock()
		select {
		case fs.incoming <- n:
		default:
		}
		if n > fs.free {
			select {
			case <-fs.gate:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Length", fmt.Sprint(len(fs.data)))
		w.Write(fs.data)
		select {
		case fs.served <- n:
		default:
		}
	}))
	t.Cleanup(func() {
		fs.release()
		fs.Close()
	})
	return fs
}

func (fs *crashFeedServer) release() { fs.releaseOnce.Do(func() { close(fs.gate) }) }

func (fs *crashFeedServer) arrivedAt(i int) time.Time {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.arrived[i]
}

// crashCreateFeed configures an OSV feed and returns its ID.
func crashCreateFeed(t *testing.T, c *servertest.Client, name, url string, enabled bool) int64 {
	t.Helper()
	var f model.Feed
	body := fmt.Sprintf(`{"name":%q,"kind":"osv","url":%q,"enabled":%v}`, name, url, enabled)
	c.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(body), 201, &f)
	return f.ID
}

type crashQueued struct {
	JobID  int64 `json:"job_id"`
	Queued bool  `json:"queued"`
}

func crashGetFeed(t *testing.T, c *servertest.Client, id int64) model.Feed {
	t.Helper()
	var f model.Feed
	c.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", id), nil, 200, &f)
	return f
}

// crashFeedJobs lists the sync jobs of one feed.
func crashFeedJobs(t *testing.T, c *servertest.Client, feedID int64) []model.Job {
	t.Helper()
	var jobs crashJobList
	c.JSON(t, "GET", "/api/v1/jobs?kind=sync-feed&limit=500", nil, 200, &jobs)
	var out []model.Job
	for _, j := range jobs.Items {
		var p model.FeedPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			t.Fatalf("job %d payload %q: %v", j.ID, j.Payload, err)
		}
		if p.FeedID == feedID {
			out = append(out, j)
		}
	}
	return out
}

func crashJobByID(t *testing.T, c *servertest.Client, feedID, id int64) model.Job {
	t.Helper()
	for _, j := range crashFeedJobs(t, c, feedID) {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("job %d of feed %d not listed", id, feedID)
	return model.Job{}
}

func TestCrashDuringFeedSync(t *testing.T) {
	zipPath := servertest.Shared(t, "osv-corpus/Go/all.zip")
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	records, live := crashZipRecords(t, data)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			start := time.Now()
			env := newCrashEnv(t, e)
			// The first request is served at once; later ones wait for the
			// test, so the restarted server cannot finish before the test
			// has looked.
			fsrv := newCrashFeedServer(t, data, 1)
			args := []string{"--empty", "--job-lease", "2s", "--schedule", "200ms"}
			p := env.start(t, args...)
			tok := servertest.Token(t, env.opts, "admin")
			c := &servertest.Client{URL: p.URL, Token: tok}
			feedID := crashCreateFeed(t, c, "go-osv", fsrv.URL+"/Go/all.zip", false)
			probe := env.writtenProbe(t, "advisories", "advisory_records")
			base := probe()

			var q crashQueued
			c.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync", feedID), nil, 202, &q)
			if !q.Queued {
				t.Fatalf("first sync not queued: %+v", q)
			}
			select {
			case <-fsrv.served:
			case <-p.Done():
				t.Fatalf("server exited:\n%s", p.Stderr())
			case <-time.After(time.Minute):
				t.Fatal("the feed was not fetched in a minute")
			}
			servedAt := time.Now()
			// Kill once the sync's transaction has written 2 MB of advisories.
			crashWaitWritten(t, probe, base, 2<<20, func() string {
				select {
				case <-p.Done():
					return "the server exited on its own"
				default:
				}
				if strings.Contains(p.Stderr(), "feed synced") {
					return "the sync committed"
				}
				return ""
			})
			p.Kill()
			killedAt := time.Now()
			t.Logf("%s: %s (%.1f MB, %d records) served; killed %v later inside the sync transaction (%.1f MB written)",
				e.Name, filepath.Base(zipPath), float64(len(data))/(1<<20), records, killedAt.Sub(servedAt).Round(time.Millisecond),
				float64(probe()-base)/(1<<20))

			// The dead runner still holds the job; its lease runs out soon.
			var state string
			var lockedUntil time.Time
			{
				s := env.openStore(t)
				err := s.DB().QueryRow(`SELECT state, locked_until FROM jobs WHERE id = $1`, q.JobID).Scan(&state, &lockedUntil)
				s.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			if state != model.JobRunning {
				t.Fatalf("after the kill job %d is %q, want running (held by the dead runner)", q.JobID, state)
			}

			p = env.start(t, args...)
			c = &servertest.Client{URL: p.URL, Token: tok}
			var ov crashOverview
			c.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			f := crashGetFeed(t, c, feedID)
			if ov.Advisories != 0 || !f.LastSuccessAt.IsZero() || f.Items != 0 || f.Syncs != 0 {
				t.Fatalf("after the crash: %d advisories, feed last_success_at %v, items %d, syncs %d; want nothing",
					ov.Advisories, f.LastSuccessAt, f.Items, f.Syncs)
			}
			got := env.counts(t, `SELECT COUNT(*) FROM advisories`, `SELECT COUNT(*) FROM advisory_records`,
				`SELECT COUNT(*) FROM jobs WHERE kind = 'rematch'`)
			if got[0]+got[1]+got[2] != 0 {
				t.Fatalf("after the crash the database holds %d advisories, %d records, %d rematch jobs; want none", got[0], got[1], got[2])
			}

			// Without a new trigger, the restarted server takes the job over
			// once the dead runner's lease has run out.
			select {
			case n := <-fsrv.incoming:
				if n != 1 {
					t.Fatalf("request %d, want 1", n)
				}
			default:
				t.Fatal("first request not recorded")
			}
			select {
			case <-fsrv.incoming:
			case <-time.After(30 * time.Second):
				t.Fatalf("the abandoned sync job was not run again within 30s:\n%s", p.Stderr())
			}
			if at := fsrv.arrivedAt(1); at.Before(lockedUntil.Add(-50 * time.Millisecond)) {
				t.Fatalf("the job was taken over at %v, before its lease ran out at %v", at, lockedUntil)
			}
			tookOver := fsrv.arrivedAt(1).Sub(killedAt)
			fsrv.release()
			servertest.Eventually(t, 90*time.Second, "the re-run sync to succeed", func() bool {
				return !crashGetFeed(t, c, feedID).LastSuccessAt.IsZero()
			})
			f = crashGetFeed(t, c, feedID)
			c.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			if f.Items != records || ov.Advisories != live || f.Syncs != 1 || f.LastError != "" {
				t.Fatalf("after the re-run: items %d, advisories %d, syncs %d, error %q; want %d, %d, 1, none",
					f.Items, ov.Advisories, f.Syncs, f.LastError, records, live)
			}
			jobs := crashFeedJobs(t, c, feedID)
			if len(jobs) != 1 || jobs[0].ID != q.JobID {
				t.Fatalf("sync jobs of the feed: %+v, want only job %d", jobs, q.JobID)
			}
			servertest.Eventually(t, 10*time.Second, "the job to be recorded done", func() bool {
				return crashJobByID(t, c, feedID, q.JobID).State == model.JobDone
			})
			if j := crashJobByID(t, c, feedID, q.JobID); j.Attempts != 2 {
				t.Fatalf("job %d: %d attempts, want 2 (the killed one and the re-run)", j.ID, j.Attempts)
			}
			reran := time.Since(killedAt)

			// A sync asked for again works too.
			c.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync?force=true", feedID), nil, 202, &q)
			if !q.Queued {
				t.Fatalf("retry not queued: %+v", q)
			}
			servertest.Eventually(t, 60*time.Second, "the retried sync to finish", func() bool {
				j := crashJobByID(t, c, feedID, q.JobID)
				if j.State == model.JobFailed {
					t.Fatalf("retried sync failed: %s", j.Error)
				}
				return j.State == model.JobDone
			})
			f = crashGetFeed(t, c, feedID)
			c.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			if f.Syncs != 2 || f.Items != records || ov.Advisories != live || fsrv.reqs.Load() != 3 {
				t.Fatalf("after the retry: syncs %d, items %d, advisories %d, fetches %d; want 2, %d, %d, 3",
					f.Syncs, f.Items, ov.Advisories, fsrv.reqs.Load(), records, live)
			}
			t.Logf("%s: taken over %v after the kill (lease 2s); re-run done %v after the kill; %d advisories (%d records); whole subtest %v",
				e.Name, tookOver.Round(time.Millisecond), reran.Round(time.Millisecond), live, records, time.Since(start).Round(time.Millisecond))
		})
	}
}

// crashSmallOSVZip is an all.zip of three synthetic OSV records.
func crashSmallOSVZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i, pkg := range []string{"requests", "flask", "jinja2"} {
		w, err := zw.Create(fmt.Sprintf("TEST-%d.json", i))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, `{"schema_version":"1.6.0","id":"TEST-%d","modified":"2024-01-0%dT00:00:00Z","summary":"test advisory %d",`+
			`"affected":[{"package":{"ecosystem":"PyPI","name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0.%d"}]}]}]}`,
			i, i+1, i, pkg, i)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTwoReplicasRunSyncOnce(t *testing.T) {
	hasPG := false
	for _, e := range storetest.Engines(t) {
		hasPG = hasPG || e.Name == "postgres"
	}
	if !hasPG {
		t.Skip("two replicas need a shared PostgreSQL, and PostgreSQL is not reachable (see storetest.PostgresURL)")
	}
	start := time.Now()
	dbURL := storetest.NewSchema(t)
	args := []string{"--empty", "--schedule", "300ms", "--poll", "100ms", "--allow-private-feeds"}
	oa := servertest.Options{DataDir: t.TempDir(), DatabaseURL: dbURL, Args: args}
	a := servertest.Start(t, oa)
	ob := servertest.Options{DataDir: t.TempDir(), DatabaseURL: dbURL, Args: args}
	b := servertest.Start(t, ob)
	tok := servertest.Token(t, oa, "admin")
	ca := &servertest.Client{URL: a.URL, Token: tok}
	cb := &servertest.Client{URL: b.URL, Token: tok}
	data := crashSmallOSVZip(t)

	t.Run("on demand", func(t *testing.T) {
		fsrv := newCrashFeedServer(t, data, 0)
		id := crashCreateFeed(t, ca, "manual", fsrv.URL+"/all.zip", false)
		var qa, qb crashQueued
		var wg sync.WaitGroup
		ready := make(chan struct{})
		for _, x := range []struct {
			c *servertest.Client
			q *crashQueued
		}{{ca, &qa}, {cb, &qb}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-ready
				st, body := x.c.Do(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync", id), nil)
				if st != 202 {
					t.Errorf("%s: sync answered %d: %s", x.c.URL, st, body)
					return
				}
				if err := json.Unmarshal(body, x.q); err != nil {
					t.Error(err)
				}
			}()
		}
		close(ready)
		wg.Wait()
		if t.Failed() {
			return
		}
		if qa.JobID == 0 || qa.JobID != qb.JobID || qa.Queued == qb.Queued {
			t.Fatalf("replica A answered %+v, B %+v: want one job, queued by exactly one", qa, qb)
		}
		select {
		case <-fsrv.incoming:
		case <-time.After(30 * time.Second):
			t.Fatal("no replica fetched the feed in 30s")
		}
		// Both replicas poll every 100ms: give them time to run it twice.
		time.Sleep(time.Second)
		fsrv.release()
		servertest.Eventually(t, 30*time.Second, "the sync to finish", func() bool {
			return crashJobByID(t, ca, id, qa.JobID).State == model.JobDone
		})
		f := crashGetFeed(t, cb, id)
		jobs := crashFeedJobs(t, cb, id)
		if n := fsrv.reqs.Load(); n != 1 || len(jobs) != 1 || f.Syncs != 1 {
			t.Fatalf("fetches %d, sync jobs %d, syncs %d; want 1 each", n, len(jobs), f.Syncs)
		}
	})

	t.Run("scheduled", func(t *testing.T) {
		fsrv := newCrashFeedServer(t, data, 0)
		id := crashCreateFeed(t, ca, "scheduled", fsrv.URL+"/all.zip", false)
		// Enabling it makes it due at once for both replicas' schedulers
		// (every 300ms); a PATCH queues nothing itself.
		ca.JSON(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", id), strings.NewReader(`{"enabled":true,"interval_seconds":60}`), 200, nil)
		select {
		case <-fsrv.incoming:
		case <-time.After(30 * time.Second):
			t.Fatal("no scheduler queued the feed in 30s")
		}
		time.Sleep(time.Second) // several ticks of both schedulers while it runs
		fsrv.release()
		servertest.Eventually(t, 30*time.Second, "the scheduled sync to succeed", func() bool {
			return !crashGetFeed(t, ca, id).LastSuccessAt.IsZero()
		})
		time.Sleep(2 * time.Second) // more ticks: the feed is not due again for 60s
		jobs := crashFeedJobs(t, ca, id)
		if n := fsrv.reqs.Load(); n != 1 || len(jobs) != 1 || crashGetFeed(t, ca, id).Syncs != 1 {
			t.Fatalf("fetches %d, sync jobs %+v; want 1 each", n, jobs)
		}
		if c := strings.Count(a.Stderr()+b.Stderr(), `"feed sync queued by schedule" feed=scheduled`); c != 1 {
			t.Fatalf("%d replicas logged queueing the scheduled sync, want 1", c)
		}
	})
	t.Logf("two replicas: %v", time.Since(start).Round(time.Millisecond))
}

func TestGracefulShutdown(t *testing.T) {
	data := crashSmallOSVZip(t)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			env := newCrashEnv(t, e)
			fsrv := newCrashFeedServer(t, data, 0) // every fetch waits for the test
			p := env.start(t, "--empty")
			tok := servertest.Token(t, env.opts, "admin")
			c := &servertest.Client{URL: p.URL, Token: tok}
			id := crashCreateFeed(t, c, "slow", fsrv.URL+"/all.zip", false)
			var q crashQueued
			c.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync", id), nil, 202, &q)
			select {
			case <-fsrv.incoming:
			case <-time.After(30 * time.Second):
				t.Fatal("the sync did not start in 30s")
			}

			t0 := time.Now()
			if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Done():
			case <-time.After(20 * time.Second):
				t.Fatalf("the server did not exit within 20s of SIGTERM:\n%s", p.Stderr())
			}
			took := time.Since(t0)
			if took > 15*time.Second {
				t.Fatalf("the server took %v to exit after SIGTERM, want at most ~15s", took)
			}
			if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.Stderr())
			}
			var state string
			var attempts int
			{
				s := env.openStore(t)
				err := s.DB().QueryRow(`SELECT state, attempts FROM jobs WHERE id = $1`, q.JobID).Scan(&state, &attempts)
				s.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			if state != model.JobQueued && state != model.JobDone {
				t.Fatalf("after SIGTERM job %d is %q (attempts %d), want queued again or done:\n%s", q.JobID, state, attempts, p.Stderr())
			}
			t.Logf("%s: exited %v after SIGTERM; the running sync job was left %s (attempts %d)", e.Name, took.Round(time.Millisecond), state, attempts)

			fsrv.release()
			p = env.start(t, "--empty")
			c = &servertest.Client{URL: p.URL, Token: tok}
			servertest.Eventually(t, 30*time.Second, "the released job to complete after the restart", func() bool {
				j := crashJobByID(t, c, id, q.JobID)
				if j.State == model.JobFailed {
					t.Fatalf("job failed: %s", j.Error)
				}
				return j.State == model.JobDone
			})
			if f := crashGetFeed(t, c, id); f.LastSuccessAt.IsZero() || f.Syncs != 1 || f.Items != 3 || f.LastError != "" {
				t.Fatalf("feed after the restart: %+v, want one successful sync of 3 items", f)
			}
		})
	}
}
