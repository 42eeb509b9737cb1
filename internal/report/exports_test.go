package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

var exportNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// exportFindings are findings of the list with every column filled, and
// text that a spreadsheet would evaluate or that CSV must quote.
func exportFindings() []model.AssetFinding {
	epss := 0.42
	return []model.AssetFinding{
		{ID: 1, AssetID: 7, AssetName: "webshop", Key: "npm/lodash", Ecosystem: "npm", Package: "lodash", Version: "4.17.20",
			PURL: "pkg:npm/lodash@4.17.20", VulnID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"},
			Summary: `Command injection in "template", with a comma`, Severity: "high", Score: 7.2,
			SeverityDetail: model.Severity{Rating: "high", Score: 7.2, Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"},
			KEV:            true, EPSS: &epss, Status: "open", State: model.StateNotAffected, Assignee: "@team",
			FirstSeen: exportNow.Add(-48 * time.Hour), LastSeen: exportNow.Add(-time.Hour), Fix: "4.17.21",
			SLA:      &model.SLAView{DueAt: exportNow.Add(72 * time.Hour), State: "on_track"},
			Priority: &model.PriorityView{Decision: "attend"}},
		{ID: 2, AssetID: 7, AssetName: "webshop", Key: "npm/=cmd", Ecosystem: "npm", Package: "=cmd|' /C calc'!A0", Version: "-1+1",
			VulnID: "OSV-2024-1", Summary: "+SUM(1)\nsecond line", Severity: "unknown", Status: "resolved", State: model.StateNew,
			FirstSeen: exportNow.Add(-24 * time.Hour), LastSeen: exportNow.Add(-24 * time.Hour), ResolvedAt: exportNow,
			Assignee: "\tTAB", Fix: "\rCR"},
	}
}

func writeExport(t *testing.T, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	e, err := NewFindingsExport(&b, format)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range exportFindings() {
		if err := e.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./internal/report -update and review the diff):\n%s", path, got)
	}
}

func TestFindingsExportGolden(t *testing.T) {
	for _, f := range ExportFormats {
		checkGolden(t, "findings-export."+f, writeExport(t, f))
	}
	if _, err := NewFindingsExport(&bytes.Buffer{}, "xlsx"); err == nil || !strings.Contains(err.Error(), "csv, json, ndjson") {
		t.Errorf("format xlsx: %v; want an error naming the formats", err)
	}
}

// The CSV reads back by RFC 4180 (encoding/csv) with the header, every
// cell a spreadsheet would evaluate prefixed, and the others as they are.
func TestFindingsExportCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(writeExport(t, ExportCSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], FindingColumns) {
		t.Fatalf("rows %q", rows)
	}
	col := func(row int, name string) string { return rows[row][slices.Index(FindingColumns, name)] }
	for _, c := range []struct{ row, name, want string }{
		{"1", "summary", `Command injection in "template", with a comma`},
		{"1", "assignee", "'@team"},
		{"1", "aliases", "CVE-2021-23337"},
		{"1", "score", "7.2"},
		{"1", "epss", "0.42"},
		{"1", "kev", "true"},
		{"1", "priority", "attend"},
		{"1", "sla_due_at", "2026-03-04T12:00:00Z"},
		{"1", "sla_state", "on_track"},
		{"1", "state", "not_affected"},
		{"2", "package", "'=cmd|' /C calc'!A0"},
		{"2", "version", "'-1+1"},
		{"2", "summary", "'+SUM(1)\nsecond line"},
		{"2", "assignee", "'\tTAB"},
		{"2", "fix", "'\rCR"},
		{"2", "score", ""},
		{"2", "epss", ""},
		{"2", "resolved_at", "2026-03-01T12:00:00Z"},
	} {
		row := 1
		if c.row == "2" {
			row = 2
		}
		if got := col(row, c.name); got != c.want {
			t.Errorf("row %s %s = %q; want %q", c.row, c.name, got, c.want)
		}
	}
	if len(FindingColumns) != reflectFields(api.FindingRow{}) {
		t.Errorf("%d CSV columns, FindingRow has %d fields", len(FindingColumns), reflectFields(api.FindingRow{}))
	}
}

// reflectFields counts a row's JSON fields by encoding one with every
// field set.
func reflectFields(r api.FindingRow) int {
	one := 1.0
	r.Score, r.EPSS, r.Priority, r.SLAState, r.Assignee, r.Fix = 1, &one, "x", "x", "x", "x"
	r.SLADueAt, r.ResolvedAt = exportNow, exportNow
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return len(m)
}

