package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	ov "github.com/openvex/go-vex/pkg/vex"
)

const sharedVEX = "../../../shared/data/vex"

// sharedDir returns the shared VEX data, or skips the test without it.
func sharedDir(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(sharedVEX); err != nil {
		t.Skipf("no shared VEX data at %s (../shared/data/vex next to the repository): %v", sharedVEX, err)
	}
	return sharedVEX
}

// TestSharedDocuments reads every file of the shared VEX data: the VEX
// documents parse into statements with the states their READMEs state,
// and everything else is refused with a reason. Use-Cases/Case-7 names
// no product ("all products of the developer"): its statement has a
// problem, which an import reports.
func TestSharedDocuments(t *testing.T) {
	dir := sharedDir(t)
	type want struct {
		format     string
		statements int
		first      string // state/justification of the first statement
		product    string // label of the first product (or its subcomponent)
	}
	wants := map[string]want{
		"openvex-go-vex-testdata/vex/v0.2.0.json":                                       {FormatOpenVEX, 5, "fixed/", "pkg:apk/alpine/libssl3@3.0.8-r3"},
		"openvex-go-vex-testdata/vex/v0.0.1.json":                                       {FormatOpenVEX, 1, "", ""},
		"openvex-go-vex-testdata/vex/v0.0.1-noversion.json":                             {FormatOpenVEX, 1, "fixed/", "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"},
		"openvex-go-vex-testdata/vex/v001-1.vex.json":                                   {FormatOpenVEX, 1, "under_investigation/", "pkg:apk/wolfi/bash@1.0.0"},
		"openvex-go-vex-testdata/vex/v001-2.vex.json":                                   {FormatOpenVEX, 1, "", ""},
		"openvex-go-vex-testdata/vex/v020-1.vex.json":                                   {FormatOpenVEX, 1, "under_investigation/", "pkg:apk/wolfi/bash@1.0.0"},
		"openvex-go-vex-testdata/vex/v020-2.vex.json":                                   {FormatOpenVEX, 1, "", ""},
		"openvex-go-vex-testdata/csaf/openvex.json":                                     {FormatOpenVEX, 1, "", ""},
		"trivy/trivy.openvex.json":                                                      {FormatOpenVEX, 21, "not_affected/vulnerable_code_not_in_execute_path", "pkg:golang/helm.sh/helm/v3"},
		"cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json":        {FormatCycloneDX, 1, "not_affected/vulnerable_code_not_present", "ABC@4.2"},
		"cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-affected.json":            {FormatCycloneDX, 1, "affected/", "DEF@1.0"},
		"cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-fixed.json":               {FormatCycloneDX, 1, "fixed/", "DEF@1.1"},
		"cyclonedx-bom-examples/VEX/CISA-Use-Cases/Case-1/vex-under_investigation.json": {FormatCycloneDX, 1, "under_investigation/", "GHI@17.4"},
		"cyclonedx-bom-examples/VEX/Use-Cases/Case-12/vex.json":                         {FormatCycloneDX, 3, "not_affected/vulnerable_code_not_in_execute_path", "Acme Product@2.2.0"},
		"cyclonedx-bom-examples/VEX/vex.json": {FormatCycloneDX, 1, "not_affected/vulnerable_code_not_in_execute_path",
			"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"},
	}
	seen := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".md") || strings.HasSuffix(rel, "LICENSE") || strings.HasSuffix(rel, "NOTICE") {
			return nil
		}
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			base := filepath.Base(rel)
			isVEX := !strings.HasSuffix(rel, ".yaml") && !strings.HasSuffix(rel, "vex/csaf.json") && !strings.HasPrefix(rel, "openvex-spec/") &&
				!strings.HasPrefix(base, "bom") && !strings.HasPrefix(rel, "openvex-go-vex-testdata/csaf/csaf")
			if !isVEX {
				if err == nil {
					t.Fatalf("Parse accepted a file that is no VEX document (%d statements)", len(doc.Statements))
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v is not ErrInvalid", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seen++
			if len(doc.Statements) == 0 {
				t.Fatal("no statements")
			}
			for _, st := range doc.Statements {
				if st.Problem != "" && !strings.HasSuffix(rel, "Use-Cases/Case-7/vex.json") {
					t.Errorf("statement %d (%s): %s", st.Index, st.Vulnerability, st.Problem)
				}
				if st.Native.Format != doc.Format || st.Native.Status == "" {
					t.Errorf("statement %d: native values %+v", st.Index, st.Native)
				}
			}
			w, ok := wants[rel]
			if !ok {
				return
			}
			if doc.Format != w.format || len(doc.Statements) != w.statements {
				t.Errorf("format %s with %d statements, want %s with %d", doc.Format, len(doc.Statements), w.format, w.statements)
			}
			st := doc.Statements[0]
			if got := st.State + "/" + st.Justification; w.first != "" && got != w.first {
				t.Errorf("first statement %s, want %s", got, w.first)
			}
			if w.product != "" {
				p := st.Products[0]
				if len(p.Subcomponents) > 0 {
					p = p.Subcomponents[0]
				}
				if p.Label() != w.product {
					t.Errorf("first product %q, want %q", p.Label(), w.product)
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 30 {
		t.Errorf("read %d VEX documents; the shared data has more than 30", seen)
	}
}

func TestTrivyDocument(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedDir(t), "trivy/trivy.openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	st := doc.Statements[0]
	if doc.Author != "Aqua Security" || doc.Timestamp.IsZero() || !st.Timestamp.Equal(doc.Timestamp) {
		t.Errorf("author %q, time %v, statement time %v", doc.Author, doc.Timestamp, st.Timestamp)
	}
	if st.Vulnerability != "GO-2024-2575" || strings.Join(st.Aliases, ",") != "CVE-2024-26147,GHSA-r53h-jv2g-vpx6" {
		t.Errorf("vulnerability %s aliases %v", st.Vulnerability, st.Aliases)
	}
	if p := st.Products[0]; p.PURL != "pkg:golang/github.com/aquasecurity/trivy" || p.Subcomponents[0].PURL != "pkg:golang/helm.sh/helm/v3" {
		t.Errorf("product %+v", p)
	}
	if st.Statement != "Govulncheck determined that the vulnerable code isn't called" {
		t.Errorf("impact statement %q", st.Statement)
	}
}

func TestCycloneDXBOMLink(t *testing.T) {
	doc, err := Parse([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1",
		"analysis":{"state":"not_affected","justification":"protected_at_runtime","response":["will_not_fix"],"lastUpdated":"2024-01-02T03:04:05Z"},
		"affects":[{"ref":"urn:cdx:2c385cf7-e1ee-46e9-a51c-13de1ecb380a/1#acme-product-1"},{"ref":"urn:cdx:x/1#pkg:npm/a@1"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	st := doc.Statements[0]
	if st.State != "not_affected" || st.Justification != "inline_mitigations_already_exist" || st.Native.Justification != "protected_at_runtime" {
		t.Errorf("state %s/%s native %+v", st.State, st.Justification, st.Native)
	}
	if st.Products[0].BOMRef != "acme-product-1" || st.Products[1].PURL != "pkg:npm/a@1" {
		t.Errorf("products %+v", st.Products)
	}
	if !st.Timestamp.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("timestamp %v", st.Timestamp)
	}
}

func TestCycloneDXXML(t *testing.T) {
	doc, err := Parse([]byte(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
		<metadata><component type="application" bom-ref="app"><name>shop</name></component></metadata>
		<vulnerabilities><vulnerability><id>CVE-2</id><analysis><state>exploitable</state><detail>upgrade</detail></analysis>
		<affects><target><ref>app</ref></target></affects></vulnerability></vulnerabilities></bom>`))
	if err != nil {
		t.Fatal(err)
	}
	st := doc.Statements[0]
	if doc.SpecVersion != "1.5" || st.State != "affected" || st.Products[0].Name != "shop" || st.Statement != "upgrade" {
		t.Errorf("%s %+v", doc.SpecVersion, st)
	}
}

func TestRefused(t *testing.T) {
	for _, c := range []struct{ name, doc, says string }{
		{"empty", "  ", "empty"},
		{"yaml", "author: x\n", "neither JSON nor XML"},
		{"garbage after", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]} x`, "malformed JSON"},
		{"other json", `{"a":1}`, "neither OpenVEX"},
		{"openvex future", `{"@context":"https://openvex.dev/ns/v0.9.0","statements":[]}`, "version 0.9.0"},
		{"foreign context", `{"@context":"https://example.com","statements":[]}`, "not OpenVEX"},
		{"wrong type", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":{}}`, `field "statements"`},
		{"sbom", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`, "no vulnerabilities"},
		{"cdx 1.3", `{"bomFormat":"CycloneDX","specVersion":"1.3","vulnerabilities":[]}`, "1.4 or later"},
		{"too big", `{"x":"` + strings.Repeat("a", MaxDocumentSize) + `"}`, "at most"},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an ErrInvalid saying %q", c.name, err, c.says)
		}
	}
}

func TestStatementProblems(t *testing.T) {
	doc, err := Parse([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","author":"a","statements":[
		{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"x"}],"status":"not_affected","impact_statement":"only words"},
		{"vulnerability":{"name":"CVE-2"},"products":[{"@id":"x"}],"status":"broken"},
		{"vulnerability":{"name":"CVE-3"},"status":"fixed"},
		{"vulnerability":{},"products":[{"@id":"x"}],"status":"fixed"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, says := range []string{"without a justification", "not an OpenVEX status", "no products", "no vulnerability"} {
		if !strings.Contains(doc.Statements[i].Problem, says) {
			t.Errorf("statement %d: problem %q, want %q", i, doc.Statements[i].Problem, says)
		}
	}
}

// exportEntries are one decision of every state.
func exportEntries() []Entry {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var out []Entry
	for i, c := range []struct{ state, just, stmt string }{
		{"not_affected", "component_not_present", "not shipped"},
		{"not_affected", "vulnerable_code_not_in_execute_path", ""},
		{"affected", "", "upgrade to 2.0"},
		{"in_remediation", "", ""},
		{"fixed", "", "fixed in 1.1"},
		{"under_investigation", "", ""},
		{"false_positive", "", "wrong package"},
		{"risk_accepted", "", "Risk accepted by exception 3 until 2026-06-01: legacy"},
	} {
		out = append(out, Entry{Asset: "shop-api", VulnID: "GHSA-" + string(rune('a'+i)), Aliases: []string{"CVE-2026-000" + string(rune('0'+i))},
			PURL: "pkg:npm/left-pad@1.0." + string(rune('0'+i)), Package: "left-pad", Version: "1.0." + string(rune('0'+i)),
			State: c.state, Justification: c.just, Statement: c.stmt, At: at})
	}
	return out
}

// TestExportRoundTrip: both exports validate with their own libraries and
// read back as the same decisions (OpenVEX: with its mapping's losses).
func TestExportRoundTrip(t *testing.T) {
	x := Export{Author: "vulndesk test", Timestamp: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), Tooling: "vulndesk", Entries: exportEntries()}
	var ob bytes.Buffer
	if err := WriteOpenVEX(&ob, x); err != nil {
		t.Fatal(err)
	}
	od, err := ov.Parse(ob.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i := range od.Statements {
		if err := od.Statements[i].Validate(); err != nil {
			t.Errorf("go-vex: statement %d: %v", i, err)
		}
	}
	var cb bytes.Buffer
	if err := WriteCycloneDX(&cb, x); err != nil {
		t.Fatal(err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(cb.Bytes()), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if len(*bom.Vulnerabilities) != len(x.Entries) {
		t.Errorf("cyclonedx-go: %d vulnerabilities", len(*bom.Vulnerabilities))
	}
	lossy := map[string]string{"in_remediation": "affected", "risk_accepted": "affected"}
	for _, c := range []struct {
		format string
		data   []byte
	}{{FormatOpenVEX, ob.Bytes()}, {FormatCycloneDX, cb.Bytes()}} {
		doc, err := Parse(c.data)
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		for i, st := range doc.Statements {
			e := x.Entries[i]
			want := e.State
			if c.format == FormatOpenVEX && lossy[want] != "" {
				want = lossy[want]
			}
			p := st.Products[0]
			if st.Problem != "" || st.State != want || st.Justification != e.Justification || st.Vulnerability != e.VulnID ||
				p.Label() != "shop-api" && p.Name != "shop-api" || p.Subcomponents[0].PURL != e.PURL || !st.Timestamp.Equal(e.At) {
				t.Errorf("%s statement %d: %s/%s %q product %+v at %v; want %s/%s", c.format, i, st.State, st.Justification,
					st.Problem, p, st.Timestamp, want, e.Justification)
			}
		}
	}
}

// TestExportKeepsNative: a decision read from a document exports its
// native values again to the same format.
func TestExportKeepsNative(t *testing.T) {
	in := []byte(`{"bomFormat":"CycloneDX","specVersion":"1.4","metadata":{"component":{"name":"ABC","bom-ref":"abc"}},
		"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"resolved_with_pedigree","detail":"patched"},"affects":[{"ref":"abc"}]},
		{"id":"CVE-2","analysis":{"state":"not_affected","justification":"protected_at_perimeter","response":["workaround_available"]},"affects":[{"ref":"abc"}]}]}`)
	doc, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	var x Export
	for _, st := range doc.Statements {
		x.Entries = append(x.Entries, Entry{Asset: "ABC", VulnID: st.Vulnerability, State: st.State, Justification: st.Justification,
			Statement: st.Statement, Native: &st.Native})
	}
	var b bytes.Buffer
	if err := WriteCycloneDX(&b, x); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Vulnerabilities []struct {
			Analysis map[string]any `json:"analysis"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	a0, a1 := out.Vulnerabilities[0].Analysis, out.Vulnerabilities[1].Analysis
	if a0["state"] != "resolved_with_pedigree" || a1["justification"] != "protected_at_perimeter" || a1["response"].([]any)[0] != "workaround_available" {
		t.Errorf("analyses %v / %v", a0, a1)
	}
	// To OpenVEX the mapped values.
	b.Reset()
	if err := WriteOpenVEX(&b, x); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"inline_mitigations_already_exist"`) || !strings.Contains(b.String(), `"fixed"`) {
		t.Errorf("openvex:\n%s", b.String())
	}
}

func TestBadText(t *testing.T) {
	for _, c := range []struct{ doc, says string }{
		{`{"@context":"https://openvex.dev/ns/v0.2.0","author":"a\u0000b","statements":[]}`, "NUL"},
		{"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"author\":\"a\xffb\",\"statements\":[]}", "UTF-8"},
	} {
		if _, err := Parse([]byte(c.doc)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v; want an error naming %s", c.doc, err, c.says)
		}
	}
}
