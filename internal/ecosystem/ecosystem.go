// Package ecosystem knows the OSV ecosystems: their canonical names, the
// release suffixes some of them carry ("Debian:12", "Alpine:v3.20"), how each
// normalises package names, and how a package URL maps onto them.
package ecosystem

import (
	"strings"
)

// Known lists the OSV ecosystem names (osv-schema ecosystems.json).
var Known = []string{
	"AlmaLinux", "Alpaquita", "Alpine", "Android", "Azure Linux",
	"BellSoft Hardened Containers", "Bioconductor", "Bitnami", "Chainguard",
	"CleanStart", "ConanCenter", "CRAN", "crates.io", "Debian",
	"Docker Hardened Images", "Echo", "FreeBSD", "GHC", "GitHub Actions", "Go",
	"Hackage", "Hex", "Julia", "Kubernetes", "Linux", "Mageia", "Maven",
	"MinimOS", "npm", "NuGet", "opam", "openEuler", "openSUSE", "OSS-Fuzz",
	"Packagist", "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux", "Root",
	"RubyGems", "SUSE", "SwiftURL", "TuxCare", "Ubuntu", "VSCode", "Wolfi",
}

var byFold = func() map[string]string {
	m := make(map[string]string, len(Known))
	for _, k := range Known {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// Split separates an ecosystem string into its base name and release
// suffix: "Debian:12" → ("Debian", "12"); "PyPI" → ("PyPI", "").
func Split(eco string) (base, release string) {
	base, release, _ = strings.Cut(eco, ":")
	return base, release
}

// Canonical returns the canonical spelling of an ecosystem name (any case,
// with or without a release suffix) and whether the base name is a known
// OSV ecosystem. An unknown base is returned unchanged.
func Canonical(eco string) (string, bool) {
	base, release := Split(strings.TrimSpace(eco))
	c, ok := byFold[strings.ToLower(base)]
	if !ok {
		return eco, false
	}
	if release != "" {
		return c + ":" + release, true
	}
	return c, true
}

// NormalizeName returns the form of a package name under which two spellings
// of the same package compare equal in the given ecosystem (base or with a
// release suffix): PEP 503 for PyPI, lower case where the registry is case
// insensitive, unchanged where case matters (RubyGems). Go module paths are
// folded too: purl tools lower-case them (packageurl-go does), and the hosts
// behind them (GitHub) do not tell case-variants apart.
func NormalizeName(eco, name string) string {
	base, _ := Split(eco)
	if c, ok := byFold[strings.ToLower(base)]; ok {
		base = c
	}
	name = strings.TrimSpace(name)
	switch base {
	case "PyPI":
		return pep503(name)
	case "npm", "NuGet", "Packagist", "Maven", "crates.io", "Hex", "Pub",
		"Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "Alpaquita",
		"MinimOS", "BellSoft Hardened Containers", "ConanCenter", "Bitnami",
		"GitHub Actions", "SwiftURL", "Go":
		return strings.ToLower(name)
	}
	return name
}

// pep503 lower-cases a Python package name and folds every run of '-', '_'
// and '.' into one '-', as PEP 503's re.sub(r"[-_.]+", "-", name).lower()
// does (a leading or trailing run too, though valid names have none).
func pep503(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		}
		sep = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
