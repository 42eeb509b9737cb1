package sbom

import (
	"encoding/json"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// spdx3Doc is the part of an SPDX 3 JSON-LD document this package reads:
// the elements of its @graph, in the compacted form of the SPDX 3 context.
type spdx3Doc struct {
	Context json.RawMessage `json:"@context"`
	Graph   []spdx3Element  `json:"@graph"`
}

// spdx3Element has the properties of the elements this package uses:
// packages, relationships, SBOMs and documents, license expressions.
type spdx3Element struct {
	Type          string       `json:"type"`
	AtType        string       `json:"@type"`
	SPDXID        string       `json:"spdxId"`
	AtID          string       `json:"@id"`
	Name          string       `json:"name"`
	Version       string       `json:"software_packageVersion"`
	PURL          string       `json:"software_packageUrl"`
	ExternalIDs   []spdx3ExtID `json:"externalIdentifier"`
	VerifiedUsing []spdx3Hash  `json:"verifiedUsing"`
	From          string       `json:"from"`
	To            spdx3IDs     `json:"to"`
	Relationship  string       `json:"relationshipType"`
	RootElement   spdx3IDs     `json:"rootElement"`
	LicenseExpr   string       `json:"simplelicensing_licenseExpression"`
	Purpose       string       `json:"software_primaryPurpose"`
}

type spdx3ExtID struct {
	Type       string `json:"externalIdentifierType"`
	Identifier string `json:"identifier"`
}

type spdx3Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"hashValue"`
}

// spdx3IDs is a list of element ids, which JSON-LD may write as a single
// string when there is one.
type spdx3IDs []string

// UnmarshalJSON accepts a string or an array of strings.
func (ids *spdx3IDs) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*ids = spdx3IDs{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(ids))
}

// parseSPDX3 parses an SPDX 3 JSON-LD document: its software packages,
// their licenses, and scopes from the dependsOn and contains relationships
// of the root elements of its SBOMs.
func parseSPDX3(name string, data []byte) (model.SBOM, error) {
	var doc spdx3Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return model.SBOM{}, jsonError(name, data, "invalid SPDX 3 JSON-LD", err)
	}
	if !strings.Contains(string(doc.Context), "spdx.org/rdf/3") {
		return model.SBOM{}, newError(ErrUnknownFormat, name, "JSON-LD document whose @context is not SPDX 3")
	}
	sb := model.SBOM{Path: name, Format: "SPDX 3.0 JSON-LD", Components: []model.Component{}}
	edges := make(map[string][]string)
	licenses := make(map[string][]string) // package id → license element ids
	exprs := make(map[string]string)      // license element id → expression
	var roots []string
	for i := range doc.Graph {
		e := &doc.Graph[i]
		switch e.kind() {
		case "Relationship", "LifecycleScopedRelationship":
			switch e.Relationship {
			case "dependsOn", "contains":
				edges[e.From] = append(edges[e.From], e.To...)
			case "hasDeclaredLicense", "hasConcludedLicense":
				licenses[e.From] = append(licenses[e.From], e.To...)
			}
		case "software_Sbom":
			roots = append(roots, e.RootElement...)
		case "simplelicensing_LicenseExpression":
			exprs[e.id()] = e.LicenseExpr
		}
	}
	scope := graphScopes(edges, roots)
	seen := make(map[string]bool)
	subjects := make(map[string]string)
	for i := range doc.Graph {
		e := &doc.Graph[i]
		switch e.kind() {
		case "software_Package", "ai_AIPackage", "dataset_DatasetPackage":
		default:
			continue
		}
		id := e.id()
		if id != "" && seen[id] {
			continue
		}
		seen[id] = true
		if len(sb.Components) >= maxComponents {
			return model.SBOM{}, newError(ErrTooLarge, name, "more than %d packages", maxComponents)
		}
		subjects[id] = subjectName(e.Name, e.Version)
		c := e.component(name, scope[id], licenses[id], exprs)
		if leaveOut(isFileType(e.Purpose), c.PURL) {
			sb.FilesLeftOut++
			continue
		}
		sb.Components = append(sb.Components, c)
	}
	var subject []string
	for _, r := range roots {
		if s, ok := subjects[r]; ok && s != "" {
			subject = append(subject, s)
			delete(subjects, r)
		}
	}
	sb.Subject = strings.Join(subject, ", ")
	return sb, nil
}

// kind returns the element's type, however it is written.
func (e *spdx3Element) kind() string {
	if e.Type != "" {
		return e.Type
	}
	return e.AtType
}

// id returns the element's id, however it is written.
func (e *spdx3Element) id() string {
	if e.SPDXID != "" {
		return e.SPDXID
	}
	return e.AtID
}

// component converts a package element.
func (e *spdx3Element) component(source string, scope model.Scope, licenseIDs []string, exprs map[string]string) model.Component {
	purl := e.PURL
	var cpes []string
	for _, x := range e.ExternalIDs {
		switch x.Type {
		case "packageUrl":
			if purl == "" {
				purl = x.Identifier
			}
		case "cpe22", "cpe23":
			cpes = append(cpes, x.Identifier)
		}
	}
	c := newComponent(source, e.id(), e.Name, e.Version, purl)
	c.CPEs = cpes
	for _, h := range e.VerifiedUsing {
		if h.Value != "" {
			c.Hashes = append(c.Hashes, model.Hash{Algorithm: h.Algorithm, Value: h.Value})
		}
	}
	for _, id := range licenseIDs {
		c.Licenses = append(c.Licenses, exprs[id])
	}
	c.Licenses = cleanLicenses(c.Licenses)
	c.Scope = scope
	return c
}
