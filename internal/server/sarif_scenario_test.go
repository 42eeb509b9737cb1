package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// sarifResult is a result of a test's log: a rule flagging a snippet of
// a file at a line.
type sarifResult struct {
	rule, file, snippet string
	line                int
}

// sarifLog writes a SARIF 2.1.0 log of one run of tool.
func sarifLog(tool string, rs ...sarifResult) []byte {
	results := []any{}
	for _, r := range rs {
		results = append(results, map[string]any{"ruleId": r.rule, "level": "error",
			"message": map[string]any{"text": r.rule + " in " + r.file},
			"locations": []any{map[string]any{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": r.file},
				"region":           map[string]any{"startLine": r.line, "snippet": map[string]any{"text": r.snippet}},
			}}}})
	}
	b, err := json.Marshal(map[string]any{"version": "2.1.0", "runs": []any{map[string]any{
		"tool": map[string]any{"driver": map[string]any{"name": tool}}, "results": results}}})
	if err != nil {
		panic(err)
	}
	return b
}

// codeState reads the code findings of an asset by "tool/branch/rule",
// with their status.
func codeState(ctx context.Context, t *testing.T, c *client.Client, asset string) (map[string]string, map[string]model.AssetFinding) {
	t.Helper()
	page := must(c.Findings(ctx, client.FindingFilter{Asset: asset, Status: "all", Kind: model.KindCode, PageQuery: client.PageQuery{Limit: 500}}))(t)
	status, byKey := map[string]string{}, map[string]model.AssetFinding{}
	for _, f := range page.Items {
		if f.Kind != model.KindCode || f.Code == nil {
			t.Fatalf("finding %d of the code filter: kind %q, code %v", f.ID, f.Kind, f.Code)
		}
		k := f.Code.Tool + "/" + f.Code.Branch + "/" + f.VulnID
		status[k], byKey[k] = f.Status, f
	}
	return status, byKey
}

