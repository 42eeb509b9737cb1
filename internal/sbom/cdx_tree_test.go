package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// formerCdxModel converts a decoded BOM the way this package did before
// cdxTree, in one recursive walk: the test's oracle for the order,
// duplicates, files, nesting and scopes.
func formerCdxModel(d *cdxDoc, name, format string) (model.SBOM, error) {
	sb := model.SBOM{Path: name, Format: format, Components: []model.Component{}}
	var root *cdxComponent
	var scope map[string]model.Scope
	if d.Metadata != nil && d.Metadata.Component != nil {
		root = d.Metadata.Component
		sb.Subject = subjectName(root.Name, root.Version)
		scope = cdxScopes(d.Dependencies, root.BOMRef)
	}
	seen := map[string]bool{}
	var add func(list []cdxComponent, depth int) error
	add = func(list []cdxComponent, depth int) error {
		if len(list) > 0 && depth > maxNesting {
			return newError(ErrTooLarge, name, "components nested more than %d deep", maxNesting)
		}
		for i := range list {
			c := &list[i]
			if c.BOMRef != "" && seen[c.BOMRef] {
				continue
			}
			if len(sb.Components) >= maxComponents {
				return newError(ErrTooLarge, name, "more than %d components", maxComponents)
			}
			seen[c.BOMRef] = c.BOMRef != ""
			if !leaveOut(bool(c.Type), c.PURL) {
				m := newComponent(name, c.BOMRef, c.Name, c.Version, c.PURL)
				if c.CPE != "" {
					m.CPEs = []string{c.CPE}
				}
				for _, h := range c.Hashes {
					if h.Content != "" {
						m.Hashes = append(m.Hashes, model.Hash{Algorithm: h.Alg, Value: h.Content})
					}
				}
				for _, l := range c.Licenses {
					if l.License != nil && l.License.ID != "" {
						m.Licenses = append(m.Licenses, l.License.ID)
					} else if l.License != nil {
						m.Licenses = append(m.Licenses, l.License.Name)
					}
					m.Licenses = append(m.Licenses, l.Expression)
				}
				m.Licenses = cleanLicenses(m.Licenses)
				m.Scope = scope[c.BOMRef]
				sb.Components = append(sb.Components, m)
			} else {
				sb.FilesLeftOut++
			}
			if err := add(c.Components, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	err := add(d.Components, 1)
	if err == nil && root != nil {
		err = add(root.Components, 1)
	}
	return sb, err
}

// trickyCycloneDXDoc generates a CycloneDX JSON BOM of about n top-level
// components that has all that makes flattening hard: repeated bom-refs
// (of components that nest others, whose refs come again later), files
// with and without purl that nest components, null components, nesting
// three deep, components of the subject, and a dependency graph.
func trickyCycloneDXDoc(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"bom-ref":"root","name":"app","version":"2",` +
		`"components":[{"bom-ref":"r1","name":"r1","components":[{"bom-ref":"t3","name":"again"}]},{"bom-ref":"late-11","name":"sub"}]}},` +
		`"components":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ref := fmt.Sprintf(`"bom-ref":"t%d",`, i)
		switch {
		case i%3 == 0:
			ref = ""
		case i%11 == 0:
			ref = fmt.Sprintf(`"bom-ref":"t%d",`, i-1) // a repeat, nesting what comes again
		}
		switch {
		case i%17 == 0:
			b.WriteString(`null`)
			continue
		case i%5 == 0:
			fmt.Fprintf(&b, `{%s"type":"FILE","name":"go.mod","components":[{"bom-ref":"f%d","name":"in-file","purl":"pkg:npm/in-file@1.%d.0"}]}`, ref, i, i)
			continue
		}
		typ := "library"
		if i%13 == 0 {
			typ = "file" // with a purl: kept
		}
		purl := fmt.Sprintf("pkg:npm/p%d@1.%d.0", i, i%4)
		switch i % 4 {
		case 1:
			purl = fmt.Sprintf("pkg:pypi/Py_%d@2.%d", i, i%3)
		case 2:
			purl = "pkg:generic/thing@1"
		}
		fmt.Fprintf(&b, `{%s"type":%q,"name":"p%d","version":"1.%d.0","purl":%q,"cpe":"cpe:2.3:a:x:p%d:1:*:*:*:*:*:*:*",`+
			`"hashes":[{"alg":"SHA-256","content":"%064x"},{"alg":"MD5","content":""}],`+
			`"licenses":[{"license":{"id":"MIT"}},{"license":{"name":"Custom %d"}},{"expression":"MIT OR Apache-2.0"},{"license":{"id":"NOASSERTION"}},{"license":{"id":"MIT"}}]`,
			ref, typ, i, i%4, purl, i, i, i%2)
		switch {
		case i%7 == 0:
			fmt.Fprintf(&b, `,"components":[{"bom-ref":"c%d","name":"c","version":"1","purl":"pkg:cargo/c%d@1.0.0",`+
				`"components":[{"bom-ref":"late-%d","name":"g","purl":"pkg:golang/github.com/X/g%d@v1.0.0"},null]},{"name":"d"},`+
				`{"bom-ref":"c%d","name":"c-again","components":[{"bom-ref":"t%d","name":"hidden"}]}]`, i, i, i+4, i, i, i+1)
		case i%11 == 0:
			fmt.Fprintf(&b, `,"components":[{"bom-ref":"late-%d","name":"hidden"}]`, i)
		}
		b.WriteByte('}')
		if i%11 == 0 {
			fmt.Fprintf(&b, `,{"bom-ref":"late-%d","name":"late","version":"1","purl":"pkg:npm/late%d@1.0.0"}`, i, i)
		}
	}
	b.WriteString(`],"dependencies":[{"ref":"root","dependsOn":["t1","t2","c7","late-11"]},{"ref":"t1","dependsOn":["t4","f5"]},{"ref":"t4","dependsOn":["t8"]}]}`)
	return []byte(b.String())
}

