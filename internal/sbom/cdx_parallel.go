package sbom

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelDecodeBytes is the document size from which components are
// decoded in parallel.
const parallelDecodeBytes = 1 << 20

// skipJSON is a JSON value decoded into nothing.
type skipJSON struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// decodeCycloneDXParallel decodes a large BOM into doc, all but its
// components, and its components into a tree, element by element on all
// cores, each converted as soon as it is decoded. Neither decodes a copy
// of the components array, nor holds the decoded form of all components.
// The tree is nil, with no error, when the document has no top-level
// components array or an element fails to decode: the caller decodes the
// document in one piece then, so that the error carries its place in it.
// items, the objects of all components arrays (jsonShape.items), sizes the
// tree.
func decodeCycloneDXParallel(name string, data []byte, items int, doc *cdxDoc) (*cdxTree, error) {
	var top struct {
		cdxDoc
		Components skipJSON `json:"components"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	*doc = top.cdxDoc
	elems, end, ok := topLevelArray(data, "components", items+1)
	if !ok {
		return nil, nil
	}
	n := len(elems)
	extra := 0
	if doc.Metadata != nil && doc.Metadata.Component != nil {
		extra = countComponents(doc.Metadata.Component.Components, 1)
	}
	// Room for what the top-level components nest: items counts it, with
	// objects of arrays named "packages" or "@graph", which a hostile
	// document could add by the million; beyond n, flatten moves to an
	// array of its own.
	t := newCdxTree(name, n, min(max(0, items-n-extra), n), extra)
	var next atomic.Int64 // the first element of the next batch to decode
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			d := cdxRunDecoder{data: data, elems: elems, end: end, tree: t, cv: newCdxConverter(name)}
			for !failed.Load() {
				first := int(next.Add(decodeBatch)) - decodeBatch
				if first >= n {
					return
				}
				if !d.decode(first, min(first+decodeBatch, n)) {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return nil, nil
	}
	return t, nil
}

// decodeBatch is how many elements a goroutine takes at a time.
const decodeBatch = 64

// cdxRunDecoder decodes runs of elements of a components array into a
// tree, for one goroutine.
type cdxRunDecoder struct {
	data  []byte
	elems []int // where the elements start
	end   int   // where the array ends
	tree  *cdxTree
	cv    *cdxConverter
	buf   []byte         // a run of elements as an array of its own
	run   []cdxComponent // the run, decoded
}

// maxCopiedRun is the size up to which a run of elements is copied, to be
// decoded in one piece.
const maxCopiedRun = 1 << 20

// decode decodes and converts elements first to last (excluded); false if
// one does not decode. Each call of json.Unmarshal allocates some 300
// bytes for itself, as much as a component takes: a run of small elements
// is decoded with one call, as an array copied out of the document, and
// only a large one where it is.
func (d *cdxRunDecoder) decode(first, last int) bool {
	span := d.span(first, last)
	if len(span) > maxCopiedRun {
		for i := first; i < last; i++ {
			var c cdxComponent
			if json.Unmarshal(d.span(i, i+1), &c) != nil {
				return false
			}
			d.tree.set(i, &c, d.cv)
		}
		return true
	}
	d.buf = append(append(append(d.buf[:0], '['), span...), ']')
	clear(d.run[:cap(d.run)])
	d.run = d.run[:0]
	if json.Unmarshal(d.buf, &d.run) != nil || len(d.run) != last-first {
		return false
	}
	for k := range d.run {
		d.tree.set(first+k, &d.run[k], d.cv)
	}
	return true
}

// span returns elements first to last (excluded), with the commas
// between them.
func (d *cdxRunDecoder) span(first, last int) []byte {
	stop := d.end
	if last < len(d.elems) {
		stop = d.elems[last]
	}
	return bytes.TrimRight(d.data[d.elems[first]:stop], " \t\r\n,")
}

// topLevelArray finds, in a valid JSON document, the value of the
// top-level key that encoding/json matches to key. When it is an array, it
// returns the offsets where its elements start and the offset of its
// closing bracket; hint is the number of elements expected. A key that
// comes twice is not ok: encoding/json merges the second value into the
// first.
func topLevelArray(data []byte, key string, hint int) (elems []int, end int, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, 0, false
	}
	found := false
	for i = skipSpace(data, i+1); i < len(data) && data[i] == '"'; {
		k := stringEnd(data, i)
		if k < 0 {
			return nil, 0, false
		}
		name := data[i : k+1]
		i = skipSpace(data, k+1)
		if i >= len(data) || data[i] != ':' {
			return nil, 0, false
		}
		i = skipSpace(data, i+1)
		switch {
		case !keyIs(name, key):
			i = valueEnd(data, i)
		case found:
			return nil, 0, false
		case i < len(data) && data[i] == '[':
			elems, end = arrayElements(data, i, hint)
			i, ok, found = end+1, end < len(data), true
		default:
			i, found = valueEnd(data, i), true
		}
		if i = skipSpace(data, i); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return elems, end, ok
}

// arrayElements returns the offsets where the elements of the array that
// opens at data[i] start, and the offset of its closing bracket.
func arrayElements(data []byte, i, hint int) (elems []int, end int) {
	elems = make([]int, 0, hint)
	for i = skipSpace(data, i+1); i < len(data) && data[i] != ']'; {
		elems = append(elems, i)
		if i = skipSpace(data, valueEnd(data, i)); i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return elems, i
}

// valueEnd returns the offset just after the JSON value that starts at
// data[i], in a valid document.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		if e := stringEnd(data, i); e >= 0 {
			return e + 1
		}
		return len(data)
	case '{', '[':
	default:
		j := i + 1
		for j < len(data) && !isJSONDelim(data[j]) {
			j++
		}
		return j
	}
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			if i = stringEnd(data, i); i < 0 {
				return len(data)
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(data)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