// TestSARIFImport drives the SARIF import through the server on both
// engines: a re-import deduplicates; a re-import of tool A on main
// without a result resolves only that result, while tool B's, branch
// dev's and another asset's stay open; moved code stays one finding; a
// code finding is triaged like any; a new SBOM and its match leave code
// findings alone.
func TestSARIFImport(t *testing.T) {
	t.Parallel()
	shop := mustRead(t, "../../examples/sbom/webshop.cdx.json")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{seed: true, jobs: true})
			c := p.admin.API()
			ctx := t.Context()
			app := must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("sarif-app")}))(t)
			other := must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("sarif-other")}))(t)
			up := must(c.Upload(ctx, app.ID, shop, client.UploadOptions{}))(t)
			waitSnapshotMatched(ctx, t, c, up.Snapshot.ID)

			r1 := sarifResult{"R1", "src/a.go", `password := "hunter2"`, 10}
			r2 := sarifResult{"R2", "src/b.go", `exec.Command(userInput)`, 20}
			r9 := sarifResult{"R9", "Dockerfile", `USER root`, 1}
			imp := func(asset int64, branch string, log []byte, want string) model.SARIFImport {
				t.Helper()
				got := must(c.ImportSARIF(ctx, asset, log, client.SARIFOptions{Branch: branch}))(t)
				if s := fmt.Sprintf("new %d unchanged %d resolved %d reopened %d", got.New, got.Unchanged, got.Resolved, got.Reopened); s != want {
					t.Fatalf("import on %s: %s, want %s", branch, s, want)
				}
				return got
			}
			imp(app.ID, "main", sarifLog("A", r1, r2), "new 2 unchanged 0 resolved 0 reopened 0")
			imp(app.ID, "main", sarifLog("A", r1, r2), "new 0 unchanged 2 resolved 0 reopened 0")
			imp(app.ID, "", sarifLog("B", r9), "new 1 unchanged 0 resolved 0 reopened 0") // "": main
			imp(app.ID, "dev", sarifLog("A", r1, r2), "new 2 unchanged 0 resolved 0 reopened 0")
			imp(other.ID, "main", sarifLog("A", r1, r2), "new 2 unchanged 0 resolved 0 reopened 0")
			// R1's code moved down 30 lines; R2 is gone from main.
			moved := r1
			moved.line = 40
			imp(app.ID, "main", sarifLog("A", moved), "new 0 unchanged 1 resolved 1 reopened 0")

			// Every import is an audit event with its counts.
			evs := must(c.AuditEvents(ctx, client.AuditQuery{Kind: "sarif.imported", ObjectType: "asset", ObjectID: fmt.Sprint(app.ID)}))(t).Items
			if len(evs) != 5 || !strings.Contains(string(evs[4].After), `"resolved":1`) {
				t.Errorf("sarif.imported events of sarif-app: %d, want 5, the last with one resolved: %+v", len(evs), evs)
			}

			status, byKey := codeState(ctx, t, c, "sarif-app")
			want := map[string]string{"A/main/R1": "open", "A/main/R2": "resolved", "B/main/R9": "open", "A/dev/R1": "open", "A/dev/R2": "open"}
			if fmt.Sprint(status) != fmt.Sprint(want) {
				t.Fatalf("code findings of sarif-app: %v, want %v", status, want)
			}
			if got, _ := codeState(ctx, t, c, "sarif-other"); len(got) != 2 || got["A/main/R2"] != "open" {
				t.Fatalf("code findings of sarif-other: %v", got)
			}
			one := byKey["A/main/R1"]
			if one.Code.Location.StartLine != 40 || one.Code.Location.URI != "src/a.go" || one.Package != "src/a.go" ||
				one.Severity != "high" || one.SLA == nil || one.Priority == nil {
				t.Errorf("A/main/R1 after the move: %+v, code %+v", one, one.Code)
			}
			if gone := byKey["A/main/R2"]; gone.Resolution != model.ResolvedByScan {
				t.Errorf("A/main/R2: resolution %q", gone.Resolution)
			}

			// Triage works on a code finding; the single read has its code.
			tr := must(c.Triage(ctx, one.ID, model.TriageInput{State: model.StateAffected, Reason: "the credential is real"}))(t)
			if tr.State != model.StateAffected || tr.Kind != model.KindCode || tr.Code == nil {
				t.Errorf("triaged: state %q, kind %q, code %v", tr.State, tr.Kind, tr.Code)
			}
			if f := must(c.Finding(ctx, one.ID))(t); f.Decision == nil || f.Code == nil || f.Code.Tool != "A" {
				t.Errorf("read back: decision %v, code %v", f.Decision, f.Code)
			}

			// The finding page shows the code location, tool and rule in
			// place of a package and version.
			if status, body := p.admin.Do(t, "GET", fmt.Sprintf("/findings/%d", one.ID), nil); status != 200 ||
				!strings.Contains(string(body), "<h2>Code</h2>") || !strings.Contains(string(body), "<code>src/a.go</code>, line 40") ||
				!strings.Contains(string(body), "R1 <small>in src/a.go:40, by A on main</small>") || strings.Contains(string(body), "<h2>Component</h2>") {
				t.Errorf("the code finding's page: %d\n%s", status, body)
			}

			if status, body := p.admin.Do(t, "GET", "/findings?kind=code&asset=sarif-app", nil); status != 200 ||
				!strings.Contains(string(body), `<option value="code" selected>`) || !strings.Contains(string(body), "src/a.go") {
				t.Errorf("the findings page of code findings: %d\n%.3000s", status, body)
			}

			// R2 comes back: reopened.
			imp(app.ID, "main", sarifLog("A", moved, r2), "new 0 unchanged 1 resolved 0 reopened 1")

			// A new SBOM with fewer components, and its match: the
			// dependency findings change, the code findings do not.
			deps := len(must(c.Findings(ctx, client.FindingFilter{Asset: "sarif-app", Kind: model.KindDependency}))(t).Items)
			small := []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
				{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}]}`)
			up2 := must(c.Upload(ctx, app.ID, small, client.UploadOptions{}))(t)
			waitSnapshotMatched(ctx, t, c, up2.Snapshot.ID)
			after := len(must(c.Findings(ctx, client.FindingFilter{Asset: "sarif-app", Kind: model.KindDependency}))(t).Items)
			if deps == 0 || after >= deps {
				t.Errorf("open dependency findings %d before the new SBOM, %d after: the test wants some resolved", deps, after)
			}
			status, _ = codeState(ctx, t, c, "sarif-app")
			want["A/main/R2"] = "open"
			if fmt.Sprint(status) != fmt.Sprint(want) {
				t.Fatalf("code findings after a new SBOM: %v, want %v", status, want)
			}
			if f := must(c.Finding(ctx, one.ID))(t); f.Status != "open" || f.State != model.StateAffected {
				t.Errorf("the triaged code finding after a new SBOM: %s, %s", f.Status, f.State)
			}

			// Refused: not SARIF, another version, a bad branch.
			for _, bad := range []struct {
				branch, body, says string
				status             int
			}{
				{"main", `{"bomFormat": "CycloneDX"}`, "no version", 400},
				{"main", `{"version": "2.0.0", "runs": []}`, `version "2.0.0"`, 400},
				{"a\tb", string(sarifLog("A")), "control characters", 400},
				{"main", `{"version": "2.1.0", "runs": [`, "ends early", 400},
			} {
				_, err := c.ImportSARIF(ctx, app.ID, []byte(bad.body), client.SARIFOptions{Branch: bad.branch})
				wantClientError(t, bad.body, err, bad.status, bad.says)
			}
			_, err := c.ImportSARIF(ctx, 999999, sarifLog("A"), client.SARIFOptions{})
			wantClientError(t, "an absent asset", err, 404, "asset 999999")
		})
	}
}

// waitSnapshotMatched waits for a snapshot's match job.
func waitSnapshotMatched(ctx context.Context, t *testing.T, c *client.Client, id int64) {
	t.Helper()
	servertest.Eventually(t, 60*time.Second, "the upload's match", func() bool {
		return !must(c.Snapshot(ctx, id))(t).MatchedAt.IsZero()
	})
}

// TestSARIFImportShared imports the real logs of the shared data through
// the server: counts per log, a re-import that changes nothing, the
// suppressed results marked, and a run of the same tool without results
// resolving that tool's findings only.
func TestSARIFImportShared(t *testing.T) {
	t.Parallel()
	dir := servertest.Shared(t, "sarif")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			c := p.admin.API()
			ctx := t.Context()
			a := must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("sarif-real")}))(t)
			read := func(rel string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, rel))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			for _, l := range []struct {
				file                  string
				tools                 string
				new, suppressed, skip int
			}{
				{"trivy/alpine-310.sarif.json", "[Trivy]", 4, 0, 0},
				{"defectdojo-tool-outputs/flawfinder.sarif", "[Flawfinder]", 53, 0, 1},
				{"defectdojo-tool-outputs/gitleaks_7.5.0.sarif", "[Gitleaks]", 8, 0, 0},
				{"defectdojo-tool-outputs/spotbugs.sarif", "[SpotBugs]", 56, 0, 0},
				{"defectdojo-tool-outputs/dependency_check.sarif", "[dependency-check]", 13, 0, 0},
				{"defectdojo-tool-outputs/appendix_k3.sarif", "[BinaryScanner]", 1, 0, 0},
				{"defectdojo-tool-outputs/suppression_test.sarif", "[CodeScanner]", 5, 3, 0},
				{"defectdojo-tool-outputs/no_runs.sarif", "[]", 0, 0, 0},
				{"sarif-tutorials/samples/2-Basics/empty-log.sarif.json", "[CodeScanner]", 0, 0, 0},
			} {
				got := must(c.ImportSARIF(ctx, a.ID, read(l.file), client.SARIFOptions{Branch: "main", Source: filepath.Base(l.file)}))(t)
				if fmt.Sprint(got.Tools) != l.tools || got.New != l.new || got.Suppressed != l.suppressed || got.Skipped != l.skip {
					t.Errorf("%s: %+v, want tools %s, %d new, %d suppressed, %d skipped", l.file, got, l.tools, l.new, l.suppressed, l.skip)
				}
				if l.file == "sarif-tutorials/samples/2-Basics/empty-log.sarif.json" {
					// The empty log's run is CodeScanner's too: its
					// findings (suppression_test's) are resolved.
					if got.Resolved != 5 {
						t.Errorf("%s: resolved %d, want CodeScanner's 5", l.file, got.Resolved)
					}
					continue
				}
				// Each tool's import is a scan record with the exact log.
				if len(got.ScanRecords) != len(got.Tools) {
					t.Errorf("%s: scan records %v for tools %v", l.file, got.ScanRecords, got.Tools)
				}
				for _, id := range got.ScanRecords {
					rc := must(c.ScanDocument(ctx, id))(t)
					doc, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(doc, read(l.file)) {
						t.Errorf("%s: scan record %d's document differs from the log sent (%v)", l.file, id, err)
					}
				}
				again := must(c.ImportSARIF(ctx, a.ID, read(l.file), client.SARIFOptions{Branch: "main", Source: filepath.Base(l.file)}))(t)
				if again.New != 0 || again.Resolved != 0 || again.Unchanged != l.new {
					t.Errorf("%s again: %+v, want %d unchanged", l.file, again, l.new)
				}
			}
			recs := must(c.ScanRecords(ctx, a.ID, client.PageQuery{Limit: 500}))(t).Items
			sarifRecs := 0
			for _, r := range recs {
				if r.Kind == model.ScanSARIF && r.Branch == "main" && r.Tool != "" && r.Kept && r.Source != "" {
					sarifRecs++
				}
			}
			if sarifRecs != 2*7+1 { // every log with a tool twice, the empty log once
				t.Errorf("%d SARIF scan records, want 15: %+v", sarifRecs, recs)
			}
			open := len(must(c.Findings(ctx, client.FindingFilter{Asset: "sarif-real", Kind: model.KindCode, PageQuery: client.PageQuery{Limit: 500}}))(t).Items)
			if open != 4+53+8+56+13+1 {
				t.Errorf("%d open code findings, want every log's but CodeScanner's", open)
			}
		})
	}
}
