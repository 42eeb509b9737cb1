package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/ssvc"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// triageFixture is an asset with two findings, GHSA-1 (CVE-2024-1, in KEV
// and scored by EPSS) on pkg0 and GHSA-2 on pkg1, both at 1.0.0.
func triageFixture(t *testing.T, s *store.Store) (model.Asset, []string, map[string]model.AssetFinding) {
	t.Helper()
	cs, keys := comps(2)
	a, s1, err := storetest.Ingest(ctx, s, model.Asset{Name: "app", Exposure: "internet-facing", Criticality: 1}, true,
		store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	osvFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
	if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: osvFeed.ID}, []store.Advisory{
		advisory("GHSA-1", keys[0], "CVE-2024-1"), advisory("GHSA-2", keys[1])}); err != nil {
		t.Fatal(err)
	}
	kevFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: "https://example.org/kev.json"})
	added := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := storetest.ApplyKEV(ctx, s, store.FeedResult{FeedID: kevFeed.ID}, []store.KEVEntry{{CVE: "CVE-2024-1",
		DateAdded: added, DueDate: added.AddDate(0, 0, 21), Ransomware: true, Catalog: "2024.03.01"}}); err != nil {
		t.Fatal(err)
	}
	epssFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "epss", Kind: model.FeedEPSS, URL: "https://example.org/e.csv.gz"})
	if _, err := storetest.ApplyEPSS(ctx, s, store.FeedResult{FeedID: epssFeed.ID}, added, []store.EPSSScore{
		{CVE: "CVE-2024-1", Score: 0.42, Percentile: 0.97, Model: "v2025.03.14"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID, Resolution: model.ResolvedByUpgrade,
		Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1", "CVE-2024-1"), detected(keys[1], "1.0.0", "GHSA-2")}}); err != nil {
		t.Fatal(err)
	}
	return a, keys, findingsByAdvisory(t, s)
}

func findingsByAdvisory(t *testing.T, s *store.Store) map[string]model.AssetFinding {
	t.Helper()
	fs, _, err := s.Findings(ctx, store.FindingFilter{Status: "all", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.AssetFinding{}
	for _, f := range fs {
		out[f.VulnID+"@"+f.Version] = f
	}
	return out
}

// TestPriorityRederived: a finding's stored priority holds every input of
// its decision with its date (the KEV entry with its ransomware flag, the
// EPSS score with its date and model, the CVSS vector's absence, the
// asset), ssvc.Decide re-derives the same outcome from them, and the
// dated KEV and EPSS history gives the same evidence for that time.
func TestPriorityRederived(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, _, fs := triageFixture(t, s)
		f, err := s.Finding(ctx, fs["GHSA-1@1.0.0"].ID) // a list holds the decision only
		if err != nil {
			t.Fatal(err)
		}
		if f.Priority == nil || f.SLA == nil {
			t.Fatalf("no priority or clock: %+v %+v", f.Priority, f.SLA)
		}
		var in ssvc.Inputs
		if err := json.Unmarshal(f.Priority.Inputs, &in); err != nil {
			t.Fatal(err)
		}
		var stored ssvc.Outcome
		if err := json.Unmarshal(f.Priority.Outcome, &stored); err != nil {
			t.Fatal(err)
		}
		if in.KEV == nil || !in.KEV.Ransomware || in.KEV.CatalogVersion != "2024.03.01" || in.EPSS == nil || in.EPSS.Model != "v2025.03.14" || in.EPSS.Score != 0.42 ||
			in.Asset.Criticality != 1 || in.Asset.Exposure != "internet-facing" || in.At.IsZero() {
			t.Fatalf("stored inputs: %+v (kev %+v, epss %+v)", in, in.KEV, in.EPSS)
		}
		again, err := ssvc.Decide(in)
		if err != nil || again.String() != stored.String() || string(again.Decision) != f.Priority.Decision || again.Decision != "act" {
			t.Fatalf("re-derived %v, %v; stored %v (%s); want act", again, err, stored, f.Priority.Decision)
		}
		kev, epss, err := s.ExploitAt(ctx, append([]string{f.VulnID}, f.Aliases...), in.At)
		if err != nil || kev == nil || !kev.DateAdded.Equal(in.KEV.DateAdded) || epss == nil || epss.Score != in.EPSS.Score {
			t.Fatalf("history at %s: kev %+v, epss %+v, %v; the decision read %+v and %+v", in.At, kev, epss, err, in.KEV, in.EPSS)
		}
		// KEV's due date (21 days after listing, long past) is shorter
		// than the policy's 3 days from first seen.
		if !f.SLA.KEVShortened || !f.SLA.DueAt.Equal(time.Date(2024, 3, 23, 0, 0, 0, 0, time.UTC)) || f.SLA.State != "breached" {
			t.Errorf("a KEV-listed finding's clock: %+v", f.SLA)
		}
	})
}

// TestDecisionsAcrossDetection: decisions stop and restart the clock, an
// upgrade fixes, a re-detection after a fix reopens, a not_affected
// decision holds for a new version of the same package, and the list
// filters by state, assignee, priority and SLA state.
func TestDecisionsAcrossDetection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, keys, fs := triageFixture(t, s)
		g1, g2 := fs["GHSA-1@1.0.0"], fs["GHSA-2@1.0.0"]
		at := s.Now()
		err := s.Transact(ctx, func(tx *store.Tx) error {
			rows, err := tx.TriagedFindings(ctx, []int64{g2.ID})
			if err != nil {
				return err
			}
			if err := tx.Decide(ctx, rows, store.Decision{State: model.StateNotAffected, Justification: "component_not_present",
				Reason: "vendored copy removed", Actor: "alice", At: at}); err != nil {
				return err
			}
			return tx.Annotate(ctx, rows, store.Note{Kind: "assignment", Assignee: "team-a", Actor: "alice", At: at})
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Finding(ctx, g2.ID)
		if got.State != model.StateNotAffected || got.SLA.ClosedAt.IsZero() || got.SLA.State != "met" || got.Assignee != "team-a" {
			t.Fatalf("not_affected: state %q, sla %+v, assignee %q", got.State, got.SLA, got.Assignee)
		}
		filter := func(f store.FindingFilter) []int64 {
			t.Helper()
			f.Status, f.Limit = "all", 500
			got, _, err := s.Findings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			return ids
		}
		for name, c := range map[string]struct {
			f    store.FindingFilter
			want []int64
		}{
			"state not_affected": {store.FindingFilter{State: []string{model.StateNotAffected}}, []int64{g2.ID}},
			"state new":          {store.FindingFilter{State: []string{model.StateNew}}, []int64{g1.ID}},
			"assignee team-a":    {store.FindingFilter{Assignee: "team-a"}, []int64{g2.ID}},
			"assignee none":      {store.FindingFilter{Assignee: "none"}, []int64{g1.ID}},
			"priority act":       {store.FindingFilter{Priority: []string{"act"}}, []int64{g1.ID}},
			"sla breached":       {store.FindingFilter{SLAState: "breached"}, []int64{g1.ID}},
			"sla met":            {store.FindingFilter{SLAState: "met"}, []int64{g2.ID}},
		} {
			if got := filter(c.f); len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Errorf("%s: %v; want %v", name, got, c.want)
			}
		}

		// pkg0 upgraded: GHSA-1 fixed; pkg1 moves to 1.1.0, still affected
		// by GHSA-2: the new finding takes the not_affected decision and
		// the assignee.
		cs, _ := comps(2)
		cs[0].Version, cs[1].Version = "2.0.0", "1.1.0"
		_, s2, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs, Keys: keys})
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s2.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{detected(keys[1], "1.1.0", "GHSA-2")}}); err != nil {
			t.Fatal(err)
		}
		fs = findingsByAdvisory(t, s)
		if f := fs["GHSA-1@1.0.0"]; f.State != model.StateFixed || !f.SLA.ClosedAt.Equal(f.ResolvedAt) {
			t.Errorf("upgraded: state %q, sla %+v, resolved %s", f.State, f.SLA, f.ResolvedAt)
		}
		if f := fs["GHSA-2@1.1.0"]; f.State != model.StateNotAffected || f.Assignee != "team-a" || f.SLA.ClosedAt.IsZero() {
			t.Errorf("the new version's finding: state %q, assignee %q, sla %+v", f.State, f.Assignee, f.SLA)
		}
		// Downgraded: GHSA-1 is detected again after its fix and reopens.
		cs[0].Version = "1.0.0"
		_, s3, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "3", Components: cs, Keys: keys})
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s3.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1", "CVE-2024-1"), detected(keys[1], "1.1.0", "GHSA-2")}}); err != nil {
			t.Fatal(err)
		}
		f, _ := s.Finding(ctx, g1.ID)
		if f.State != model.StateAffected || f.ReopenedAt.IsZero() || !f.SLA.ClosedAt.IsZero() || !f.SLA.Start.Equal(f.ReopenedAt) {
			t.Errorf("reopened: state %q, reopened %s, sla %+v", f.State, f.ReopenedAt, f.SLA)
		}
		h, err := s.FindingHistory(ctx, g1.ID)
		if err != nil || len(h) != 2 || h[0].To != model.StateFixed || h[1].From != model.StateFixed || h[1].To != model.StateAffected {
			t.Errorf("history: %+v, %v", h, err)
		}
	})
}

// TestOpenSiblings: a decision about one finding is about its key, so the
// open finding of another version of the same package (both in one
// inventory) is read with it.
func TestOpenSiblings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(1)
		cs = append(cs, cs[0])
		cs[1].Version, cs[1].PURL = "1.1.0", "pkg:pypi/pkg0@1.1.0"
		a, sn, err := storetest.Ingest(ctx, s, model.Asset{Name: "twice"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: []string{keys[0], keys[0]}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-9"), detected(keys[0], "1.1.0", "GHSA-9"), detected(keys[0], "1.1.0", "GHSA-8")}}); err != nil {
			t.Fatal(err)
		}
		fs := findingsByAdvisory(t, s)
		err = s.Transact(ctx, func(tx *store.Tx) error {
			rows, err := tx.TriagedFindings(ctx, []int64{fs["GHSA-9@1.0.0"].ID})
			if err != nil {
				return err
			}
			if rows, err = tx.WithOpenSiblings(ctx, rows); err != nil {
				return err
			}
			if len(rows) != 2 || rows[1].ID != fs["GHSA-9@1.1.0"].ID {
				t.Errorf("with siblings: %+v", rows)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
