// Package version orders package versions the way each OSV ecosystem does
// (PEP 440 for PyPI, dpkg for Debian, rpmvercmp for Red Hat, SemVer for npm
// and Go, …). It wraps osv-scalibr's semantic package and adds what a
// vulnerability matcher needs on top: ecosystem names in any case and with a
// release suffix, SBOM spellings of Go versions ("v1.2.3"), OSV's
// `introduced: "0"`, errors instead of panics, and a Version value that is
// parsed once and compared many times.
package version

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/vulndesk/vulndesk/internal/ecosystem"
)

// Sentinel errors; the errors Parse and Compare return wrap one of them and
// name the ecosystem and the version.
var (
	// ErrNoOrdering: the ecosystem is unknown or has no version ordering.
	ErrNoOrdering = errors.New("ecosystem has no version ordering")
	// ErrInvalidVersion: the text is not a version of the ecosystem.
	ErrInvalidVersion = errors.New("invalid version")
)

// Version is a parsed version of one ecosystem. It is a small value that
// can be copied freely and compared many times without re-parsing. The zero
// Version belongs to no ecosystem.
type Version struct {
	eco  string           // canonical base ecosystem, e.g. "Debian"
	text string           // the text as given to Parse
	sv   semantic.Version // nil only for a "0" that semantic rejects
	// zero marks the text "0", OSV's `introduced: "0"`: it never sorts
	// above another version.
	zero bool
}

// Parse parses s as a version of the ecosystem eco. eco may be in any case
// and carry a release suffix ("pypi", "Debian:12", "Alpine:v3.20"). Spaces
// around s are ignored; String still returns s as given.
//
// The text "0" is OSV's "from the beginning" (the OSV schema: "0" sorts
// before every version). It compares as the ecosystem's 0 except that it
// is never greater than another version: the pre-releases of 0 that the
// ecosystem orders below 0 (Go pseudo-versions "v0.0.0-2022…",
// "0.0.0-alpha", dpkg "0~rc1") sort above it, while the spellings the
// ecosystem holds equal to 0 ("0.0.0", Maven "0-final-ga") stay equal to
// it. The ordering vectors require the latter, OSV the former, so among
// pre-releases of 0, "0" and another spelling of 0 the order is not
// transitive ("0" < "0.0.0-alpha" < "0.0.0" = "0"); nothing else is
// affected.
func Parse(eco, s string) (Version, error) {
	base, ok := ordered(eco)
	if !ok {
		return Version{}, fmt.Errorf("%w: ecosystem %q (version %q)", ErrNoOrdering, eco, s)
	}
	t := strings.TrimSpace(s)
	if t == "0" {
		// semantic parses "0" in every ecosystem it supports today; should
		// that change, the zero flag alone still orders it below all others.
		return Version{eco: base, text: s, sv: zeros[base], zero: true}, nil
	}
	t, err := precheck(base, t)
	if err != nil {
		return Version{}, fmt.Errorf("%w: %s version %q: %w", ErrInvalidVersion, base, s, err)
	}
	sv, err := parseSemantic(base, t)
	if err != nil {
		return Version{}, fmt.Errorf("%w: %s version %q: %w", ErrInvalidVersion, base, s, err)
	}
	return Version{eco: base, text: s, sv: sv}, nil
}

// parseSemantic calls semantic.Parse and turns a panic into an error:
// semantic is written for well-formed input, and Parse must never panic
// whatever text an SBOM or advisory holds.
func parseSemantic(base, s string) (sv semantic.Version, err error) {
	defer func() {
		if r := recover(); r != nil {
			sv, err = nil, fmt.Errorf("parser panicked: %v", r)
		}
	}()
	return semantic.Parse(s, base)
}

// String returns the version's text exactly as it was given to Parse.
func (v Version) String() string { return v.text }

// Ecosystem returns the canonical base ecosystem the version belongs to.
func (v Version) Ecosystem() string { return v.eco }

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w
// in their ecosystem's order. Release suffixes do not matter ("Debian:11"
// and "Debian:12" versions compare normally).
//
// Versions of different ecosystems (or a zero Version) have no common
// order: Compare then orders by ecosystem name and then by text, which is
// consistent and never panics but means nothing; callers must not mix
// ecosystems.
func (v Version) Compare(w Version) int {
	if v.eco != w.eco || v.eco == "" {
		if c := strings.Compare(v.eco, w.eco); c != 0 {
			return c
		}
		return strings.Compare(v.text, w.text)
	}
	switch {
	case v.zero && w.zero:
		return 0
	case v.zero && v.sv == nil:
		return -1
	case w.zero && w.sv == nil:
		return +1
	}
	c := compareSemantic(v, w)
	if v.zero && c > 0 {
		return -1
	}
	if w.zero && c < 0 {
		return +1
	}
	return c
}

// compareSemantic compares two parsed versions of the same ecosystem and
// normalises the result to -1/0/+1. semantic only fails when the versions
// are of different ecosystems, which Compare has ruled out; should it fail
// or panic anyway, the texts are compared so that the order stays total.
func compareSemantic(v, w Version) (c int) {
	defer func() {
		if recover() != nil {
			c = strings.Compare(v.text, w.text)
		}
	}()
	c, err := v.sv.Compare(w.sv)
	if err != nil {
		return strings.Compare(v.text, w.text)
	}
	return sign(c)
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return +1
	}
	return 0
}

// Compare parses a and b as versions of eco and compares them.
func Compare(eco, a, b string) (int, error) {
	va, err := Parse(eco, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(eco, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// HasOrdering reports whether eco (any case, with or without a release
// suffix) is a known OSV ecosystem whose versions can be ordered.
func HasOrdering(eco string) bool {
	_, ok := ordered(eco)
	return ok
}

// supported holds the OSV ecosystems that semantic can order, and zeros
// their parsed "0"; both are found by asking semantic about each known
// ecosystem once.
var supported, zeros = func() (map[string]bool, map[string]semantic.Version) {
	m := make(map[string]bool, len(ecosystem.Known))
	z := make(map[string]semantic.Version, len(ecosystem.Known))
	for _, k := range ecosystem.Known {
		sv, err := parseSemantic(k, "0")
		if errors.Is(err, semantic.ErrUnsupportedEcosystem) {
			continue
		}
		m[k] = true
		if err == nil {
			z[k] = sv
		}
	}
	return m, z
}()

// ordered returns the canonical base name of eco and whether it has an
// ordering.
func ordered(eco string) (string, bool) {
	c, ok := ecosystem.Canonical(eco)
	if !ok {
		return "", false
	}
	base, _ := ecosystem.Split(c)
	return base, supported[base]
}
