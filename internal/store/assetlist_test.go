package store_test

import (
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestAssetRows lists assets as the assets page does: by name, a keyset
// page at a time, filtered, counted, each with its inventory size and
// open findings.
func TestAssetRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i := range 7 {
			a := model.Asset{Name: fmt.Sprintf("app-%02d", i), Owner: "team-a", Kind: "application"}
			if i%2 == 1 {
				a.Kind, a.Exposure, a.Criticality, a.Owner = "host", "internet-facing", 1, "Team_B%"
			}
			if i == 6 {
				a.Lifecycle = "legacy"
			}
			if _, err := storetest.CreateAsset(ctx, s, a); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.AssetByName(ctx, "app-03")
		if err != nil {
			t.Fatal(err)
		}
		sn := diffSnapshot(t, s, a, diffPkg("npm", "lodash", "4.17.20"), diffPkg("npm", "minimist", "0.0.8"))
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{diffDetected("npm", "lodash", "4.17.20", "VDX-1", "critical"), diffDetected("npm", "lodash", "4.17.20", "VDX-2", "high"),
				diffDetected("npm", "minimist", "0.0.8", "VDX-3", "high"), diffDetected("npm", "minimist", "0.0.8", "VDX-4", "low")}}); err != nil {
			t.Fatal(err)
		}

		list := func(f store.AssetFilter, after string) []string {
			t.Helper()
			rows, err := s.AssetRows(ctx, f, after)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
				if r.Name == "app-03" && (r.Components != 2 || r.Open != 4 || r.Critical != 1 || r.High != 2 || r.LastUpload.IsZero()) {
					t.Errorf("app-03's row: %+v", r)
				}
				if r.Name != "app-03" && (r.Components != 0 || r.Open != 0 || !r.LastUpload.IsZero()) {
					t.Errorf("%s's row: %+v", r.Name, r)
				}
			}
			n, err := s.CountAssetRows(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if after == "" && f.Limit == 0 && n != len(names) {
				t.Errorf("%+v: counted %d, listed %d", f, n, len(names))
			}
			return names
		}
		for _, c := range []struct {
			f     store.AssetFilter
			after string
			want  string
		}{
			{store.AssetFilter{}, "", "[app-00 app-01 app-02 app-03 app-04 app-05 app-06]"},
			{store.AssetFilter{Limit: 3}, "", "[app-00 app-01 app-02]"},
			{store.AssetFilter{Limit: 3}, "app-02", "[app-03 app-04 app-05]"},
			{store.AssetFilter{Limit: 3}, "app-05", "[app-06]"},
			{store.AssetFilter{Kind: "host"}, "", "[app-01 app-03 app-05]"},
			{store.AssetFilter{Exposure: "internet-facing", Criticality: 1}, "", "[app-01 app-03 app-05]"},
			{store.AssetFilter{Criticality: 3, Lifecycle: "legacy"}, "", "[app-06]"},
			{store.AssetFilter{Text: "TEAM_b%"}, "", "[app-01 app-03 app-05]"}, // owner, any case, % and _ literal
			{store.AssetFilter{Text: "b%", Kind: "application"}, "", "[]"},
			{store.AssetFilter{Text: "-04"}, "", "[app-04]"},
		} {
			if got := fmt.Sprint(list(c.f, c.after)); got != c.want {
				t.Errorf("AssetRows(%+v, %q): %s; want %s", c.f, c.after, got, c.want)
			}
		}
		counts, err := s.OpenFindingCounts(ctx, a.ID)
		if err != nil || fmt.Sprint(counts) != "map[critical:1 high:2 low:1]" {
			t.Errorf("OpenFindingCounts: %v, %v", counts, err)
		}
		// The API's list takes the same filters.
		got, err := s.Assets(ctx, store.AssetFilter{Kind: "host", Text: "team"})
		if err != nil || len(got) != 3 {
			t.Errorf("Assets(kind host, text team): %d assets, %v", len(got), err)
		}
	})
}
