package store_test

import (
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// On the upload path a finding whose content changed is rewritten in
// place: still open, first seen when it was, moved to the new snapshot;
// an unchanged one moves to the new snapshot too; the snapshot is marked
// matched.
func TestApplyFindingsUploadRewrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(2)
		a, s1, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		first := []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1"), detected(keys[1], "1.0.0", "GHSA-2")}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID,
			Resolution: model.ResolvedByUpgrade, Findings: first}); err != nil {
			t.Fatal(err)
		}
		before := byVuln(t, s)
		_, s2, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs, Keys: keys})
		edited := first[0]
		edited.Summary, edited.Aliases = "corrected", []string{"CVE-2024-1"}
		st, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s2.ID,
			Resolution: model.ResolvedByUpgrade, Findings: []finding.Detected{edited, first[1]}})
		if err != nil || st != (store.MatchStats{Updated: 2}) {
			t.Fatalf("second match: %+v %v", st, err)
		}
		after := byVuln(t, s)
		if f := after["GHSA-1"]; f.Status != model.FindingOpen || f.Summary != "corrected" || len(f.Aliases) != 1 ||
			f.SnapshotID != s2.ID || !f.FirstSeen.Equal(before["GHSA-1"].FirstSeen) || f.ID != before["GHSA-1"].ID {
			t.Fatalf("changed finding: %+v", f)
		}
		if f := after["GHSA-2"]; f.Status != model.FindingOpen || f.SnapshotID != s2.ID || !f.LastSeen.After(before["GHSA-2"].LastSeen) {
			t.Fatalf("unchanged finding: %+v (before %+v)", f, before["GHSA-2"])
		}
		if snap, err := s.Snapshot(ctx, s2.ID); err != nil || snap.MatchedAt.IsZero() {
			t.Fatalf("snapshot not marked matched: %+v %v", snap, err)
		}
	})
}

func byVuln(t *testing.T, s *store.Store) map[string]model.AssetFinding {
	t.Helper()
	fs, _, err := s.Findings(ctx, store.FindingFilter{Status: "all", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.AssetFinding{}
	for _, f := range fs {
		out[f.VulnID] = f
	}
	return out
}
