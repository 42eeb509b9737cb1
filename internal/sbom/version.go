package sbom

import (
	"regexp"
	"strings"

	"github.com/vulndesk/vulndesk/internal/version"
)

// matchVersion is the version a component is matched by. It is the version
// the SBOM gives, except that
//   - a Go release tag of the standard library or the toolchain is read as
//     the release it names ("go1.19.8" → "1.19.8"), as OSV's Go advisories
//     write it: syft writes stdlib "go1.19.8", cyclonedx-gomod std
//     "go1.23.3";
//   - where that version does not parse in the ecosystem and the purl's
//     version does, the purl's is taken (syft's stdlib version "go1.19.8"
//     has the purl version "1.19.8").
//
// Only a component whose two versions differ, or a Go tag, is parsed here;
// the rest is parsed once, by matching.
func matchVersion(eco, pkg, v, purlVersion string) string {
	if r, ok := goRelease(eco, pkg, v); ok {
		return r
	}
	if purlVersion == "" || purlVersion == v || !version.HasOrdering(eco) {
		return v
	}
	if _, err := version.Parse(eco, v); err == nil {
		return v
	}
	if r, ok := goRelease(eco, pkg, purlVersion); ok {
		return r
	}
	if _, err := version.Parse(eco, purlVersion); err == nil {
		return purlVersion
	}
	return v
}

// goReleaseTag matches the release tags of Go (runtime.Version, go.mod's
// toolchain line): go1.19.8, go1.21, go1.21rc2, go1.9beta1.
var goReleaseTag = regexp.MustCompile(`^go(\d+\.\d+)(\.\d+)?(?:(beta|rc)(\d+))?$`)

// goRelease reads the release tag of Go's standard library or toolchain
// as the semantic version OSV's Go advisories use, as golang/vuln does
// (GoTagToSemver, without its "v"): go1.19.8 → 1.19.8, go1.21 → 1.21.0,
// go1.21rc2 → 1.21.0-rc.2. Anything after the tag and a space
// ("go1.22.1 X:boringcrypto") is dropped. ok is false for other
// ecosystems and packages, and for text that is no such tag.
func goRelease(eco, pkg, tag string) (string, bool) {
	if eco != "Go" || (pkg != "stdlib" && pkg != "toolchain") {
		return "", false
	}
	if f := strings.Fields(tag); len(f) > 0 {
		tag = f[0]
	}
	if tag == "go1" {
		return "1.0.0", true
	}
	m := goReleaseTag.FindStringSubmatch(tag)
	if m == nil {
		return "", false
	}
	v := m[1]
	if m[2] != "" {
		v += m[2]
	} else {
		v += ".0"
	}
	if m[3] != "" {
		v += "-" + m[3] + "." + m[4]
	}
	return v, true
}