// The JSON array and the NDJSON lines decode to the rows, unescaped.
func TestFindingsExportJSON(t *testing.T) {
	var arr []api.FindingRow
	if err := json.Unmarshal(writeExport(t, ExportJSON), &arr); err != nil {
		t.Fatal(err)
	}
	var lines []api.FindingRow
	for _, l := range strings.Split(strings.TrimSpace(string(writeExport(t, ExportNDJSON))), "\n") {
		var r api.FindingRow
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		lines = append(lines, r)
	}
	want := exportFindings()
	if len(arr) != len(want) || len(lines) != len(want) {
		t.Fatalf("%d array items, %d lines; want %d", len(arr), len(lines), len(want))
	}
	for i := range want {
		w, _ := json.Marshal(FindingRowOf(want[i]))
		a, _ := json.Marshal(arr[i])
		l, _ := json.Marshal(lines[i])
		if string(a) != string(w) || string(l) != string(w) {
			t.Errorf("row %d:\narray %s\nline  %s\nwant  %s", i, a, l, w)
		}
	}
	if arr[1].Package != "=cmd|' /C calc'!A0" {
		t.Errorf("JSON carries %q: only CSV cells are prefixed", arr[1].Package)
	}
	var empty bytes.Buffer
	e, _ := NewFindingsExport(&empty, ExportJSON)
	if err := e.Close(); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("an empty JSON export: %q, %v", empty.String(), err)
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"lodash": "lodash", "1.2.3": "1.2.3", "a=b": "a=b", "'quoted": "'quoted",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q; want %q", in, got, want)
		}
	}
}

func exportInventory() AssetInventory {
	return AssetInventory{
		Asset:    model.Asset{ID: 7, Name: "webshop", Kind: "service"},
		Snapshot: model.Snapshot{ID: 3, AssetID: 7, SHA256: "ab12", CreatedAt: exportNow.Add(-time.Hour)},
		Components: []model.SnapshotComponent{
			{ID: 10, Key: "npm/lodash", Component: model.Component{Ref: "lodash-ref", Name: "lodash", Version: "4.17.20",
				PURL: "pkg:npm/lodash@4.17.20", Ecosystem: "npm", Package: "lodash",
				Hashes: []model.Hash{{Algorithm: "SHA-256", Value: "00ff"}}, Licenses: []string{"MIT"}}},
			{ID: 11, Key: "npm/=cmd", Component: model.Component{Name: "=cmd|' /C calc'!A0", Version: "-1+1", Ecosystem: "npm", Package: "=cmd|' /C calc'!A0"}},
			{ID: 12, Key: "npm/lodash", Component: model.Component{Ref: "lodash-ref", Name: "lodash", Version: "4.17.20",
				PURL: "pkg:npm/lodash@4.17.20", Ecosystem: "npm", Package: "lodash"}}, // the same again: a bom-ref of its own
		},
	}
}

func exportVulns() []AssetVuln {
	fs := exportFindings()
	fs[1].Status, fs[1].ResolvedAt, fs[1].State = "open", time.Time{}, model.StateRiskAccepted
	return []AssetVuln{
		{Finding: fs[0], Advisory: model.AdvisoryInfo{ID: fs[0].VulnID, Summary: "Command injection in lodash", Details: "Long text.",
			References: []string{"https://github.com/advisories/GHSA-35jh-r3h4-6jhm"}, Published: exportNow.Add(-1000 * time.Hour)},
			Decision: &model.Decision{State: model.StateNotAffected, Justification: "vulnerable_code_not_in_execute_path",
				Reason: "template() is never called", DecidedAt: exportNow.Add(-2 * time.Hour)}},
		{Finding: fs[1]},
		{Finding: model.AssetFinding{ID: 3, Key: "cpe:/o:vendor:os", Package: "vendor os", Version: "2.1", VulnID: "CVE-2026-1",
			Severity: "medium", Status: "open", State: model.StateNew}}, // not in the inventory
	}
}

func encodeBOM(t *testing.T, bom *cdx.BOM) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteBOM(&b, bom); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodeBOM(t *testing.T, data []byte) cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	return bom
}

