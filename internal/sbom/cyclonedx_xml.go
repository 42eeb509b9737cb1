package sbom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
)

// cdxNamespace is the XML namespace of CycloneDX, before the version.
const cdxNamespace = "http://cyclonedx.org/schema/bom/"

// rdfNamespace is the namespace of SPDX RDF/XML's root element.
const rdfNamespace = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

// parseXML parses an XML document: a CycloneDX BOM, by its root element.
func parseXML(name string, data []byte) (model.SBOM, error) {
	root, err := xmlRoot(name, data)
	if err != nil {
		return model.SBOM{}, err
	}
	version, isCDX := strings.CutPrefix(root.Name.Space, cdxNamespace)
	switch {
	case root.Name.Local == "bom" && isCDX:
		if !cdxSpecVersion.MatchString(version) {
			return model.SBOM{}, newError(ErrInvalid, name, "unsupported CycloneDX XML namespace %q", root.Name.Space)
		}
		return parseCycloneDXXML(name, data, version)
	case root.Name.Local == "RDF" && root.Name.Space == rdfNamespace:
		return model.SBOM{}, newError(ErrUnknownFormat, name,
			"RDF/XML (SPDX RDF) is not supported; convert it to SPDX JSON or tag-value")
	}
	return model.SBOM{}, newError(ErrUnknownFormat, name,
		"XML document with root element <%s> in namespace %q is not a CycloneDX BOM", root.Name.Local, root.Name.Space)
}

// xmlRoot scans the prolog of an XML document up to its root element,
// which it returns. It refuses any DOCTYPE (or other <!...> declaration),
// so neither external entities nor entity expansion can ever come into
// play, whatever decodes the document afterwards.
func xmlRoot(name string, data []byte) (xml.StartElement, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.StartElement{}, newError(ErrUnknownFormat, name, "XML document without a root element")
			}
			return xml.StartElement{}, xmlError(name, dec, "invalid XML", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			e := newError(ErrInvalid, name,
				"XML DOCTYPE declarations are not allowed (external entities / entity expansion)")
			e.line, _ = dec.InputPos()
			return xml.StartElement{}, e
		case xml.StartElement:
			return t, nil
		}
	}
}

// xmlError turns an XML decoding error into an ErrInvalid error at the
// place the decoder stopped.
func xmlError(name string, dec *xml.Decoder, what string, err error) error {
	e := newError(ErrInvalid, name, "%s: %s", what, strings.TrimPrefix(err.Error(), "xml: "))
	e.cause = err
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		e.line = syn.Line
	} else {
		e.line, e.col = dec.InputPos()
	}
	return e
}

// parseCycloneDXXML decodes a CycloneDX XML BOM with cyclonedx-go,
// converting its components one by one as they are decoded.
func parseCycloneDXXML(name string, data []byte, version string) (model.SBOM, error) {
	n := xmlComponentCount(data)
	if n > maxComponents {
		return model.SBOM{}, newError(ErrTooLarge, name, "more than %d components", maxComponents)
	}
	// Room for the components, by their start tags, unless these are far
	// too many for the size (comments hold them).
	n = min(n, bytes.Count(data, []byte("<component"))-bytes.Count(data, []byte("<components")), len(data)/64)
	bom := xmlBOM{Components: xmlComponents{tree: newCdxTree(name, 0, 0, n), cv: newCdxConverter(name)}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&bom); err != nil {
		return model.SBOM{}, xmlError(name, dec, "invalid CycloneDX XML", err)
	}
	doc := cdxDoc{BOMFormat: "CycloneDX", SpecVersion: version}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		c, ok := cdxFromXML([]cdx.Component{*bom.Metadata.Component}, 0)
		if !ok {
			return model.SBOM{}, newError(ErrTooLarge, name, "components nested more than %d deep", maxNesting)
		}
		doc.Metadata = &cdxMetadata{Component: &c[0]}
	}
	if bom.Components.tooDeep {
		return model.SBOM{}, newError(ErrTooLarge, name, "components nested more than %d deep", maxNesting)
	}
	doc.Dependencies = cdxDependenciesFromXML(bom.Dependencies)
	return bom.Components.tree.sbom(&doc, "CycloneDX "+version+" XML")
}

