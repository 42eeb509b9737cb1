package version

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// vectorDir holds osv-scalibr's semantic/testdata ordering vectors.
const vectorDir = "../../../shared/data/version-order/osv-scalibr"

// vectorEcosystems maps each vector file to the ecosystems that use it, as
// /work/shared/data/README.md ("version-order") lays out.
var vectorEcosystems = map[string][]string{
	"semver-versions.txt":              {"npm", "crates.io", "Go", "Hex"},
	"pypi-versions.txt":                {"PyPI"},
	"maven-versions.txt":               {"Maven"},
	"nuget-versions.txt":               {"NuGet"},
	"packagist-versions.txt":           {"Packagist"},
	"packagist-versions-generated.txt": {"Packagist"},
	"rubygems-versions.txt":            {"RubyGems"},
	"rubygems-versions-generated.txt":  {"RubyGems"},
	"debian-versions.txt":              {"Debian", "Ubuntu"},
	"alpine-versions.txt":              {"Alpine"},
	"redhat-versions.txt":              {"Red Hat"},
	"cran-versions.txt":                {"CRAN"},
	"cran-versions-generated.txt":      {"CRAN"},
	"pub-versions.txt":                 {"Pub"},
	"hackage-versions.txt":             {"Hackage"},
}

// dataDir returns dir, or skips the test when the shared conformance data
// is not beside the repository.
func dataDir(t testing.TB, dir string) string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	return dir
}

var opResult = map[string]int{"<": -1, "=": 0, ">": +1}

func TestOrderingVectors(t *testing.T) {
	dir := dataDir(t, vectorDir)
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	passed := map[string]int{}
	for _, path := range files {
		name := filepath.Base(path)
		ecos, ok := vectorEcosystems[name]
		if !ok {
			t.Errorf("%s: no ecosystem mapping for this vector file", name)
			continue
		}
		seen[name] = true
		for _, eco := range ecos {
			passed[eco] += runVectorFile(t, path, eco)
		}
	}
	for name := range vectorEcosystems {
		if !seen[name] {
			t.Errorf("vector file %s not found in %s", name, dir)
		}
	}
	ecos := make([]string, 0, len(passed))
	for eco := range passed {
		ecos = append(ecos, eco)
	}
	sort.Strings(ecos)
	for _, eco := range ecos {
		t.Logf("%-10s %6d comparisons passed (each checked both ways)", eco, passed[eco])
	}
}

// runVectorFile checks every "A OP B" line of path in eco, both ways, and
// returns how many lines passed.
func runVectorFile(t *testing.T, path, eco string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name, n, ok := filepath.Base(path), 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "// ") {
			continue
		}
		parts := strings.Split(line, " ")
		want, known := 0, false
		if len(parts) == 3 {
			want, known = opResult[parts[1]]
		}
		if !known {
			t.Errorf("%s:%d: malformed line %q", name, n, line)
			continue
		}
		a, b := parts[0], parts[2]
		got, err := Compare(eco, a, b)
		if err != nil {
			t.Errorf("%s:%d [%s]: %v", name, n, eco, err)
			continue
		}
		mirror, err := Compare(eco, b, a)
		if err != nil {
			t.Errorf("%s:%d [%s]: %v", name, n, eco, err)
			continue
		}
		if got != want || mirror != -want {
			t.Errorf("%s:%d [%s]: %q %s %q: Compare = %d, mirror = %d; want %d, %d",
				name, n, eco, a, parts[1], b, got, mirror, want, -want)
			continue
		}
		ok++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ok
}
