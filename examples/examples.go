// Package examples holds the demo data vulndesk ships, written for the
// project: a few advisories in OSV format (IDs VDX-…, for packages that do
// exist, with made-up ranges) and the SBOM of a small web shop. `vulndesk
// serve` loads them on first start so a newcomer sees findings at once.
package examples

import "embed"

// FS holds advisories/*.json and sbom/*.json.
//
//go:embed advisories/*.json sbom/*.json
var FS embed.FS
