package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// jsonComponent is model.Component without hashes, licenses and CPEs, which
// would make 100,000s of findings needlessly large.
type jsonComponent struct {
	Ref         string      `json:"ref,omitempty"`
	Name        string      `json:"name"`
	Version     string      `json:"version,omitempty"`
	PURL        string      `json:"purl,omitempty"`
	Ecosystem   string      `json:"ecosystem,omitempty"`
	Package     string      `json:"package,omitempty"`
	Scope       model.Scope `json:"scope,omitempty"`
	Source      string      `json:"source,omitempty"`
	Unmatchable string      `json:"unmatchable,omitempty"`
}

func compactComponent(c *model.Component) jsonComponent {
	return jsonComponent{
		Ref: c.Ref, Name: c.Name, Version: c.Version, PURL: c.PURL,
		Ecosystem: c.Ecosystem, Package: c.Package, Scope: c.Scope,
		Source: c.Source, Unmatchable: c.Unmatchable,
	}
}

// refFinding is what findingEncoder writes, for encoding/json to write the
// same: model.Finding with the compact component and evidence never null.
type refFinding struct {
	Component     jsonComponent      `json:"component"`
	ID            string             `json:"id"`
	Aliases       []string           `json:"aliases,omitempty"`
	Summary       string             `json:"summary,omitempty"`
	Severity      model.Severity     `json:"severity"`
	Conflicts     []model.Severity   `json:"severity_conflicts,omitempty"`
	Evidence      []model.Evidence   `json:"evidence"`
	FixedVersions []string           `json:"fixed_versions,omitempty"`
	Fix           string             `json:"fix,omitempty"`
	Suppressed    *model.Suppression `json:"suppressed,omitempty"`
}

func toRef(f *model.Finding) refFinding {
	r := refFinding{Component: compactComponent(f.Component), ID: f.ID, Aliases: f.Aliases, Summary: f.Summary,
		Severity: f.Severity, Conflicts: f.Conflicts, Evidence: f.Evidence, FixedVersions: f.FixedVersions, Fix: f.Fix, Suppressed: f.Suppressed}
	if r.Evidence == nil {
		r.Evidence = []model.Evidence{}
	}
	return r
}

func TestFindingEncoderMatchesEncodingJSON(t *testing.T) {
	fs := fixture().Findings
	odd := fs[0]
	odd.Summary = "quote \" backslash \\ tab \t nl \n cr \r bs \b ff \f nul \x00 esc \x1b del \x7f <&> é 日本 \u2028\u2029 bad \xff\xfe end"
	odd.Component.Name = "\x01\x1f"
	odd.Evidence = nil
	odd.Severity.Score = 1e-7
	odd.Suppressed = &model.Suppression{Reason: "no date"}
	fs = append(fs, odd)
	nvdRated := fs[0]
	nvdRated.Severity = model.Severity{Rating: model.RatingHigh, Score: 7.5, Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
		Version: "3.1", From: model.SeverityFromNVD, Record: "CVE-2024-0001", Source: "nvd@nist.gov", SourceType: "Primary"}
	nvdRated.Conflicts = []model.Severity{{Rating: model.RatingCritical, Score: 9.1, Type: "CVSS_V3", From: model.SeverityFromNVD,
		Record: "CVE-2024-0001", Source: "cna@example.com", SourceType: "Secondary"}}
	fs = append(fs, nvdRated)
	for i := range fs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(toRef(&fs[i])); err != nil {
			t.Fatal(err)
		}
		e := &findingEncoder{}
		e.element(1, func() { e.finding(&fs[i]) })
		if got := string(e.b); got != ",\n    "+strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("finding %d:\ngot  %s\nwant %s", i, got, want.String())
		}
	}
}

