package store_test

import (
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sarif"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

func codeResult(tool, rule, fp string) sarif.Result {
	return sarif.Result{Tool: tool, RuleID: rule, Message: "problem " + fp, Level: "error", Severity: model.RatingHigh,
		Fingerprint: fmt.Sprintf("%064s", fp), FingerprintFrom: sarif.FromContent,
		Location: sarif.Location{URI: "src/" + fp + ".go", StartLine: 3, EndLine: 4}}
}

func applyCode(t *testing.T, s *store.Store, imp store.CodeImport) model.SARIFCounts {
	t.Helper()
	var st model.SARIFCounts
	err := s.Transact(ctx, func(tx *store.Tx) error {
		var err error
		st, err = tx.ApplyCodeFindings(ctx, imp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// codeStatus reads the status of every code finding of an asset, by
// "tool/branch/rule".
func codeStatus(t *testing.T, s *store.Store, assetID int64) map[string]string {
	t.Helper()
	fs, _, err := s.Findings(ctx, store.FindingFilter{AssetID: assetID, Status: "all", Kind: model.KindCode, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range fs {
		if f.Code == nil || f.Kind != model.KindCode {
			t.Fatalf("finding %d: kind %q, code %+v", f.ID, f.Kind, f.Code)
		}
		out[f.Code.Tool+"/"+f.Code.Branch+"/"+f.VulnID] = f.Status
	}
	return out
}

// TestApplyCodeFindings: re-import deduplicates; a re-import of a tool on
// a branch resolves only that tool's results on that branch of that
// asset; a result seen again after it was resolved reopens; a new SBOM's
// match and a re-match leave code findings alone.
func TestApplyCodeFindings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(2)
		a, sn, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		other, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn.ID,
			Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1")}}); err != nil {
			t.Fatal(err)
		}
		x1, x2 := codeResult("A", "R1", "1"), codeResult("A", "R2", "2")
		st := applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{x1, x2}})
		if st != (model.SARIFCounts{New: 2, Results: 2}) {
			t.Fatalf("first import: %+v", st)
		}
		applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "dev", Results: []sarif.Result{x1}})
		applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "B", Branch: "main", Results: []sarif.Result{codeResult("B", "R9", "9")}})
		applyCode(t, s, store.CodeImport{AssetID: other.ID, Tool: "A", Branch: "main", Results: []sarif.Result{x1, x2}})
		if st := applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{x1, x2}}); st != (model.SARIFCounts{Unchanged: 2, Results: 2}) {
			t.Fatalf("re-import: %+v", st)
		}
		if st := applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{x1}}); st != (model.SARIFCounts{Unchanged: 1, Resolved: 1, Results: 1}) {
			t.Fatalf("re-import without R2: %+v", st)
		}
		want := map[string]string{"A/main/R1": "open", "A/main/R2": "resolved", "A/dev/R1": "open", "B/main/R9": "open"}
		if got := codeStatus(t, s, a.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after re-import: %v, want %v", got, want)
		}
		if got := codeStatus(t, s, other.ID); got["A/main/R2"] != "open" || len(got) != 2 {
			t.Fatalf("other asset: %v", got)
		}
		// A new snapshot without pkg0 and a re-match of every key: the
		// dependency finding is resolved, the code findings stay.
		_, sn2, err := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs[1:], Keys: keys[1:]})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn2.ID, Resolution: model.ResolvedByUpgrade})
		if err != nil {
			t.Fatal(err)
		}
		if ms.Resolved != 1 {
			t.Fatalf("new snapshot's match: %+v, want the one dependency finding resolved", ms)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn2.ID, Keys: append(keys,
			"sarif/A/main/"+x1.Fingerprint), Resolution: model.ResolvedByAdvisory}); err != nil {
			t.Fatal(err)
		}
		if got := codeStatus(t, s, a.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the match: %v, want %v", got, want)
		}
		// R2 again: reopened, with its clock.
		st = applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{x1, x2}})
		if st != (model.SARIFCounts{Unchanged: 1, Reopened: 1, Results: 2}) {
			t.Fatalf("R2 back: %+v", st)
		}
		fs, _, err := s.Findings(ctx, store.FindingFilter{AssetID: a.ID, Kind: model.KindCode, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.SLA == nil || f.Priority == nil || f.Package == "" || f.Code.Location.StartLine != 3 {
				t.Errorf("code finding %d: SLA %v, priority %v, package %q, code %+v", f.ID, f.SLA, f.Priority, f.Package, f.Code)
			}
		}
		deps, _, err := s.Findings(ctx, store.FindingFilter{AssetID: a.ID, Status: "all", Kind: model.KindDependency, Limit: 10})
		if err != nil || len(deps) != 1 || deps[0].Kind != model.KindDependency || deps[0].Code != nil {
			t.Fatalf("dependency findings: %+v, %v", deps, err)
		}
	})
}

// A result whose rating changes keeps its finding, re-rated and dated.
func TestApplyCodeFindingsRerated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "app"})
		if err != nil {
			t.Fatal(err)
		}
		r := codeResult("A", "R1", "1")
		applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{r}})
		r.Severity, r.Score = model.RatingCritical, 9.8
		if st := applyCode(t, s, store.CodeImport{AssetID: a.ID, Tool: "A", Branch: "main", Results: []sarif.Result{r}}); st.Unchanged != 1 {
			t.Fatalf("re-rated import: %+v", st)
		}
		fs, _, err := s.Findings(ctx, store.FindingFilter{AssetID: a.ID, Kind: model.KindCode})
		if err != nil || len(fs) != 1 {
			t.Fatalf("%v %v", fs, err)
		}
		if f := fs[0]; f.Severity != "critical" || f.Score != 9.8 || f.SeveritySince.Before(f.FirstSeen) || f.SLA == nil {
			t.Errorf("re-rated: %s %v since %v (first seen %v), sla %v", f.Severity, f.Score, f.SeveritySince, f.FirstSeen, f.SLA)
		}
	})
}
