package vex

import (
	"bytes"
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// CycloneDX properties in which vulndesk's export names its own state and
// justification (see the mapping table).
const (
	PropState         = "vulndesk:state"
	PropJustification = "vulndesk:justification"
)

func parseCycloneDXJSON(data []byte) (*Document, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		// Name the spot as a plain decode would.
		if derr := decodeJSON(data, &struct{}{}); derr != nil {
			return nil, derr
		}
		return nil, invalidf("CycloneDX JSON: %v", err)
	}
	return cycloneDX(&bom)
}

func parseCycloneDXXML(data []byte) (*Document, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		return nil, invalidf("CycloneDX XML: %v", err)
	}
	return cycloneDX(&bom)
}

// cdxNode is a component with its outermost enclosing component.
type cdxNode struct {
	c    *cdx.Component
	root *cdx.Component // nil when c is itself a root
}

func cycloneDX(bom *cdx.BOM) (*Document, error) {
	spec := bom.SpecVersion.String()
	if bom.SpecVersion < cdx.SpecVersion1_4 {
		return nil, invalidf("CycloneDX %s: VEX (vulnerabilities with an analysis) needs 1.4 or later", spec)
	}
	if bom.Vulnerabilities == nil || len(*bom.Vulnerabilities) == 0 {
		return nil, invalidf("CycloneDX %s: no vulnerabilities, so no VEX statements", spec)
	}
	vulns := *bom.Vulnerabilities
	if len(vulns) > MaxStatements {
		return nil, invalidf("%d vulnerabilities; at most %d", len(vulns), MaxStatements)
	}
	doc := &Document{Format: FormatCycloneDX, SpecVersion: spec, ID: bom.SerialNumber}
	refs := map[string]cdxNode{}
	var meta *cdx.Component
	if m := bom.Metadata; m != nil {
		doc.Timestamp = parseTime(m.Timestamp)
		doc.Author = cdxAuthor(m)
		meta = m.Component
	}
	count := 0
	var walk func(cs *[]cdx.Component, root *cdx.Component) error
	walk = func(cs *[]cdx.Component, root *cdx.Component) error {
		if cs == nil {
			return nil
		}
		for i := range *cs {
			c := &(*cs)[i]
			if count++; count > 100*MaxProducts {
				return invalidf("more than %d components", 100*MaxProducts)
			}
			if c.BOMRef != "" {
				refs[c.BOMRef] = cdxNode{c: c, root: root}
			}
			if err := walk(c.Components, cmp.Or(root, c)); err != nil {
				return err
			}
		}
		return nil
	}
	if meta != nil {
		if meta.BOMRef != "" {
			refs[meta.BOMRef] = cdxNode{c: meta}
		}
		if err := walk(meta.Components, meta); err != nil {
			return nil, err
		}
	}
	if err := walk(bom.Components, meta); err != nil {
		return nil, err
	}
	for i := range vulns {
		doc.Statements = append(doc.Statements, cdxStatement(i, &vulns[i], refs, doc.Timestamp))
	}
	return doc, nil
}

