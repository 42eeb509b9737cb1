package server_test

// End-to-end tests of `vulndesk serve`: the real binary on SQLite and on
// PostgreSQL, fed real advisories and real SBOMs over loopback, checked
// against `vulndesk scan` on the same input.

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
	"github.com/vulndesk/vulndesk/internal/version"
)

// e2eWait bounds every wait for background work (syncs, matching).
const e2eWait = 60 * time.Second

// e2eServer is one running `vulndesk serve` with an admin token.
type e2eServer struct {
	*servertest.Proc
	opts  servertest.Options
	admin *servertest.Client
}

// startE2E runs the real server on a fresh database of engine e.
func startE2E(t *testing.T, e storetest.Engine, env []string, args ...string) *e2eServer {
	t.Helper()
	cfg := e.Config(t)
	o := servertest.Options{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Args: args, Env: env}
	if o.DataDir == "" {
		o.DataDir = t.TempDir() // downloads go under it, with PostgreSQL too
	}
	p := servertest.Start(t, o)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (%s):\n%s", e.Name, p.Stderr())
		}
	})
	return &e2eServer{Proc: p, opts: o, admin: &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}}
}

// client is a client of s with a token of the given role.
func (s *e2eServer) client(t *testing.T, role string) *servertest.Client {
	return &servertest.Client{URL: s.URL, Token: servertest.Token(t, s.opts, role)}
}

// wantAPIError checks that an answer is a JSON error with the wanted status
// whose message holds every one of substrs (case-insensitive).
func wantAPIError(t *testing.T, what string, status int, body []byte, want int, substrs ...string) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d: %s", what, status, want, body)
		return
	}
	var e struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		t.Errorf("%s: want a JSON object with an \"error\" field, got %q (%v)", what, body, err)
		return
	}
	if e.Status != want {
		t.Errorf("%s: JSON status %d, want %d", what, e.Status, want)
	}
	for _, s := range substrs {
		if !strings.Contains(strings.ToLower(e.Error), strings.ToLower(s)) {
			t.Errorf("%s: error %q does not mention %q", what, e.Error, s)
		}
	}
}

// pairKey names a finding the same way for serve and scan: the component (its
// purl, or ecosystem/package@version without one) and the advisory ID.
func pairKey(purl, eco, pkg, ver, id string) string {
	if purl == "" {
		purl = eco + "/" + pkg + "@" + ver
	}
	return purl + " " + id
}

func findingPairKey(f model.AssetFinding) string {
	return pairKey(f.PURL, f.Ecosystem, f.Package, f.Version, f.VulnID)
}

// detail is what else must agree between serve and scan for one pair.
func findingDetail(f model.AssetFinding) string {
	return fmt.Sprintf("aliases=%v severity=%s fix=%s", sortedCopy(f.Aliases), f.Severity, f.Fix)
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	if s == nil {
		s = []string{}
	}
	return s
}

// scanReport is the part of `vulndesk scan --format json` (docs/json-output.md)
// the comparison reads.
type scanReport struct {
	Findings []struct {
		Component struct {
			PURL      string `json:"purl"`
			Ecosystem string `json:"ecosystem"`
			Package   string `json:"package"`
			Version   string `json:"version"`
		} `json:"component"`
		ID       string   `json:"id"`
		Aliases  []string `json:"aliases"`
		Severity struct {
			Rating string `json:"rating"`
		} `json:"severity"`
		Fix string `json:"fix"`
	} `json:"findings"`
	Summary struct {
		Findings   int `json:"findings"`
		Components int `json:"components"`
	} `json:"summary"`
}

// pairs maps each (component, advisory) pair of the report to its detail.
func (r scanReport) pairs() map[string]string {
	out := map[string]string{}
	for _, f := range r.Findings {
		c := f.Component
		out[pairKey(c.PURL, c.Ecosystem, c.Package, c.Version, f.ID)] = fmt.Sprintf("aliases=%v severity=%s fix=%s",
			sortedCopy(f.Aliases), f.Severity.Rating, f.Fix)
	}
	return out
}

// runScan runs the real `vulndesk scan` on one SBOM.
func runScan(t *testing.T, db, sbomPath string) scanReport {
	t.Helper()
	cmd := exec.Command(servertest.Binary(t), "scan", "--db", db, "--format", "json", "--fail-on", "none", "--no-progress", sbomPath)
	cmd.Env = append(os.Environ(), "VULNDESK_DB=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vulndesk scan %s: %v\n%s", filepath.Base(sbomPath), err, stderr.String())
	}
	var r scanReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("vulndesk scan %s: output is not JSON: %v", filepath.Base(sbomPath), err)
	}
	if len(r.Findings) != r.Summary.Findings {
		t.Fatalf("vulndesk scan %s: %d findings but summary says %d", filepath.Base(sbomPath), len(r.Findings), r.Summary.Findings)
	}
	return r
}

// cliPush runs the real `vulndesk push` and returns the snapshot it made.
func cliPush(t *testing.T, s *e2eServer, token, assetName, file string) int64 {
	t.Helper()
	cmd := exec.Command(servertest.Binary(t), "push", "--server", s.URL, "--token", token, "--asset", assetName, file)
	cmd.Env = append(os.Environ(), "VULNDESK_SERVER=", "VULNDESK_TOKEN=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vulndesk push %s: %v\n%s", filepath.Base(file), err, stderr.String())
	}
	m := regexp.MustCompile(`: (?:snapshot|the same SBOM as its current snapshot) (\d+)[,;] `).FindSubmatch(out)
	if m == nil {
		t.Fatalf("vulndesk push: no snapshot in its output %q", out)
	}
	id, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return id
}

// waitMatched waits until a snapshot's matching has been stored.
func waitMatched(t *testing.T, c *servertest.Client, snapID int64) model.Snapshot {
	t.Helper()
	var sn model.Snapshot
	servertest.Eventually(t, e2eWait, fmt.Sprintf("snapshot %d to be matched", snapID), func() bool {
		sn = servertest.Must(c.API().Snapshot(servertest.Ctx(t), snapID))(t)
		return !sn.MatchedAt.IsZero()
	})
	return sn
}

