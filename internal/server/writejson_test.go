package server_test

import (
	"encoding/json"
	"os"
	"testing"
)

// writeJSON writes v as a JSON file at path (the page walk's feed
// directory), failing the test when it cannot.
func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
