package vex

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	ov "github.com/openvex/go-vex/pkg/vex"
)

// parseOpenVEX reads an OpenVEX document: 0.2.0 with go-vex's types, the
// 0.0.x layout (vulnerability and products as strings, version as a
// string) as go-vex's compatibility reader does.
func parseOpenVEX(data []byte) (*Document, error) {
	var probe struct {
		Context json.RawMessage `json:"@context"`
	}
	if err := decodeJSON(data, &probe); err != nil {
		return nil, err
	}
	var context string
	if err := json.Unmarshal(probe.Context, &context); err != nil || !strings.HasPrefix(context, ov.Context) {
		return nil, invalidf("@context %s: not OpenVEX's (%s/v…)", probe.Context, ov.Context)
	}
	version := strings.TrimPrefix(strings.TrimPrefix(context, ov.Context), "/v")
	var doc *ov.VEX
	switch version {
	case "", "0.0.1":
		d, err := parseOpenVEX001(data)
		if err != nil {
			return nil, err
		}
		doc, version = d, "0.0.1"
	default:
		if !strings.HasPrefix(version, "0.2.") {
			return nil, invalidf("@context %s: OpenVEX version %s; vulndesk reads 0.2.x and 0.0.1", context, version)
		}
		doc = &ov.VEX{}
		if err := decodeJSON(data, doc); err != nil {
			return nil, err
		}
	}
	if len(doc.Statements) > MaxStatements {
		return nil, invalidf("%d statements; at most %d", len(doc.Statements), MaxStatements)
	}
	out := &Document{Format: FormatOpenVEX, SpecVersion: version, ID: doc.ID, Author: strings.TrimSpace(doc.Author)}
	out.Timestamp = firstTime(doc.LastUpdated, doc.Timestamp)
	for i := range doc.Statements {
		out.Statements = append(out.Statements, openVEXStatement(i, &doc.Statements[i], out.Timestamp))
	}
	return out, nil
}

func openVEXStatement(i int, s *ov.Statement, docTime time.Time) Statement {
	st := Statement{Index: i, Timestamp: firstTime(s.LastUpdated, s.Timestamp),
		Vulnerability: strings.TrimSpace(cmp.Or(string(s.Vulnerability.Name), s.Vulnerability.ID)),
		Native:        Native{Format: FormatOpenVEX, Status: string(s.Status), Justification: string(s.Justification)}}
	if st.Timestamp.IsZero() {
		st.Timestamp = docTime
	}
	for _, a := range s.Vulnerability.Aliases {
		if a := strings.TrimSpace(string(a)); a != "" && a != st.Vulnerability {
			st.Aliases = append(st.Aliases, a)
		}
	}
	st.Statement = cmp.Or(s.ImpactStatement, s.ActionStatement, s.StatusNotes)
	st.Native.Detail = st.Statement
	st.State, st.Justification, st.Problem = fromOpenVEX(string(s.Status), string(s.Justification), s.ImpactStatement)
	if len(s.Products) > MaxProducts {
		st.Problem = fmt.Sprintf("%d products; at most %d in one statement", len(s.Products), MaxProducts)
		return st
	}
	for _, p := range s.Products {
		prod := openVEXComponent(p.Component)
		if len(p.Subcomponents) > MaxProducts {
			st.Problem = fmt.Sprintf("%d subcomponents; at most %d in one product", len(p.Subcomponents), MaxProducts)
			return st
		}
		for _, sc := range p.Subcomponents {
			prod.Subcomponents = append(prod.Subcomponents, openVEXComponent(sc.Component))
		}
		st.Products = append(st.Products, prod)
	}
	st.require("no vulnerability name", "no products")
	return st
}

func openVEXComponent(c ov.Component) Product {
	p := Product{ID: strings.TrimSpace(c.ID), PURL: strings.TrimSpace(c.Identifiers[ov.PURL])}
	if p.PURL == "" && strings.HasPrefix(p.ID, "pkg:") {
		p.PURL = p.ID
	}
	return p
}

func firstTime(ts ...*time.Time) time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}

// openVEX001 is the 0.0.1 layout (go-vex reads it from files only).
type openVEX001 struct {
	ID         string          `json:"@id"`
	Author     string          `json:"author"`
	Timestamp  *time.Time      `json:"timestamp"`
	Version    json.RawMessage `json:"version"`
	Statements []struct {
		Vulnerability   string     `json:"vulnerability"`
		Timestamp       *time.Time `json:"timestamp"`
		Products        []string   `json:"products"`
		Subcomponents   []string   `json:"subcomponents"`
		Status          string     `json:"status"`
		StatusNotes     string     `json:"status_notes"`
		Justification   string     `json:"justification"`
		ImpactStatement string     `json:"impact_statement"`
		ActionStatement string     `json:"action_statement"`
	} `json:"statements"`
}

func parseOpenVEX001(data []byte) (*ov.VEX, error) {
	var old openVEX001
	if err := decodeJSON(data, &old); err != nil {
		return nil, err
	}
	doc := &ov.VEX{Metadata: ov.Metadata{ID: old.ID, Author: old.Author, Timestamp: old.Timestamp}}
	if v, err := strconv.Atoi(strings.Trim(string(old.Version), `"`)); err == nil {
		doc.Version = v
	}
	for _, s := range old.Statements {
		st := ov.Statement{Vulnerability: ov.Vulnerability{Name: ov.VulnerabilityID(s.Vulnerability)}, Timestamp: s.Timestamp,
			Status: ov.Status(s.Status), StatusNotes: s.StatusNotes, Justification: ov.Justification(s.Justification),
			ImpactStatement: s.ImpactStatement, ActionStatement: s.ActionStatement}
		for _, id := range s.Products {
			p := ov.Product{Component: ov.Component{ID: id}}
			for _, sc := range s.Subcomponents {
				if sc != "" {
					p.Subcomponents = append(p.Subcomponents, ov.Subcomponent{Component: ov.Component{ID: sc}})
				}
			}
			st.Products = append(st.Products, p)
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}