// listJobs lists the background jobs of a kind.
func listJobs(t *testing.T, c *servertest.Client, kind string) []model.Job {
	t.Helper()
	return servertest.Must(c.API().Jobs(servertest.Ctx(t), kind, 500))(t)
}

// waitJob waits for a job to end and fails the test unless it succeeded.
func waitJob(t *testing.T, c *servertest.Client, kind string, id int64) {
	t.Helper()
	var last model.Job
	servertest.Eventually(t, e2eWait, fmt.Sprintf("%s job %d to end", kind, id), func() bool {
		for _, j := range listJobs(t, c, kind) {
			if j.ID == id {
				last = j
				return j.State == "done" || j.State == "failed"
			}
		}
		return false
	})
	if last.State != "done" {
		t.Fatalf("%s job %d: state %s: %s", kind, id, last.State, last.Error)
	}
}

// waitJobsDone waits until at least one job of a kind was queued and all
// of them ended, fails the test if one failed, and returns how many there
// are.
func waitJobsDone(t *testing.T, c *servertest.Client, kind string) int {
	t.Helper()
	var js []model.Job
	servertest.Eventually(t, e2eWait, "the "+kind+" jobs to end", func() bool {
		js = listJobs(t, c, kind)
		for _, j := range js {
			if j.State != "done" && j.State != "failed" {
				return false
			}
		}
		return len(js) > 0
	})
	for _, j := range js {
		if j.State != "done" {
			t.Fatalf("%s job %d: %s: %s", kind, j.ID, j.State, j.Error)
		}
	}
	return len(js)
}

// feedJob finds the sync job queued for a feed (by its creation).
func feedJob(t *testing.T, c *servertest.Client, feedID int64) int64 {
	t.Helper()
	var id int64
	servertest.Eventually(t, e2eWait, fmt.Sprintf("a sync job of feed %d", feedID), func() bool {
		for _, j := range listJobs(t, c, "sync-feed") {
			var p struct {
				FeedID int64 `json:"feed_id"`
			}
			if json.Unmarshal([]byte(j.Payload), &p) == nil && p.FeedID == feedID {
				id = j.ID
				return true
			}
		}
		return false
	})
	return id
}

// syncFeed triggers a sync through the API and waits for it to end.
func syncFeed(t *testing.T, c *servertest.Client, feedID int64) model.Feed {
	t.Helper()
	q := servertest.Must(c.API().SyncFeed(servertest.Ctx(t), feedID, false))(t)
	if !q.Queued || q.JobID == 0 {
		t.Fatalf("POST /api/v1/feeds/%d/sync: no new job queued (%+v) though none was pending", feedID, q)
	}
	waitJob(t, c, "sync-feed", q.JobID)
	return servertest.Must(c.API().Feed(servertest.Ctx(t), feedID))(t)
}

// findingPages reads every page of the findings f selects with the given
// page size, checking the keyset paging as it goes.
func findingPages(t *testing.T, c *servertest.Client, f client.FindingFilter, limit int) []model.AssetFinding {
	t.Helper()
	var out []model.AssetFinding
	seen := map[int64]bool{}
	f.Limit = limit
	pages := 0
	for p, err := range c.API().FindingPages(servertest.Ctx(t), f) {
		if err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("findings?%s", f.Query().Encode())
		if len(p.Items) > limit {
			t.Fatalf("%s: %d items on a page of %d", what, len(p.Items), limit)
		}
		for _, fd := range p.Items {
			if seen[fd.ID] {
				t.Fatalf("%s: finding %d on two pages", what, fd.ID)
			}
			seen[fd.ID] = true
		}
		out = append(out, p.Items...)
		if p.NextCursor != "" && len(p.Items) < limit {
			t.Fatalf("%s: a short page (%d of %d) with a next_cursor", what, len(p.Items), limit)
		}
		if pages++; pages > 10000 {
			t.Fatalf("%s: paging does not end", what)
		}
		f.Cursor = p.NextCursor
	}
	return out
}

// allFindings reads a query twice, in small pages and in one big page, and
// checks that both give the same findings in the same order.
func allFindings(t *testing.T, c *servertest.Client, f client.FindingFilter) []model.AssetFinding {
	t.Helper()
	return pagedAlike(t, c, f, 7)
}

// severityRank orders the ratings as the API lists them, most severe first.
var severityRank = map[string]int{"critical": 5, "high": 4, "medium": 3, "low": 2, "none": 1, "unknown": 0}

// pagedAlike reads a query in pages of each size and in one page of 500,
// checks that all give the same findings in the same order — most severe
// first, then newest — and returns them.
func pagedAlike(t *testing.T, c *servertest.Client, f client.FindingFilter, sizes ...int) []model.AssetFinding {
	t.Helper()
	big := findingPages(t, c, f, 500)
	query := f.Query().Encode()
	for i := 1; i < len(big); i++ {
		a, b := big[i-1], big[i]
		ra, rb := severityRank[a.Severity], severityRank[b.Severity]
		if ra < rb || (ra == rb && a.ID <= b.ID) {
			t.Fatalf("findings?%s: %d (%s) listed before %d (%s)", query, a.ID, a.Severity, b.ID, b.Severity)
		}
	}
	for _, n := range sizes {
		small := findingPages(t, c, f, n)
		if len(small) != len(big) {
			t.Fatalf("findings?%s: %d in pages of %d, %d in pages of 500", query, len(small), n, len(big))
		}
		for i := range small {
			if small[i].ID != big[i].ID {
				t.Fatalf("findings?%s: pages of %d and of 500 differ at %d: %d vs %d", query, n, i, small[i].ID, big[i].ID)
			}
		}
	}
	return big
}

