package sbom

import (
	"bytes"
	"encoding/json"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"

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

// parseCycloneDXJSON parses a CycloneDX JSON BOM of the given specVersion.
func parseCycloneDXJSON(name string, data []byte, specVersion string) (model.SBOM, error) {
	format := "CycloneDX " + specVersion + " JSON"
	if specVersion != "" && !cdxSpecVersion.MatchString(specVersion) {
		return model.SBOM{}, newError(ErrInvalid, name, "unsupported CycloneDX specVersion %q", specVersion)
	}
	if specVersion == "" {
		format = "CycloneDX JSON"
	}
	doc, err := decodeCycloneDXJSON(data)
	if err != nil {
		return model.SBOM{}, jsonError(name, data, "invalid CycloneDX JSON", err)
	}
	return doc.toModel(name, format)
}

// decodeCycloneDXJSON decodes a BOM. A large components array is decoded
// element by element on all cores; should any element fail, the whole
// document is decoded again in one piece, so that the error carries its
// place in the document.
func decodeCycloneDXJSON(data []byte) (cdxDoc, error) {
	var doc cdxDoc
	if len(data) < parallelDecodeBytes {
		err := json.Unmarshal(data, &doc)
		return doc, err
	}
	var raw struct {
		cdxDoc
		Components json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return doc, err
	}
	doc = raw.cdxDoc
	elems, ok := splitArray(raw.Components)
	if !ok {
		err := json.Unmarshal(data, &doc)
		return doc, err
	}
	doc.Components = make([]cdxComponent, len(elems))
	var failed atomic.Bool
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(elems) && !failed.Load(); i += workers {
				if json.Unmarshal(elems[i], &doc.Components[i]) != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		doc = cdxDoc{}
		err := json.Unmarshal(data, &doc)
		return doc, err
	}
	return doc, nil
}

// parallelDecodeBytes is the document size from which components are
// decoded in parallel.
const parallelDecodeBytes = 1 << 20

// splitArray splits a JSON array (already validated) into its elements;
// ok is false for anything but an array.
func splitArray(b []byte) (elems [][]byte, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	depth, start, inString := 0, -1, false
	for i++; i < len(b); i++ {
		c := b[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the array's own ']'
				if start >= 0 {
					elems = append(elems, b[start:i])
				}
				return elems, true
			}
			depth--
		case ',':
			if depth == 0 {
				elems = append(elems, b[start:i])
				start = -1
				continue
			}
		}
		if start < 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			start = i // the first byte of an element
		}
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// toModel converts the BOM: its components, nested ones flattened, with
// their scope from the dependency graph.
func (d *cdxDoc) toModel(name, format string) (model.SBOM, error) {
	var root *cdxComponent
	if d.Metadata != nil {
		root = d.Metadata.Component
	}
	n := countComponents(d.Components, 0)
	if root != nil {
		n += countComponents(root.Components, 0)
	}
	sb := model.SBOM{Path: name, Format: format, Components: make([]model.Component, 0, min(n, maxComponents))}
	var scope map[string]model.Scope
	if root != nil {
		sb.Subject = subjectName(root.Name, root.Version)
		scope = cdxScopes(d.Dependencies, root.BOMRef)
	}
	f := cdxFlattener{sbom: &sb, scope: scope, seen: make(map[string]bool, cap(sb.Components))}
	if err := f.add(d.Components, 1); err != nil {
		return model.SBOM{}, err
	}
	if root != nil {
		// Components of the subject are parts of it, and as much
		// components of the SBOM as any other.
		if err := f.add(root.Components, 1); err != nil {
			return model.SBOM{}, err
		}
	}
	return sb, nil
}

// cdxFlattener appends CycloneDX components, nested ones included, to an
// SBOM.
type cdxFlattener struct {
	sbom  *model.SBOM
	scope map[string]model.Scope
	seen  map[string]bool // bom-refs already added
}

// add appends list, found at nesting depth depth, and what it nests.
func (f *cdxFlattener) add(list []cdxComponent, depth int) error {
	if len(list) > 0 && depth > maxNesting {
		return newError(ErrTooLarge, f.sbom.Path, "components nested more than %d deep", maxNesting)
	}
	for i := range list {
		c := &list[i]
		if c.BOMRef != "" && f.seen[c.BOMRef] {
			continue // exact duplicate bom-ref: the same component again
		}
		if len(f.sbom.Components) >= maxComponents {
			return newError(ErrTooLarge, f.sbom.Path, "more than %d components", maxComponents)
		}
		if c.BOMRef != "" {
			f.seen[c.BOMRef] = true
		}
		if leaveOut(bool(c.Type), c.PURL) {
			f.sbom.FilesLeftOut++
			if err := f.add(c.Components, depth+1); err != nil {
				return err
			}
			continue
		}
		m := newComponent(f.sbom.Path, c.BOMRef, c.Name, c.Version, c.PURL)
		if c.CPE != "" {
			m.CPEs = []string{c.CPE}
		}
		for _, h := range c.Hashes {
			if h.Content != "" {
				m.Hashes = append(m.Hashes, model.Hash{Algorithm: h.Alg, Value: h.Content})
			}
		}
		for _, l := range c.Licenses {
			switch {
			case l.License != nil && l.License.ID != "":
				m.Licenses = append(m.Licenses, l.License.ID)
			case l.License != nil:
				m.Licenses = append(m.Licenses, l.License.Name)
			}
			m.Licenses = append(m.Licenses, l.Expression)
		}
		m.Licenses = cleanLicenses(m.Licenses)
		m.Scope = f.scope[c.BOMRef]
		f.sbom.Components = append(f.sbom.Components, m)
		if err := f.add(c.Components, depth+1); err != nil {
			return err
		}
	}
	return nil
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
