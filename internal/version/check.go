package version

import (
	"errors"
	"fmt"
	"strings"
)

// maxLen bounds the length of a version text. Real versions are far
// shorter (the longest Debian and Maven versions are well under 200
// bytes); the bound keeps hostile input from costing much.
const maxLen = 1024

// digitFirst lists ecosystems whose versions must begin with a digit, and
// whether a leading "v" may come before it (semantic's SemVer-like parsers
// skip it). semantic accepts any text at all as a SemVer version.
var digitFirst = map[string]bool{
	"npm": true, "crates.io": true, "Go": false, "Hex": true, "Pub": true,
	"NuGet": true, "Hackage": true, "SwiftURL": true, "Julia": true,
	"GHC": true, "RubyGems": false, "CRAN": false,
}

// dpkg lists ecosystems that use Debian's version syntax.
var dpkg = map[string]bool{"Debian": true, "Ubuntu": true}

// precheck rejects text that no ecosystem would call a version and applies
// the ecosystem's own syntax rules where semantic is lenient. It returns
// the text to hand to semantic: for Go, without the "v" that SBOM purls
// carry and OSV records do not ("v1.2.3" and "1.2.3" are the same version;
// pseudo-versions and "+incompatible" need nothing more, as SemVer already
// orders them). semantic's SemVer parser happens to skip a leading "v"
// itself; stripping it here does not rely on that, and lets "vv1.2.3"
// fail Go's digit check.
func precheck(base, s string) (string, error) {
	if s == "" {
		return "", errors.New("empty")
	}
	if len(s) > maxLen {
		return "", fmt.Errorf("longer than %d bytes", maxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return "", fmt.Errorf("space or control character %q at offset %d", c, i)
		}
	}
	if base == "Go" && len(s) > 1 && s[0] == 'v' {
		s = s[1:]
	}
	if allowV, ok := digitFirst[base]; ok {
		t := s
		if allowV {
			t = strings.TrimPrefix(s, "v")
		}
		if t == "" || t[0] < '0' || t[0] > '9' {
			return "", errors.New("does not start with a digit")
		}
	}
	if dpkg[base] {
		if err := checkDpkg(s); err != nil {
			return "", err
		}
	}
	return s, nil
}

// checkDpkg applies deb-version(7): [epoch:]upstream[-revision], the epoch
// a number, the upstream part starting with a digit, and only
// alphanumerics and . + ~ - (upstream) or . + ~ (revision) after it.
func checkDpkg(s string) error {
	rest := s
	if epoch, after, ok := strings.Cut(s, ":"); ok {
		if epoch == "" || strings.Trim(epoch, "0123456789") != "" {
			return fmt.Errorf("epoch %q is not a number", epoch)
		}
		rest = after
	}
	upstream, revision := rest, ""
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		upstream, revision = rest[:i], rest[i+1:]
		if revision == "" {
			return errors.New("empty revision after '-'")
		}
	}
	if upstream == "" || upstream[0] < '0' || upstream[0] > '9' {
		return errors.New("upstream version does not start with a digit")
	}
	for _, part := range []string{upstream, revision} {
		for i := 0; i < len(part); i++ {
			if !dpkgChar(part[i]) {
				return fmt.Errorf("character %q is not allowed", part[i])
			}
		}
	}
	return nil
}

func dpkgChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '+' || c == '~' || c == '-'
}
