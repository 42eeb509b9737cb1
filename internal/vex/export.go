package vex

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	ov "github.com/openvex/go-vex/pkg/vex"
)

// Entry is one decision to export: a state of a vulnerability in a package
// of an asset.
type Entry struct {
	Asset                  string // the asset's name: the product
	VulnID                 string
	Aliases                []string
	PURL, Package, Version string // the package: the subcomponent
	State, Justification   string
	Statement              string // impact or action statement, or the reason
	At                     time.Time
	Native                 *Native // the values of the VEX document it came from, if any
}

// Export is a set of decisions to write as one document.
type Export struct {
	Author    string
	Timestamp time.Time
	Tooling   string
	Entries   []Entry
}

// defaultAction is the action statement of an affected decision that
// gives none (OpenVEX requires one).
const defaultAction = "Remediation is being planned; no action statement was recorded."

// nativeFor returns e's native values when they came from format and
// still say e's state and justification.
func nativeFor(e *Entry, format string) *Native {
	n := e.Native
	if n == nil || n.Format != format {
		return nil
	}
	var state, just string
	if format == FormatOpenVEX {
		state, just, _ = fromOpenVEX(n.Status, n.Justification, n.Detail)
	} else {
		state, just, _ = fromCycloneDX(n.Status, n.Justification)
	}
	if state == e.State && just == e.Justification {
		return n
	}
	return nil
}

// WriteOpenVEX writes the entries as an OpenVEX 0.2.0 document: each a
// statement whose product is the asset (by name) with the package's purl
// as subcomponent.
func WriteOpenVEX(w io.Writer, x Export) error {
	ts := x.Timestamp.UTC()
	doc := ov.VEX{Metadata: ov.Metadata{Context: ov.ContextLocator(), Author: x.Author, Timestamp: &ts, Version: 1, Tooling: x.Tooling},
		Statements: []ov.Statement{}}
	for i := range x.Entries {
		e := &x.Entries[i]
		at := e.At.UTC()
		st := ov.Statement{
			Vulnerability: ov.Vulnerability{Name: ov.VulnerabilityID(e.VulnID)},
			Timestamp:     &at,
			Products:      []ov.Product{{Component: ov.Component{ID: e.Asset}}},
			Status:        ov.Status(stateToOpenVEX[e.State]),
		}
		for _, a := range e.Aliases {
			st.Vulnerability.Aliases = append(st.Vulnerability.Aliases, ov.VulnerabilityID(a))
		}
		if sub := cmp.Or(e.PURL, e.Package); sub != "" {
			c := ov.Component{ID: sub}
			if e.PURL != "" {
				c.Identifiers = map[ov.IdentifierType]string{ov.PURL: e.PURL}
			}
			st.Products[0].Subcomponents = []ov.Subcomponent{{Component: c}}
		}
		switch st.Status {
		case ov.StatusNotAffected:
			st.Justification, st.ImpactStatement = ov.Justification(e.Justification), e.Statement
			if e.State == stateFalsePositive {
				st.Justification = "vulnerable_code_not_present"
				st.ImpactStatement = strings.TrimSpace(falsePositivePrefix + " " + e.Statement)
			}
		case ov.StatusAffected:
			st.ActionStatement = cmp.Or(e.Statement, defaultAction)
		default:
			st.StatusNotes = e.Statement
		}
		if n := nativeFor(e, FormatOpenVEX); n != nil && n.Justification != "" {
			st.Justification = ov.Justification(n.Justification)
		}
		if err := st.Validate(); err != nil {
			return fmt.Errorf("openvex statement for %s in %s: %w", e.VulnID, e.Asset, err)
		}
		doc.Statements = append(doc.Statements, st)
	}
	if _, err := doc.GenerateCanonicalID(); err != nil {
		return fmt.Errorf("openvex document id: %w", err)
	}
	return doc.ToJSON(w)
}

