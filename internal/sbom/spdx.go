package sbom

import (
	"encoding/json"
	"strings"

	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_1"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/vulndesk/vulndesk/internal/model"
)

// spdxVersions maps the SPDX 2 versions tools-golang reads to their number.
var spdxVersions = map[string]string{
	v2_1.Version: "2.1",
	v2_2.Version: "2.2",
	v2_3.Version: "2.3",
}

// parseSPDXJSON decodes an SPDX 2 JSON document with tools-golang's model
// of its version (as tools-golang's json.Read does, without the extra pass
// through map[string]any) and converts it to the v2_3 model.
func parseSPDXJSON(name string, data []byte, spdxVersion string) (model.SBOM, error) {
	number, ok := spdxVersions[spdxVersion]
	if !ok {
		return model.SBOM{}, newError(ErrInvalid, name,
			"unsupported spdxVersion %q (supported: SPDX-2.1, SPDX-2.2, SPDX-2.3)", spdxVersion)
	}
	var doc v2_3.Document
	var target any = &doc // what the document is decoded into
	switch spdxVersion {
	case v2_2.Version:
		target = &v2_2.Document{}
	case v2_1.Version:
		target = &v2_1.Document{}
	}
	if err := json.Unmarshal(data, target); err != nil {
		return model.SBOM{}, spdxJSONError(name, data, target, err)
	}
	if target != any(&doc) {
		if err := convert.Document(target, &doc); err != nil {
			e := newError(ErrInvalid, name, "cannot convert SPDX %s to SPDX 2.3: %v", number, err)
			e.cause = err
			return model.SBOM{}, e
		}
	}
	return spdxToModel(name, "SPDX "+number+" JSON", &doc), nil
}

// spdxToModel converts an SPDX 2.3 document: every package is a component,
// the described ones included, but for those that are files (leaveOut);
// scopes come from the relationships that
// make one package depend on another, starting from the described ones:
// DEPENDS_ON, CONTAINS, DYNAMIC_LINK, STATIC_LINK, and the other way round
// CONTAINED_BY and DEPENDENCY_OF (and its BUILD_, DEV_, ... variants).
func spdxToModel(name, format string, doc *v2_3.Document) model.SBOM {
	sb := model.SBOM{Path: name, Format: format, Components: make([]model.Component, 0, len(doc.Packages))}
	var described []string
	edges := make(map[string][]string)
	docID := string(doc.SPDXIdentifier)
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		a, b := localID(r.RefA), localID(r.RefB)
		if a == "" || b == "" {
			continue
		}
		switch rel := strings.ToUpper(strings.TrimSpace(r.Relationship)); {
		case rel == common.TypeRelationshipDescribe:
			if a == docID {
				described = append(described, b)
			}
		case rel == common.TypeRelationshipDescribeBy:
			if b == docID {
				described = append(described, a)
			}
		case rel == common.TypeRelationshipDependsOn, rel == common.TypeRelationshipContains,
			rel == "DYNAMIC_LINK", rel == "STATIC_LINK":
			edges[a] = append(edges[a], b)
		case rel == common.TypeRelationshipContainedBy, strings.HasSuffix(rel, "DEPENDENCY_OF"):
			edges[b] = append(edges[b], a)
		}
	}
	scope := graphScopes(edges, described)
	seen := make(map[string]bool, len(doc.Packages))
	subjects := make(map[string]string, len(described)) // for the described ids only
	for _, id := range described {
		subjects[id] = ""
	}
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		id := string(p.PackageSPDXIdentifier)
		if id != "" && seen[id] {
			continue // exact duplicate SPDXID: the same package again
		}
		seen[id] = true
		if _, ok := subjects[id]; ok {
			subjects[id] = subjectName(p.PackageName, p.PackageVersion)
		}
		c := spdxComponent(name, p, scope[id])
		if leaveOut(isFileType(p.PrimaryPackagePurpose), c.PURL) {
			sb.FilesLeftOut++ // syft's scanned directory, for one
			continue
		}
		sb.Components = append(sb.Components, c)
	}
	var subject []string
	for _, id := range described {
		if s, ok := subjects[id]; ok && s != "" {
			subject = append(subject, s)
			delete(subjects, id) // name each once
		}
	}
	sb.Subject = strings.Join(subject, ", ")
	return sb
}

// spdxComponent converts one package.
func spdxComponent(source string, p *v2_3.Package, scope model.Scope) model.Component {
	var purl string
	var cpes []string
	for _, r := range p.PackageExternalReferences {
		if r == nil {
			continue
		}
		switch strings.ToLower(r.RefType) {
		case "purl":
			if purl == "" {
				purl = strings.TrimSpace(r.Locator)
			}
		case "cpe22type", "cpe23type":
			cpes = append(cpes, strings.TrimSpace(r.Locator))
		}
	}
	ref := ""
	if p.PackageSPDXIdentifier != "" {
		ref = "SPDXRef-" + string(p.PackageSPDXIdentifier)
	}
	c := newComponent(source, ref, p.PackageName, p.PackageVersion, purl)
	c.CPEs = cpes
	for _, h := range p.PackageChecksums {
		if h.Value != "" {
			c.Hashes = append(c.Hashes, model.Hash{Algorithm: string(h.Algorithm), Value: h.Value})
		}
	}
	c.Licenses = cleanLicenses([]string{strings.TrimSpace(p.PackageLicenseConcluded), strings.TrimSpace(p.PackageLicenseDeclared)})
	c.Scope = scope
	return c
}

// localID returns the element id (without "SPDXRef-") of a reference to an
// element of this document; "" for other documents and NONE/NOASSERTION.
func localID(id common.DocElementID) string {
	if id.DocumentRefID != "" || id.SpecialID != "" {
		return ""
	}
	return string(id.ElementRefID)
}