// samePairs checks that serve's findings and scan's report name the same
// (component, advisory) pairs with the same details.
func samePairs(t *testing.T, what string, served []model.AssetFinding, scanned scanReport) {
	t.Helper()
	got := map[string]string{}
	for _, f := range served {
		if _, dup := got[findingPairKey(f)]; dup {
			t.Errorf("%s: serve lists %s twice", what, findingPairKey(f))
		}
		got[findingPairKey(f)] = findingDetail(f)
	}
	want := scanned.pairs()
	var diffs []string
	for k, d := range want {
		g, ok := got[k]
		switch {
		case !ok:
			diffs = append(diffs, "only in scan:  "+k)
		case g != d:
			diffs = append(diffs, fmt.Sprintf("differs: %s\n\tserve %s\n\tscan  %s", k, g, d))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "only in serve: "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		if len(diffs) > 30 {
			diffs = append(diffs[:30], fmt.Sprintf("… and %d more", len(diffs)-30))
		}
		t.Errorf("%s: serve (%d pairs) and scan (%d pairs) disagree:\n%s", what, len(got), len(want), strings.Join(diffs, "\n"))
	}
	if len(want) == 0 {
		t.Errorf("%s: scan found nothing: the comparison proves nothing", what)
	}
}

func byPair(fs []model.AssetFinding) map[string]model.AssetFinding {
	out := map[string]model.AssetFinding{}
	for _, f := range fs {
		out[findingPairKey(f)] = f
	}
	return out
}

// loopbackServer serves fixed bodies by path and counts the requests.
type loopbackServer struct {
	*httptest.Server
	hits atomic.Int64
}

func serveLoopback(t *testing.T, files map[string][]byte) *loopbackServer {
	lb := &loopbackServer{}
	lb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		lb.hits.Add(1)
		http.ServeContent(w, r, filepath.Base(r.URL.Path), time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(lb.Close)
	return lb
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upgradedSBOM writes a copy of a CycloneDX SBOM in which one component has
// another version, and returns its path.
func upgradedSBOM(t *testing.T, src, dir, purl, newVersion string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(mustRead(t, src), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(cs []any)
	walk = func(cs []any) {
		for _, c := range cs {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if m["purl"] == purl {
				old := m["version"].(string)
				m["version"] = newVersion
				m["purl"] = strings.Replace(purl, "@"+old, "@"+newVersion, 1)
				n++
			}
			if sub, ok := m["components"].([]any); ok {
				walk(sub)
			}
		}
	}
	walk(doc["components"].([]any))
	if n == 0 {
		t.Fatalf("%s: no component %s", src, purl)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "upgraded-"+filepath.Base(src))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pickUpgrade chooses the Go module with the most findings, all of them
// fixed, and the version that fixes them all.
func pickUpgrade(t *testing.T, r scanReport) (purl, ver string, n int) {
	t.Helper()
	type cand struct {
		fixes []string
		ok    bool
	}
	byPURL := map[string]*cand{}
	for _, f := range r.Findings {
		c := f.Component
		if c.Ecosystem != "Go" || c.PURL == "" || c.Package == "stdlib" || c.Package == "toolchain" {
			continue
		}
		x := byPURL[c.PURL]
		if x == nil {
			x = &cand{ok: true}
			byPURL[c.PURL] = x
		}
		if f.Fix == "" {
			x.ok = false
		}
		x.fixes = append(x.fixes, f.Fix)
	}
	for p, c := range byPURL {
		if !c.ok || len(c.fixes) < n || (len(c.fixes) == n && p > purl) {
			continue
		}
		hi := ""
		for _, f := range c.fixes {
			if hi == "" {
				hi = f
				continue
			}
			if d, err := version.Compare("Go", f, hi); err == nil && d > 0 {
				hi = f
			}
		}
		purl, ver, n = p, "v"+strings.TrimPrefix(hi, "v"), len(c.fixes)
	}
	if purl == "" {
		t.Fatal("no Go module whose findings all have a fix")
	}
	return purl, ver, n
}

// zipAdvisories counts the advisory files in an OSV zip.
func zipAdvisories(t *testing.T, data []byte) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") {
			n++
		}
	}
	return n
}

// TestServeMatchesScan is the service's end-to-end check: advisories from
// a loopback OSV feed, real SBOMs pushed with the CLI and the API, and the
// findings — read through every page of the API — must be exactly what
// `vulndesk scan` reports on the same input. Then a snapshot without one
// vulnerable version resolves its findings by upgrade, and KEV and EPSS
// feeds mark the finding they name.
func TestServeMatchesScan(t *testing.T) {
	t.Parallel()
	zipPath := servertest.Shared(t, "osv-corpus/Go/all.zip")
	sbomA := servertest.Shared(t, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json")
	sbomB := servertest.Shared(t, "sbom/real-go/gomod-prometheus-v0.48.0.cdx.json")
	kevPath := servertest.Shared(t, "kev/cisagov-kev-data/known_exploited_vulnerabilities.json")
	epssPath := servertest.Shared(t, "epss/epss_scores-2026-09-29.excerpt.csv")
	zipData := mustRead(t, zipPath)
	advisories := zipAdvisories(t, zipData)

	// What scan says, once for both engines.
	scanA, scanB := runScan(t, zipPath, sbomA), runScan(t, zipPath, sbomB)
	upPURL, upVersion, upN := pickUpgrade(t, scanA)
	sbomA2 := upgradedSBOM(t, sbomA, t.TempDir(), upPURL, upVersion)
	scanA2 := runScan(t, zipPath, sbomA2)
	for _, f := range scanA2.Findings {
		if f.Component.PURL == upPURL {
			t.Fatalf("the upgraded SBOM still has %s", upPURL)
		}
	}
	t.Logf("scan: %s %d findings, %s %d findings; %s %d findings after upgrading %s to %s (%d findings fewer)",
		filepath.Base(sbomA), len(scanA.Findings), filepath.Base(sbomB), len(scanB.Findings),
		filepath.Base(sbomA2), len(scanA2.Findings), upPURL, upVersion, upN)

	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			s := startE2E(t, e, nil, "--empty", "--allow-private-feeds") // the feeds are served over loopback
			admin := s.admin
			uploader := s.client(t, "uploader")
			osvSrv := serveLoopback(t, map[string][]byte{"/Go/all.zip": zipData})

			// Asset B: uploaded to POST /api/v1/assets/{id}/sboms before
			// there are advisories; its findings come from the re-match
			// that the feed sync queues.
			var b model.Asset
			admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "prometheus", "kind": "service"}`), 201, &b)
			var inB api.Ingest
			uploader.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms?source=prometheus.cdx.json", b.ID),
				bytes.NewReader(mustRead(t, sbomB)), 201, &inB)
			if inB.Asset.ID != b.ID || inB.Snapshot.AssetID != b.ID || inB.Snapshot.Components != scanB.Summary.Components {
				t.Errorf("upload to asset %d: %+v; want %d components", b.ID, inB, scanB.Summary.Components)
			}
			waitMatched(t, admin, inB.Snapshot.ID)
			if early := findingPages(t, admin, client.FindingFilter{Asset: fmt.Sprint(b.ID), Status: "all"}, 500); len(early) != 0 {
				t.Fatalf("%d findings without advisories", len(early))
			}

			// The advisory feed: created disabled (no sync of its own),
			// synced on demand through the API.
			var f model.Feed
			admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(
				`{"name": "go-vulndb", "kind": "osv", "url": %q, "enabled": false}`, osvSrv.URL+"/Go/all.zip")), 201, &f)
			if f.Enabled || f.Syncs != 0 || !f.LastSuccessAt.IsZero() {
				t.Fatalf("new feed: %+v", f)
			}
			f = syncFeed(t, admin, f.ID)
			if f.LastSuccessAt.IsZero() || f.LastError != "" || f.Syncs != 1 {
				t.Errorf("feed after its first sync: %+v", f)
			}
			if f.Items != advisories || f.Items == 0 || f.Changed != advisories {
				t.Errorf("feed after its first sync: items %d, changed %d; want both %d (the advisories in the zip)", f.Items, f.Changed, advisories)
			}
			if f.ContentHash != sha256hex(zipData) {
				t.Errorf("feed content_hash %s, want the zip's SHA-256 %s", f.ContentHash, sha256hex(zipData))
			}
			var ov struct {
				Advisories int `json:"advisories"`
			}
			admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			rematches := waitJobsDone(t, admin, "rematch")

			// The same content again changes nothing.
			f2 := syncFeed(t, admin, f.ID)
			if osvSrv.hits.Load() != 2 {
				t.Errorf("the OSV server was asked %d times for two syncs", osvSrv.hits.Load())
			}
			if f2.Changed != 0 || f2.Syncs != 2 || f2.Items != f.Items || f2.ContentHash != f.ContentHash || f2.LastError != "" ||
				!f2.LastSuccessAt.After(f.LastSuccessAt) {
				t.Errorf("feed after syncing unchanged content: %+v; before: %+v", f2, f)
			}
			if n := len(listJobs(t, admin, "rematch")); n != rematches {
				t.Errorf("syncing unchanged content queued %d re-match jobs", n-rematches)
			}
			var ov2 struct {
				Advisories int `json:"advisories"`
			}
			admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov2)
			if ov2.Advisories != ov.Advisories || ov.Advisories == 0 {
				t.Errorf("advisories: %d after the first sync, %d after the second", ov.Advisories, ov2.Advisories)
			}

			// Asset A: created through the API, its SBOM pushed with the CLI
			// and an upload-only token.
			var a model.Asset
			admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "argo-cd", "kind": "application", "owner": "platform team"}`), 201, &a)
			snapA := cliPush(t, s, uploader.Token, "argo-cd", sbomA)
			snA := waitMatched(t, admin, snapA)
			// The same file again: a scan recorded, no new snapshot.
			if again := cliPush(t, s, uploader.Token, "argo-cd", sbomA); again != snapA {
				t.Errorf("the same SBOM pushed again made snapshot %d; want the current %d kept", again, snapA)
			}
			var scans struct{ Items []model.ScanRecord }
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d/scans", a.ID), nil, 200, &scans)
			if len(scans.Items) != 2 || scans.Items[0].SnapshotID != snapA || scans.Items[0].DocumentSHA256 != sha256hex(mustRead(t, sbomA)) {
				t.Errorf("scan records after pushing the same SBOM twice: %+v", scans.Items)
			}
			if snA.AssetID != a.ID || snA.Components != scanA.Summary.Components || snA.SHA256 != sha256hex(mustRead(t, sbomA)) {
				t.Errorf("pushed snapshot %+v: want asset %d, %d components, the file's SHA-256", snA, a.ID, scanA.Summary.Components)
			}

			openA := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID)})
			openB := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(b.ID)})
			samePairs(t, "argo-cd (pushed with the CLI)", openA, scanA)
			samePairs(t, "prometheus (POST /api/v1/assets/{id}/sboms, matched by the re-match after the sync)", openB, scanB)
			for _, fd := range openA {
				if fd.AssetID != a.ID || fd.SnapshotID != snapA || fd.Status != "open" {
					t.Errorf("finding %d: asset %d snapshot %d status %s; want %d, %d, open", fd.ID, fd.AssetID, fd.SnapshotID, fd.Status, a.ID, snapA)
				}
			}
			if all := allFindings(t, admin, client.FindingFilter{Status: "open"}); len(all) != len(openA)+len(openB) {
				t.Errorf("all open findings: %d; want %d + %d", len(all), len(openA), len(openB))
			}

			// A new snapshot of A without the vulnerable version: what it
			// no longer has resolves by upgrade; the rest stays open as the
			// same findings.
			var inA2 api.Ingest
			uploader.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms?source=%s", a.ID, filepath.Base(sbomA2)),
				bytes.NewReader(mustRead(t, sbomA2)), 201, &inA2)
			snapA2 := inA2.Snapshot.ID
			waitMatched(t, admin, snapA2)
			openA2 := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID)})
			samePairs(t, "argo-cd after the upgrade", openA2, scanA2)
			resolved := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID), Status: "resolved"})
			before, after := byPair(openA), byPair(openA2)
			wantResolved := map[string]bool{}
			for k := range before {
				if _, ok := after[k]; !ok {
					wantResolved[k] = true
				}
			}
			if len(wantResolved) < upN {
				t.Errorf("%d findings gone after upgrading %s; want at least its %d", len(wantResolved), upPURL, upN)
			}
			if len(resolved) != len(wantResolved) {
				t.Errorf("%d resolved findings; want the %d no longer in the new snapshot", len(resolved), len(wantResolved))
			}
			for _, fd := range resolved {
				old, ok := before[findingPairKey(fd)]
				if !wantResolved[findingPairKey(fd)] || !ok || old.ID != fd.ID {
					t.Errorf("resolved finding %d (%s) was not an open finding gone from the new snapshot", fd.ID, findingPairKey(fd))
				}
				if fd.Status != "resolved" || fd.Resolution != "upgrade" || fd.ResolvedBy != snapA2 {
					t.Errorf("resolved finding %d: status %q resolution %q resolved_by_snapshot %d; want resolved, upgrade, %d",
						fd.ID, fd.Status, fd.Resolution, fd.ResolvedBy, snapA2)
				}
			}
			for k, fd := range after {
				if old, ok := before[k]; ok && old.ID != fd.ID {
					t.Errorf("%s: finding %d became %d: a finding still seen must keep its identity", k, old.ID, fd.ID)
				}
				if fd.SnapshotID != snapA2 {
					t.Errorf("open finding %d: snapshot %d, want %d", fd.ID, fd.SnapshotID, snapA2)
				}
			}
			if all := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID), Status: "all"}); len(all) != len(openA2)+len(resolved) {
				t.Errorf("status=all: %d findings; want %d open + %d resolved", len(all), len(openA2), len(resolved))
			}
			var snaps struct{ Items []model.Snapshot }
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d/snapshots", a.ID), nil, 200, &snaps)
			var ids []int64
			for _, sn := range snaps.Items {
				ids = append(ids, sn.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, []int64{snapA, snapA2}) {
				t.Errorf("asset %d snapshots %v; want %v", a.ID, ids, []int64{snapA, snapA2})
			}
			var a2 model.Asset
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d", a.ID), nil, 200, &a2)
			if a2.CurrentSnapshotID != snapA2 {
				t.Errorf("asset current_snapshot_id %d, want %d", a2.CurrentSnapshotID, snapA2)
			}

			// KEV and EPSS: the real catalogue and scores plus an entry for a
			// CVE one of the open findings has as an alias.
			kevData, epssData, cve, score := kevAndEPSS(t, kevPath, epssPath, openA2)
			kevSet, epssScores := parseKEVSet(t, kevData), parseEPSS(t, epssData)
			side := serveLoopback(t, map[string][]byte{"/kev.json": kevData, "/epss.csv": epssData})
			var kf, ef model.Feed
			admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "kev", "kind": "kev", "url": %q}`, side.URL+"/kev.json")), 201, &kf)
			admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "epss", "kind": "epss", "url": %q}`, side.URL+"/epss.csv")), 201, &ef)
			// Enabled feeds sync at once when created.
			waitJob(t, admin, "sync-feed", feedJob(t, admin, kf.ID))
			waitJob(t, admin, "sync-feed", feedJob(t, admin, ef.ID))
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", kf.ID), nil, 200, &kf)
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", ef.ID), nil, 200, &ef)
			if kf.Items != len(kevSet) || kf.ContentHash != sha256hex(kevData) || kf.LastSuccessAt.IsZero() || kf.LastError != "" {
				t.Errorf("KEV feed %+v: want %d items, content_hash %s", kf, len(kevSet), sha256hex(kevData))
			}
			if ef.Items != len(epssScores) || ef.ContentHash != sha256hex(epssData) || ef.LastSuccessAt.IsZero() || ef.LastError != "" {
				t.Errorf("EPSS feed %+v: want %d items, content_hash %s", ef, len(epssScores), sha256hex(epssData))
			}
			// Every finding, open or resolved, carries the KEV flag and the
			// highest EPSS score of its IDs; kev=true lists the open ones.
			exploitData := func(stage string) []int64 {
				t.Helper()
				var wantKEV []int64
				for _, fd := range allFindings(t, admin, client.FindingFilter{Status: "all"}) {
					ids := append([]string{fd.VulnID}, fd.Aliases...)
					kev := false
					var epss *float64
					for _, id := range ids {
						kev = kev || kevSet[id]
						if sc, ok := epssScores[id]; ok && (epss == nil || sc > *epss) {
							epss = &sc
						}
					}
					if fd.KEV != kev {
						t.Errorf("%s: finding %d (%s, aliases %v): kev %v, want %v", stage, fd.ID, fd.VulnID, fd.Aliases, fd.KEV, kev)
					}
					switch {
					case epss == nil && fd.EPSS != nil:
						t.Errorf("%s: finding %d (%s): epss %v, want none", stage, fd.ID, fd.VulnID, *fd.EPSS)
					case epss != nil && (fd.EPSS == nil || *fd.EPSS != *epss):
						t.Errorf("%s: finding %d (%s): epss %v, want %v", stage, fd.ID, fd.VulnID, fd.EPSS, *epss)
					}
					if kev && fd.Status == "open" {
						wantKEV = append(wantKEV, fd.ID)
					}
				}
				if len(wantKEV) == 0 {
					t.Fatalf("%s: no open finding has %s: the KEV check proves nothing", stage, cve)
				}
				var gotKEV []int64
				for _, fd := range allFindings(t, admin, client.FindingFilter{KEV: true}) {
					gotKEV = append(gotKEV, fd.ID)
				}
				slices.Sort(wantKEV)
				slices.Sort(gotKEV)
				if !slices.Equal(gotKEV, wantKEV) {
					t.Errorf("%s: findings?kev=true: %v; want %v (the open findings with %s)", stage, gotKEV, wantKEV, cve)
				}
				return wantKEV
			}
			wantKEV := exploitData("after the KEV and EPSS syncs")

			// The old SBOM again: what the upgrade resolved is open again,
			// as the same findings.
			var inA3 api.Ingest
			uploader.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms?source=again.cdx.json", a.ID),
				bytes.NewReader(mustRead(t, sbomA)), 201, &inA3)
			waitMatched(t, admin, inA3.Snapshot.ID)
			openA3 := allFindings(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID)})
			samePairs(t, "argo-cd pushed again", openA3, scanA)
			for _, fd := range openA3 {
				if old := before[findingPairKey(fd)]; old.ID != fd.ID {
					t.Errorf("%s: reopened as finding %d, was %d", findingPairKey(fd), fd.ID, old.ID)
				}
				if fd.Resolution != "" || fd.ResolvedBy != 0 || fd.SnapshotID != inA3.Snapshot.ID {
					t.Errorf("reopened finding %d: resolution %q resolved_by_snapshot %d snapshot %d", fd.ID, fd.Resolution, fd.ResolvedBy, fd.SnapshotID)
				}
			}
			stillResolved := 0
			for k := range after {
				if _, ok := before[k]; !ok {
					stillResolved++
				}
			}
			if n := len(findingPages(t, admin, client.FindingFilter{Asset: fmt.Sprint(a.ID), Status: "resolved"}, 500)); n != stillResolved {
				t.Errorf("%d findings resolved after pushing the old SBOM again; want %d", n, stillResolved)
			}
			exploitData("after reopening")

			t.Logf("%s: %d advisories synced; argo-cd %d open findings (scan %d), prometheus %d (scan %d); after the upgrade %d open (scan %d), %d resolved by snapshot %d and reopened by snapshot %d; %s (EPSS %v) marks %d open finding(s) KEV; took %v",
				e.Name, f.Items, len(openA), len(scanA.Findings), len(openB), len(scanB.Findings), len(openA2), len(scanA2.Findings),
				len(resolved), snapA2, inA3.Snapshot.ID, cve, score, len(wantKEV), time.Since(began).Round(time.Millisecond))
		})
	}
}

