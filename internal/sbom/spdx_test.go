package sbom

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestSPDXSpecExample parses the SPDX 2.3 specification's reference
// document in JSON and in tag-value: the same packages, purls, CPEs, and
// scopes (from the same relationships) come out of both. The tag-value
// one only parses because snippets are dropped before tools-golang's
// parser sees them (see reorderTagValues).
func TestSPDXSpecExample(t *testing.T) {
	dir := sharedData(t, "sbom/spdx-spec-2.3.1")
	j, err := Read(filepath.Join(dir, "SPDXJSONExample-v2.3.spdx.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tv, err := Read(filepath.Join(dir, "SPDXTagExample-v2.3.spdx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Format != "SPDX 2.3 JSON" || tv.Format != "SPDX 2.3 tag-value" {
		t.Errorf("formats %q, %q", j.Format, tv.Format)
	}
	if j.Subject != "glibc@2.11.1" || tv.Subject != j.Subject {
		t.Errorf("subjects %q, %q", j.Subject, tv.Subject)
	}
	sortByRef(j.Components)
	sortByRef(tv.Components)
	if diff := compareComponents(j.Components, tv.Components); diff != "" {
		t.Errorf("JSON and tag-value differ: %s", diff)
	}
	got := byName(j.Components)
	if len(got) != 4 {
		t.Errorf("%d packages, want 4", len(got))
	}
	jena := got["Jena"]
	if jena.PURL != "pkg:maven/org.apache.jena/apache-jena@3.12.0" || jena.Ecosystem != "Maven" ||
		jena.Package != "org.apache.jena:apache-jena" || jena.Version != "3.12.0" || jena.Ref != "SPDXRef-fromDoap-0" {
		t.Errorf("Jena = %+v", jena)
	}
	glibc := got["glibc"]
	if !slices.Equal(glibc.CPEs, []string{"cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*"}) ||
		glibc.Unmatchable != reasonNoPURL || len(glibc.Hashes) != 4 ||
		!slices.Contains(glibc.Licenses, "(LGPL-2.0-only OR LicenseRef-3)") {
		t.Errorf("glibc = %+v", glibc)
	}
	// The described glibc DYNAMIC_LINKs Saxon; it CONTAINS a file
	// (JenaLib) and nothing links it to the other packages.
	for _, c := range j.Components {
		want := model.ScopeUnknown
		if c.Name == "Saxon" {
			want = model.ScopeDirect
		}
		if c.Scope != want {
			t.Errorf("%s: Scope %q, want %q", c.Name, c.Scope, want)
		}
	}
}

// sortByRef orders components by Ref.
func sortByRef(cs []model.Component) {
	slices.SortFunc(cs, func(a, b model.Component) int { return strings.Compare(a.Ref, b.Ref) })
}

func TestSPDXExamples(t *testing.T) {
	tests := []struct {
		file, format, subject string
		eco                   string // every package with a purl maps to it
	}{
		{"software/example1/spdx2.2/example1.spdx", "SPDX 2.2 tag-value", "hello", ""},
		{"software/example2/spdx2.2/example2-bin.spdx", "SPDX 2.2 tag-value", "hello-bin", ""},
		{"software/example2/spdx2.2/example2-src.spdx", "SPDX 2.2 tag-value", "hello-src", ""},
		{"software/example6/spdx2.2/example6-bin.spdx", "SPDX 2.2 tag-value", "hello-go-bin", ""},
		{"software/example6/spdx2.2/example6-lib.spdx", "SPDX 2.2 tag-value", "go-1.15@1.15.4", ""},
		{"software/example7/spdx2.2/example7-bin.spdx.json", "SPDX 2.2 JSON", "hello", ""},
		{"software/example7/spdx2.2/example7-go-module.spdx.json", "SPDX 2.2 JSON", "example.com/hello", ""},
		{"software/example7/spdx2.2/example7-golang.spdx.json", "SPDX 2.2 JSON", "go1.16.4.linux-amd64@1.16.4", ""},
		{"software/example7/spdx2.2/example7-third-party-modules.spdx.json", "SPDX 2.2 JSON", "golang.org/x/text, rsc.io/quote, rsc.io/sampler", ""},
		{"software/example8/spdx2.3/examplemaven-0.0.1.spdx.json", "SPDX 2.3 JSON", "examplemaven@0.0.1", ""},
		// example10 is a Python project, but its one package has no
		// purl (nor any other external reference): it cannot be mapped
		// to PyPI, and says so.
		{"software/example10/spdx2.3/hello-source.spdx.json", "SPDX 2.3 JSON", "hello", ""},
		{"software/example11/spdx2.3/sbom.spdx.json", "SPDX 2.3 JSON", "hello-server-src@0.1.0", "crates.io"},
		{"presentations/OSS-NA-2023/SPDXVersion2.3/03-SBOMwDependency.json", "SPDX 2.3 JSON", "tools-java@1.5.1", "Maven"},
		{"presentations/OSS-NA-2023/SPDXVersion2.3/04-SBOMwSecurity.json", "SPDX 2.3 JSON", "tools-java@1.5.1", "Maven"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sb, err := Read(sharedData(t, filepath.Join("sbom/spdx-examples", tt.file)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sb.Format != tt.format || sb.Subject != tt.subject || len(sb.Components) == 0 {
				t.Errorf("Format %q, Subject %q, %d components", sb.Format, sb.Subject, len(sb.Components))
			}
			for _, c := range sb.Components {
				if c.PURL == "" && c.Unmatchable != reasonNoPURL {
					t.Errorf("%s: no purl, Unmatchable %q", c.Name, c.Unmatchable)
				}
			}
		})
	}

	sb, err := Read(sharedData(t, "sbom/spdx-examples/software/example11/spdx2.3/sbom.spdx.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := byName(sb.Components)
	for _, name := range []string{"hyper", "tokio", "pretty_env_logger"} {
		if c := got[name]; c.Ecosystem != "crates.io" || c.Package != name || c.Scope != model.ScopeDirect || c.Unmatchable != "" {
			t.Errorf("%s = %+v", name, c)
		}
	}
	sb, err = Read(sharedData(t, "sbom/spdx-examples/software/example10/spdx2.3/hello-source.spdx.json"), Options{})
	if err != nil || len(sb.Components) != 1 || sb.Components[0].Licenses[0] != "MIT" {
		t.Errorf("example10: %+v, %v", sb, err)
	}
}

// TestScalibrTestdata parses osv-scalibr's SBOM extractor test data: the
// valid SBOMs parse, the rest fail with a sentinel error (never a panic).
func TestScalibrTestdata(t *testing.T) {
	dir := sharedData(t, "sbom/osv-scalibr-testdata")
	tests := []struct {
		file string
		kind error // nil: parses
		n    int   // components
	}{
		{"cdx/minimal.cdx.json", nil, 0},
		{"cdx/sbom-with-locations.cdx.json", nil, 1},
		{"cdx/sbom-with-nested-comps.cdx.json", nil, 3},
		{"cdx/sbom.bom.json", nil, 2},
		{"cdx/sbom.bom.xml", nil, 2},
		{"cdx/sbom.cdx.json", nil, 2},
		{"cdx/sbom.cdx.xml", nil, 2},
		{"cdx/invalid_sbom.cdxjson", ErrUnknownFormat, 0},
		{"cdx/random_file.ext", ErrUnknownFormat, 0},
		{"cdx/sbom.cdx.json.foo.ext", ErrUnknownFormat, 0},
		{"spdx/ancestor_of.spdx.json", nil, 2},
		{"spdx/descendant_of.spdx.json", nil, 2},
		{"spdx/external_refs.spdx.json", nil, 3},
		{"spdx/independent_packages_descendant.spdx.json", nil, 2},
		{"spdx/minimal.spdx.json", nil, 0},
		{"spdx/multi_descendant.spdx.json", nil, 3},
		{"spdx/overlapping_refs.spdx.json", nil, 2},
		{"spdx/purl_and_cpe.spdx.json", nil, 2},
		{"spdx/sbom.spdx", nil, 2},
		{"spdx/sbom.spdx.json", nil, 2},
		{"spdx/dhi/.spdx.dhi-pkg-python.json", nil, 1},
		{"spdx/dhi/.spdx.dhi-python.json", nil, 1},
		{"spdx/dhi/.spdx.python.json", nil, 1},
		{"spdx/invalid_sbom.spdx", ErrUnknownFormat, 0},
		{"spdx/random_file.ext", ErrUnknownFormat, 0},
		{"spdx/sbom.spdx.foo.ext", ErrUnknownFormat, 0},
		// Formats this package does not read (yet).
		{"spdx/sbom.spdx.rdf", ErrUnknownFormat, 0},
		{"spdx/sbom.spdx.yml", ErrUnknownFormat, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sb, err := Read(filepath.Join(dir, tt.file), Options{})
			if tt.kind != nil {
				if err == nil {
					t.Fatalf("parsed as %s, want %v", sb.Format, tt.kind)
				}
				checkSentinel(t, err)
				if !errors.Is(err, tt.kind) {
					t.Errorf("error %v, want %v", err, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sb.Components) != tt.n {
				t.Errorf("%d components, want %d", len(sb.Components), tt.n)
			}
		})
	}

	sb, err := Read(filepath.Join(dir, "spdx/purl_and_cpe.spdx.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	nginx := byName(sb.Components)["Nginx"]
	if nginx.PURL != "pkg:generic/nginx@1.21.1" || len(nginx.CPEs) != 1 || !strings.HasPrefix(nginx.CPEs[0], "cpe:2.3:a:nginx:nginx") {
		t.Errorf("Nginx = %+v", nginx)
	}
	sb, err = Read(filepath.Join(dir, "cdx/sbom-with-nested-comps.cdx.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.Components) != 3 {
		t.Errorf("nested components: %+v", sb.Components)
	}
}

func TestSPDX3(t *testing.T) {
	const doc = `{
	"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
	"@graph": [
		{"type": "CreationInfo", "@id": "_:ci", "specVersion": "3.0.1"},
		{"type": "SpdxDocument", "spdxId": "urn:doc", "rootElement": ["urn:sbom"]},
		{"type": "software_Sbom", "spdxId": "urn:sbom", "rootElement": ["urn:app"]},
		{"type": "software_Package", "spdxId": "urn:app", "name": "app", "software_packageVersion": "1.0"},
		{"type": "software_Package", "spdxId": "urn:req", "name": "requests", "software_packageVersion": "2.31.0",
		 "software_packageUrl": "pkg:pypi/requests@2.31.0",
		 "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "abc"}]},
		{"type": "software_Package", "spdxId": "urn:url", "name": "urllib3",
		 "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": "pkg:pypi/urllib3@2.0.7"},
		                        {"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:python:urllib3:2.0.7:*:*:*:*:*:*:*"}]},
		{"type": "simplelicensing_LicenseExpression", "spdxId": "urn:lic", "simplelicensing_licenseExpression": "Apache-2.0"},
		{"type": "Relationship", "spdxId": "urn:r1", "from": "urn:app", "relationshipType": "dependsOn", "to": ["urn:req"]},
		{"type": "Relationship", "spdxId": "urn:r2", "from": "urn:req", "relationshipType": "dependsOn", "to": "urn:url"},
		{"type": "Relationship", "spdxId": "urn:r3", "from": "urn:req", "relationshipType": "hasDeclaredLicense", "to": ["urn:lic"]}
	]}`
	sb, err := Parse("sbom.spdx3.json", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sb.Format != "SPDX 3.0 JSON-LD" || sb.Subject != "app@1.0" || len(sb.Components) != 3 {
		t.Fatalf("%+v", sb)
	}
	got := byName(sb.Components)
	req, url := got["requests"], got["urllib3"]
	if req.Ecosystem != "PyPI" || req.Scope != model.ScopeDirect || len(req.Hashes) != 1 || !slices.Equal(req.Licenses, []string{"Apache-2.0"}) {
		t.Errorf("requests = %+v", req)
	}
	if url.Version != "2.0.7" || url.Scope != model.ScopeTransitive || len(url.CPEs) != 1 || url.Ref != "urn:url" {
		t.Errorf("urllib3 = %+v", url)
	}
	if got["app"].Unmatchable != reasonNoPURL {
		t.Errorf("app = %+v", got["app"])
	}
}

func TestSPDXTagValueText(t *testing.T) {
	const doc = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n" +
		"DocumentNamespace: https://example.com/d\nCreator: Tool: x\nCreated: 2024-01-01T00:00:00Z\n" +
		"ExternalDocumentRef: DocumentRef-other https://example.com/other SHA1: d6a770ba38583ed4bb4525bd96e50461655d2759\n\n" +
		"PackageName: left-pad\nSPDXID: SPDXRef-lp\nPackageVersion: 1.3.0\nPackageDownloadLocation: NOASSERTION\n" +
		"PackageComment: <text>spans\nlines: with colons\n</text>\n" +
		"ExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.3.0\n" +
		"Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-lp\n"
	sb, err := Parse("d.spdx", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.Components) != 1 || sb.Components[0].Ecosystem != "npm" || sb.Subject != "left-pad@1.3.0" {
		t.Errorf("%+v", sb)
	}
}
