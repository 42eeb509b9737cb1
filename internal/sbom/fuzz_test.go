package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// Seeds beyond those in testdata/fuzz/<FuzzName>/: small documents that
// reach the interesting paths of each format.
var (
	cdxJSONSeeds = []string{
		`{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"bom-ref":"r","name":"app","version":"1"}},` +
			`"components":[{"bom-ref":"a","name":"a","version":"1","purl":"pkg:npm/a@1","hashes":[{"alg":"SHA-256","content":"00"}],` +
			`"licenses":[{"license":{"id":"MIT"}},{"expression":"MIT OR ISC"}],"components":[{"name":"b","purl":"pkg:golang/x/b@v1"}]}],` +
			`"dependencies":[{"ref":"r","dependsOn":["a"]},{"ref":"a","dependsOn":["r"]}]}`,
		`{"bomFormat":"CycloneDX","components":[{"name":1}]}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.7","components":[{"purl":"pkg:deb/debian/openssl@3?distro=bookworm"}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"file","name":"go.mod","components":[` +
			`{"name":"stdlib","version":"go1.19.8","purl":"pkg:golang/stdlib@1.19.8"}]},` +
			`{"name":"pgx","version":"v5.3.1","purl":"pkg:golang/github.com/jackc/pgx@v5.3.1#v5"}]}`,
	}
	cdxXMLSeeds = []string{
		`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><metadata><component type="application" bom-ref="r"><name>app</name></component></metadata>` +
			`<components><component type="library" bom-ref="a"><name>a</name><version>1</version><purl>pkg:pypi/a@1</purl>` +
			`<hashes><hash alg="MD5">00</hash></hashes><licenses><license><id>MIT</id></license><expression>MIT</expression></licenses>` +
			`<components><component type="library"><name>b</name></component></components></component></components>` +
			`<dependencies><dependency ref="r"><dependency ref="a"/></dependency></dependencies></bom>`,
		`<!DOCTYPE bom [<!ENTITY x "y">]><bom xmlns="http://cyclonedx.org/schema/bom/1.2"/>`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>a</name>`,
	}
	spdxJSONSeeds = []string{
		`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-a"],` +
			`"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER",` +
			`"referenceType":"purl","referenceLocator":"pkg:cargo/a@1"},{"referenceCategory":"SECURITY","referenceType":"cpe23Type",` +
			`"referenceLocator":"cpe:2.3:a:a:a:1:*:*:*:*:*:*:*"}],"checksums":[{"algorithm":"SHA1","checksumValue":"00"}]},` +
			`{"SPDXID":"SPDXRef-b","name":"b"}],"relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON",` +
			`"relatedSpdxElement":"SPDXRef-b"}]}`,
		`{"spdxVersion":"SPDX-2.2","packages":[{"SPDXID":"x"}]}`,
		`{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"p",` +
			`"name":"p","software_packageUrl":"pkg:gem/p@1"},{"type":"Relationship","from":"p","relationshipType":"dependsOn","to":"q"}]}`,
	}
	spdxTagValueSeeds = []string{
		"SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nExternalDocumentRef: DocumentRef-x http://x SHA1: 00\n" +
			"PackageName: a\nSPDXID: SPDXRef-a\nPackageVersion: 1\nExternalRef: PACKAGE-MANAGER purl pkg:hex/a@1\n" +
			"PackageComment: <text>multi\nline</text>\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\n",
		"SPDXVersion: SPDX-2.2\nPackageName: a\nFileName: f\nSnippetSPDXID: SPDXRef-s\n",
		"SPDXVersion: SPDX-2.1\nPackageName: <text>open",
	}
)

// fuzzParse parses data and checks what must hold for any input: no
// panic, every error wraps exactly one sentinel, and results are
// consistent.
func fuzzParse(t *testing.T, data []byte) {
	checkScanComplete(t, data)
	sb, err := Parse("fuzz.sbom", data, Options{})
	if err != nil {
		checkSentinel(t, err)
		return
	}
	if sb.Path != "fuzz.sbom" || sb.Format == "" || sb.Components == nil || sb.FilesLeftOut < 0 {
		t.Fatalf("Path %q, Format %q, Components nil: %v, FilesLeftOut %d", sb.Path, sb.Format, sb.Components == nil, sb.FilesLeftOut)
	}
	for _, c := range sb.Components {
		if c.Source != "fuzz.sbom" {
			t.Fatalf("component %q has Source %q", c.Name, c.Source)
		}
		if c.Unmatchable == "" && (c.Ecosystem == "" || c.Package == "" || c.Version == "") {
			t.Fatalf("component %+v is matchable without ecosystem, package and version", c)
		}
	}
}

func FuzzCycloneDXJSON(f *testing.F) {
	for _, s := range cdxJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzParse)
}

func FuzzCycloneDXXML(f *testing.F) {
	for _, s := range cdxXMLSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzParse)
}

func FuzzSPDXJSON(f *testing.F) {
	for _, s := range spdxJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzParse)
}

func FuzzSPDXTagValue(f *testing.F) {
	for _, s := range spdxTagValueSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzParse)
}

// FuzzCycloneDXParallel decodes CycloneDX JSON the way large documents
// are, element by element on all cores, and checks the result against the
// former conversion of the document decoded in one piece.
func FuzzCycloneDXParallel(f *testing.F) {
	for _, s := range cdxJSONSeeds {
		f.Add([]byte(s))
	}
	f.Add(trickyCycloneDXDoc(12))
	f.Add([]byte(`{"components":[{"name":"a","version":"1"}],"Components":[{"name":"b"}]}`))
	f.Add([]byte(` {"comp\u006fnents" : [ null , {"components":[{}]} ] , "x":"]" } `))
	f.Fuzz(func(t *testing.T, data []byte) {
		sh := scanJSON(data)
		if checkShape("fuzz.json", sh) != nil {
			return
		}
		var doc cdxDoc
		tree, err := decodeCycloneDXParallel("fuzz.json", data, sh.items, &doc)
		var whole cdxDoc
		wholeErr := json.Unmarshal(data, &whole)
		switch {
		case err != nil && wholeErr == nil:
			t.Fatalf("parallel decoding refuses what encoding/json accepts: %v", err)
		case err == nil && tree != nil && wholeErr != nil:
			t.Fatalf("parallel decoding accepts what encoding/json refuses: %v", wholeErr)
		case err != nil || tree == nil:
			return // decoded in one piece
		}
		got, err := tree.sbom(&doc, "f")
		want, wantErr := formerCdxModel(&whole, "fuzz.json", "f")
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("parallel: %v, %s; former: %v", err, firstDiff(got, want), wantErr)
		}
	})
}

// FuzzCycloneDXXMLStreaming checks the XML decoding, which converts
// components as it decodes them, against decoding all of the BOM first.
func FuzzCycloneDXXMLStreaming(f *testing.F) {
	for _, s := range cdxXMLSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if xmlComponentCount(data) > maxComponents {
			return
		}
		got, err := parseCycloneDXXML("fuzz.xml", data, "1.6")
		want, wantErr := formerCdxXML("fuzz.xml", data)
		if errors.Is(err, ErrTooLarge) {
			return // nesting, which the former decoding did not check
		}
		want.Format = "CycloneDX 1.6 XML"
		if (err == nil) != (wantErr == nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("streaming: %v, %s; former: %v", err, firstDiff(got, want), wantErr)
		}
	})
}
