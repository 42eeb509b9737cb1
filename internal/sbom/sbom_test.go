package sbom

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// sharedData returns the path of rel inside the shared conformance data,
// which tests read in place; it skips the test when the data is absent.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	const root = "../../../shared/data"
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	return filepath.Join(root, rel)
}

// sentinels are the errors every error of this package wraps one of.
var sentinels = []error{ErrTooLarge, ErrUnknownFormat, ErrInvalid}

// checkSentinel fails the test unless err wraps exactly one sentinel.
func checkSentinel(t testing.TB, err error) {
	t.Helper()
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q wraps %d sentinels, want exactly 1", err, n)
	}
}

// byName indexes components by name.
func byName(cs []model.Component) map[string]model.Component {
	m := make(map[string]model.Component, len(cs))
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

func TestParseErrors(t *testing.T) {
	truncated := "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"components\": [\n    {\"name\": \"a\""
	tests := []struct {
		name, data string
		kind       error
		want       []string // substrings of the message
	}{
		{"truncated JSON", truncated, ErrInvalid,
			[]string{"sbom.cdx.json: line 5, column 17: invalid CycloneDX JSON: unexpected end of input"}},
		{"JSON syntax", "{\"bomFormat\": \"CycloneDX\",\n \"components\": [}\n", ErrInvalid,
			[]string{"line 2, column 17: invalid CycloneDX JSON: invalid character '}'"}},
		{"JSON type", "{\"bomFormat\": \"CycloneDX\",\n\"components\": [{\"name\": 5}]}", ErrInvalid,
			[]string{"line 2, column ", "components.name: found a JSON number where a string is expected"}},
		{"truncated before format", "{\n  \"comp", ErrInvalid,
			[]string{"line 2, column 8: invalid JSON: unexpected end of input"}},
		{"DOCTYPE", "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components><component type=\"library\"><name>&e;</name></component></components></bom>",
			ErrInvalid, []string{"line 2: XML DOCTYPE declarations are not allowed (external entities / entity expansion)"}},
		{"XML syntax", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components>\n<component type=\"library\"><name>a</name></componen>\n</components></bom>",
			ErrInvalid, []string{"line 3", "invalid CycloneDX XML"}},
		{"XML not CycloneDX", "<html><body/></html>", ErrUnknownFormat, []string{"root element <html>"}},
		{"SPDX RDF", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>", ErrUnknownFormat, []string{"RDF/XML"}},
		{"empty", " \n", ErrUnknownFormat, []string{"empty file"}},
		{"text", "hello world\n", ErrUnknownFormat, []string{"not an SBOM"}},
		{"JSON array", "[1, 2]", ErrUnknownFormat, []string{"JSON array"}},
		{"JSON other", "{\"a\": 1}", ErrUnknownFormat, []string{"no bomFormat"}},
		{"other bomFormat", "{\"bomFormat\": \"Other\"}", ErrUnknownFormat, []string{`bomFormat "Other"`}},
		{"CycloneDX 2", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"2.0\"}", ErrInvalid, []string{`specVersion "2.0"`}},
		{"SPDX 3 as 2", "{\"spdxVersion\": \"SPDX-3.0\"}", ErrInvalid, []string{`unsupported spdxVersion "SPDX-3.0"`}},
		{"SPDX JSON bad id", "{\"spdxVersion\": \"SPDX-2.3\", \"SPDXID\": \"SPDXRef-DOCUMENT\",\n\"packages\": [\n  {\"SPDXID\": \"SPDXRef-a\", \"name\": \"a\"},\n  {\"SPDXID\": \"b\", \"name\": \"b\"}]}",
			ErrInvalid, []string{"line 4, column 3: invalid SPDX JSON: packages[1]: failed to parse ElementID: b"}},
		{"SPDX JSON bad type", "{\"spdxVersion\": \"SPDX-2.2\",\n\"packages\": [{\"SPDXID\": \"SPDXRef-a\", \"name\": \"a\", \"versionInfo\": 1}]}",
			ErrInvalid, []string{"line 2, column 14: invalid SPDX JSON: packages[0]: versionInfo: found a JSON number where a string is expected"}},
		{"SPDX JSON null package", "{\"spdxVersion\": \"SPDX-2.2\",\n\"packages\": [{\"SPDXID\": \"SPDXRef-a\"}, null]}",
			ErrInvalid, []string{"line 2, column 39: invalid SPDX JSON: null where a package should be"}},
		{"tag-value bad id", "SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\n\nPackageName: a\nSPDXID: a\n", ErrInvalid,
			[]string{"line 5: invalid SPDX tag-value"}},
		{"tag-value no colon", "SPDXVersion: SPDX-2.3\nno colon here\n", ErrInvalid, []string{"line 2: invalid SPDX tag-value: no colon"}},
		{"tag-value open text", "SPDXVersion: SPDX-2.3\nDocumentComment: <text>one\ntwo\n", ErrInvalid, []string{"line 2:", "never closed"}},
		{"tag-value version", "SPDXVersion: SPDX-1.2\n", ErrInvalid, []string{`unsupported SPDXVersion "SPDX-1.2"`}},
		{"SPDX YAML", "spdxVersion: SPDX-2.3\nname: x\n", ErrUnknownFormat, []string{"SPDX YAML is not supported"}},
		{"JSON-LD not SPDX", "{\"@context\": \"https://schema.org\", \"@graph\": []}", ErrUnknownFormat, []string{"not SPDX 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sbom.cdx.json", []byte(tt.data), Options{})
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			checkSentinel(t, err)
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %v", err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.cdx.json")
	if err := os.WriteFile(path, []byte(`{"bomFormat": "CycloneDX"`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 1<<30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Read(path, Options{MaxBytes: 1 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read = %v, want ErrTooLarge", err)
	}
	checkSentinel(t, err)
	if d := time.Since(start); d > time.Second {
		t.Errorf("Read took %v: it must refuse without reading", d)
	}
	if !strings.Contains(err.Error(), "1073741824 bytes is more than the limit of 1048576 bytes") {
		t.Errorf("error %q does not give the sizes", err)
	}
	// Parse enforces the limit as well, and 0 means DefaultMaxBytes.
	if _, err := Parse("x.json", make([]byte, 11), Options{MaxBytes: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse over MaxBytes = %v, want ErrTooLarge", err)
	}
	if (Options{}).maxBytes() != DefaultMaxBytes {
		t.Errorf("Options{}.maxBytes() = %d, want DefaultMaxBytes", Options{}.maxBytes())
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(filepath.Join(dir, "missing.json"), Options{})
	checkSentinel(t, err)
	if !errors.Is(err, ErrInvalid) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want ErrInvalid wrapping os.ErrNotExist", err)
	}
	_, err = Read(dir, Options{})
	checkSentinel(t, err)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Read(dir) = %v, want ErrInvalid", err)
	}
}

func TestUnmatchable(t *testing.T) {
	const doc = `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
		{"type": "library", "name": "nopurl", "version": "1.0"},
		{"type": "library", "name": "generic", "version": "1.0", "purl": "pkg:generic/generic@1.0"},
		{"type": "library", "name": "noversion", "purl": "pkg:npm/noversion"},
		{"type": "library", "name": "malformed", "version": "1", "purl": "npm/malformed@1"},
		{"type": "library", "name": "fromPurl", "purl": "pkg:pypi/frompurl@2.0"},
		{"type": "library", "name": "ok", "version": "3.0", "purl": "pkg:npm/ok@3.0"}]}`
	sb, err := Parse("inline.cdx.json", []byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, reason, eco, version string }{
		{"nopurl", "no package URL (purl) and no ecosystem", "", "1.0"},
		{"generic", `purl type "generic" has no OSV ecosystem`, "", "1.0"},
		{"noversion", "no version", "npm", ""},
		{"malformed", `malformed purl "npm/malformed@1"`, "", "1"},
		{"fromPurl", "", "PyPI", "2.0"},
		{"ok", "", "npm", "3.0"},
	}
	got := byName(sb.Components)
	if len(got) != len(tests) {
		t.Fatalf("got %d components, want %d (none dropped)", len(got), len(tests))
	}
	for _, tt := range tests {
		c := got[tt.name]
		if !strings.Contains(c.Unmatchable, tt.reason) || (tt.reason == "") != (c.Unmatchable == "") {
			t.Errorf("%s: Unmatchable = %q, want %q", tt.name, c.Unmatchable, tt.reason)
		}
		if c.Ecosystem != tt.eco || c.Version != tt.version {
			t.Errorf("%s: ecosystem, version = %q, %q; want %q, %q", tt.name, c.Ecosystem, c.Version, tt.eco, tt.version)
		}
		if c.Source != "inline.cdx.json" {
			t.Errorf("%s: Source = %q", tt.name, c.Source)
		}
	}
}

func TestScopesAndSubject(t *testing.T) {
	const cdxDoc = `{"bomFormat": "CycloneDX", "specVersion": "1.5",
	"metadata": {"component": {"bom-ref": "app", "name": "app", "version": "1.0", "type": "application",
		"components": [{"bom-ref": "part", "name": "part", "type": "library"}]}},
	"components": [
		{"bom-ref": "a", "name": "a", "version": "1", "purl": "pkg:npm/a@1",
		 "components": [{"bom-ref": "a1", "name": "a1", "version": "1", "purl": "pkg:npm/a1@1"}]},
		{"bom-ref": "b", "name": "b", "version": "1", "purl": "pkg:npm/b@1", "hashes": [{"alg": "SHA-256", "content": "ab"}],
		 "licenses": [{"license": {"id": "MIT"}}, {"license": {"name": "Custom"}}, {"expression": "MIT OR Apache-2.0"}], "cpe": "cpe:2.3:a:b:b:1:*:*:*:*:*:*:*"},
		{"bom-ref": "c", "name": "c", "version": "1", "purl": "pkg:npm/c@1"},
		{"bom-ref": "a", "name": "a-duplicate", "version": "1"}],
	"dependencies": [{"ref": "app", "dependsOn": ["a"]}, {"ref": "a", "dependsOn": ["b", "app"]}]}`
	sb, err := Parse("scopes.cdx.json", []byte(cdxDoc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sb.Subject != "app@1.0" || sb.Format != "CycloneDX 1.5 JSON" || sb.Path != "scopes.cdx.json" {
		t.Errorf("Subject, Format, Path = %q, %q, %q", sb.Subject, sb.Format, sb.Path)
	}
	var names []string
	for _, c := range sb.Components {
		names = append(names, c.Name)
	}
	if want := []string{"a", "a1", "b", "c", "part"}; !slices.Equal(names, want) {
		t.Errorf("components %q, want %q (nested flattened, duplicate bom-ref dropped, subject not a component)", names, want)
	}
	got := byName(sb.Components)
	for name, want := range map[string]model.Scope{"a": model.ScopeDirect, "b": model.ScopeTransitive,
		"a1": model.ScopeUnknown, "c": model.ScopeUnknown} {
		if got[name].Scope != want {
			t.Errorf("%s: Scope = %q, want %q", name, got[name].Scope, want)
		}
	}
	b := got["b"]
	if !slices.Equal(b.Licenses, []string{"MIT", "Custom", "MIT OR Apache-2.0"}) ||
		len(b.Hashes) != 1 || b.Hashes[0] != (model.Hash{Algorithm: "SHA-256", Value: "ab"}) ||
		!slices.Equal(b.CPEs, []string{"cpe:2.3:a:b:b:1:*:*:*:*:*:*:*"}) || b.Ref != "b" {
		t.Errorf("b = %+v", b)
	}

	// Without a dependency graph every scope is unknown.
	sb, err = Parse("x.json", []byte(`{"bomFormat": "CycloneDX", "metadata": {"component": {"bom-ref": "app", "name": "app"}},
		"components": [{"bom-ref": "a", "name": "a"}]}`), Options{})
	if err != nil || sb.Components[0].Scope != model.ScopeUnknown || sb.Format != "CycloneDX JSON" {
		t.Errorf("no graph: %+v, %v", sb, err)
	}
}
