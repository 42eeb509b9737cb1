package csaf

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/csaf/csaftest"
	"github.com/vulndesk/vulndesk/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func ptr[T any](v T) *T { return &v }

// sample is an advisory with two products (one fixed, one without a fix
// yet), two vulnerabilities (one without a CVE) and a credit.
func sample(profile string) model.SecurityAdvisory {
	a := model.SecurityAdvisory{TrackingID: "EXAMPLEORG-2026-0001", Profile: profile, CaseID: ptr(int64(7)),
		Title:   "Stored XSS and path traversal in Webshop",
		Summary: "Two flaws in Webshop let an attacker run script in an administrator's browser and read files.",
		Products: []model.SecAdvProduct{
			{AssetID: 1, Name: "Webshop", Affected: ">=2.0, <2.4.1", Fixed: "2.4.1"},
			{AssetID: 2, Name: "Webshop Mobile", Affected: "vers:generic/<=1.3.0"},
		},
		Vulnerabilities: []model.SecAdvVuln{
			{CVE: "CVE-2026-12345", CWE: "CWE-79", CWEName: "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
				Title: "Stored XSS in product reviews", Description: "A review's text is shown unescaped to administrators.",
				CVSS: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N", Remediation: "Update to 2.4.1; Webshop Mobile: disable reviews.",
				Acknowledgements: []string{"Jane Researcher"}},
			{Title: "Path traversal in the export", Description: "The export's file parameter is not confined to the export folder.",
				CWE: "CWE-22", CWEName: "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
				Remediation: "Update to 2.4.1; Webshop Mobile: block /export at the proxy."},
		},
	}
	if profile == model.ProfileVEX {
		a.Products = append(a.Products,
			model.SecAdvProduct{AssetID: 3, Name: "Webshop Lite", Affected: "vers:generic/>=1.0", Status: model.ProductNotAffected, Justification: "vulnerable_code_not_present"},
			model.SecAdvProduct{AssetID: 4, Name: "Webshop Cloud", Affected: "vers:generic/*", Status: model.ProductUnderInvestigation})
	}
	if err := a.Normalize(); err != nil {
		panic(err)
	}
	return a
}

func meta(version int) Meta {
	first := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	m := Meta{Publisher: "Example Org", Namespace: "https://vulndesk.example.org", Status: "final", Version: version,
		Initial: first, Current: first, Generator: "1.0.0",
		SelfURL: "https://vulndesk.example.org/.well-known/csaf/white/2026/exampleorg-2026-0001.json"}
	for n := 1; n <= version; n++ {
		at := first.AddDate(0, 0, 7*(n-1))
		m.Revisions = append(m.Revisions, model.SecAdvRevision{Number: n, Date: at, Summary: map[bool]string{true: "Initial version", false: "Update"}[n == 1]})
		m.Current = at
	}
	return m
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile string
		version int
	}{
		{"security_advisory", model.ProfileSecurityAdvisory, 1},
		{"security_advisory_rev2", model.ProfileSecurityAdvisory, 2},
		{"csaf_vex", model.ProfileVEX, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, m := sample(c.profile), meta(c.version)
			doc, err := Document(a, m)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".csaf.json", doc)
			if err := csaftest.Validate(t, csaftest.CSAF, doc); err != nil {
				t.Fatalf("CSAF document invalid: %v", err)
			}
			osv, err := OSV(a, m)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+".osv.json", osv)
			if err := csaftest.Validate(t, csaftest.OSV, osv); err != nil {
				t.Fatalf("OSV record invalid: %v", err)
			}
			roundTrip(t, doc)
		})
	}
}

// roundTrip decodes the document strictly into the writer's own types and
// writes it again: nothing is lost or unknown.
func roundTrip(t *testing.T, b []byte) {
	t.Helper()
	var d doc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("decoding the document: %v", err)
	}
	again, err := encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("round trip changed the document:\n%s", again)
	}
}

