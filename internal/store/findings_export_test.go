package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestEachFindingIsTheList checks that the export's one statement reads
// what the findings list answers page by page, in its order, for every
// kind of filter and both orders, text searches of each way included.
func TestEachFindingIsTheList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC().Truncate(time.Second)
		b := storetest.Bulk{Assets: 40, Findings: 6000, Advisories: 600, Packages: 300, Days: 90}
		if err := storetest.BulkFill(ctx, s, b, now); err != nil {
			t.Fatal(err)
		}
		five, eight := 5.0, 8.0
		filters := []store.FindingFilter{
			{},
			{Status: "all"},
			{Status: "resolved", Sort: store.SortScore},
			{Status: "all", Sort: store.SortScore},
			{AssetID: 7},
			{Severity: []string{"critical", "high"}},
			{KEV: true, Status: "all"},
			{Ecosystem: "npm"},
			{MinScore: &five, MaxScore: &eight, Sort: store.SortScore},
			{State: []string{model.StateNotAffected, model.StateAffected}, Status: "all"},
			{Priority: []string{"act", "attend"}},
			{SLAState: "breached"},
			{Assignee: storetest.BulkAuditor, Status: "all"},
			{Assignee: "none"},
			{Text: "lodash"},                          // a word: many package names
			{Text: "lodash-1", Sort: store.SortScore}, // fewer
			{Text: "CVE-"},                            // every advisory's alias: too common for the lookup
			{Text: "no-such-thing"},
		}
		check := func(f store.FindingFilter) {
			t.Helper()
			name := fmt.Sprintf("%+v", f)
			f.Now = now
			var want []model.AssetFinding
			page := f
			page.Limit = store.MaxPageSize
			for {
				items, next, err := s.Findings(ctx, page)
				if err != nil {
					t.Fatalf("%s: list: %v", name, err)
				}
				want = append(want, items...)
				if next == "" {
					break
				}
				page.Cursor = next
			}
			var got []model.AssetFinding
			if err := s.EachFinding(ctx, f, func(fd model.AssetFinding) error {
				got = append(got, fd)
				return nil
			}); err != nil {
				t.Fatalf("%s: export: %v", name, err)
			}
			if len(got) != len(want) {
				t.Errorf("%s: export %d findings, list %d", name, len(got), len(want))
				return
			}
			for i := range got {
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(want[i])
				if string(g) != string(w) {
					t.Errorf("%s: row %d:\nexport %s\nlist   %s", name, i, g, w)
					break
				}
			}
			if len(want) == 0 && f.Text != "no-such-thing" {
				t.Errorf("%s: no findings: the filter tests nothing", name)
			}
		}
		for _, f := range filters {
			check(f)
		}
		// A text too common for the lookup (more package names than
		// maxTerms): the list walks, the export tests each row.
		restore := store.SetTextTuning(10, 200, 1000, 32000)
		check(store.FindingFilter{Text: "lodash", Status: "all"})
		restore()

		// A bad filter is the list's error; fn's error stops the read.
		if err := s.EachFinding(ctx, store.FindingFilter{Status: "bogus"}, nil); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("status bogus: %v; want ErrInvalid", err)
		}
		stop := errors.New("stop")
		n := 0
		if err := s.EachFinding(ctx, store.FindingFilter{}, func(model.AssetFinding) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("fn's error: %v after %d rows; want it after 1", err, n)
		}
	})
}

// TestEachFindingLetsWritersWrite checks that an export reading on
// SQLite holds up neither a write nor the housekeeping's checkpoint,
// which used to wait for the export's snapshot with the write lock held
// (the busy timeout, 30 s, for every writer).
func TestEachFindingLetsWritersWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if err := storetest.BulkFill(ctx, s, storetest.Bulk{Assets: 5, Findings: 500, Advisories: 50, Packages: 20, Days: 10}, time.Now()); err != nil {
			t.Fatal(err)
		}
		reading, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			first := true
			done <- s.EachFinding(ctx, store.FindingFilter{Status: "all"}, func(model.AssetFinding) error {
				if first {
					first = false
					close(reading)
					<-release
				}
				return nil
			})
		}()
		<-reading
		start := time.Now()
		if _, err := storetest.CreateFeed(ctx, s, model.Feed{Name: "during-export", Kind: model.FeedOSV, URL: "https://example.org/osv.zip"}); err != nil {
			t.Errorf("a write during an export: %v", err)
		}
		if err := s.Maintain(ctx); err != nil {
			t.Errorf("housekeeping during an export: %v", err)
		}
		if _, err := storetest.CreateFeed(ctx, s, model.Feed{Name: "after-housekeeping", Kind: model.FeedOSV, URL: "https://example.org/osv.zip"}); err != nil {
			t.Errorf("a write after the housekeeping: %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("two writes and the housekeeping took %v beside an export: something waited for its snapshot", d)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
