// Package examples holds the demo data vulndesk ships, written for the
// project: a few advisories in OSV format (IDs VDX-…, for packages that do
// exist, with made-up ranges), an NVD record in the CVE API 2.0 shape for
// one of the CVEs they alias, and the SBOM of a small web shop. `vulndesk
// serve` loads them on first start so a newcomer sees findings at once.
package examples

import "embed"

// FS holds advisories/*.json, nvd/*.json and sbom/*.json.
//
//go:embed advisories/*.json nvd/*.json sbom/*.json
var FS embed.FS