// TestCdxTreeMatchesFormerFlattening parses tricky BOMs, small ones
// (decoded in one piece) and large ones (decoded in parallel), and checks
// the result against the former conversion.
func TestCdxTreeMatchesFormerFlattening(t *testing.T) {
	for _, n := range []int{0, 1, 300, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := trickyCycloneDXDoc(n)
			if n == 5000 && len(data) < parallelDecodeBytes {
				t.Fatalf("%d bytes do not take the parallel path", len(data))
			}
			got, err := Parse("tricky.cdx.json", data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var d cdxDoc
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			want, err := formerCdxModel(&d, "tricky.cdx.json", "CycloneDX 1.6 JSON")
			if err != nil {
				t.Fatal(err)
			}
			if n >= 300 && (want.FilesLeftOut == 0 || len(want.Components) <= n) {
				t.Fatalf("the BOM misses what it is for: %d files, %d components", want.FilesLeftOut, len(want.Components))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("differs from the former conversion: %s", firstDiff(got, want))
			}
		})
	}
}

// TestCdxTreeOutgrowsItsArray checks flattening when the components that
// top-level ones nest outnumber the room made for them: no room at all.
func TestCdxTreeOutgrowsItsArray(t *testing.T) {
	var d cdxDoc
	if err := json.Unmarshal(trickyCycloneDXDoc(200), &d); err != nil {
		t.Fatal(err)
	}
	tree := newCdxTree("x.json", len(d.Components), 0, 0)
	cv := newCdxConverter("x.json")
	for i := range d.Components {
		tree.set(i, &d.Components[i], cv)
	}
	got, err := tree.sbom(&d, "f")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := formerCdxModel(&d, "x.json", "f")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("differs from the former conversion: %s", firstDiff(got, want))
	}
}

// TestCdxResultOwnsItsStrings checks that no component keeps a part of
// the document: the service drops it once parsed, for the GC to free.
func TestCdxResultOwnsItsStrings(t *testing.T) {
	data := trickyCycloneDXDoc(5000)
	want, err := Parse("x.json", bytes.Clone(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("x.json", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'X'
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("components changed with the document: %s", firstDiff(got, want))
	}
}

// firstDiff describes where two SBOMs first differ.
func firstDiff(got, want model.SBOM) string {
	if got.FilesLeftOut != want.FilesLeftOut || got.Subject != want.Subject || len(got.Components) != len(want.Components) {
		return fmt.Sprintf("%d files, subject %q, %d components; want %d, %q, %d",
			got.FilesLeftOut, got.Subject, len(got.Components), want.FilesLeftOut, want.Subject, len(want.Components))
	}
	for i := range got.Components {
		if !reflect.DeepEqual(got.Components[i], want.Components[i]) {
			return fmt.Sprintf("component %d: %+v, want %+v", i, got.Components[i], want.Components[i])
		}
	}
	return "elsewhere"
}

// TestCdxParallelEdges parses large BOMs (decoded in parallel) of unusual
// shape and checks each against the former conversion of the document
// decoded in one piece, or the error.
func TestCdxParallelEdges(t *testing.T) {
	pad := `"pad":"` + strings.Repeat("x", parallelDecodeBytes) + `"`
	var big strings.Builder
	big.WriteString(`{"bom-ref":"big","name":"big","components":[`)
	for i := range 20_000 {
		fmt.Fprintf(&big, `{"bom-ref":"n%d","name":"n","purl":"pkg:npm/n%d@1.0.0"},`, i%15_000, i)
	}
	big.WriteString(`{}]}`)
	tests := []struct {
		name, doc string
		err       string // in the error, if one is wanted
	}{
		{"element that does not decode", `"components":[{"name":"a"},{"name":1}]`, `line 1, column 1048647: invalid CycloneDX JSON: components.name: found a JSON number`},
		{"repeated key", `"components":[{"name":"a","version":"1"}],"COMPONENTS":[{"name":"b"}]`, ""},
		{"null", `"components":null`, ""},
		{"escaped key", `"comp\u006fnents":[{"name":"a","purl":"pkg:npm/a@1"}]`, ""},
		{"element larger than a run", `"components":[{"bom-ref":"n1"},` + big.String() + `,{"bom-ref":"n2"},{"bom-ref":"n15000"}]`, ""},
		{"white space", "\"components\"\n:\t[ {\"name\" : \"a\"} ,\r\n null , {\"name\":\"b\"}\n]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(`{"bomFormat":"CycloneDX",` + pad + `,` + tt.doc + `}`)
			got, err := Parse("edge.json", data, Options{})
			if tt.err != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want ErrInvalid with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var d cdxDoc
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			want, _ := formerCdxModel(&d, "edge.json", "CycloneDX JSON")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("differs from the former conversion: %s", firstDiff(got, want))
			}
		})
	}
}
