package sbom

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestGenerators reads the SBOMs real generators wrote (syft 1.20.0,
// cyclonedx-gomod 1.9.0, trivy 0.69.3) and checks the habits their README
// lists: subpaths of Go purls, Go release tags as versions, file entries.
func TestGenerators(t *testing.T) {
	dir := sharedData(t, "sbom/generators")
	tests := []struct {
		file      string
		filesOut  int               // entries left out as files
		packages  map[string]string // package → the version it is matched by
		noPackage []string          // package paths that must not appear
	}{
		{"devguard-0.4.4.syft-1.20.0.cdx.json", 4,
			map[string]string{"github.com/jackc/pgx/v5": "v5.3.1"},
			[]string{"github.com/jackc/pgx"}},
		{"devguard-0.4.4.cyclonedx-gomod-1.9.0.cdx.json", 0,
			map[string]string{"github.com/jackc/pgx/v5": "v5.3.1"}, nil},
		{"devguard-0.4.4.trivy-0.69.3.cdx.json", 0,
			map[string]string{"github.com/jackc/pgx/v5": "v5.3.1"}, nil},
		{"nats-server-binary.syft-1.20.0.cdx.json", 1, map[string]string{"stdlib": "1.19.8"}, nil},
		{"nats-server-binary.trivy-0.69.3.cdx.json", 0, map[string]string{"stdlib": "v1.19.8"}, nil},
		{"miniflux-2.0.40.syft-1.20.0.spdx", 1, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sb, err := Read(filepath.Join(dir, tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sb.FilesLeftOut != tt.filesOut {
				t.Errorf("FilesLeftOut = %d, want %d", sb.FilesLeftOut, tt.filesOut)
			}
			got := map[string]model.Component{}
			for _, c := range sb.Components {
				got[c.Package] = c
				if c.PURL == "" && strings.HasPrefix(c.Name, "/") {
					t.Errorf("file entry %q is a component", c.Name)
				}
			}
			for pkg, version := range tt.packages {
				if c := got[pkg]; c.Version != version || c.Unmatchable != "" {
					t.Errorf("%s = %+v, want version %s, matchable", pkg, c, version)
				}
			}
			for _, pkg := range tt.noPackage {
				if c, ok := got[pkg]; ok {
					t.Errorf("%s is a component (a subpath was dropped?): %+v", pkg, c)
				}
			}
		})
	}
}

func TestFileEntriesLeftOut(t *testing.T) {
	docs := map[string]string{
		"cdx.json": `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
			{"type": "file", "name": "go.mod", "components": [
				{"type": "library", "name": "inner", "version": "1", "purl": "pkg:npm/inner@1"}]},
			{"type": "FILE", "name": "/x/.github/workflows/ci.yaml"},
			{"type": "file", "name": "app.jar", "version": "2", "purl": "pkg:maven/org.x/app@2"},
			{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}]}`,
		"cdx.xml": `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>
			<component type="file"><name>go.mod</name><components>
				<component type="library"><name>inner</name><version>1</version><purl>pkg:npm/inner@1</purl></component></components></component>
			<component type="file"><name>/x/.github/workflows/ci.yaml</name></component>
			<component type="file"><name>app.jar</name><version>2</version><purl>pkg:maven/org.x/app@2</purl></component>
			<component type="library"><name>a</name><version>1</version><purl>pkg:npm/a@1</purl></component></components></bom>`,
		"spdx.json": `{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x", "dataLicense": "CC0-1.0",
			"documentNamespace": "https://x", "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: x"]},
			"packages": [
			{"SPDXID": "SPDXRef-dir", "name": "src-dir", "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "FILE"},
			{"SPDXID": "SPDXRef-inner", "name": "inner", "versionInfo": "1", "downloadLocation": "NOASSERTION",
			 "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/inner@1"}]},
			{"SPDXID": "SPDXRef-ci", "name": "ci.yaml", "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "FILE"},
			{"SPDXID": "SPDXRef-jar", "name": "app.jar", "versionInfo": "2", "downloadLocation": "NOASSERTION", "primaryPackagePurpose": "FILE",
			 "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:maven/org.x/app@2"}]},
			{"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1", "downloadLocation": "NOASSERTION",
			 "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1"}]}],
			"relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-dir"}]}`,
		"spdx3.json": `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
			{"type": "software_Package", "spdxId": "urn:dir", "name": "src-dir", "software_primaryPurpose": "file"},
			{"type": "software_Package", "spdxId": "urn:inner", "name": "inner", "software_packageVersion": "1", "software_packageUrl": "pkg:npm/inner@1"},
			{"type": "software_Package", "spdxId": "urn:ci", "name": "ci.yaml", "software_primaryPurpose": "file"},
			{"type": "software_Package", "spdxId": "urn:jar", "name": "app.jar", "software_packageVersion": "2", "software_primaryPurpose": "file", "software_packageUrl": "pkg:maven/org.x/app@2"},
			{"type": "software_Package", "spdxId": "urn:a", "name": "a", "software_packageVersion": "1", "software_packageUrl": "pkg:npm/a@1"}]}`,
	}
	for name, doc := range docs {
		sb, err := Parse(name, []byte(doc), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var names []string
		for _, c := range sb.Components {
			names = append(names, c.Name)
		}
		// A file entry with a purl names a package and stays; one nesting
		// packages still gives them.
		if got := strings.Join(names, ","); got != "inner,app.jar,a" || sb.FilesLeftOut != 2 {
			t.Errorf("%s: components %s, %d files left out; want inner,app.jar,a and 2", name, got, sb.FilesLeftOut)
		}
	}
	// A type that is not a string was never read, and is no error now.
	odd := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": 5, "name": "a"}, {"type": null, "name": "b"}]}`
	if sb, err := Parse("odd.cdx.json", []byte(odd), Options{}); err != nil || len(sb.Components) != 2 {
		t.Errorf("odd types: %+v, %v", sb, err)
	}
}

func TestMatchVersion(t *testing.T) {
	tests := []struct{ eco, pkg, version, purlVersion, want string }{
		{"Go", "stdlib", "go1.19.8", "1.19.8", "1.19.8"},   // syft
		{"Go", "stdlib", "go1.23.3", "go1.23.3", "1.23.3"}, // cyclonedx-gomod -std
		{"Go", "stdlib", "v1.19.8", "v1.19.8", "v1.19.8"},  // trivy
		{"Go", "toolchain", "go1.21", "", "1.21.0"},
		{"Go", "stdlib", "go1.21rc2", "", "1.21.0-rc.2"},
		{"Go", "stdlib", "go1.9beta1", "", "1.9.0-beta.1"},
		{"Go", "stdlib", "go1.22.1 X:boringcrypto", "", "1.22.1"},
		{"Go", "stdlib", "go1", "", "1.0.0"},
		{"Go", "stdlib", "devel go1.23-abcdef", "", "devel go1.23-abcdef"},
		// Only the standard library and the toolchain have release tags.
		{"Go", "example.com/go1", "go1.2.3", "", "go1.2.3"},
		{"npm", "stdlib", "go1.2.3", "", "go1.2.3"},
		// The purl's version where the component's does not parse.
		{"Go", "example.com/m", "(devel)", "v1.2.3", "v1.2.3"},
		{"npm", "a", "version one", "1.0.0", "1.0.0"},
		{"Go", "example.com/m", "(devel)", "(devel)", "(devel)"},
		{"Go", "example.com/m", "(devel)", "also bad", "(devel)"},
		// A version that parses is kept, whatever the purl says.
		{"npm", "a", "1.0.0", "2.0.0", "1.0.0"},
		{"PyPI", "a", "1.0", "1.0.0", "1.0"},
		// Ecosystems without an ordering keep the SBOM's text.
		{"GitHub Actions", "a/b", "v3", "v4", "v3"},
	}
	for _, tt := range tests {
		if got := matchVersion(tt.eco, tt.pkg, tt.version, tt.purlVersion); got != tt.want {
			t.Errorf("matchVersion(%s, %s, %q, %q) = %q, want %q", tt.eco, tt.pkg, tt.version, tt.purlVersion, got, tt.want)
		}
	}
}
