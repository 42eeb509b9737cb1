// Package model holds the domain types that the scan engine's packages share:
// components read from SBOMs and the findings matched against them. It
// depends on the standard library only.
package model

// Scope says whether a component is a direct dependency of the SBOM's subject.
type Scope string

// Scopes a component can have; ScopeUnknown when the SBOM does not say.
const (
	ScopeUnknown    Scope = ""
	ScopeDirect     Scope = "direct"
	ScopeTransitive Scope = "transitive"
)

// Scopes lists the scopes an SBOM can state; ScopeUnknown is the absence
// of one.
var Scopes = []Scope{ScopeDirect, ScopeTransitive}

// Hash is one checksum of a component as the SBOM states it.
type Hash struct {
	Algorithm string `json:"algorithm" doc:"the hash algorithm as the SBOM names it (SHA-256, SHA-1, …)"`
	Value     string `json:"value" doc:"the checksum as the SBOM gives it"`
}

// Component is one package of one SBOM.
type Component struct {
	// Ref identifies the component inside its SBOM (CycloneDX bom-ref,
	// SPDX SPDXID); it may be empty when the SBOM gives none.
	Ref     string `json:"ref,omitempty" doc:"identifies the component inside its SBOM (CycloneDX bom-ref, SPDX SPDXID); absent when the SBOM gives none"`
	Name    string `json:"name" doc:"the component's name as the SBOM states it"`
	Version string `json:"version,omitempty" doc:"its version as the SBOM states it; absent when it states none"`
	// PURL is the package URL exactly as the SBOM states it.
	PURL string `json:"purl,omitempty" doc:"its package URL exactly as the SBOM states it; absent when none"`
	// Ecosystem is the OSV ecosystem ("PyPI", "Go", "Debian:12"), derived
	// from the purl; empty when it cannot be known.
	Ecosystem string `json:"ecosystem,omitempty" doc:"the OSV ecosystem derived from the purl (PyPI, Go, npm, Debian:12, …); absent when it cannot be known"`
	// Package is the package name in OSV terms ("github.com/x/y",
	// "org.group:artifact", "@scope/name"), not yet normalised.
	Package  string   `json:"package,omitempty" doc:"the package name in OSV terms (github.com/x/y, org.group:artifact, @scope/name); absent when it cannot be known"`
	CPEs     []string `json:"cpes,omitempty" doc:"the CPE names the SBOM states for it"`
	Hashes   []Hash   `json:"hashes,omitempty" doc:"the checksums the SBOM states for it"`
	Licenses []string `json:"licenses,omitempty" doc:"the licenses the SBOM states for it"`
	Scope    Scope    `json:"scope,omitempty" doc:"whether it is a direct or a transitive dependency of the SBOM's subject; absent when the SBOM does not say"`
	// Source is the path of the SBOM the component came from.
	Source string `json:"source,omitempty" doc:"the path of the SBOM file it came from, in scan reports; the API leaves it out (the snapshot says)"`
	// Unmatchable says why the component cannot be matched against
	// advisories (no purl, unknown ecosystem, no version); empty when it can.
	Unmatchable string `json:"unmatchable,omitempty" doc:"why it cannot be matched against advisories (no purl, unknown ecosystem, no version); absent when it can"`
}

// SBOM is one parsed SBOM document.
type SBOM struct {
	Path string `json:"path"`
	// Format names the format and spec version, e.g. "CycloneDX 1.5 JSON".
	Format string `json:"format"`
	// Subject names what the SBOM describes, when it says.
	Subject    string      `json:"subject,omitempty"`
	Components []Component `json:"components"`
	// FilesLeftOut counts the entries that are not in Components because
	// they describe files, not packages (CycloneDX components of type file,
	// SPDX packages whose primary purpose is FILE) and carry no purl.
	FilesLeftOut int `json:"files_left_out,omitempty"`
}
