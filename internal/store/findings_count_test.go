package store_test

import (
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// CountFindings counts what the list selects, up to its limit, for each
// kind of filter, the text search's included.
func TestCountFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(5)
		a, snap, err := storetest.Ingest(ctx, s, model.Asset{Name: "counted"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		var fs []finding.Detected
		for i := range 5 {
			d := detected(keys[i], "1.0.0", fmt.Sprintf("GHSA-%d", i))
			if i < 2 {
				d.Severity, d.SeverityRank = "critical", 5
			}
			fs = append(fs, d)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID,
			Resolution: model.ResolvedByUpgrade, Findings: fs}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f     store.FindingFilter
			limit int
			want  string
		}{
			{store.FindingFilter{}, 10, "5 false true"},
			{store.FindingFilter{}, 5, "5 false true"},
			{store.FindingFilter{}, 3, "3 true true"},
			{store.FindingFilter{Severity: []string{"critical"}}, 10, "2 false true"},
			{store.FindingFilter{Status: "resolved"}, 10, "0 false true"},
			{store.FindingFilter{AssetID: a.ID, Cursor: "ignored?", Limit: 1}, 10, ""},
			{store.FindingFilter{Text: "pkg3"}, 10, "1 false true"},
			{store.FindingFilter{Text: "pkg"}, 2, "2 true true"},
			{store.FindingFilter{Text: "counted"}, 10, "5 false true"},
			{store.FindingFilter{Text: "nothing-like-it"}, 10, "0 false true"},
		} {
			n, more, ok, err := s.CountFindings(ctx, c.f, c.limit)
			if c.want == "" { // a bad cursor is not read: the count ignores it
				if err != nil || n != 5 {
					t.Errorf("%+v: %d %v", c.f, n, err)
				}
				continue
			}
			if got := fmt.Sprint(n, more, ok); err != nil || got != c.want {
				t.Errorf("CountFindings(%+v, %d) = %s, %v; want %s", c.f, c.limit, got, err, c.want)
			}
		}
	})
}
