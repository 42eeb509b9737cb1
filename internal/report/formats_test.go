package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/openvex/go-vex/pkg/vex"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestSARIF(t *testing.T) {
	out := render(t, "sarif", fixture(), testOptions())
	var head struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(out, &head); err != nil {
		t.Fatal(err)
	}
	if head.Version != "2.1.0" || !strings.HasSuffix(head.Schema, "sarif-schema-2.1.0.json") {
		t.Errorf("version %q, $schema %q", head.Version, head.Schema)
	}
	doc, err := sarif.FromBytes(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Errorf("not valid against the SARIF 2.1.0 schema: %v", err)
	}
	run := doc.Runs[0]
	rules := run.Tool.Driver.Rules
	if len(rules) != 5 || len(run.Results) != 6 {
		t.Fatalf("%d rules, %d results; want 5, 6", len(rules), len(run.Results))
	}
	// Critical and high are errors, medium a warning, low a note; unknown
	// (PYSEC-2024-1) a warning: it could be anything.
	wantLevel := []string{"error", "error", "error", "warning", "warning", "note"}
	for i, r := range run.Results {
		f := fixture().Findings[i]
		if *r.RuleID != f.ID || *rules[r.RuleIndex].ID != f.ID {
			t.Errorf("result %d: ruleId %s, rule[%d] %s; want %s", i, *r.RuleID, r.RuleIndex, *rules[r.RuleIndex].ID, f.ID)
		}
		if r.Level != wantLevel[i] {
			t.Errorf("result %d: level %s, want %s", i, r.Level, wantLevel[i])
		}
		if got := *r.Locations[0].LogicalLocations[0].FullyQualifiedName; got != f.Component.PURL {
			t.Errorf("result %d: logical location %s", i, got)
		}
		if got := *r.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != f.Component.Source {
			t.Errorf("result %d: uri %s", i, got)
		}
		if len(r.PartialFingerprints[fingerprintKey]) != 32 {
			t.Errorf("result %d: fingerprints %v", i, r.PartialFingerprints)
		}
		if (f.Suppressed != nil) != (len(r.Suppressions) == 1) {
			t.Errorf("result %d: suppressions %v", i, r.Suppressions)
		}
	}
	s := run.Results[5].Suppressions[0]
	if *s.Kind != "external" || !strings.Contains(*s.Justification, "2026-12-31") {
		t.Errorf("suppression %s %q", *s.Kind, *s.Justification)
	}
	if got := rules[3].Properties.Properties["security-severity"]; got != "9.8" || *rules[3].ID != "GO-2022-0969" {
		t.Errorf("rule %s security-severity %v", *rules[3].ID, got)
	}
	if run.Results[0].PartialFingerprints[fingerprintKey] == run.Results[1].PartialFingerprints[fingerprintKey] {
		t.Error("fingerprints collide")
	}
	var notes []string
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		notes = append(notes, n.Level+": "+*n.Message.Text)
	}
	for _, want := range []string{
		"warning: not checked: 1 Packagist component — no Packagist advisories in the database",
		"note: left out: 2 file entries (CycloneDX type file, SPDX purpose FILE): files, not packages",
	} {
		if !slices.Contains(notes, want) {
			t.Errorf("notifications %q lack %q", notes, want)
		}
	}
}

func TestOpenVEX(t *testing.T) {
	out := render(t, "openvex", fixture(), testOptions())
	doc, err := vex.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Context != "https://openvex.dev/ns/v0.2.0" || doc.Author != "vulndesk" || doc.Version != 1 ||
		!strings.HasPrefix(doc.ID, openVEXNamespace) || !doc.Timestamp.Equal(fixedNow) {
		t.Errorf("metadata %+v", doc.Metadata)
	}
	if len(doc.Statements) != 6 {
		t.Fatalf("%d statements, want 6", len(doc.Statements))
	}
	for i, st := range doc.Statements {
		f := fixture().Findings[i]
		if err := st.Validate(); err != nil {
			t.Errorf("statement %d: %v", i, err)
		}
		if st.Status != vex.StatusAffected || string(st.Vulnerability.Name) != f.ID || st.Products[0].ID != f.Component.PURL {
			t.Errorf("statement %d: %s %s %s", i, st.Status, st.Vulnerability.Name, st.Products[0].ID)
		}
		if len(st.Vulnerability.Aliases) != len(f.Aliases) {
			t.Errorf("statement %d: aliases %v, want %v", i, st.Vulnerability.Aliases, f.Aliases)
		}
		id := f.ID
		if len(f.Aliases) > 0 {
			id = f.Aliases[len(f.Aliases)-1]
		}
		if !st.Matches(id, f.Component.PURL, nil) {
			t.Errorf("statement %d does not match its purl and aliases", i)
		}
	}
	if a := doc.Statements[3].ActionStatement; a != "No fixed version is known." {
		t.Errorf("no-fix action %q", a)
	}
	if a := doc.Statements[5].ActionStatement; !strings.HasPrefix(a, "Risk accepted: ignored until 2026-12-31") {
		t.Errorf("ignored action %q", a)
	}
}

