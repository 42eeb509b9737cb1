package sarif

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the parser arbitrary bytes, seeded with the shared logs
// and the tests' small ones: it must never panic, and every result it
// returns must carry a tool, a level, a rating and a full fingerprint.
func FuzzParse(f *testing.F) {
	f.Add(small(nil))
	f.Add([]byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [{"id": "a"}]}},
		"results": [{"rule": {"index": 5, "toolComponent": {"index": 3}}, "locations": [{"physicalLocation": {"artifactLocation": {"index": 9}}}]}]}]}`))
	if paths, err := filepath.Glob(filepath.Join(dataDir, "*", "*.sarif")); err == nil {
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			return
		}
		for _, r := range l.Results {
			if r.Tool == "" || r.Level == "" || r.Severity == "" || len(r.Fingerprint) != 64 {
				t.Fatalf("incomplete result %+v", r)
			}
		}
	})
}