// kevAndEPSS returns the real KEV catalogue and EPSS excerpt, each with
// one more entry: for a CVE that an open finding has and the real files
// do not.
func kevAndEPSS(t *testing.T, kevPath, epssPath string, open []model.AssetFinding) (kev, epss []byte, cve string, score float64) {
	t.Helper()
	var cat map[string]any
	if err := json.Unmarshal(mustRead(t, kevPath), &cat); err != nil {
		t.Fatal(err)
	}
	epssData := mustRead(t, epssPath)
	inKEV, inEPSS := parseKEVSet(t, mustRead(t, kevPath)), parseEPSS(t, epssData)
	var cands []string
	for _, f := range open {
		for _, a := range f.Aliases {
			if strings.HasPrefix(a, "CVE-") && !inKEV[a] {
				if _, ok := inEPSS[a]; !ok {
					cands = append(cands, a)
				}
			}
		}
	}
	if len(cands) == 0 {
		t.Fatal("no open finding has a CVE alias")
	}
	sort.Strings(cands)
	cve = cands[0]
	vulns := cat["vulnerabilities"].([]any)
	entry := map[string]any{}
	for k, v := range vulns[0].(map[string]any) {
		entry[k] = v
	}
	entry["cveID"] = cve
	entry["vulnerabilityName"] = "test entry for " + cve
	cat["vulnerabilities"] = append(vulns, entry)
	cat["count"] = len(vulns) + 1
	kev, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	score = 0.87654
	if !bytes.HasSuffix(epssData, []byte("\n")) {
		epssData = append(slices.Clone(epssData), '\n')
	}
	epss = append(slices.Clone(epssData), fmt.Sprintf("%s,%v,0.99321\n", cve, score)...)
	return kev, epss, cve, score
}

