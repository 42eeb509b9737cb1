package sbom

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestScanJSON(t *testing.T) {
	tests := []struct {
		name, doc string
		want      jsonShape
	}{
		{"CycloneDX", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a",
			"components": [{"components": [{}]}]}, {"hashes": [{}, {}]}], "metadata": {"component": {"components": [{}]}}}`,
			jsonShape{bomFormat: "CycloneDX", specVersion: "1.6", items: 5, nesting: 3, elements: 7, complete: true}},
		{"keys as encoding/json matches them", `{"BOMFORMAT": "CycloneDX", "spec\u0056ersion": "1.\u0035", "Components": [{}]}`,
			jsonShape{bomFormat: "CycloneDX", specVersion: "1.5", items: 1, nesting: 1, elements: 1, complete: true}},
		{"nested keys are not top-level", `{"metadata": {"bomFormat": "x", "spdxVersion": "y"}}`,
			jsonShape{complete: true}},
		{"SPDX 2", `{"spdxVersion": "SPDX-2.3", "packages": [{"name": "a"}, {"name": "b"}], "relationships": []}`,
			jsonShape{spdxVersion: "SPDX-2.3", items: 2, elements: 2, complete: true}},
		{"SPDX 3", `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "x"}]}`,
			jsonShape{context: true, graph: true, items: 1, elements: 1, complete: true}},
		{"strings with quotes and brackets", `{"a": "\"]}\\", "b": ["[{", "\\\\\"x"], "bomFormat": "CycloneDX"}`,
			jsonShape{bomFormat: "CycloneDX", elements: 2, complete: true}},
		{"scalars", `[1, -2.5e3, true, false, null, "s", {}, []]`, jsonShape{elements: 8, nulls: 1, complete: true}},
		{"null items", `{"packages": [{}, null], "x": [null]}`, jsonShape{items: 1, elements: 3, nulls: 2, nullItem: 18, complete: true}},
		{"truncated", `{"bomFormat": "CycloneDX", "components": [{"name": "a"`,
			jsonShape{bomFormat: "CycloneDX", items: 1, nesting: 1, elements: 1}},
		{"mismatched", `{"a": [}`, jsonShape{}},
		{"trailing garbage", `{} x`, jsonShape{}},
		{"scalar document", `"bomFormat"`, jsonShape{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanJSON([]byte(tt.doc)); got != tt.want {
				t.Errorf("scanJSON = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// checkScanComplete fails when the structural pass does not see the end
// of a well-formed JSON object or array: it must never cut short a
// document encoding/json accepts.
func checkScanComplete(t *testing.T, data []byte) {
	t.Helper()
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') || !json.Valid(data) {
		return
	}
	if sh := scanJSON(data); !sh.complete {
		t.Fatalf("scanJSON(%q) is not complete, but the JSON is valid", data)
	}
}

func TestHasLinePrefix(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{"SPDXVersion: SPDX-2.3\n", true},
		{"# comment\n  \tSPDXVersion: SPDX-2.2", true},
		{"\r\nSPDXVersion:", true},
		{"xSPDXVersion: SPDX-2.3", false},
		{"a: SPDXVersion: x\nb", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := hasLinePrefix([]byte(tt.data), "SPDXVersion:"); got != tt.want {
			t.Errorf("hasLinePrefix(%q) = %v, want %v", tt.data, got, tt.want)
		}
	}
}
