package service_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

var ctx = context.Background()

// newService is a service whose feeds may read local files in the
// system's temporary directory, where the tests write them.
func newService(t *testing.T, st *store.Store, log *slog.Logger) *service.Service {
	t.Helper()
	svc := service.New(st, log)
	var err error
	if svc.Sources, err = service.NewSources(st, t.TempDir(), []string{os.TempDir()}, false); err != nil {
		t.Fatal(err)
	}
	return svc
}

// drain runs every queued job, as a runner would, and returns how many.
func drain(t *testing.T, svc *service.Service) int {
	t.Helper()
	n := 0
	for {
		j, ok, err := svc.Store.Claim(ctx, "test", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return n
		}
		err = svc.RunJob(ctx, j)
		if err != nil {
			t.Fatalf("job %s: %v", j.Kind, err)
		}
		if err := svc.Store.Finish(ctx, j.ID, "test", nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func writeAdvisory(t *testing.T, dir, id, pkg, fixed string, extra string) {
	t.Helper()
	doc := fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-%s"],"summary":"flaw in %s",
		"affected":[{"package":{"ecosystem":"PyPI","name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":%q}]}]}]%s}`,
		id, strings.TrimPrefix(id, "PYSEC-"), pkg, pkg, fixed, extra)
	if err := os.WriteFile(filepath.Join(dir, id+".json"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
}

func sbomDoc(versions map[string]string) []byte {
	var comps []string
	for name, v := range versions {
		comps = append(comps, fmt.Sprintf(`{"type":"library","name":%q,"version":%q,"purl":"pkg:pypi/%s@%s"}`, name, v, name, v))
	}
	return []byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[` + strings.Join(comps, ",") + `]}`)
}

func openFindings(t *testing.T, st *store.Store, status string) []model.AssetFinding {
	t.Helper()
	fs, _, err := st.Findings(ctx, store.FindingFilter{Status: status, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestContinuousMatching(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dir := t.TempDir()
		writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
		writeAdvisory(t, dir, "PYSEC-0002", "flask", "1.0.0", "")
		writeAdvisory(t, dir, "PYSEC-0003", "django", "5.0.0", "")
		feed, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "local", Kind: model.FeedOSV, URL: dir, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)

		// A bad upload stores nothing and says why.
		_, _, err = svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: "api"}, Create: true, Source: "bad.json", Data: []byte(`{"bomFormat":`)})
		if !errors.Is(err, service.ErrInvalidInput) || !strings.Contains(err.Error(), "bad.json") {
			t.Fatalf("bad upload: %v", err)
		}
		if _, err := st.AssetByName(ctx, "api"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("asset created by a failed upload: %v", err)
		}

		a, s1, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: "api"}, Create: true,
			Data: sbomDoc(map[string]string{"requests": "1.0.0", "flask": "0.9", "django": "5.1", "Jinja2": "3.0"})})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		open := openFindings(t, st, "open")
		if len(open) != 2 {
			t.Fatalf("open after first snapshot: %+v", open)
		}
		for _, f := range open {
			if f.SnapshotID != s1.ID || f.FirstSeen.IsZero() || len(f.Evidence) < 10 {
				t.Fatalf("finding %+v", f)
			}
		}

		// Unchanged feed: nothing re-processed.
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		if f, _ := st.Feed(ctx, feed.ID); f.Changed != 0 || f.Items != 3 {
			t.Fatalf("unchanged sync: %+v", f)
		}
		if n := drain(t, svc); n != 0 {
			t.Fatalf("unchanged sync queued %d jobs", n)
		}

		// The flask advisory is corrected: 0.9 is no longer affected. Only
		// flask's key is re-matched, and its finding resolves.
		writeAdvisory(t, dir, "PYSEC-0002", "flask", "0.5", "")
		// A new advisory for Jinja2 arrives.
		writeAdvisory(t, dir, "PYSEC-0004", "jinja2", "3.1.0", "")
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		if f, _ := st.Feed(ctx, feed.ID); f.Changed != 2 {
			t.Fatalf("changed: %+v", f)
		}
		jobs, _ := st.Jobs(ctx, model.JobRematch, 1)
		if !strings.Contains(jobs[0].Payload, "PyPI|flask") || !strings.Contains(jobs[0].Payload, "PyPI|jinja2") || strings.Contains(jobs[0].Payload, "requests") {
			t.Fatalf("rematch keys: %s", jobs[0].Payload)
		}
		drain(t, svc)
		ids := map[string]string{}
		for _, f := range openFindings(t, st, "all") {
			ids[f.VulnID] = f.Status + "/" + f.Resolution
		}
		want := map[string]string{"PYSEC-0001": "open/", "PYSEC-0002": "resolved/advisory-changed", "PYSEC-0004": "open/"}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Fatalf("after advisory change: %v, want %v", ids, want)
		}

		// An upgrade resolves by upgrade, naming the snapshot.
		_, s2, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{ID: a.ID},
			Data: sbomDoc(map[string]string{"requests": "2.1.0", "flask": "0.9", "django": "5.1", "Jinja2": "3.0"})})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		res, _, _ := st.Findings(ctx, store.FindingFilter{Status: "resolved", Text: "requests"})
		if len(res) != 1 || res[0].Resolution != model.ResolvedByUpgrade || res[0].ResolvedBy != s2.ID {
			t.Fatalf("upgrade: %+v", res)
		}

		// Withdrawal resolves too.
		writeAdvisory(t, dir, "PYSEC-0004", "jinja2", "3.1.0", `,"withdrawn":"2024-02-01T00:00:00Z"`)
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		if open := openFindings(t, st, "open"); len(open) != 0 {
			t.Fatalf("still open: %+v", open)
		}
	})
}

func TestSeedShowsFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		if err := svc.Seed(ctx, t.TempDir(), false); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		sum, err := st.Summary(ctx)
		if err != nil || sum.Assets != 1 || sum.Open == 0 {
			t.Fatalf("seeded summary %+v %v", sum, err)
		}
		feeds, _ := st.Feeds(ctx)
		if len(feeds) != len(service.DefaultFeeds)+2 { // and the examples, OSV and NVD
			t.Fatalf("feeds: %d", len(feeds))
		}
		for _, f := range feeds {
			if f.Enabled {
				t.Errorf("feed %s enabled by default", f.Name)
			}
		}
	})
}

func TestRunnerRunsAndStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dir := t.TempDir()
		writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
		feed, _ := storetest.CreateFeed(ctx, st, model.Feed{Name: "local", Kind: model.FeedOSV, URL: dir, Enabled: true})
		if _, _, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: "x"}, Create: true,
			Data: sbomDoc(map[string]string{"requests": "1.0.0"})}); err != nil {
			t.Fatal(err)
		}
		run, cancel := context.WithCancel(ctx)
		r := &service.Runner{Svc: svc, Poll: 20 * time.Millisecond, Schedule: 50 * time.Millisecond}
		done := make(chan struct{})
		go func() { r.Run(run); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			// The scheduler queues the never-synced feed by itself.
			if f, _ := st.Feed(ctx, feed.ID); !f.LastSuccessAt.IsZero() && len(openFindings(t, st, "open")) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("runner did not sync and match")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("runner did not stop")
		}
		counts, _ := st.JobCounts(ctx)
		if counts[model.JobRunning] != 0 || counts[model.JobFailed] != 0 {
			t.Fatalf("job states after stop: %v", counts)
		}
	})
}

func TestScheduledSyncSkippedWhenAnotherRanFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dir := t.TempDir()
		writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
		feed, _ := storetest.CreateFeed(ctx, st, model.Feed{Name: "local", Kind: model.FeedOSV, URL: dir, Enabled: true})
		// One replica's scheduler queued it …
		if _, _, err := st.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed, DedupeKey: "sync-feed:x",
			Payload: fmt.Sprintf(`{"feed_id":%d,"scheduled":true}`, feed.ID)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		// … and another replica synced the feed meanwhile.
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		if f, _ := st.Feed(ctx, feed.ID); f.Syncs != 1 {
			t.Fatalf("syncs = %d, want 1", f.Syncs)
		}
	})
}