// WriteCycloneDX writes the entries as a CycloneDX 1.6 VEX: each asset a
// component (application) with its packages nested in it, and one
// vulnerability per entry whose analysis is the decision and whose
// affects names the package's bom-ref.
func WriteCycloneDX(w io.Writer, x Export) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.Metadata = &cdx.Metadata{Timestamp: x.Timestamp.UTC().Format(time.RFC3339)}
	if x.Author != "" {
		bom.Metadata.Authors = &[]cdx.OrganizationalContact{{Name: x.Author}}
	}
	if x.Tooling != "" {
		bom.Metadata.Tools = &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: x.Tooling}}}
	}
	assets := map[string]*cdx.Component{}
	var order []string
	vulns := make([]cdx.Vulnerability, 0, len(x.Entries))
	for i := range x.Entries {
		e := &x.Entries[i]
		a := assets[e.Asset]
		if a == nil {
			a = &cdx.Component{Type: cdx.ComponentTypeApplication, Name: e.Asset, BOMRef: "asset:" + e.Asset, Components: &[]cdx.Component{}}
			assets[e.Asset] = a
			order = append(order, e.Asset)
		}
		ref := a.BOMRef
		if pkg := cmp.Or(e.PURL, e.Package); pkg != "" {
			ref = e.Asset + "|" + pkg
			if !slices.ContainsFunc(*a.Components, func(c cdx.Component) bool { return c.BOMRef == ref }) {
				*a.Components = append(*a.Components, cdx.Component{Type: cdx.ComponentTypeLibrary, BOMRef: ref,
					Name: cmp.Or(e.Package, e.PURL), Version: e.Version, PackageURL: e.PURL})
			}
		}
		vulns = append(vulns, cdxVulnerability(e, ref))
	}
	comps := make([]cdx.Component, 0, len(order))
	for _, name := range order {
		comps = append(comps, *assets[name])
	}
	bom.Components, bom.Vulnerabilities = &comps, &vulns
	var b bytes.Buffer
	if err := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(bom); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func cdxVulnerability(e *Entry, ref string) cdx.Vulnerability {
	v := cdx.Vulnerability{ID: e.VulnID, Affects: &[]cdx.Affects{{Ref: ref}}}
	if len(e.Aliases) > 0 {
		rs := make([]cdx.VulnerabilityReference, len(e.Aliases))
		for i, a := range e.Aliases {
			rs[i] = cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{Name: aliasSourceName(a)}}
		}
		v.References = &rs
	}
	an := &cdx.VulnerabilityAnalysis{State: cdx.ImpactAnalysisState(stateToCDX[e.State]), Detail: e.Statement,
		LastUpdated: e.At.UTC().Format(time.RFC3339)}
	if e.State == stateNotAffected {
		an.Justification = cdx.ImpactAnalysisJustification(justificationToCDX[e.Justification])
	}
	switch e.State {
	case stateInRemediation:
		an.Response = &[]cdx.ImpactAnalysisResponse{cdx.IARUpdate}
	case stateRiskAccepted:
		an.Response = &[]cdx.ImpactAnalysisResponse{cdx.IARWillNotFix}
	}
	if n := nativeFor(e, FormatCycloneDX); n != nil {
		an.State, an.Justification = cdx.ImpactAnalysisState(n.Status), cdx.ImpactAnalysisJustification(n.Justification)
		if len(n.Responses) > 0 {
			rs := make([]cdx.ImpactAnalysisResponse, len(n.Responses))
			for i, r := range n.Responses {
				rs[i] = cdx.ImpactAnalysisResponse(r)
			}
			an.Response = &rs
		}
		an.Detail = cmp.Or(n.Detail, an.Detail)
	}
	v.Analysis = an
	props := []cdx.Property{{Name: PropState, Value: e.State}}
	if e.Justification != "" {
		props = append(props, cdx.Property{Name: PropJustification, Value: e.Justification})
	}
	v.Properties = &props
	return v
}

func aliasSourceName(id string) string {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return "NVD"
	case strings.HasPrefix(id, "GHSA-"):
		return "GitHub"
	}
	return "OSV"
}
