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

// Hash is one checksum of a component as the SBOM states it.
type Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// Component is one package of one SBOM.
type Component struct {
	// Ref identifies the component inside its SBOM (CycloneDX bom-ref,
	// SPDX SPDXID); it may be empty when the SBOM gives none.
	Ref     string `json:"ref,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// PURL is the package URL exactly as the SBOM states it.
	PURL string `json:"purl,omitempty"`
	// Ecosystem is the OSV ecosystem ("PyPI", "Go", "Debian:12"), derived
	// from the purl; empty when it cannot be known.
	Ecosystem string `json:"ecosystem,omitempty"`
	// Package is the package name in OSV terms ("github.com/x/y",
	// "org.group:artifact", "@scope/name"), not yet normalised.
	Package  string   `json:"package,omitempty"`
	CPEs     []string `json:"cpes,omitempty"`
	Hashes   []Hash   `json:"hashes,omitempty"`
	Licenses []string `json:"licenses,omitempty"`
	Scope    Scope    `json:"scope,omitempty"`
	// Source is the path of the SBOM the component came from.
	Source string `json:"source,omitempty"`
	// Unmatchable says why the component cannot be matched against
	// advisories (no purl, unknown ecosystem, no version); empty when it can.
	Unmatchable string `json:"unmatchable,omitempty"`
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