// TestRematchPipeline: a re-match over several batches matches each next
// batch while the one before is written; when the advisories change in
// between, the batches matched ahead are outdated and matched again, and
// every asset ends with the findings the advisories give.
func TestRematchPipeline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dir := t.TempDir()
		writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
		writeAdvisory(t, dir, "PYSEC-0002", "flask", "1.0.0", "")
		feed, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "local", Kind: model.FeedOSV, URL: dir, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		const assets = 7
		for i := range assets {
			if _, _, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: fmt.Sprintf("app-%d", i)}, Create: true,
				Data: sbomDoc(map[string]string{"requests": "1.0.0", "flask": "0.9"})}); err != nil {
				t.Fatal(err)
			}
		}
		drain(t, svc)
		if n := len(openFindings(t, st, "open")); n != 2*assets {
			t.Fatalf("open: %d, want %d", n, 2*assets)
		}

		// flask 0.9 is no longer affected; while that re-match runs, after
		// its first batch, requests 1.0.0 stops being affected too.
		writeAdvisory(t, dir, "PYSEC-0002", "flask", "0.5", "")
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		var events []bool
		restore := service.SetRematchBatches(2, func(outdated bool) {
			if len(events) == 0 {
				writeAdvisory(t, dir, "PYSEC-0001", "requests", "0.5", "")
				if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
					t.Error(err)
				}
			}
			events = append(events, outdated)
		})
		defer restore()
		drain(t, svc)
		// The flask re-match: its first batch, then the second, outdated
		// (the rest go one at a time); then the requests re-match the
		// change queued, four batches.
		if fmt.Sprint(events) != "[false true false false false false]" {
			t.Fatalf("batches written (outdated?): %v", events)
		}
		for _, f := range openFindings(t, st, "all") {
			if f.Status != model.FindingResolved || f.Resolution != model.ResolvedByAdvisory {
				t.Errorf("%s %s of %s: %s/%s", f.VulnID, f.Package, f.AssetName, f.Status, f.Resolution)
			}
		}
	})
}

// writeZip writes an all.zip of the given entries.
func writeZip(t *testing.T, path string, entries map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(entries[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestZipSyncSkipsUnchangedEntries: a second sync of a revised all.zip
// reads only the entries whose CRC-32 or size changed, and stores the
// same as reading everything would.
func TestZipSyncSkipsUnchangedEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var logs bytes.Buffer
		svc := newService(t, st, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		dir := t.TempDir()
		doc := func(id, pkg, fixed, summary string) string {
			return fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z","summary":%q,
				"affected":[{"package":{"ecosystem":"PyPI","name":%q},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":%q}]}]}]}`,
				id, summary, pkg, fixed)
		}
		zipPath := filepath.Join(dir, "all.zip")
		entries := map[string]string{
			"PYSEC-1.json": doc("PYSEC-1", "requests", "2.0.0", "one"),
			"PYSEC-2.json": doc("PYSEC-2", "flask", "1.0.0", "two"),
			"PYSEC-3.json": doc("PYSEC-3", "django", "5.0.0", "three"),
		}
		writeZip(t, zipPath, entries)
		feed, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "zip", Kind: model.FeedOSV, URL: zipPath, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		entries["PYSEC-2.json"] = doc("PYSEC-2", "flask", "0.5", "two, corrected")
		writeZip(t, zipPath, entries)
		logs.Reset()
		if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "files=1 unchanged_entries_skipped=2") {
			t.Errorf("second sync read more than the changed entry:\n%s", logs.String())
		}
		f, _ := st.Feed(ctx, feed.ID)
		if f.Changed != 1 || f.Items != 3 {
			t.Fatalf("second sync: changed %d of %d, want 1 of 3", f.Changed, f.Items)
		}
		if info, ok, _ := st.AdvisoryInfo(ctx, "PYSEC-2"); !ok || !strings.Contains(info, "two, corrected") {
			t.Fatalf("PYSEC-2 not revised: %s", info)
		}
	})
}
