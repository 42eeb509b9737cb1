package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestCycloneDXSpecValid parses every valid-*-1.6 file of the CycloneDX
// specification's own conformance set. All of them parse: the JSON ones
// are decoded into a lean struct that ignores what it does not need, and
// cyclonedx-go v0.12.0 reads all the XML ones.
func TestCycloneDXSpecValid(t *testing.T) {
	dir := sharedData(t, "sbom/cyclonedx-specification/test-resources/1.6")
	files, err := filepath.Glob(filepath.Join(dir, "valid-*-1.6.*"))
	if err != nil || len(files) < 90 {
		t.Fatalf("found %d files (%v), want the 92 valid-*-1.6 files", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sb, err := Read(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			kind := "JSON"
			if strings.HasSuffix(f, ".xml") {
				kind = "XML"
			}
			if want := "CycloneDX 1.6 " + kind; sb.Format != want {
				t.Errorf("Format = %q, want %q", sb.Format, want)
			}
		})
	}
}

func TestCycloneDXIdentifiers(t *testing.T) {
	dir := sharedData(t, "sbom/cyclonedx-specification/test-resources/1.6")
	for _, ext := range []string{"json", "xml"} {
		sb, err := Read(filepath.Join(dir, "valid-component-identifiers-1.6."+ext), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(sb.Components) != 1 {
			t.Fatalf("%s: %d components, want 1", ext, len(sb.Components))
		}
		c := sb.Components[0]
		if c.PURL != "pkg:maven/com.example/acme-library@1.0.0" || c.Ecosystem != "Maven" ||
			c.Package != "com.example:acme-library" || c.Version != "1.0.0" || c.Name != "acme-library" ||
			!slices.Equal(c.CPEs, []string{"cpe:2.3:a:example:acme-library:1.0.0:*:*:*:*:*:*:*"}) {
			t.Errorf("%s: %+v", ext, c)
		}
	}
}

// TestLaravel reads the same BOM in every version and encoding it comes in.
func TestLaravel(t *testing.T) {
	dir := sharedData(t, "sbom/cyclonedx-bom-examples/laravel-7.12.0")
	files := []string{"bom.1.1.xml", "bom.1.2.json", "bom.1.2.xml", "bom.1.3.json", "bom.1.3.xml", "bom.1.4.json", "bom.1.4.xml"}
	var want []string
	sboms := make(map[string]model.SBOM)
	for _, f := range files {
		sb, err := Read(filepath.Join(dir, f), Options{})
		if err != nil {
			t.Fatal(err)
		}
		sboms[f] = sb
		var purls []string
		for _, c := range sb.Components {
			if !strings.HasPrefix(c.PURL, "pkg:composer/") || c.Ecosystem != "Packagist" || c.Unmatchable != "" {
				t.Errorf("%s: %+v", f, c)
			}
			purls = append(purls, c.PURL)
		}
		slices.Sort(purls)
		if want == nil {
			want = purls
			if len(want) < 50 {
				t.Fatalf("%s: only %d purls", f, len(want))
			}
		} else if !slices.Equal(purls, want) {
			t.Errorf("%s: purls differ from %s", f, files[0])
		}
	}
	for _, v := range []string{"1.2", "1.3", "1.4"} {
		j, x := sboms["bom."+v+".json"], sboms["bom."+v+".xml"]
		if j.Subject != x.Subject || j.Subject == "" {
			t.Errorf("%s: subjects %q (JSON) and %q (XML)", v, j.Subject, x.Subject)
		}
		if diff := compareComponents(j.Components, x.Components); diff != "" {
			t.Errorf("%s: JSON and XML differ: %s", v, diff)
		}
	}
}

// compareComponents describes the first difference between two component
// lists, ignoring Source; "" when they are equal.
func compareComponents(a, b []model.Component) string {
	return compareComponentsExcept(a, b, false)
}

// compareComponentsExcept is compareComponents, ignoring licenses too when
// noLicenses is set.
func compareComponentsExcept(a, b []model.Component, noLicenses bool) string {
	if len(a) != len(b) {
		return "lengths differ"
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Source, y.Source = "", ""
		if x.Ref != y.Ref || x.Name != y.Name || x.Version != y.Version || x.PURL != y.PURL ||
			x.Ecosystem != y.Ecosystem || x.Package != y.Package || x.Scope != y.Scope ||
			x.Unmatchable != y.Unmatchable || !slices.Equal(x.CPEs, y.CPEs) ||
			!slices.Equal(x.Hashes, y.Hashes) || (!noLicenses && !slices.Equal(x.Licenses, y.Licenses)) {
			return "component " + x.Name + " differs"
		}
	}
	return ""
}

func TestCycloneDXExamples(t *testing.T) {
	tests := []struct {
		dir, eco string
		min      int
	}{
		{"sbom/cyclonedx-bom-examples/dropwizard-1.3.15", "Maven", 100},
		{"sbom/cyclonedx-bom-examples/cern-lhc-vdm-editor-e564943", "npm", 30},
		{"sbom/cyclonedx-bom-examples/proton-bridge", "Go", 100},
	}
	for _, tt := range tests {
		files, _ := filepath.Glob(filepath.Join(sharedData(t, tt.dir), "*bom.*"))
		if len(files) != 2 {
			t.Fatalf("%s: %d files, want a JSON and an XML BOM", tt.dir, len(files))
		}
		var got []model.SBOM
		for _, f := range files {
			sb, err := Read(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sb.Components) < tt.min || sb.Subject == "" {
				t.Errorf("%s: %d components, subject %q", f, len(sb.Components), sb.Subject)
			}
			for _, c := range sb.Components {
				if c.Ecosystem != tt.eco || c.Unmatchable != "" {
					t.Errorf("%s: %+v", f, c)
					break
				}
			}
			got = append(got, sb)
		}
		// The licenses differ in the data: dropwizard's bom.xml lacks the
		// license expression its bom.json gives osgi-resource-locator.
		if diff := compareComponentsExcept(got[0].Components, got[1].Components, true); diff != "" {
			t.Errorf("%s: JSON and XML differ: %s", tt.dir, diff)
		}
	}
}

func TestRealGo(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedData(t, "sbom/real-go"), "*.cdx.json"))
	if len(files) != 2 {
		t.Fatalf("found %d SBOMs in sbom/real-go, want 2", len(files))
	}
	for _, f := range files {
		sb, err := Read(f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sb.Subject, "github.com/") || sb.Format != "CycloneDX 1.6 JSON" {
			t.Errorf("%s: Subject %q, Format %q", f, sb.Subject, sb.Format)
		}
		direct := 0
		for _, c := range sb.Components {
			if c.Ecosystem != "Go" || !strings.HasPrefix(c.Version, "v") || c.Unmatchable != "" || c.Package == "" {
				t.Errorf("%s: %+v", f, c)
			}
			if c.Scope == model.ScopeDirect {
				direct++
			}
		}
		if direct == 0 {
			t.Errorf("%s: no direct dependencies found in the dependency graph", f)
		}
		c := byName(sb.Components)["github.com/prometheus/common"]
		if strings.Contains(f, "prometheus") && (c.Package != "github.com/prometheus/common" || c.Version != "v0.44.0") {
			t.Errorf("%s: github.com/prometheus/common = %+v", f, c)
		}
	}
}