// TestModelFieldsAreEncoded fails when a field is added to the model types
// that findingEncoder writes by hand: add it there, to refFinding and to
// docs/json-output.md.
func TestModelFieldsAreEncoded(t *testing.T) {
	known := map[reflect.Type]string{
		reflect.TypeFor[model.Finding]():     "Component ID Aliases Summary Severity Conflicts Evidence FixedVersions Fix Suppressed",
		reflect.TypeFor[model.Component]():   "Ref Name Version PURL Ecosystem Package CPEs Hashes Licenses Scope Source Unmatchable",
		reflect.TypeFor[model.Severity]():    "Rating Score Type Vector Version From Record Source SourceType",
		reflect.TypeFor[model.Evidence]():    "Advisory Ecosystem Package RangeType Introduced Fixed LastAffected Limit Reason",
		reflect.TypeFor[model.Suppression](): "Reason Until",
	}
	for typ, want := range known {
		var names []string
		for f := range typ.Fields() {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("%s has fields %q; the JSON report knows %q", typ, got, want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	out := render(t, "json", fixture(), testOptions())
	var doc struct {
		SchemaVersion string `json:"schema_version"`
		Tool          struct{ Name, Version string }
		GeneratedAt   string `json:"generated_at"`
		SBOMs         []struct {
			Path, Format, Subject string
			Components            int
			FilesLeftOut          int `json:"files_left_out"`
		}
		Findings       []model.Finding
		Unmatched      []model.Component
		Unchecked      []model.Unchecked
		Advisories     map[string]model.AdvisoryInfo
		ExpiredIgnores []model.ExpiredIgnore `json:"expired_ignores"`
		Notes          []string
		Summary        jsonSummary
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Summary
	want := jsonSummary{Findings: 5, Suppressed: 1, ByRating: jsonByRating{Critical: 1, High: 2, Medium: 1, Unknown: 1},
		SBOMs: 2, Components: 10, AffectedComponents: 5, Unmatched: 3, Unchecked: 1, FilesLeftOut: 2, ExpiredIgnores: 1}
	if s != want {
		t.Errorf("summary = %+v, want %+v", s, want)
	}
	if doc.SchemaVersion != "1" || doc.Tool.Name != "vulndesk" || doc.Tool.Version != "1.2.3" || doc.GeneratedAt != "2026-03-14T15:09:26Z" {
		t.Errorf("header = %q %+v %q", doc.SchemaVersion, doc.Tool, doc.GeneratedAt)
	}
	if len(doc.Findings) != s.Findings+s.Suppressed || len(doc.Unmatched) != 3 || len(doc.Advisories) != 5 ||
		len(doc.ExpiredIgnores) != 1 || len(doc.Notes) != 1 || doc.SBOMs[1].Components != 6 || doc.SBOMs[0].FilesLeftOut != 2 ||
		!reflect.DeepEqual(doc.Unchecked, []model.Unchecked{{Ecosystem: "Packagist", Components: 1}}) {
		t.Errorf("counts: %d findings, %d unmatched, %d advisories", len(doc.Findings), len(doc.Unmatched), len(doc.Advisories))
	}
	// Findings survive the trip, less what the compact component drops.
	res := fixture()
	for i := range res.Findings {
		w := res.Findings[i]
		w.Component.CPEs, w.Component.Hashes, w.Component.Licenses = nil, nil, nil
		if !reflect.DeepEqual(doc.Findings[i], w) {
			t.Errorf("finding %d:\ngot  %+v\nwant %+v", i, doc.Findings[i], w)
		}
	}
	if doc.Findings[5].Suppressed == nil || doc.Findings[5].Suppressed.Until.IsZero() {
		t.Error("the suppressed finding lost its suppression")
	}
}

// BenchmarkJSONEncodingJSON170k is the baseline BenchmarkJSON170k beats:
// the same findings through encoding/json.
func BenchmarkJSONEncodingJSON170k(b *testing.B) {
	res := bigResult(170_000)
	refs := make([]refFinding, len(res.Findings))
	for i := range res.Findings {
		refs[i] = toRef(&res.Findings[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		if err := enc.Encode(refs); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONDocumented checks that docs/json-output.md names every key the
// JSON output has.
func TestJSONDocumented(t *testing.T) {
	docs, err := os.ReadFile(filepath.Join("..", "..", "docs", "json-output.md"))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(render(t, "json", fixture(), testOptions()), &v); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(v any, inAdvisories bool)
	walk = func(v any, inAdvisories bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !inAdvisories {
					keys[k] = true
				}
				walk(x, k == "advisories" && !inAdvisories)
			}
		case []any:
			for _, x := range v {
				walk(x, false)
			}
		}
	}
	walk(v, false)
	for k := range keys {
		if !bytes.Contains(docs, []byte("| `"+k+"` |")) {
			t.Errorf("docs/json-output.md does not document the field %q", k)
		}
	}
}

// TestJSONChunkedEqualsSequential checks that the chunked, parallel encoding
// of a large findings array writes exactly what one encoder in order writes.
func TestJSONChunkedEqualsSequential(t *testing.T) {
	base := fixture()
	res := *base
	res.Findings = nil
	for i := 0; i < 10_000; i++ {
		f := base.Findings[i%len(base.Findings)]
		f.ID = fmt.Sprintf("%s-%d", f.ID, i)
		res.Findings = append(res.Findings, f)
	}
	var chunked, seq bytes.Buffer
	w := &jsonWriter{w: bufio.NewWriter(&chunked)}
	encodeElements(w, len(res.Findings), func(fe *findingEncoder, i int) { fe.finding(&res.Findings[i]) })
	w.w.Flush()
	fe := &findingEncoder{}
	for i := range res.Findings {
		fe.element(i, func() { fe.finding(&res.Findings[i]) })
		seq.Write(fe.b)
	}
	if !bytes.Equal(chunked.Bytes(), seq.Bytes()) {
		t.Fatalf("chunked encoding differs from sequential (%d vs %d bytes)", chunked.Len(), seq.Len())
	}
}
