package service_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestFeedSourceChecked: a feed's source is checked when it is configured
// and when it changes; credentials in its URL are kept, used, and never
// shown; a PATCH that sends the URL shown back keeps them.
func TestFeedSourceChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		dataDir, feedDir := t.TempDir(), t.TempDir()
		svc := service.New(st, nil)
		var err error
		if svc.Sources, err = service.NewSources(st, dataDir, []string{feedDir}, false); err != nil {
			t.Fatal(err)
		}
		secret := filepath.Join(t.TempDir(), "secret.json")
		if err := os.WriteFile(secret, []byte("S3CR3T"), 0o600); err != nil {
			t.Fatal(err)
		}
		for src, rule := range map[string]string{
			secret:                               "--feed-dir",
			"/etc/shadow":                        "--feed-dir",
			filepath.Join(dataDir, "x.json"):     "data directory",
			"https://169.254.169.254/latest":     "link-local",
			"http://127.0.0.1:8080/kev.json":     "loopback",
			"https://10.0.0.1/kev.json":          "private",
			"ftp://feeds.example/kev.json":       "scheme",
			"https://u:pw@[::1]/kev.json?token=": "loopback",
		} {
			_, err := svc.CreateFeed(ctx, model.Feed{Name: "bad", Kind: model.FeedKEV, URL: src}, "test")
			if !errors.Is(err, service.ErrInvalidInput) || !strings.Contains(err.Error(), rule) ||
				strings.Contains(err.Error(), "S3CR3T") || strings.Contains(err.Error(), "pw") {
				t.Errorf("%s: %v, want an input error naming %q", src, err, rule)
			}
		}
		if feeds, _ := st.Feeds(ctx); len(feeds) != 0 {
			t.Fatalf("refused feeds were stored: %+v", feeds)
		}

		const withCreds = "https://me:pa55@feeds.example/kev.json?api_key=abc&v=2"
		const shown = "https://REDACTED@feeds.example/kev.json?api_key=REDACTED&v=2"
		f, err := svc.CreateFeed(ctx, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: withCreds}, "test")
		if err != nil || f.URL != shown || f.Source() != withCreds {
			t.Fatalf("created: %+v, %v", f, err)
		}
		// The URL shown, sent back with another change, keeps the secret.
		f.Interval = 7200
		if f, err = svc.UpdateFeed(ctx, f.ID, func(f *model.Feed) { f.URL, f.Interval = shown, 7200 }, "test"); err != nil || f.Source() != withCreds || f.Interval != 7200 {
			t.Fatalf("updated keeping the URL: %+v, %v", f, err)
		}
		// A refused URL changes nothing.
		if _, err := svc.UpdateFeed(ctx, f.ID, func(f *model.Feed) { f.URL = secret }, "test"); !errors.Is(err, service.ErrInvalidInput) {
			t.Fatalf("update to a refused source: %v", err)
		}
		// Another URL replaces the secret.
		if f, err = svc.UpdateFeed(ctx, f.ID, func(f *model.Feed) { f.URL = "https://feeds.example/kev.json" }, "test"); err != nil ||
			f.Source() != "https://feeds.example/kev.json" || f.SecretURL != "" {
			t.Fatalf("updated to a new URL: %+v, %v", f, err)
		}
		got, _ := st.Feed(ctx, f.ID)
		if got.Source() != "https://feeds.example/kev.json" {
			t.Errorf("stored: %+v", got)
		}
	})
}

