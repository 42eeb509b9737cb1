package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

func TestCurrentComponentsWithKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(3)
		a1, _, _ := storetest.Ingest(ctx, s, model.Asset{Name: "a1"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		// a1's newer snapshot lacks pkg0; a2 has only pkg2.
		_, s1b, _ := storetest.Ingest(ctx, s, model.Asset{ID: a1.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs[1:], Keys: keys[1:]})
		a2, s2, _ := storetest.Ingest(ctx, s, model.Asset{Name: "a2"}, true, store.NewSnapshot{SHA256: "3", Components: cs[2:], Keys: keys[2:]})
		got, err := s.CurrentComponentsWithKeys(ctx, []string{keys[0], keys[2], keys[1]})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, c := range got {
			seen = append(seen, fmt.Sprintf("%d/%d/%s", c.AssetID, c.SnapshotID, c.Package))
		}
		want := []string{fmt.Sprintf("%d/%d/pkg1", a1.ID, s1b.ID), fmt.Sprintf("%d/%d/pkg2", a1.ID, s1b.ID),
			fmt.Sprintf("%d/%d/pkg2", a2.ID, s2.ID)}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Fatalf("components %v, want %v", seen, want)
		}
		if len(got[0].Licenses) != 1 {
			t.Fatalf("extra not decoded: %+v", got[0])
		}
	})
}

