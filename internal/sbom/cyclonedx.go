package sbom

import (
	"bytes"
	"encoding/json"
	"regexp"

	"github.com/vulndesk/vulndesk/internal/model"
)

// cdxDoc is the part of a CycloneDX BOM this package reads. JSON is decoded
// straight into it: a lean struct is about twice as fast and half as heavy
// as cyclonedx-go's full model, and it does not fail on parts of the BOM
// that do not matter here. XML is decoded with cyclonedx-go and converted.
type cdxDoc struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	Metadata     *cdxMetadata    `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Component *cdxComponent `json:"component"`
}

type cdxComponent struct {
	Type       cdxFileType    `json:"type"`
	BOMRef     string         `json:"bom-ref"`
	Name       string         `json:"name"`
	Version    string         `json:"version"`
	PURL       string         `json:"purl"`
	CPE        string         `json:"cpe"`
	Hashes     []cdxHash      `json:"hashes"`
	Licenses   []cdxLicense   `json:"licenses"`
	Components []cdxComponent `json:"components"`
}

// cdxFileType is a component's type, reduced to whether it is "file" (in
// any case). Decoding it keeps no string, so the 100,000s of "library" of a
// large BOM cost nothing, and a value that is not a string is not "file"
// rather than an error: this package read no type before it left files out.
type cdxFileType bool

// UnmarshalJSON implements json.Unmarshaler.
func (t *cdxFileType) UnmarshalJSON(b []byte) error {
	*t = cdxFileType(bytes.EqualFold(b, []byte(`"file"`)))
	return nil
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

// cdxLicense is one entry of a licenses array: a license or an expression.
type cdxLicense struct {
	License    *cdxLicenseID `json:"license"`
	Expression string        `json:"expression"`
}

// cdxLicenseID names a license by SPDX id or by name.
type cdxLicenseID struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// cdxSpecVersion matches the CycloneDX specification versions: 1.x.
var cdxSpecVersion = regexp.MustCompile(`^1\.[0-9]{1,2}$`)

// parseCycloneDXJSON parses a CycloneDX JSON BOM whose shape is sh.
func parseCycloneDXJSON(name string, data []byte, sh jsonShape) (model.SBOM, error) {
	format := "CycloneDX " + sh.specVersion + " JSON"
	if sh.specVersion != "" && !cdxSpecVersion.MatchString(sh.specVersion) {
		return model.SBOM{}, newError(ErrInvalid, name, "unsupported CycloneDX specVersion %q", sh.specVersion)
	}
	if sh.specVersion == "" {
		format = "CycloneDX JSON"
	}
	var doc cdxDoc
	if len(data) >= parallelDecodeBytes {
		t, err := decodeCycloneDXParallel(name, data, sh.items, &doc)
		if err != nil {
			return model.SBOM{}, jsonError(name, data, "invalid CycloneDX JSON", err)
		}
		if t != nil {
			return t.sbom(&doc, format)
		}
		doc = cdxDoc{}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return model.SBOM{}, jsonError(name, data, "invalid CycloneDX JSON", err)
	}
	return doc.toModel(name, format)
}

// toModel converts the BOM: its components, nested ones flattened, with
// their scope from the dependency graph.
func (d *cdxDoc) toModel(name, format string) (model.SBOM, error) {
	nested, extra := countComponents(d.Components, 0)-len(d.Components), 0
	if d.Metadata != nil && d.Metadata.Component != nil {
		extra = countComponents(d.Metadata.Component.Components, 1)
	}
	t := newCdxTree(name, len(d.Components), nested, extra)
	cv := newCdxConverter(name)
	for i := range d.Components {
		t.set(i, &d.Components[i], cv)
	}
	return t.sbom(d, format)
}

// countComponents counts the components of list and those they nest, at
// most maxNesting deep (below depth, the depth of list).
func countComponents(list []cdxComponent, depth int) int {
	n := len(list)
	if depth < maxNesting {
		for i := range list {
			n += countComponents(list[i].Components, depth+1)
		}
	}
	return n
}

// cdxScopes derives scopes from the dependency graph: what the subject
// (bom-ref root) depends on is direct, what is reachable beyond transitive.
func cdxScopes(deps []cdxDependency, root string) map[string]model.Scope {
	if root == "" || len(deps) == 0 {
		return nil
	}
	edges := make(map[string][]string, len(deps))
	for _, d := range deps {
		edges[d.Ref] = append(edges[d.Ref], d.DependsOn...)
	}
	return graphScopes(edges, []string{root})
}