func parseKEVSet(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var cat struct {
		Vulnerabilities []struct {
			CVE string `json:"cveID"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, v := range cat.Vulnerabilities {
		out[v.CVE] = true
	}
	return out
}

func parseEPSS(t *testing.T, data []byte) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "cve,") {
			continue
		}
		fs := strings.Split(line, ",")
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			t.Fatalf("EPSS line %q: %v", line, err)
		}
		if _, dup := out[fs[0]]; !dup {
			out[fs[0]] = v
		}
	}
	return out
}

// body is a helper for raw requests.

// TestBadInput sends what a careless or hostile client might — broken,
// hostile and oversized SBOMs, JSON with unknown fields, bad IDs, cursors
// and filters — and checks that each is refused with a 4xx JSON error that
// names the problem and that nothing was stored.
func TestBadInput(t *testing.T) {
	t.Parallel()
	good := mustRead(t, "../../examples/sbom/webshop.cdx.json")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			badInput(t, e, good)
		})
	}
}

func badInput(t *testing.T, e storetest.Engine, good []byte) {
	const limit = 1 << 20
	began := time.Now()
	s := startE2E(t, e, nil, "--empty", "--max-upload", strconv.Itoa(limit))
	admin, up := s.admin, s.client(t, "uploader")
	var target model.Asset
	admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "target", "owner": "before"}`), 201, &target)
	var first api.Ingest
	up.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms", target.ID), bytes.NewReader(good), 201, &first)
	waitMatched(t, admin, first.Snapshot.ID)

	// state is everything a refused request must leave as it was.
	state := func() string {
		var b strings.Builder
		var snaps struct{ Items []model.Snapshot }
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d/snapshots", target.ID), nil, 200, &snaps)
		for _, sn := range snaps.Items {
			fmt.Fprintf(&b, "snapshot %d; ", sn.ID)
		}
		var as struct{ Items []model.Asset }
		admin.JSON(t, "GET", "/api/v1/assets?limit=500", nil, 200, &as)
		for _, a := range as.Items {
			fmt.Fprintf(&b, "asset %d %s owner %q current %d; ", a.ID, a.Name, a.Owner, a.CurrentSnapshotID)
		}
		var fs struct{ Items []model.Feed }
		admin.JSON(t, "GET", "/api/v1/feeds", nil, 200, &fs)
		for _, f := range fs.Items {
			fmt.Fprintf(&b, "feed %d %s %v %d; ", f.ID, f.Name, f.Enabled, f.Syncs)
		}
		for _, list := range []string{"tokens", "users"} {
			var l struct{ Items []map[string]any }
			admin.JSON(t, "GET", "/api/v1/"+list, nil, 200, &l)
			fmt.Fprintf(&b, "%d %s; ", len(l.Items), list)
		}
		var ov map[string]any
		admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
		fmt.Fprintf(&b, "overview assets %v snapshots %v components %v open %v; ", ov["assets"], ov["snapshots"], ov["components"], ov["open_findings"])
		fmt.Fprintf(&b, "%d match jobs", len(listJobs(t, admin, "match-snapshot")))
		return b.String()
	}
	before := state()
	unchanged := func(after string) {
		t.Helper()
		if now := state(); now != before {
			t.Errorf("after %s, the store changed:\nbefore %s\nnow    %s", after, before, now)
			before = now
		}
	}

	// SBOMs: each to the asset by ID and by name with create=true.
	padded := func(n int) []byte { // the good SBOM, padded with spaces
		return append(slices.Clone(good), bytes.Repeat([]byte(" "), n-len(good))...)
	}
	xxe := `<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components><component type="library"><name>&xxe;</name><version>1</version><purl>pkg:npm/x@1</purl></component></components></bom>`
	sboms := []struct {
		name   string
		data   []byte
		status int
		words  []string
	}{
		{"truncated JSON", good[:len(good)/2], 400, []string{"bad.cdx.json", "line"}},
		{"XML with a DOCTYPE", []byte(xxe), 400, []string{"bad.cdx.json", "DOCTYPE"}},
		{"an unknown format", []byte("name,version\nleft-pad,1.0.0\n"), 400, []string{"bad.cdx.json", "not an SBOM"}},
		{"JSON that is no SBOM", []byte(`{"hello": "world"}`), 400, []string{"not an SBOM"}},
		{"a JSON array", []byte(`[{"bomFormat": "CycloneDX"}]`), 400, []string{"array"}},
		{"an empty body", nil, 400, []string{"empty"}},
		{"only white space", []byte(" \n\t\n"), 400, []string{"empty"}},
		{"2 MiB", padded(2 << 20), 413, []string{"larger than"}},
		{"one byte over --max-upload", padded(limit + 1), 413, []string{"larger than"}},
	}
	for _, c := range sboms {
		for _, path := range []string{
			fmt.Sprintf("/api/v1/assets/%d/sboms?source=bad.cdx.json", target.ID),
			"/api/v1/sboms?asset=new-name&create=true&source=bad.cdx.json",
		} {
			a := rawCall(t, s.URL, "POST", path, bytes.NewReader(c.data),
				map[string]string{"Authorization": "Bearer " + up.Token, "Content-Type": "application/octet-stream"})
			wantAPIError(t, c.name+" to "+path, a.status, a.body, c.status, c.words...)
		}
		unchanged(c.name)
	}
	var none struct{ Items []model.Asset }
	admin.JSON(t, "GET", "/api/v1/assets?q=new-name", nil, 200, &none)
	if len(none.Items) != 0 {
		t.Errorf("refused uploads created the asset: %+v", none.Items)
	}

	// JSON bodies are read strictly.
	bodies := []struct {
		method, path, body string
		words              []string
	}{
		{"POST", "/api/v1/assets", `{"name": "typo-asset", "colour": "red"}`, []string{"colour"}},
		{"PATCH", fmt.Sprintf("/api/v1/assets/%d", target.ID), `{"ownr": "someone"}`, []string{"ownr"}},
		{"POST", "/api/v1/feeds", `{"name": "typo-feed", "kind": "kev", "url": "http://127.0.0.1:9/kev.json", "enabld": false}`, []string{"enabld"}},
		{"PATCH", "/api/v1/feeds/1", `{"enabled": true, "intervall": 60}`, []string{"intervall"}},
		{"POST", "/api/v1/tokens", `{"name": "typo-token", "role": "auditor", "expires": "never"}`, []string{"expires"}},
		{"POST", "/api/v1/users", `{"username": "typo-user", "role": "auditor", "email": "x@example.org"}`, []string{"email"}},
		{"POST", "/api/v1/assets", `{"name": "first"} {"name": "second"}`, []string{"more than one"}},
		{"POST", "/api/v1/assets", `{"name": `, []string{"request body"}},
		{"POST", "/api/v1/assets", `{"name": 42}`, []string{"name"}},
		{"POST", "/api/v1/assets", ``, []string{"request body"}},
		{"POST", "/api/v1/assets", `[]`, []string{"request body"}},
		{"PATCH", fmt.Sprintf("/api/v1/assets/%d", target.ID), `{"owner": "x", "criticality": "high"}`, []string{"criticality"}},
	}
	for _, c := range bodies {
		status, b := admin.Do(t, c.method, c.path, strings.NewReader(c.body))
		wantAPIError(t, fmt.Sprintf("%s %s %s", c.method, c.path, c.body), status, b, 400, c.words...)
	}
	unchanged("JSON bodies with unknown fields")

	// IDs must be positive integers.
	idRoutes := []struct{ method, path, body string }{
		{"GET", "/api/v1/assets/%s", ""},
		{"PATCH", "/api/v1/assets/%s", `{"owner": "x"}`},
		{"DELETE", "/api/v1/assets/%s", ""},
		{"GET", "/api/v1/assets/%s/snapshots", ""},
		{"POST", "/api/v1/assets/%s/sboms", string(good)},
		{"GET", "/api/v1/snapshots/%s", ""},
		{"GET", "/api/v1/snapshots/%s/components", ""},
		{"GET", "/api/v1/findings/%s", ""},
		{"GET", "/api/v1/feeds/%s", ""},
		{"PATCH", "/api/v1/feeds/%s", `{"enabled": false}`},
		{"DELETE", "/api/v1/feeds/%s", ""},
		{"POST", "/api/v1/feeds/%s/sync", ""},
		{"DELETE", "/api/v1/tokens/%s", ""},
	}
	badIDs := []string{"abc", "0", "-1", "1.5", "1e3", "0x10", "99999999999999999999", "%201", "1%00"}
	for _, r := range idRoutes {
		for _, id := range badIDs {
			path := fmt.Sprintf(r.path, id)
			status, b := admin.Do(t, r.method, path, strings.NewReader(r.body))
			wantAPIError(t, r.method+" "+path, status, b, 400, "id")
		}
	}
	status, b := admin.Do(t, "GET", "/api/v1/advisories/"+strings.Repeat("A", 201), nil)
	wantAPIError(t, "GET /api/v1/advisories/<201 characters>", status, b, 400, "advisory id")
	unchanged("bad IDs")

	// Query parameters.
	queries := []struct {
		method, path string
		words        []string
	}{
		{"GET", "/api/v1/findings?cursor=garbage", []string{"cursor"}},
		{"GET", "/api/v1/findings?cursor=9.1", []string{"cursor"}},
		{"GET", "/api/v1/findings?cursor=1.-1", []string{"cursor"}},
		{"GET", "/api/v1/findings?cursor=1.0", []string{"cursor"}},
		{"GET", "/api/v1/findings?cursor=-1.5", []string{"cursor"}},
		{"GET", "/api/v1/findings?cursor=1.2.3", []string{"cursor"}},
		{"GET", "/api/v1/assets?cursor=abc", []string{"cursor"}},
		{"GET", "/api/v1/assets?cursor=-1", []string{"cursor"}},
		{"GET", "/api/v1/findings?severity=urgent", []string{"urgent"}},
		{"GET", "/api/v1/findings?severity=high,urgent", []string{"urgent"}},
		{"GET", "/api/v1/findings?status=closed", []string{"closed"}},
		{"GET", "/api/v1/findings?kev=maybe", []string{"kev"}},
		{"GET", "/api/v1/findings?asset=%20x", []string{"asset"}},
		{"GET", "/api/v1/findings?asset=a%E2%80%AEb", []string{"asset"}},
		{"GET", "/api/v1/findings?limit=-1", []string{"limit"}},
		{"GET", "/api/v1/findings?limit=ten", []string{"limit"}},
		{"GET", "/api/v1/findings?q=" + strings.Repeat("a", 201), []string{"q"}},
		{"GET", "/api/v1/assets?limit=abc", []string{"limit"}},
		{"GET", "/api/v1/jobs?limit=-1", []string{"limit"}},
		{"POST", "/api/v1/feeds/1/sync?force=perhaps", []string{"force"}},
		{"POST", "/api/v1/sboms", []string{"asset"}},
		{"POST", "/api/v1/sboms?asset=new-name&create=perhaps", []string{"create"}},
		{"POST", fmt.Sprintf("/api/v1/assets/%d/sboms?source=%s", target.ID, strings.Repeat("s", 256)), []string{"source"}},
	}
	for _, q := range queries {
		var body io.Reader
		if q.method == "POST" {
			body = bytes.NewReader(good)
		}
		status, b := admin.Do(t, q.method, q.path, body)
		wantAPIError(t, q.method+" "+q.path, status, b, 400, q.words...)
	}
	// Without create=true an unknown asset is not created.
	status, b = up.Do(t, "POST", "/api/v1/sboms?asset=new-name", bytes.NewReader(good))
	wantAPIError(t, "POST /api/v1/sboms?asset=new-name", status, b, 404, "new-name", "may not create assets")
	status, b = admin.Do(t, "POST", "/api/v1/sboms?asset=new-name", bytes.NewReader(good))
	wantAPIError(t, "POST /api/v1/sboms?asset=new-name as admin", status, b, 404, "new-name", "create=true")
	// An asset filter names an asset by ID or name; an unknown name is 404.
	status, b = admin.Do(t, "GET", "/api/v1/findings?asset=abc", nil)
	wantAPIError(t, "GET /api/v1/findings?asset=abc", status, b, 404, "abc")
	unchanged("bad query parameters")

	// Good values of the same parameters are accepted.
	for _, p := range []string{"/api/v1/findings?cursor=5.1", "/api/v1/findings?severity=HIGH,critical&kev=false&status=all&limit=500",
		"/api/v1/assets?cursor=1&limit=1", "/api/v1/jobs?limit=1"} {
		if status, b := admin.Do(t, "GET", p, nil); status != 200 {
			t.Errorf("GET %s: %d %s", p, status, b)
		}
	}

	// The limit itself is not too large.
	var atLimit api.Ingest
	up.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms?source=limit.cdx.json", target.ID), bytes.NewReader(padded(limit)), 201, &atLimit)
	if atLimit.Snapshot.AssetID != target.ID || atLimit.Snapshot.Components != first.Snapshot.Components {
		t.Errorf("an SBOM of exactly --max-upload bytes: %+v", atLimit)
	}
	t.Logf("%s: %d SBOMs, %d JSON bodies, %d bad IDs, %d bad queries refused, nothing stored; took %v", e.Name,
		2*len(sboms), len(bodies), len(idRoutes)*len(badIDs)+1, len(queries)+1, time.Since(began).Round(time.Millisecond))
}