func TestApplyFindingsRematch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(3)
		type asset struct{ id, snap int64 }
		var as []asset
		for i := range 4 {
			a, sn, err := storetest.Ingest(ctx, s, model.Asset{Name: fmt.Sprintf("app%d", i)}, true,
				store.NewSnapshot{SHA256: fmt.Sprint(i), Components: cs, Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			as = append(as, asset{a.ID, sn.ID})
		}
		// Before: every asset has GHSA-1 (pkg0) open, GHSA-2 (pkg1)
		// resolved, GHSA-3 (pkg1) open and GHSA-9 (pkg2, out of scope) open.
		for _, a := range as {
			if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.id, SnapshotID: a.snap, Findings: []finding.Detected{
				detected(keys[0], "1.0.0", "GHSA-1"), detected(keys[1], "1.0.0", "GHSA-2"),
				detected(keys[1], "1.0.0", "GHSA-3"), detected(keys[2], "1.0.0", "GHSA-9")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.id, SnapshotID: a.snap, Keys: []string{keys[1]},
				Resolution: model.ResolvedByAdvisory, Findings: []finding.Detected{detected(keys[1], "1.0.0", "GHSA-3")}}); err != nil {
				t.Fatal(err)
			}
		}
		// Asset 3 gets a new snapshot: its result below is stale.
		_, s3b, _ := storetest.Ingest(ctx, s, model.Asset{ID: as[3].id}, false, store.NewSnapshot{SHA256: "x", Components: cs, Keys: keys})

		// The re-match: GHSA-1 changed (summary), GHSA-2 matches again,
		// GHSA-3 no longer matches, GHSA-4 is new (and KEV by alias).
		kevFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: "https://example.org/kev.json"})
		if _, err := storetest.ApplyKEV(ctx, s, store.FeedResult{FeedID: kevFeed.ID}, []store.KEVEntry{{CVE: "CVE-2024-4"}}); err != nil {
			t.Fatal(err)
		}
		g, _ := s.Generation(ctx)
		changed := detected(keys[0], "1.0.0", "GHSA-1")
		changed.Summary = "new details"
		var results []store.MatchResult
		for i := len(as) - 1; i >= 0; i-- { // any order
			a := as[i]
			fs := []finding.Detected{changed, detected(keys[1], "1.0.0", "GHSA-2"), detected(keys[1], "1.0.0", "GHSA-4", "CVE-2024-4")}
			if i == 2 {
				fs = fs[:2] // asset 2: nothing new; GHSA-1 listed twice
				fs = append(fs, changed)
			}
			results = append(results, store.MatchResult{AssetID: a.id, SnapshotID: a.snap, Keys: []string{keys[0], keys[1]},
				Resolution: model.ResolvedByAdvisory, Findings: fs, Generation: g, CheckGeneration: true})
		}
		st, err := storetest.ApplyFindings(ctx, s, results...)
		if err != nil {
			t.Fatal(err)
		}
		// Assets 0-2: GHSA-1 updated, GHSA-2 reopened, GHSA-3 resolved;
		// assets 0 and 1: GHSA-4 new. Asset 3 skipped.
		if st != (store.MatchStats{New: 2, Updated: 3, Reopened: 3, Resolved: 3, Stale: 1}) {
			t.Fatalf("stats %+v", st)
		}
		all, _, err := s.Findings(ctx, store.FindingFilter{Status: "all", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		byAsset := map[int64]map[string]model.AssetFinding{}
		for _, f := range all {
			if byAsset[f.AssetID] == nil {
				byAsset[f.AssetID] = map[string]model.AssetFinding{}
			}
			byAsset[f.AssetID][f.VulnID] = f
		}
		for i, a := range as[:3] {
			fs := byAsset[a.id]
			if f := fs["GHSA-1"]; f.Status != "open" || f.Summary != "new details" || f.SnapshotID != a.snap {
				t.Fatalf("asset %d GHSA-1: %+v", i, f)
			}
			if f := fs["GHSA-2"]; f.Status != "open" || f.Resolution != "" || !f.ResolvedAt.IsZero() || f.ResolvedBy != 0 {
				t.Fatalf("asset %d GHSA-2: %+v", i, f)
			}
			if f := fs["GHSA-3"]; f.Status != "resolved" || f.Resolution != model.ResolvedByAdvisory || f.ResolvedBy != a.snap {
				t.Fatalf("asset %d GHSA-3: %+v", i, f)
			}
			if f := fs["GHSA-9"]; f.Status != "open" {
				t.Fatalf("asset %d GHSA-9 (out of scope): %+v", i, f)
			}
			f, ok := fs["GHSA-4"]
			if i == 2 {
				if ok {
					t.Fatalf("asset 2 GHSA-4: %+v", f)
				}
				continue
			}
			if !ok || f.Status != "open" || !f.KEV || f.SnapshotID != a.snap || len(f.Aliases) != 1 {
				t.Fatalf("asset %d GHSA-4: %+v", i, f)
			}
		}
		// The stale asset is untouched.
		fs := byAsset[as[3].id]
		if f := fs["GHSA-1"]; f.Summary != "" || f.SnapshotID != as[3].snap {
			t.Fatalf("stale asset GHSA-1: %+v", f)
		}
		if _, ok := fs["GHSA-4"]; ok || fs["GHSA-3"].Status != "open" || fs["GHSA-2"].Status != "resolved" {
			t.Fatalf("stale asset changed: %+v", fs)
		}
		// KEV search finds the new ones by alias.
		kev, _, _ := s.Findings(ctx, store.FindingFilter{KEV: true})
		if len(kev) != 2 {
			t.Fatalf("kev: %d", len(kev))
		}

		// Applying again changes nothing but last-seen.
		st, err = storetest.ApplyFindings(ctx, s, results[1:]...)
		if err != nil || st != (store.MatchStats{Updated: 8}) {
			t.Fatalf("again: %+v %v", st, err)
		}

		// Advisories changed since g: the whole batch is refused.
		f, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "f", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: f.ID}, []store.Advisory{advisory("A-1", keys[0])}); err != nil {
			t.Fatal(err)
		}
		results[0] = store.MatchResult{AssetID: as[3].id, SnapshotID: s3b.ID, Keys: []string{keys[0]},
			Resolution: model.ResolvedByAdvisory, Generation: g, CheckGeneration: true}
		if _, err := storetest.ApplyFindings(ctx, s, results...); !errors.Is(err, store.ErrOutdated) {
			t.Fatalf("outdated batch: %v", err)
		}
		if open, _, _ := s.Findings(ctx, store.FindingFilter{AssetID: as[3].id}); len(open) != 3 {
			t.Fatalf("outdated batch applied: %d open", len(open))
		}
		g2, _ := s.Generation(ctx)
		for i := range results {
			results[i].Generation = g2
		}
		// Now current: asset 3's new snapshot resolves GHSA-1.
		st, err = storetest.ApplyFindings(ctx, s, results...)
		if err != nil || st.Resolved != 1 || st.Updated != 8 {
			t.Fatalf("current batch: %+v %v", st, err)
		}
		if _, err := storetest.ApplyFindings(ctx, s, results[0], results[0]); err == nil {
			t.Fatal("an asset twice in a batch was accepted")
		}
	})
}
