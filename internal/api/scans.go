package api

import "github.com/vulndesk/vulndesk/internal/model"

// OverdueScans lists the assets overdue for a scan.
type OverdueScans struct {
	Items   []model.OverdueAsset `json:"items" doc:"the assets in use whose newest scan is older than the cadence for their exposure, most overdue first"`
	Cadence model.Cadence        `json:"cadence_days" doc:"the required interval between scans by exposure, in days"`
}
