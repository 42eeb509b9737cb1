// Package csaftest validates documents against the CSAF 2.0 and OSV JSON
// schemas of the shared conformance data, for tests: the schemas' URLs
// (OASIS's and FIRST's CVSS schemas) are mapped to the local files.
package csaftest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Data is the shared conformance data directory, ../shared/data beside
// the repository (or /work/shared/data).
func Data() string {
	_, file, _, _ := runtime.Caller(0)
	for _, d := range []string{filepath.Join(filepath.Dir(file), "../../../../shared/data"), "/work/shared/data"} {
		if _, err := os.Stat(filepath.Join(d, "csaf")); err == nil {
			return d
		}
	}
	return ""
}

// DataOrSkip returns Data or skips the test when the data is absent.
func DataOrSkip(t testing.TB) string {
	t.Helper()
	d := Data()
	if d == "" {
		t.Skip("the shared conformance data (../shared/data/csaf) is absent: CSAF schema checks skipped")
	}
	return d
}

// Schema names.
const (
	CSAF     = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
	Provider = "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json"
	OSV      = "https://github.com/ossf/osv-schema/validation/schema.json"
)

// files maps the schemas' URLs to the data's files.
func files(data string) map[string]string {
	c := filepath.Join(data, "csaf/oasis-csaf-2.0")
	m := map[string]string{
		CSAF:     filepath.Join(c, "json_schema/csaf_json_schema.json"),
		Provider: filepath.Join(c, "json_schema/provider_json_schema.json"),
		"https://docs.oasis-open.org/csaf/csaf/v2.0/aggregator_json_schema.json": filepath.Join(c, "json_schema/aggregator_json_schema.json"),
		OSV: filepath.Join(data, "osv/osv-schema/schema.json"),
	}
	for _, v := range []string{"2.0", "3.0", "3.1"} {
		m["https://www.first.org/cvss/cvss-v"+v+".json"] = filepath.Join(c, "referenced_schema/first/cvss-v"+v+".json")
	}
	return m
}

type loader map[string]string

func (l loader) Load(url string) (any, error) {
	f, ok := l[strings.TrimSuffix(url, "#")]
	if !ok {
		return nil, fmt.Errorf("schema %s: not in the local data (no network in tests)", url)
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Validate checks doc against the schema named (CSAF, Provider, OSV),
// skipping the test when the data is absent.
func Validate(t testing.TB, schema string, doc []byte) error {
	t.Helper()
	data := DataOrSkip(t)
	mu.Lock()
	defer mu.Unlock()
	s, ok := compiled[schema]
	if !ok {
		c := jsonschema.NewCompiler()
		c.UseLoader(loader(files(data)))
		c.AssertFormat()
		var err error
		if s, err = c.Compile(schema); err != nil {
			t.Fatalf("compiling %s: %v", schema, err)
		}
		compiled[schema] = s
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}
