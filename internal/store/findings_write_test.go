package store_test

import (
	"slices"
	"strconv"
	"strings"
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

// A match that changes a finding's rating (an NVD record or an advisory
// revised its CVSS) dates the change — severity_since, an input of the
// remediation clock — and records it as a finding.rerated event in the
// same transaction; a change that leaves the rating as it was does
// neither.
func TestApplyFindingsRerates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(2)
		a, s1, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		first := []finding.Detected{detected(keys[0], "1.0.0", "GO-1", "CVE-2024-1"), detected(keys[1], "1.0.0", "GO-2")}
		first[0].Severity, first[0].SeverityRank = "unknown", 0
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID, Findings: first,
			Resolution: model.ResolvedByUpgrade}); err != nil {
			t.Fatal(err)
		}
		before := byVuln(t, s)
		rated := slices.Clone(first)
		rated[0].Severity, rated[0].SeverityRank, rated[0].Score = "high", 4, 7.5
		rated[0].SeverityInfo = `{"severity":{"rating":"high","score":7.5,"from":"nvd","record":"CVE-2024-1","source":"nvd@nist.gov"}}`
		rated[1].Summary = "reworded" // changed, but not its rating
		st, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID, Keys: keys,
			Findings: rated, Resolution: model.ResolvedByAdvisory})
		if err != nil || st != (store.MatchStats{Updated: 2, Rerated: 1}) {
			t.Fatalf("re-match: %+v %v", st, err)
		}
		after := byVuln(t, s)
		got, other := after["GO-1"], after["GO-2"]
		if got.Severity != "high" || got.SeverityDetail.From != model.SeverityFromNVD || got.SeverityDetail.Record != "CVE-2024-1" ||
			!got.SeveritySince.After(before["GO-1"].SeveritySince) || !before["GO-1"].SeveritySince.Equal(before["GO-1"].FirstSeen) {
			t.Errorf("re-rated finding: %+v (before: %+v)", got, before["GO-1"])
		}
		if !other.SeveritySince.Equal(before["GO-2"].SeveritySince) || other.Summary != "reworded" {
			t.Errorf("finding whose rating stayed: since %s, was %s", other.SeveritySince, before["GO-2"].SeveritySince)
		}
		evs, err := s.EventsOf(ctx, "finding", strconv.FormatInt(got.ID, 10))
		if err != nil || len(evs) != 1 || evs[0].Kind != "finding.rerated" ||
			!strings.Contains(string(evs[0].Before), `"unknown"`) || !strings.Contains(string(evs[0].After), `"CVE-2024-1"`) {
			t.Fatalf("events of the re-rated finding: %+v %v", evs, err)
		}
		if evs, _ := s.EventsOf(ctx, "finding", strconv.FormatInt(other.ID, 10)); len(evs) != 0 {
			t.Errorf("events of the finding whose rating stayed: %+v", evs)
		}
	})
}
