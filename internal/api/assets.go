package api

import "github.com/vulndesk/vulndesk/internal/model"

// AssetInput is what a client may set on an asset.
type AssetInput struct {
	Name        *string   `json:"name" doc:"unique name: 1–200 characters, without control or invisible formatting characters"`
	Kind        *string   `json:"kind" doc:"what the asset is; application when created without one"`
	Owner       *string   `json:"owner" doc:"who answers for the asset, at most 200 characters"`
	Criticality *int      `json:"criticality" doc:"how much the asset matters: 1 (highest) to 4 (lowest); 3 when created without one"`
	Exposure    *string   `json:"exposure" doc:"who can reach the asset; internal when created without one"`
	Environment *string   `json:"environment" doc:"free text such as production or staging, at most 100 characters"`
	Lifecycle   *string   `json:"lifecycle" doc:"where the asset is in its life; active when created without one"`
	Tags        *[]string `json:"tags" doc:"labels, at most 50 of 1–64 characters each; replaces the asset's tags"`
	CPEs        *[]string `json:"cpes" doc:"CPE 2.3 formatted strings (cpe:2.3:part:vendor:product:version:…, 13 fields) for hardware, operating systems and firmware without an SBOM, at most 500; replaces the asset's CPEs"`
}

func (in AssetInput) Apply(a *model.Asset) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.Name, in.Name)
	set(&a.Kind, in.Kind)
	set(&a.Owner, in.Owner)
	set(&a.Exposure, in.Exposure)
	set(&a.Environment, in.Environment)
	set(&a.Lifecycle, in.Lifecycle)
	if in.Criticality != nil {
		a.Criticality = *in.Criticality
		if a.Criticality == 0 {
			a.Criticality = -1 // explicit 0 is out of range, not "default"
		}
	}
	if in.Tags != nil {
		a.Tags = *in.Tags
	}
	if in.CPEs != nil {
		a.CPEs = *in.CPEs
	}
}

// Ingest answers an upload.
type Ingest struct {
	Asset    model.Asset    `json:"asset" doc:"the asset the SBOM was stored for, as it is now"`
	Snapshot model.Snapshot `json:"snapshot" doc:"the new inventory snapshot; its findings follow when the match job has run (matched_at). With unchanged, the current snapshot the SBOM is identical to"`
	// Unchanged and Scan: see Upload in the service.
	Unchanged bool             `json:"unchanged,omitempty" doc:"true when the SBOM is byte for byte the asset's current one: the scan is recorded, and no new snapshot made or matched"`
	Scan      model.ScanRecord `json:"scan" doc:"the scan record of this upload, with the SHA-256 of the SBOM kept as sent"`
}

// UploadReceipt answers an upload by a caller who may not read assets.
type UploadReceipt struct {
	Asset     AssetRef       `json:"asset" doc:"the asset the SBOM was stored for, by ID and name only"`
	Snapshot  model.Snapshot `json:"snapshot" doc:"the new inventory snapshot (with unchanged, the current one)"`
	Unchanged bool           `json:"unchanged,omitempty" doc:"true when the SBOM is byte for byte the asset's current one: the scan is recorded, and no new snapshot made"`
}

// AssetRef names an asset and nothing more.
type AssetRef struct {
	ID   int64  `json:"id" doc:"the asset's ID"`
	Name string `json:"name" doc:"the asset's name"`
}
