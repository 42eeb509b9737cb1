package version

import (
	"errors"
	"strings"
	"testing"
)

func mustParse(t *testing.T, eco, s string) Version {
	t.Helper()
	v, err := Parse(eco, s)
	if err != nil {
		t.Fatalf("Parse(%q, %q): %v", eco, s, err)
	}
	return v
}

func TestCompareTable(t *testing.T) {
	tests := []struct {
		eco, a, b string
		want      int
	}{
		// Go: SBOM purls carry "v", OSV records do not.
		{"Go", "v1.2.3", "1.2.3", 0},
		{"Go", "v1.2.3", "v1.2.4", -1},
		{"Go", "v0.0.0-20220906165146-f3363e06e74c", "0.0.0-20220906165146-f3363e06e74c", 0},
		{"Go", "v0.0.0-20220906165146-f3363e06e74c", "0.0.0-20221010000000-aaaaaaaaaaaa", -1},
		{"Go", "v0.0.0-20220906165146-f3363e06e74c", "0.1.0", -1},
		{"Go", "v2.0.0+incompatible", "2.0.0+incompatible", 0},
		{"Go", "v2.0.0+incompatible", "2.0.0", 0},
		{"Go", "v2.0.0+incompatible", "2.0.1", -1},
		{"Go", "v1.22.0-rc.1", "1.22.0", -1},
		// "0" is OSV's "from the beginning": never above another version.
		{"Go", "0", "v0.0.0-20220906165146-f3363e06e74c", -1},
		{"Go", "0", "0.0.0", 0},
		{"npm", "0", "0.0.0-alpha", -1},
		{"npm", "0", "0.0.1", -1},
		{"Debian", "0", "0~rc1", -1},
		{"Red Hat", "0", "0~rc1-1", -1},
		{"PyPI", "0", "0.dev1", -1},
		{"PyPI", "0", "0.0", 0},
		{"Maven", "0", "0.0.0", 0},
		{"Maven", "0", "0-alpha", -1},
		{"Alpine", "0", "0_alpha", -1},
		{"RubyGems", "0", "0.a", -1},
		{"Go", "0", "0", 0},
		// Ecosystem names in any case and with release suffixes.
		{"pypi", "1.0", "1.0.post1", -1},
		{"PYPI", "2!1.0", "3.0", +1},
		{" PyPI ", " 1.0 ", "1.0", 0},
		{"Debian:12", "1:1.0-1", "2.0-1", +1},
		{"debian:11", "1.0-1~deb11u1", "1.0-1", -1},
		{"Ubuntu:22.04:LTS", "2.4.52-1ubuntu4.3", "2.4.52-1ubuntu4.10", -1},
		{"Alpine:v3.20", "1.2.3-r0", "1.2.3-r1", -1},
		{"Red Hat:enterprise_linux:8", "1:1.0-1.el8", "1.1-1.el8", +1},
		{"Rocky Linux:9", "2.0-1.el9", "2.0-1.el9_1", -1},
		{"crates.io", "1.0.0", "1.0.0-beta.2", +1},
		{"maven", "1.0-SNAPSHOT", "1.0", -1},
		{"Packagist", "v1.0.0", "1.0.0", 0},
		{"NuGet", "1.0.0.0", "1.0.0", 0},
	}
	for _, tt := range tests {
		got, err := Compare(tt.eco, tt.a, tt.b)
		if err != nil {
			t.Errorf("Compare(%q, %q, %q): %v", tt.eco, tt.a, tt.b, err)
			continue
		}
		mirror, _ := Compare(tt.eco, tt.b, tt.a)
		if got != tt.want || mirror != -tt.want {
			t.Errorf("Compare(%q, %q, %q) = %d (mirror %d), want %d", tt.eco, tt.a, tt.b, got, mirror, tt.want)
		}
	}
}

func TestZeroParsesEverywhere(t *testing.T) {
	for eco := range supported {
		z := mustParse(t, eco, "0")
		if c := z.Compare(mustParse(t, eco, "0")); c != 0 {
			t.Errorf("%s: 0 vs 0 = %d", eco, c)
		}
		if c := z.Compare(mustParse(t, eco, "1")); c != -1 {
			t.Errorf("%s: 0 vs 1 = %d, want -1", eco, c)
		}
	}
	if len(supported) < 30 {
		t.Errorf("only %d ecosystems have an ordering: %v", len(supported), supported)
	}
}