func TestOpenVEXDeduplicates(t *testing.T) {
	res := fixture()
	dup := res.Findings[0]
	dup.Component.Source = "other.json"
	res.Findings = append(res.Findings, dup)
	doc, err := vex.Parse(render(t, "openvex", res, testOptions()))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements) != 6 {
		t.Errorf("%d statements, want 6", len(doc.Statements))
	}
}

func TestCycloneDX(t *testing.T) {
	out := render(t, "cyclonedx", fixture(), testOptions())
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(out), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") {
		t.Errorf("specVersion %s, serial %s", bom.SpecVersion, bom.SerialNumber)
	}
	refs := map[string]bool{}
	for _, c := range *bom.Components {
		refs[c.BOMRef] = true
		if c.BOMRef != c.PackageURL {
			t.Errorf("component %s: purl %s", c.BOMRef, c.PackageURL)
		}
	}
	if len(refs) != 6 {
		t.Errorf("%d components, want 6", len(refs))
	}
	vulns := map[string]cdx.Vulnerability{}
	for _, v := range *bom.Vulnerabilities {
		vulns[v.ID] = v
		for _, a := range *v.Affects {
			if !refs[a.Ref] {
				t.Errorf("%s affects unknown ref %s", v.ID, a.Ref)
			}
		}
	}
	if len(vulns) != 5 {
		t.Fatalf("%d vulnerabilities, want 5", len(vulns))
	}
	lodash := vulns["GHSA-p6mc-m468-83gh"]
	if len(*lodash.Affects) != 2 || lodash.Recommendation != "Upgrade to 4.17.19" ||
		(*lodash.References)[0].ID != "CVE-2020-8203" || (*lodash.Ratings)[0].Method != cdx.ScoringMethodCVSSv3 {
		t.Errorf("lodash: %+v", lodash)
	}
	xnet := vulns["GO-2022-0969"]
	if ids := []string{(*xnet.References)[0].ID, (*xnet.References)[1].ID}; !slices.Equal(ids, fixture().Findings[0].Aliases) {
		t.Errorf("aliases %v", ids)
	}
	if m := (*xnet.Ratings)[0].Method; m != cdx.ScoringMethodCVSSv31 || *(*xnet.Ratings)[0].Score != 9.8 {
		t.Errorf("x/net rating %+v", (*xnet.Ratings)[0])
	}
	if m := (*vulns["GHSA-xxxx-yyyy-zzzz"].Ratings)[0].Method; m != cdx.ScoringMethodCVSSv4 {
		t.Errorf("CVSS v4 method %s", m)
	}
	if r := vulns["GHSA-xxxx-yyyy-zzzz"].Recommendation; r != "No fixed version is known" {
		t.Errorf("no-fix recommendation %q", r)
	}
	dsa := vulns["DSA-5532-1"]
	if dsa.Analysis == nil || dsa.Analysis.State != cdx.IASExploitable || (*dsa.Analysis.Response)[0] != cdx.IARWillNotFix {
		t.Errorf("ignored finding analysis %+v", dsa.Analysis)
	}
	if xnet.Analysis != nil {
		t.Error("an active finding has an analysis")
	}
	want := []cdx.Property{
		{Name: "vulndesk:not-checked", Value: "1 Packagist component — no Packagist advisories in the database"},
		{Name: "vulndesk:files-left-out", Value: "2"},
	}
	if bom.Metadata.Properties == nil || !slices.Equal(*bom.Metadata.Properties, want) {
		t.Errorf("metadata properties %+v, want %+v", bom.Metadata.Properties, want)
	}
}

// TestCycloneDXSplitsIgnored checks that an advisory ignored for one
// component but not another gives two vulnerabilities, one with analysis.
func TestCycloneDXSplitsIgnored(t *testing.T) {
	res := fixture()
	res.Findings[2].Suppressed = &model.Suppression{Reason: "base image is rebuilt monthly"}
	var bom cdx.BOM
	out := render(t, "cyclonedx", res, testOptions())
	if err := cdx.NewBOMDecoder(bytes.NewReader(out), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	var analysed, plain int
	for _, v := range *bom.Vulnerabilities {
		if v.ID == "GHSA-p6mc-m468-83gh" {
			if len(*v.Affects) != 1 {
				t.Errorf("affects %v", *v.Affects)
			}
			if v.Analysis != nil {
				analysed++
			} else {
				plain++
			}
		}
	}
	if analysed != 1 || plain != 1 {
		t.Errorf("%d analysed, %d plain; want 1, 1", analysed, plain)
	}
}
