package sbom

import (
	"bytes"
	"encoding/json"
)

// jsonShape is what one quick structural pass over a JSON document learns
// before anything is decoded: the top-level keys that say which format it
// is, and counts that bound how much memory decoding it would take. The
// pass does not validate: on malformed input it stops early and the counts
// are lower bounds; encoding/json reports the actual syntax error later.
type jsonShape struct {
	bomFormat, specVersion, spdxVersion string // top-level string values
	context, graph                      bool   // top-level "@context", "@graph" (SPDX 3)
	// items counts the objects in arrays named "components", "packages"
	// or "@graph", at any depth: the SBOM's components.
	items int
	// nesting is the deepest nesting of "components" arrays in one another.
	nesting int
	// elements counts the array elements of any kind, nulls the null ones.
	elements, nulls int
	// nullItem is the offset of the first null where an item (an object
	// of a "components", "packages" or "@graph" array) should be; 0 if none.
	nullItem int
	// complete is true when the pass reached the end of one well-formed
	// top-level object or array with nothing but white space after it.
	complete bool
}

// maxScanDepth is encoding/json's own nesting limit; deeper documents are
// rejected by it, so the pass need not look further.
const maxScanDepth = 10000

// scanFrame is one open object or array.
type scanFrame struct {
	array   bool
	counted bool // an array whose objects count as items
	nest    int  // enclosing "components" arrays, this one included
}

// scanJSON makes the structural pass over data.
func scanJSON(data []byte) jsonShape {
	var sh jsonShape
	stack := make([]scanFrame, 0, 16)
	var key []byte // the last object key, with its quotes, not unescaped
	expectKey := false
	for i := 0; i < len(data); {
		c := data[i]
		switch c {
		case ' ', '\t', '\r', '\n', ':':
			i++
			continue
		case ',':
			expectKey = len(stack) > 0 && !stack[len(stack)-1].array
			i++
			continue
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1].array != (c == ']') {
				return sh
			}
			stack = stack[:len(stack)-1]
			i++
			expectKey = false
			if len(stack) == 0 {
				sh.complete = len(bytes.TrimLeft(data[i:], " \t\r\n")) == 0
				return sh
			}
			continue
		}
		if len(stack) == 0 && c != '{' && c != '[' {
			return sh // a scalar document, or garbage: not an SBOM either way
		}
		if c == '"' {
			end := stringEnd(data, i)
			if end < 0 {
				return sh
			}
			s := data[i : end+1]
			i = end + 1
			if expectKey {
				key, expectKey = s, false
				continue
			}
			sh.value(stack, key, false)
			if len(stack) == 1 && !stack[0].array {
				sh.topString(key, s)
			}
			continue
		}
		var parent scanFrame
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
			sh.value(stack, key, c == '{')
		}
		switch c {
		case '{':
			stack = append(stack, scanFrame{nest: parent.nest})
			expectKey = true
			i++
		case '[':
			f := scanFrame{array: true, nest: parent.nest}
			if len(stack) > 0 && !parent.array {
				isComponents := keyIs(key, "components")
				f.counted = isComponents || keyIs(key, "packages") || keyIs(key, "@graph")
				if isComponents {
					f.nest++
					sh.nesting = max(sh.nesting, f.nest)
				}
			}
			stack = append(stack, f)
			i++
		default: // number, true, false, null (or garbage, for json to report)
			j := i + 1
			for j < len(data) && !isJSONDelim(data[j]) {
				j++
			}
			if len(stack) > 0 && parent.array && string(data[i:j]) == "null" {
				sh.nulls++
				if parent.counted && sh.nullItem == 0 {
					sh.nullItem = i
				}
			}
			i = j
		}
		if len(stack) > maxScanDepth {
			return sh
		}
	}
	return sh
}

// value counts one value that starts inside the innermost open container;
// key is the object key in front of it, if the container is an object.
func (sh *jsonShape) value(stack []scanFrame, key []byte, object bool) {
	if len(stack) == 0 {
		return
	}
	top := stack[len(stack)-1]
	if top.array {
		sh.elements++
		if top.counted && object {
			sh.items++
		}
		return
	}
	if len(stack) == 1 {
		switch {
		case keyIs(key, "@context"):
			sh.context = true
		case keyIs(key, "@graph"):
			sh.graph = true
		}
	}
}

// topString records a string value s (quoted) of a top-level key.
func (sh *jsonShape) topString(key, s []byte) {
	switch {
	case keyIs(key, "bomFormat"):
		sh.bomFormat = unquote(s)
	case keyIs(key, "specVersion"):
		sh.specVersion = unquote(s)
	case keyIs(key, "spdxVersion"):
		sh.spdxVersion = unquote(s)
	}
}

// keyIs reports whether the quoted key names name the way encoding/json
// matches keys to fields: after unescaping, case-insensitively.
func keyIs(key []byte, name string) bool {
	if len(key) < len(name)+2 || len(key) > 8*len(name)+2 {
		return false
	}
	if bytes.IndexByte(key, '\\') < 0 {
		return bytes.EqualFold(key[1:len(key)-1], []byte(name))
	}
	return bytes.EqualFold([]byte(unquote(key)), []byte(name))
}

// unquote decodes a quoted JSON string; "" when it is malformed.
func unquote(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 && len(s) >= 2 {
		return string(s[1 : len(s)-1])
	}
	var v string
	if json.Unmarshal(s, &v) != nil {
		return ""
	}
	return v
}

// stringEnd returns the index of the quote that closes the JSON string
// opening at data[start], or -1 when the string does not end.
func stringEnd(data []byte, start int) int {
	for j := start + 1; j < len(data); {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		n := 0 // backslashes right before the quote
		for p := q - 1; p > start && data[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		j = q + 1
	}
	return -1
}

// isJSONDelim reports whether c ends a JSON number or literal.
func isJSONDelim(c byte) bool {
	switch c {
	case ',', ']', '}', ':', ' ', '\t', '\r', '\n', '"', '[', '{':
		return true
	}
	return false
}