func TestString(t *testing.T) {
	for _, s := range []string{"v1.2.3", " 1.0 ", "0", "1:2.4.47-2+b1"} {
		eco := "Go"
		if strings.Contains(s, ":") {
			eco = "Debian"
		}
		if got := mustParse(t, eco, s).String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
	}
	if got := mustParse(t, "debian:12", "1.0").Ecosystem(); got != "Debian" {
		t.Errorf("Ecosystem() = %q, want Debian", got)
	}
}

func TestHasOrdering(t *testing.T) {
	yes := []string{"PyPI", "pypi", "Debian:12", "Alpine:v3.20", "Ubuntu:22.04:LTS",
		"crates.io", "Red Hat", "Go", "npm", "Maven", "RubyGems", "Packagist", "Wolfi"}
	no := []string{"GitHub Actions", "Linux", "OSS-Fuzz", "Android", "opam", "", "NotAnEcosystem", "Git"}
	for _, eco := range yes {
		if !HasOrdering(eco) {
			t.Errorf("HasOrdering(%q) = false, want true", eco)
		}
	}
	for _, eco := range no {
		if HasOrdering(eco) {
			t.Errorf("HasOrdering(%q) = true, want false", eco)
		}
		_, err := Parse(eco, "1.0")
		if !errors.Is(err, ErrNoOrdering) {
			t.Errorf("Parse(%q, 1.0) error = %v, want ErrNoOrdering", eco, err)
		} else if !strings.Contains(err.Error(), `"`+eco+`"`) {
			t.Errorf("error %q does not name the ecosystem", err)
		}
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct{ eco, s string }{
		{"Go", ""},
		{"npm", "   "},
		{"npm", "abc"},
		{"Go", "vx1.2.3"},
		{"Go", "vv1.2.3"},
		{"Go", "v"},
		{"Go", "1.2.3\x00"},
		{"PyPI", "1 2"},
		{"PyPI", "1.0\x01"},
		{"Debian", "1.0-"},
		{"Debian", "a1.0"},
		{"Debian", "x:1.0"},
		{"Ubuntu", "1.0_1"},
		{"CRAN", "1.a"},
		{"Hackage", "1.0-beta"},
		{"RubyGems", "v1"},
		{"Maven", strings.Repeat("1", 2000)},
	}
	for _, tt := range tests {
		_, err := Parse(tt.eco, tt.s)
		if !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("Parse(%q, %q) error = %v, want ErrInvalidVersion", tt.eco, tt.s, err)
			continue
		}
		if len(tt.s) < 100 && !strings.Contains(err.Error(), tt.eco) {
			t.Errorf("error %q does not name the ecosystem", err)
		}
		if _, err := Compare(tt.eco, "1", tt.s); !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("Compare(%q, 1, %q) error = %v, want ErrInvalidVersion", tt.eco, tt.s, err)
		}
	}
}

func TestCompareAcrossEcosystems(t *testing.T) {
	a, b := mustParse(t, "npm", "1.0.0"), mustParse(t, "PyPI", "1.0.0")
	if x, y := a.Compare(b), b.Compare(a); x == 0 || x != -y {
		t.Errorf("cross-ecosystem Compare = %d / %d, want a consistent non-zero order", x, y)
	}
	var zero Version
	if c := zero.Compare(zero); c != 0 {
		t.Errorf("zero.Compare(zero) = %d", c)
	}
	if x, y := zero.Compare(a), a.Compare(zero); x != -1 || y != +1 {
		t.Errorf("zero vs npm = %d / %d, want -1 / +1", x, y)
	}
	// The release suffix does not split an ecosystem.
	if c := mustParse(t, "Debian:11", "1.0-1").Compare(mustParse(t, "Debian:12", "1.0-2")); c != -1 {
		t.Errorf("Debian:11 1.0-1 vs Debian:12 1.0-2 = %d, want -1", c)
	}
}