// cdxDependenciesFromXML converts cyclonedx-go's dependencies.
func cdxDependenciesFromXML(deps *[]cdx.Dependency) []cdxDependency {
	if deps == nil {
		return nil
	}
	out := make([]cdxDependency, 0, len(*deps))
	for _, d := range *deps {
		dep := cdxDependency{Ref: d.Ref}
		if d.Dependencies != nil {
			dep.DependsOn = *d.Dependencies
		}
		out = append(out, dep)
	}
	return out
}

// xmlBOM is a CycloneDX XML BOM as cyclonedx-go decodes it, but for its
// components: those are converted as they are decoded, and never all
// held in cyclonedx-go's model, many times the size of the document.
type xmlBOM struct {
	cdx.BOM
	Components xmlComponents `xml:"components"` // takes precedence over BOM's
}

// xmlComponents converts the <component> elements of <components>, as
// they are decoded, into tree.
type xmlComponents struct {
	tree    *cdxTree
	cv      *cdxConverter
	tooDeep bool // a component nests others more than maxNesting deep
}

// UnmarshalXML implements xml.Unmarshaler.
func (x *xmlComponents) UnmarshalXML(dec *xml.Decoder, _ xml.StartElement) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "component" {
				if err := dec.Skip(); err != nil {
					return err
				}
				continue
			}
			var c cdx.Component
			if err := dec.DecodeElement(&c, &t); err != nil {
				return err
			}
			list, ok := cdxFromXML([]cdx.Component{c}, 1)
			x.tooDeep = x.tooDeep || !ok
			if ok {
				x.tree.add(&list[0], x.cv)
			}
		case xml.EndElement:
			return nil
		}
	}
}

// cdxFromXML converts cyclonedx-go components, found at nesting depth
// depth, into the lean model; false when they nest deeper than maxNesting.
func cdxFromXML(list []cdx.Component, depth int) ([]cdxComponent, bool) {
	if len(list) > 0 && depth > maxNesting {
		return nil, false
	}
	out := make([]cdxComponent, len(list))
	for i, c := range list {
		o := &out[i]
		o.Type = cdxFileType(isFileType(string(c.Type)))
		o.BOMRef, o.Name, o.Version, o.PURL, o.CPE = c.BOMRef, c.Name, c.Version, c.PackageURL, c.CPE
		if c.Hashes != nil {
			for _, h := range *c.Hashes {
				o.Hashes = append(o.Hashes, cdxHash{Alg: string(h.Algorithm), Content: strings.TrimSpace(h.Value)})
			}
		}
		if c.Licenses != nil {
			for _, l := range *c.Licenses {
				var lic cdxLicense
				if l.License != nil {
					lic.License = &cdxLicenseID{ID: strings.TrimSpace(l.License.ID), Name: strings.TrimSpace(l.License.Name)}
				}
				lic.Expression = strings.TrimSpace(l.Expression)
				o.Licenses = append(o.Licenses, lic)
			}
		}
		if c.Components != nil {
			var ok bool
			if o.Components, ok = cdxFromXML(*c.Components, depth+1); !ok {
				return nil, false
			}
		}
	}
	return out, true
}

// xmlComponentCount returns an upper bound on the <component> elements of
// an XML document: cheaply when it is far below the limit, exactly (by
// reading every tag) only when the cheap bound exceeds it.
func xmlComponentCount(data []byte) int {
	n := bytes.Count(data, []byte("component"))
	if n <= maxComponents {
		return n
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	n = 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return n // the decoder proper will report the error, if any
		}
		if t, ok := tok.(xml.StartElement); ok && t.Name.Local == "component" {
			n++
		}
	}
}