func cdxStatement(i int, v *cdx.Vulnerability, refs map[string]cdxNode, docTime time.Time) Statement {
	st := Statement{Index: i, Vulnerability: strings.TrimSpace(v.ID), Native: Native{Format: FormatCycloneDX}}
	if v.References != nil {
		for _, r := range *v.References {
			if id := strings.TrimSpace(r.ID); id != "" && id != st.Vulnerability && !slices.Contains(st.Aliases, id) {
				st.Aliases = append(st.Aliases, id)
			}
		}
	}
	a := v.Analysis
	if a == nil {
		a = &cdx.VulnerabilityAnalysis{}
	}
	st.Native.Status, st.Native.Justification, st.Native.Detail = string(a.State), string(a.Justification), a.Detail
	if a.Response != nil {
		for _, r := range *a.Response {
			st.Native.Responses = append(st.Native.Responses, string(r))
		}
	}
	st.Timestamp = cmp.Or(parseTime(a.LastUpdated), parseTime(a.FirstIssued), docTime)
	st.Statement = a.Detail
	st.State, st.Justification, st.Problem = fromCycloneDX(string(a.State), string(a.Justification))
	if st.Problem == "" {
		st.State, st.Justification = vulndeskProperties(v, st.State, st.Justification)
	}
	if v.Affects != nil {
		if len(*v.Affects) > MaxProducts {
			st.Problem = fmt.Sprintf("%d affects; at most %d in one vulnerability", len(*v.Affects), MaxProducts)
			return st
		}
		for _, af := range *v.Affects {
			st.Products = append(st.Products, resolveRef(strings.TrimSpace(af.Ref), refs))
		}
	}
	st.require("no vulnerability id", "no affects: the statement names no product")
	return st
}

// vulndeskProperties reads the state and justification a vulndesk export
// named, when they agree with the analysis they refine.
func vulndeskProperties(v *cdx.Vulnerability, state, just string) (string, string) {
	if v.Properties == nil {
		return state, just
	}
	var ps, pj string
	for _, p := range *v.Properties {
		switch p.Name {
		case PropState:
			ps = p.Value
		case PropJustification:
			pj = p.Value
		}
	}
	if ps != "" && stateToCDX[ps] == stateToCDX[state] {
		state = ps
	}
	if state == stateNotAffected && slices.Contains(justifications, pj) {
		just = pj
	}
	return state, just
}

// resolveRef turns an affects ref into a product: a component of the
// document (within its outermost enclosing component, or the document's
// subject), or a BOM-Link into another BOM (urn:cdx:serial/version#ref),
// whose fragment is a purl or that BOM's bom-ref.
func resolveRef(ref string, refs map[string]cdxNode) Product {
	if n, ok := refs[ref]; ok {
		p := cdxProduct(n.c)
		if n.root == nil {
			return p
		}
		root := cdxProduct(n.root)
		root.Subcomponents = []Product{p}
		return root
	}
	p := Product{ID: ref}
	if rest, ok := strings.CutPrefix(ref, "urn:cdx:"); ok {
		if _, frag, ok := strings.Cut(rest, "#"); ok {
			if u, err := url.PathUnescape(frag); err == nil {
				frag = u
			}
			if strings.HasPrefix(frag, "pkg:") {
				p.PURL = frag
			} else {
				p.BOMRef = frag
			}
		}
		return p
	}
	if strings.HasPrefix(ref, "pkg:") {
		p.PURL = ref
	}
	return p
}

func cdxProduct(c *cdx.Component) Product {
	return Product{ID: c.BOMRef, BOMRef: c.BOMRef, PURL: c.PackageURL, Name: c.Name, Version: c.Version}
}

func cdxAuthor(m *cdx.Metadata) string {
	if m.Authors != nil {
		for _, a := range *m.Authors {
			if s := strings.TrimSpace(cmp.Or(a.Name, a.Email)); s != "" {
				return s
			}
		}
	}
	for _, e := range []*cdx.OrganizationalEntity{m.Manufacturer, m.Manufacture, m.Supplier} {
		if e != nil && strings.TrimSpace(e.Name) != "" {
			return strings.TrimSpace(e.Name)
		}
	}
	if c := m.Component; c != nil {
		for _, e := range []*cdx.OrganizationalEntity{c.Manufacturer, c.Supplier} {
			if e != nil && strings.TrimSpace(e.Name) != "" {
				return strings.TrimSpace(e.Name)
			}
		}
		if c.Author != "" {
			return strings.TrimSpace(c.Author)
		}
	}
	if t := m.Tools; t != nil && t.Components != nil {
		for _, c := range *t.Components {
			if c.Name != "" {
				return strings.TrimSpace(c.Name)
			}
		}
	}
	return ""
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
