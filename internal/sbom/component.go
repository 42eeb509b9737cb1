package sbom

import (
	"errors"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Reasons a component cannot be matched that are not a purl error.
const (
	reasonNoPURL    = "no package URL (purl) and no ecosystem"
	reasonNoVersion = "no version"
)

// newComponent returns the component of SBOM source with the given
// identity, its OSV ecosystem and package derived from purl, and the reason
// it cannot be matched, if any. An empty version is taken from the purl, and
// so is one that does not parse where the purl's does (see matchVersion).
func newComponent(source, ref, name, version, purl string) model.Component {
	c := model.Component{Ref: ref, Name: name, Version: version, PURL: purl, Source: source}
	if purl == "" {
		c.Unmatchable = reasonNoPURL
		return c
	}
	pkg, err := ecosystem.FromPURL(purl)
	if c.Version == "" {
		c.Version = pkg.Version
	}
	if c.Name == "" {
		c.Name = pkg.Name
	}
	if err != nil {
		c.Unmatchable = err.Error()
		// "purl type "generic" has no OSV ecosystem" without the purl in
		// front: the component shows its purl, and reports group by reason.
		if inner := errors.Unwrap(err); inner != nil && !strings.HasPrefix(c.Unmatchable, "malformed") {
			c.Unmatchable = inner.Error()
		}
		return c
	}
	c.Ecosystem, c.Package = pkg.Ecosystem, pkg.Name
	c.Version = matchVersion(c.Ecosystem, c.Package, c.Version, pkg.Version)
	if c.Version == "" {
		c.Unmatchable = reasonNoVersion
	}
	return c
}

// leaveOut reports whether an SBOM entry is left out of the components as
// a file: one that describes a file rather than a package (syft lists
// go.mod and workflow files so), counted in model.SBOM.FilesLeftOut. A
// file entry that gives a purl names a package after all and stays.
func leaveOut(isFile bool, purl string) bool { return isFile && purl == "" }

// isFileType reports whether a CycloneDX component type or an SPDX primary
// package purpose (any case) is "file".
func isFileType(typ string) bool { return strings.EqualFold(strings.TrimSpace(typ), "file") }

// cleanLicenses drops the empty and non-answer (NOASSERTION, NONE)
// licenses and the duplicates from list, keeping the order; it reuses
// list's array.
func cleanLicenses(list []string) []string {
	out := list[:0]
	var seen map[string]bool // for long lists, where a scan of out would be quadratic
	if len(list) > 8 {
		seen = make(map[string]bool, len(list))
	}
	for _, l := range list {
		switch {
		case l == "" || l == "NOASSERTION" || l == "NONE":
			continue
		case seen != nil:
			if seen[l] {
				continue
			}
			seen[l] = true
		case slices.Contains(out, l):
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// graphScopes says, for every node reachable from roots along edges,
// whether it is a direct dependency (one edge from a root) or a transitive
// one. Roots and unreachable nodes get no entry (model.ScopeUnknown); the
// result is nil when there is no graph to speak of.
func graphScopes(edges map[string][]string, roots []string) map[string]model.Scope {
	if len(edges) == 0 || len(roots) == 0 {
		return nil
	}
	scope := make(map[string]model.Scope, len(edges))
	visited := make(map[string]bool, len(edges))
	for _, r := range roots {
		visited[r] = true
	}
	frontier := roots
	for dist := 1; len(frontier) > 0; dist++ {
		var next []string
		for _, n := range frontier {
			for _, m := range edges[n] {
				if visited[m] {
					continue
				}
				visited[m] = true
				if dist == 1 {
					scope[m] = model.ScopeDirect
				} else {
					scope[m] = model.ScopeTransitive
				}
				next = append(next, m)
			}
		}
		frontier = next
	}
	return scope
}
