package model

import "time"

// Snapshot is one immutable inventory of an asset: the components of one
// SBOM as it was uploaded. The newest is the asset's current inventory;
// older ones stay, so "what ran where, when" can be answered.
type Snapshot struct {
	ID         int64     `json:"id" doc:"the snapshot's ID"`
	AssetID    int64     `json:"asset_id" doc:"the ID of the asset it is an inventory of"`
	Format     string    `json:"format" doc:"the SBOM's format and spec version as detected, e.g. CycloneDX 1.5 JSON"`
	Subject    string    `json:"subject,omitempty" doc:"what the SBOM says it describes (its root component or document name); absent when it does not say"`
	Source     string    `json:"source,omitempty" doc:"the file name recorded with the upload (the source parameter or the multipart file name), at most 255 characters; absent when none was given"`
	SHA256     string    `json:"sha256" doc:"SHA-256 of the uploaded SBOM bytes, lowercase hex"`
	Components int       `json:"components" doc:"how many components the snapshot holds"`
	UploadedBy string    `json:"uploaded_by,omitempty" doc:"who uploaded it: a user name, or token:NAME for an API token"`
	CreatedAt  time.Time `json:"created_at" doc:"when it was uploaded (UTC, RFC 3339)"`
	MatchedAt  time.Time `json:"matched_at,omitzero" doc:"when its findings were last computed (UTC, RFC 3339); absent while its match job waits"`
}

// SnapshotComponent is one component of a stored snapshot, with the lookup
// key matching uses.
type SnapshotComponent struct {
	ID  int64  `json:"id" doc:"the component's ID; the last one's on a page is the next page's cursor"`
	Key string `json:"-"`
	Component
}