func TestCycloneDXSpecVersions(t *testing.T) {
	for _, v := range []string{"1.2", "1.3", "1.4", "1.5", "1.6", "1.7"} {
		doc := `{"bomFormat": "CycloneDX", "specVersion": "` + v + `", "components": [{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}`
		sb, err := Parse("v.json", []byte(doc), Options{})
		if err != nil || sb.Format != "CycloneDX "+v+" JSON" || len(sb.Components) != 1 {
			t.Errorf("JSON %s: %+v, %v", v, sb, err)
		}
		doc = `<?xml version="1.0" encoding="UTF-8"?><bom xmlns="http://cyclonedx.org/schema/bom/` + v + `"><components><component type="library"><name>a</name><version>1</version><purl>pkg:npm/a@1</purl></component></components></bom>`
		sb, err = Parse("v.xml", []byte(doc), Options{})
		if err != nil || sb.Format != "CycloneDX "+v+" XML" || len(sb.Components) != 1 || sb.Components[0].Ecosystem != "npm" {
			t.Errorf("XML %s: %+v, %v", v, sb, err)
		}
	}
}

func TestUTF8ByteOrderMark(t *testing.T) {
	doc := append([]byte{0xEF, 0xBB, 0xBF}, `{"bomFormat": "CycloneDX", "specVersion": "1.4"}`...)
	if _, err := Parse("bom.json", doc, Options{}); err != nil {
		t.Error(err)
	}
}

// TestParallelDecodeEqualsSequential checks the parallel decoding of a large
// components array against encoding/json in one piece, and that an error in
// one element still names its place in the document.
func TestParallelDecodeEqualsSequential(t *testing.T) {
	data := cycloneDXDoc(20_000)
	if len(data) < parallelDecodeBytes {
		t.Fatalf("document of %d bytes does not take the parallel path", len(data))
	}
	got, err := Parse("big.cdx.json", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var doc cdxDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want, err := doc.toModel("big.cdx.json", "CycloneDX 1.5 JSON")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("parallel decoding differs from encoding/json")
	}
	bad := bytes.Replace(data, []byte(`"version":"1.0.`), []byte(`"version":1.0,"x":"`), 1)
	_, err = Parse("big.cdx.json", bad, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), "version") {
		t.Fatalf("err = %v, want ErrInvalid naming the place and field", err)
	}
	for _, in := range []string{`[]`, ` [ {"a":"]"} , "x,y" ,[1,[2]] ] `, `[{"s":"\"}"}]`, `[1, -2.5e3, true, null]`} {
		doc := []byte(`{"a": {"components": []}, "components": ` + in + `}`)
		elems, end, ok := topLevelArray(doc, "components", 0)
		var all []json.RawMessage
		json.Unmarshal([]byte(in), &all)
		if !ok || len(elems) != len(all) || doc[end] != ']' {
			t.Errorf("topLevelArray(%s) = %d elements, want %d", doc, len(elems), len(all))
		}
	}
}
