package nvd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sharedData = "../../../shared/data"

// dataDir returns the shared data directory sub, or skips the test when
// the data is not beside the repository.
func dataDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(sharedData, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/data not found: the NVD test data lives beside the repo; CI always has it")
	}
	return dir
}

// readFile reads a shared data file, failing the test on error.
func readFile(t testing.TB, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// jsonFiles lists the *.json files of dir, failing when there are fewer
// than least.
func jsonFiles(t testing.TB, dir string, least int) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) < least {
		t.Fatalf("%s: %d JSON files (%v), want at least %d", dir, len(files), err, least)
	}
	return files
}

// rawCounts is what a generic decode of a bare record says it holds, to
// check the typed decoder against.
type rawCounts struct {
	cvss, ssvc, configurations, cpeMatch, references, weaknesses int
	severities                                                   []string // stated base severity of each CVSS metric, lower case
}

func countRaw(t *testing.T, data []byte) rawCounts {
	t.Helper()
	var raw struct {
		Metrics        map[string][]map[string]json.RawMessage `json:"metrics"`
		Configurations []struct {
			Nodes []struct {
				CPEMatch []json.RawMessage `json:"cpeMatch"`
			} `json:"nodes"`
		} `json:"configurations"`
		References []json.RawMessage `json:"references"`
		Weaknesses []json.RawMessage `json:"weaknesses"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	var c rawCounts
	for key, list := range raw.Metrics {
		switch {
		case strings.HasPrefix(key, "cvssMetric"):
			for _, m := range list {
				c.cvss++
				var d struct {
					BaseSeverity string `json:"baseSeverity"`
				}
				_ = json.Unmarshal(m["cvssData"], &d)
				if d.BaseSeverity == "" {
					_ = json.Unmarshal(m["baseSeverity"], &d.BaseSeverity)
				}
				c.severities = append(c.severities, strings.ToLower(d.BaseSeverity))
			}
		case key == "ssvcV203":
			c.ssvc += len(list)
		}
	}
	c.configurations = len(raw.Configurations)
	for _, cf := range raw.Configurations {
		for _, n := range cf.Nodes {
			c.cpeMatch += len(n.CPEMatch)
		}
	}
	c.references, c.weaknesses = len(raw.References), len(raw.Weaknesses)
	return c
}