// TestDocumentContent reads what the golden files hold that matters most.
func TestDocumentContent(t *testing.T) {
	a := sample(model.ProfileVEX)
	b, err := Document(a, meta(2))
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	tr := d.Document.Tracking
	if tr.ID != a.TrackingID || tr.Status != "final" || tr.Version != "2" || len(tr.RevisionHistory) != 2 || tr.RevisionHistory[1].Number != "2" {
		t.Fatalf("tracking %+v", tr)
	}
	if d.Document.Category != "csaf_vex" || d.Document.Distribution.TLP.Label != "WHITE" {
		t.Fatalf("category %s, tlp %s", d.Document.Category, d.Document.Distribution.TLP.Label)
	}
	v := d.Vulnerabilities[0]
	ps := v.ProductStatus
	if len(ps.KnownAffected) != 2 || len(ps.Fixed) != 1 || len(ps.KnownNotAffected) != 1 || len(ps.UnderInvestigation) != 1 {
		t.Fatalf("product status %+v", ps)
	}
	if len(v.Flags) != 1 || v.Flags[0].Label != "vulnerable_code_not_present" {
		t.Fatalf("flags %+v", v.Flags)
	}
	if v.Scores[0].CVSSv3.BaseScore != 8.7 || v.Scores[0].CVSSv3.BaseSeverity != "HIGH" {
		t.Fatalf("score %+v", v.Scores[0].CVSSv3)
	}
	if v.Acknowledgments[0].Names[0] != "Jane Researcher" {
		t.Fatalf("acknowledgments %+v", v.Acknowledgments)
	}
	if d.Vulnerabilities[1].CVE != "" || len(d.Vulnerabilities[1].IDs) != 1 {
		t.Fatalf("a vulnerability without a CVE needs ids: %+v", d.Vulnerabilities[1])
	}
}

// TestSchemaCheckerWorks makes sure the validator the golden tests rely on
// accepts the TC's own examples and refuses a broken document.
func TestSchemaCheckerWorks(t *testing.T) {
	data := csaftest.DataOrSkip(t)
	files, _ := filepath.Glob(filepath.Join(data, "csaf/oasis-csaf-2.0/examples/csaf/*.json"))
	vex, _ := filepath.Glob(filepath.Join(data, "csaf/oasis-csaf-2.0/examples/csaf/csaf_vex/*.json"))
	files = append(files, vex...)
	if len(files) < 10 {
		t.Fatalf("%d example documents found", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := csaftest.Validate(t, csaftest.CSAF, b); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
	doc, _ := Document(sample(model.ProfileSecurityAdvisory), meta(1))
	broken := bytes.Replace(doc, []byte(`"label": "WHITE"`), []byte(`"label": "PINK"`), 1)
	if err := csaftest.Validate(t, csaftest.CSAF, broken); err == nil {
		t.Fatal("a document with TLP PINK validated")
	}
	pm, err := Provider("https://vulndesk.example.org", "Example Org", strings.Repeat("AB", 20), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "provider-metadata.json", pm)
	if err := csaftest.Validate(t, csaftest.Provider, pm); err != nil {
		t.Fatalf("provider metadata invalid: %v", err)
	}
}

// TestFileNames checks the §5.1 rule on the TC's file name test data:
// valid files are named as the rule makes the name from their tracking
// ID, invalid ones are not.
func TestFileNames(t *testing.T) {
	data := csaftest.DataOrSkip(t)
	for _, kind := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join(data, "csaf/oasis-csaf-2.0/test/filenames/data", kind, "*.json"))
		if len(files) == 0 {
			t.Fatalf("no %s file name cases", kind)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var d doc
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			got := model.CSAFFileName(d.Document.Tracking.ID)
			if (got == filepath.Base(f)) != (kind == "valid") {
				t.Errorf("%s %s: the rule names tracking ID %q %s", kind, filepath.Base(f), d.Document.Tracking.ID, got)
			}
		}
	}
}

func TestChangesIndex(t *testing.T) {
	e := []Entry{{Path: "2026/b.json", Updated: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}, {Path: "2025/a.json", Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	if got, want := string(Changes(e)), "\"2026/b.json\",\"2026-03-02T00:00:00Z\"\n\"2025/a.json\",\"2026-01-02T03:04:05Z\"\n"; got != want {
		t.Errorf("changes.csv %q, want %q", got, want)
	}
	if got := string(Index(e)); got != "2026/b.json\n2025/a.json\n" {
		t.Errorf("index.txt %q", got)
	}
}

func TestOSVEvents(t *testing.T) {
	for in, want := range map[[2]string]string{
		{">=2.0, <2.4.1", "2.4.1"}:      `[{"introduced":"2.0"},{"fixed":"2.4.1"}]`,
		{"vers:generic/<=1.3.0", ""}:    `[{"introduced":"0"},{"last_affected":"1.3.0"}]`,
		{"vers:generic/>=1.0|<1.2", ""}: `[{"introduced":"1.0"},{"fixed":"1.2"}]`,
		{"1.5", ""}:                     `[{"introduced":"1.5"},{"last_affected":"1.5"}]`,
	} {
		got, _ := json.Marshal(events(model.SecAdvProduct{Affected: in[0], Fixed: in[1]}))
		if string(got) != want {
			t.Errorf("events(%q, fixed %q) = %s, want %s", in[0], in[1], got, want)
		}
	}
}