// TestDeleteFeedResolvesWithdrawn: deleting a feed withdraws the
// advisories only it supplied; the re-match it queues resolves the
// findings they caused as "withdrawn", and leaves open those of an
// advisory another feed also holds. A feed that brings one again
// re-opens its finding.
func TestDeleteFeedResolvesWithdrawn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dirA, dirB := t.TempDir(), t.TempDir()
		writeAdvisory(t, dirA, "PYSEC-0001", "requests", "2.0.0", "")
		writeAdvisory(t, dirA, "PYSEC-0002", "flask", "1.0.0", "")
		writeAdvisory(t, dirB, "PYSEC-0002", "flask", "1.0.0", "") // the same record
		writeAdvisory(t, dirB, "PYSEC-0003", "django", "5.0.0", "")
		sync := func(name, dir string) model.Feed {
			f, err := svc.CreateFeed(ctx, model.Feed{Name: name, Kind: model.FeedOSV, URL: dir}, "test")
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.SyncFeed(ctx, f.ID, false); err != nil {
				t.Fatal(err)
			}
			drain(t, svc)
			return f
		}
		a := sync("a", dirA)
		sync("b", dirB)
		if _, _, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: "api"}, Create: true,
			Data: sbomDoc(map[string]string{"requests": "1.0.0", "flask": "0.9", "django": "4.2"})}); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		state := func() string {
			ids := map[string]string{}
			for _, f := range openFindings(t, st, "all") {
				ids[f.VulnID] = f.Status + "/" + f.Resolution
			}
			return fmt.Sprint(ids)
		}
		if got, want := state(), fmt.Sprint(map[string]string{"PYSEC-0001": "open/", "PYSEC-0002": "open/", "PYSEC-0003": "open/"}); got != want {
			t.Fatalf("before: %s, want %s", got, want)
		}

		if err := svc.DeleteFeed(ctx, a.ID, "test"); err != nil {
			t.Fatal(err)
		}
		drain(t, svc)
		if got, want := state(), fmt.Sprint(map[string]string{"PYSEC-0001": "resolved/withdrawn", "PYSEC-0002": "open/", "PYSEC-0003": "open/"}); got != want {
			t.Fatalf("after deleting feed a: %s, want %s", got, want)
		}
		if n, _, _ := st.AdvisoryStats(ctx); n != 2 {
			t.Errorf("%d advisories counted, want 2", n)
		}
		if err := svc.DeleteFeed(ctx, a.ID, "test"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting it again: %v", err)
		}

		sync("a-again", dirA)
		if got, want := state(), fmt.Sprint(map[string]string{"PYSEC-0001": "open/", "PYSEC-0002": "open/", "PYSEC-0003": "open/"}); got != want {
			t.Fatalf("after the feed came back: %s, want %s", got, want)
		}
	})
}

// TestSyncRefusesStoredForbiddenSource: a feed stored before its source
// was checked (an upgrade) is refused when it syncs, before anything is
// read, and its credentials are hidden at start.
func TestSyncRefusesStoredForbiddenSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		dataDir := t.TempDir()
		svc := service.New(st, nil)
		var err error
		if svc.Sources, err = service.NewSources(st, dataDir, nil, false); err != nil {
			t.Fatal(err)
		}
		for src, rule := range map[string]string{
			filepath.Join(dataDir, "vulndesk.db"): "data directory",
			"/etc/shadow":                         "--feed-dir",
			"http://127.0.0.1:9/kev.json":         "loopback",
		} {
			f, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "old-" + filepath.Base(src), Kind: model.FeedKEV, URL: src})
			if err != nil {
				t.Fatal(err)
			}
			err = svc.SyncFeed(ctx, f.ID, false)
			if err == nil || !strings.Contains(err.Error(), rule) {
				t.Errorf("%s: sync %v, want refused naming %q", src, err, rule)
			}
			if got, _ := st.Feed(ctx, f.ID); !strings.Contains(got.LastError, rule) {
				t.Errorf("%s: last_error %q", src, got.LastError)
			}
		}

		const old = "https://me:pa55@feeds.example/kev.json?token=abc"
		f, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "creds", Kind: model.FeedKEV, URL: old})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := svc.HideFeedCredentials(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := st.Feed(ctx, f.ID)
			if got.URL != "https://REDACTED@feeds.example/kev.json?token=REDACTED" || got.Source() != old {
				t.Errorf("after hiding: url %q, source %q", got.URL, got.Source())
			}
		}
	})
}
