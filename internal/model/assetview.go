package model

import "time"

// AssetRow is an asset as the assets list shows it: with the size of its
// current inventory, its open findings and when its inventory last came.
type AssetRow struct {
	Asset
	// Components counts the current snapshot's components (0 without one).
	Components int
	// LastUpload is when the current snapshot was uploaded; zero without one.
	LastUpload time.Time
	// Open counts the asset's open findings; Critical and High those of
	// these severities among them.
	Open, Critical, High int
}

// SnapshotDiff is what changed from one snapshot of an asset to another.
type SnapshotDiff struct {
	From, To Snapshot
	// Added and Removed are the components of a package only one side has
	// (or the versions only one side has, when a side lists a package in
	// several versions and the other not in as many).
	Added, Removed []DiffComponent
	// Changed are the packages both have in another version.
	Changed []VersionChange
	// Unchanged counts the components both have in the same version.
	Unchanged int
	// Opened are the findings of the asset that affect To's components
	// and none of From's; Resolved those that affect From's and none of
	// To's (see store.SnapshotDiff for how they are told).
	Opened, Resolved []DiffFinding
}

// DiffComponent is a component added or removed.
type DiffComponent struct {
	Name, Version, PURL, Ecosystem string
}

// VersionChange is a package whose version changed between two snapshots.
type VersionChange struct {
	Name, Ecosystem, PURL string
	From, To              string
	// Direction is "upgraded", "downgraded", or "changed" when the
	// ecosystem's versions cannot be ordered (set by the service).
	Direction string
}

// DiffFinding is a finding opened or resolved between two snapshots.
type DiffFinding struct {
	ID                                 int64
	VulnID, Severity, Package, Version string
	Ecosystem, Status                  string
}
