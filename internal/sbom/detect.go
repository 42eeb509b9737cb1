package sbom

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// utf8BOM is the byte order mark some tools put in front of UTF-8 files.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseDetected finds out which format data is in, from its content alone,
// and parses it.
func parseDetected(name string, data []byte) (model.SBOM, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	start := bytes.TrimLeft(data, " \t\r\n")
	if len(start) == 0 {
		return model.SBOM{}, newError(ErrUnknownFormat, name, "empty file, not an SBOM")
	}
	switch start[0] {
	case '{':
		return parseJSON(name, data)
	case '[':
		return model.SBOM{}, newError(ErrUnknownFormat, name, "a JSON array is not an SBOM document")
	case '<':
		return parseXML(name, data)
	}
	switch {
	case hasLinePrefix(data, "SPDXVersion:"):
		return parseSPDXTagValue(name, data)
	case hasLinePrefix(data, "spdxVersion:"):
		return model.SBOM{}, newError(ErrUnknownFormat, name,
			"SPDX YAML is not supported; convert it to SPDX JSON or tag-value")
	}
	return model.SBOM{}, newError(ErrUnknownFormat, name,
		"not an SBOM: neither CycloneDX (JSON, XML) nor SPDX (JSON, tag-value, JSON-LD)")
}

// parseJSON parses a JSON document, which the keys of its top-level object
// say is CycloneDX (bomFormat), SPDX 2 (spdxVersion) or SPDX 3 (@context
// and @graph).
func parseJSON(name string, data []byte) (model.SBOM, error) {
	sh := scanJSON(data)
	switch {
	case sh.bomFormat != "" && !strings.EqualFold(sh.bomFormat, "CycloneDX"):
		return model.SBOM{}, newError(ErrUnknownFormat, name, "bomFormat %q is not CycloneDX", sh.bomFormat)
	case sh.bomFormat == "" && sh.spdxVersion == "" && !(sh.context && sh.graph):
		if !sh.complete {
			// Not well-formed: say where, since the file is clearly
			// meant to be JSON.
			var v struct{}
			if err := json.Unmarshal(data, &v); err != nil {
				return model.SBOM{}, jsonError(name, data, "invalid JSON", err)
			}
		}
		return model.SBOM{}, newError(ErrUnknownFormat, name,
			"JSON document is not an SBOM: no bomFormat (CycloneDX), spdxVersion (SPDX 2) or @context and @graph (SPDX 3)")
	}
	if err := checkShape(name, sh); err != nil {
		return model.SBOM{}, err
	}
	switch {
	case sh.bomFormat != "":
		return parseCycloneDXJSON(name, data, sh)
	case sh.spdxVersion != "":
		// tools-golang dereferences null packages (a nil pointer panic),
		// and drops null relationships one at a time, moving all the
		// others each time: quadratic in their number. Valid documents
		// have neither.
		if sh.nullItem > 0 {
			e := newError(ErrInvalid, name, "invalid SPDX JSON: null where a package should be")
			return model.SBOM{}, e.atOffset(data, int64(sh.nullItem))
		}
		if sh.nulls > maxNulls {
			return model.SBOM{}, newError(ErrInvalid, name,
				"invalid SPDX JSON: %d null array elements (at most %d are accepted)", sh.nulls, maxNulls)
		}
		return parseSPDXJSON(name, data, sh.spdxVersion)
	}
	return parseSPDX3(name, data)
}

// checkShape enforces the component count and nesting limits before any
// decoding, so that a hostile document cannot make decoding take too much
// memory.
func checkShape(name string, sh jsonShape) error {
	switch {
	case sh.items > maxComponents:
		return newError(ErrTooLarge, name, "more than %d components", maxComponents)
	case sh.nesting > maxNesting:
		return newError(ErrTooLarge, name, "components nested more than %d deep", maxNesting)
	case sh.elements > maxElements:
		return newError(ErrTooLarge, name, "more than %d JSON array elements", maxElements)
	}
	return nil
}

// maxElements bounds the array elements of a JSON SBOM of any kind
// (hashes, licenses, dependsOn, ...): enough for maxComponents components
// with a dozen each.
const maxElements = 16 * maxComponents

// maxNulls bounds the null array elements of an SPDX 2 JSON document,
// where valid documents have none.
const maxNulls = 1000

// hasLinePrefix reports whether a line of data starts with prefix, after
// white space.
func hasLinePrefix(data []byte, prefix string) bool {
	p := []byte(prefix)
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], p)
		if i < 0 {
			return false
		}
		at := off + i
		j := at - 1
		for j >= 0 && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r') {
			j--
		}
		if j < 0 || data[j] == '\n' {
			return true
		}
		off = at + len(p)
	}
	return false
}
