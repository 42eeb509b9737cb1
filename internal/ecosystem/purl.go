package ecosystem

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Package is what a package URL says in OSV terms.
type Package struct {
	Ecosystem string // OSV ecosystem, with a release suffix where known
	Name      string // OSV package name, not normalised
	Version   string
}

// purlTypes maps purl types whose name maps directly onto one OSV ecosystem.
var purlTypes = map[string]string{
	"pypi":     "PyPI",
	"npm":      "npm",
	"maven":    "Maven",
	"golang":   "Go",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"nuget":    "NuGet",
	"composer": "Packagist",
	"hex":      "Hex",
	"pub":      "Pub",
	"hackage":  "Hackage",
	"cran":     "CRAN",
	"swift":    "SwiftURL",
	"conan":    "ConanCenter",
	"bitnami":  "Bitnami",
	"julia":    "Julia",
	"opam":     "opam",
}

// ForPURLType returns the OSV ecosystem a purl type names directly
// ("golang" → "Go"), and whether there is one.
func ForPURLType(t string) (string, bool) {
	eco, ok := purlTypes[t]
	return eco, ok
}

// FromPURL parses a package URL and says which OSV ecosystem and package it
// names. It fails when the purl is malformed or its type (or, for OS
// packages, its namespace) has no OSV ecosystem.
func FromPURL(s string) (Package, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return Package{}, fmt.Errorf("malformed purl %q: %w", s, err)
	}
	pkg, err := FromParsedPURL(p)
	if err != nil {
		return pkg, fmt.Errorf("purl %q: %w", s, err)
	}
	if pkg.Ecosystem == "Go" && pkg.Name != "stdlib" {
		// packageurl-go lower-cases golang paths; reports should show the
		// module path as written (matching folds case anyway).
		if name, ok := rawGoPath(s); ok && strings.EqualFold(name, pkg.Name) {
			pkg.Name = name
		}
	}
	return pkg, nil
}

// rawGoPath takes the module path out of a golang purl without changing
// its case: the part between "pkg:golang/" and "@", "?" or "#", then the
// subpath after "#", each unescaped.
func rawGoPath(s string) (string, bool) {
	const prefix = "pkg:golang/"
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	rest, subpath, _ := strings.Cut(s[len(prefix):], "#")
	if i := strings.IndexAny(rest, "@?"); i >= 0 {
		rest = rest[:i]
	}
	name, err := url.PathUnescape(strings.Trim(rest, "/"))
	if err != nil {
		return "", false
	}
	for _, seg := range strings.Split(subpath, "/") {
		if seg == "" || seg == "." || seg == ".." {
			continue // dropped, as the purl spec and packageurl-go do
		}
		seg, err := url.PathUnescape(seg)
		if err != nil {
			return "", false
		}
		name += "/" + seg
	}
	return name, true
}

// FromParsedPURL is FromPURL for a purl that is already parsed.
func FromParsedPURL(p packageurl.PackageURL) (Package, error) {
	pkg := Package{Version: p.Version}
	typ := strings.ToLower(p.Type)
	if eco, ok := purlTypes[typ]; ok {
		pkg.Ecosystem = eco
		switch typ {
		case "maven":
			pkg.Name = p.Namespace + ":" + p.Name
			if p.Namespace == "" {
				pkg.Name = p.Name
			}
		case "golang":
			// A Go module path is namespace/name/subpath: syft 1.20 writes
			// github.com/jackc/pgx/v5 as pkg:golang/github.com/jackc/pgx#v5,
			// and github.com/jackc/pgx is another module with other advisories.
			pkg.Name = join(p.Namespace, p.Name)
			if sub := strings.Trim(p.Subpath, "/"); sub != "" {
				pkg.Name += "/" + sub
			}
			// Go's own SBOM tools name the standard library "std";
			// OSV calls it "stdlib".
			if pkg.Name == "std" {
				pkg.Name = "stdlib"
			}
		case "npm", "composer", "swift":
			pkg.Name = join(p.Namespace, p.Name)
		default:
			pkg.Name = p.Name
		}
		return pkg, nil
	}
	q := p.Qualifiers.Map()
	switch typ {
	case "deb":
		pkg.Name = p.Name
		switch strings.ToLower(p.Namespace) {
		case "debian":
			pkg.Ecosystem = withRelease("Debian", debianRelease(q["distro"]))
		case "ubuntu":
			pkg.Ecosystem = withRelease("Ubuntu", ubuntuRelease(q["distro"]))
		default:
			return pkg, fmt.Errorf("deb namespace %q has no OSV ecosystem", p.Namespace)
		}
	case "apk":
		pkg.Name = p.Name
		switch strings.ToLower(p.Namespace) {
		case "alpine":
			pkg.Ecosystem = withRelease("Alpine", alpineRelease(q["distro"]))
		case "wolfi":
			pkg.Ecosystem = "Wolfi"
		case "chainguard":
			pkg.Ecosystem = "Chainguard"
		default:
			return pkg, fmt.Errorf("apk namespace %q has no OSV ecosystem", p.Namespace)
		}
	case "rpm":
		pkg.Name = p.Name
		eco, ok := rpmVendors[strings.ToLower(p.Namespace)]
		if !ok {
			return pkg, fmt.Errorf("rpm namespace %q has no OSV ecosystem", p.Namespace)
		}
		pkg.Ecosystem = eco
	default:
		return pkg, fmt.Errorf("purl type %q has no OSV ecosystem", p.Type)
	}
	return pkg, nil
}

var rpmVendors = map[string]string{
	"redhat":      "Red Hat",
	"almalinux":   "AlmaLinux",
	"rocky-linux": "Rocky Linux",
	"rocky":       "Rocky Linux",
	"opensuse":    "openSUSE",
	"suse":        "SUSE",
	"openeuler":   "openEuler",
	"mageia":      "Mageia",
}

func join(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func withRelease(base, release string) string {
	if release == "" {
		return base
	}
	return base + ":" + release
}

var debianCodenames = map[string]string{
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
	"stretch": "9", "jessie": "8", "wheezy": "7",
}

// debianRelease turns a purl distro qualifier ("debian-12", "bookworm",
// "12") into OSV's Debian release suffix ("12").
func debianRelease(distro string) string {
	d := strings.ToLower(strings.TrimPrefix(strings.ToLower(distro), "debian-"))
	if n, ok := debianCodenames[d]; ok {
		return n
	}
	if i := strings.IndexByte(d, '.'); i > 0 {
		d = d[:i]
	}
	return d
}

// ubuntuRelease turns "ubuntu-22.04" into "22.04".
func ubuntuRelease(distro string) string {
	return strings.TrimPrefix(strings.ToLower(distro), "ubuntu-")
}

// alpineRelease turns "alpine-3.20.1" or "3.20" into OSV's "v3.20".
func alpineRelease(distro string) string {
	d := strings.TrimPrefix(strings.ToLower(distro), "alpine-")
	d = strings.TrimPrefix(d, "v")
	if d == "" {
		return ""
	}
	parts := strings.SplitN(d, ".", 3)
	if len(parts) >= 2 {
		d = parts[0] + "." + parts[1]
	}
	return "v" + d
}