func TestAssetSBOM(t *testing.T) {
	opts := Options{ToolVersion: "1.2.3", Now: exportNow}
	data := encodeBOM(t, AssetSBOM(exportInventory(), opts))
	checkGolden(t, "asset-sbom.cdx.json", data)
	later := opts
	later.Now = exportNow.Add(time.Hour)
	if again := encodeBOM(t, AssetSBOM(exportInventory(), later)); !bytes.Equal(again, data) {
		t.Error("the same snapshot gave another document at another time")
	}
	other := exportInventory()
	other.Snapshot.ID = 4
	bom := decodeBOM(t, data)
	if AssetSBOM(other, opts).SerialNumber == bom.SerialNumber {
		t.Error("another snapshot has the same serial number")
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") ||
		bom.Metadata.Component.Name != "webshop" || (*bom.Metadata.Tools.Components)[0].Name != "vulndesk" {
		t.Errorf("metadata: %s %s %+v", bom.SpecVersion, bom.SerialNumber, bom.Metadata)
	}
	comps := *bom.Components
	if len(comps) != 3 {
		t.Fatalf("%d components", len(comps))
	}
	refs := map[string]bool{}
	for _, c := range comps {
		if refs[c.BOMRef] || c.BOMRef == "" {
			t.Errorf("bom-ref %q is not unique", c.BOMRef)
		}
		refs[c.BOMRef] = true
	}
	if c := comps[0]; c.BOMRef != "lodash-ref" || c.PackageURL != "pkg:npm/lodash@4.17.20" || c.Version != "4.17.20" ||
		(*c.Hashes)[0].Value != "00ff" || (*c.Licenses)[0].License.Name != "MIT" {
		t.Errorf("component 0: %+v", c)
	}
	if comps[2].BOMRef != "pkg:npm/lodash@4.17.20" {
		t.Errorf("the repeated component's bom-ref %q; want its purl", comps[2].BOMRef)
	}
}

func TestAssetVDR(t *testing.T) {
	opts := Options{ToolVersion: "1.2.3", Now: exportNow}
	data := encodeBOM(t, AssetVDR(exportInventory(), exportVulns(), opts))
	checkGolden(t, "asset-vdr.cdx.json", data)
	bom := decodeBOM(t, data)
	vs := *bom.Vulnerabilities
	if len(vs) != 3 {
		t.Fatalf("%d vulnerabilities", len(vs))
	}
	if ref, comps := (*vs[2].Affects)[0].Ref, *bom.Components; len(comps) != 4 || comps[3].BOMRef != ref || comps[3].Name != "vendor os" {
		t.Errorf("a finding outside the inventory affects %q; components %+v", ref, comps)
	}
	v := vs[0]
	r := (*v.Ratings)[0]
	if v.ID != "GHSA-35jh-r3h4-6jhm" || v.Source.Name != "OSV" || r.Severity != cdx.SeverityHigh || *r.Score != 7.2 ||
		r.Vector != exportFindings()[0].SeverityDetail.Vector || r.Method != cdx.ScoringMethodCVSSv31 ||
		v.Description != "Command injection in lodash" || v.Recommendation != "Upgrade to 4.17.21" ||
		(*v.Advisories)[0].URL == "" || (*v.References)[0].ID != "CVE-2021-23337" {
		t.Errorf("vulnerability 0: %+v, rating %+v", v, r)
	}
	if a := (*v.Affects)[0]; a.Ref != "lodash-ref" {
		t.Errorf("affects %q; want the component's bom-ref", a.Ref)
	}
	if a := v.Analysis; a == nil || a.State != cdx.IASNotAffected || a.Justification != cdx.IAJCodeNotReachable ||
		a.Detail != "template() is never called" || a.LastUpdated == "" {
		t.Errorf("analysis %+v", v.Analysis)
	}
	if a := vs[1].Analysis; a == nil || a.State != cdx.IASExploitable || (*a.Response)[0] != cdx.IARWillNotFix {
		t.Errorf("risk accepted: analysis %+v", a)
	}
	if (*vs[1].Affects)[0].Ref != "vulndesk:component:11" {
		t.Errorf("affects %q; want the component without ref nor purl", (*vs[1].Affects)[0].Ref)
	}
}

// Every triage state maps to the analysis the table in assetbom.go says.
func TestAnalysisOf(t *testing.T) {
	for _, st := range model.TriageStates {
		a := analysisOf(st, nil)
		if (a == nil) != (st == model.StateNew) {
			t.Errorf("state %s: analysis %+v", st, a)
		}
	}
	for _, j := range model.Justifications {
		a := analysisOf(model.StateNotAffected, &model.Decision{Justification: j})
		if a.Justification == "" {
			t.Errorf("justification %s: not mapped", j)
		}
	}
}
