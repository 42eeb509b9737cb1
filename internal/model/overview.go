package model

// Summary counts what the overview shows.
type Summary struct {
	Assets     int            `json:"assets" doc:"how many assets there are"`
	Snapshots  int            `json:"snapshots" doc:"how many inventory snapshots there are, of every asset, current or not"`
	Components int            `json:"components" doc:"how many components the assets' current snapshots hold"`
	Open       int            `json:"open_findings" doc:"how many findings are open"`
	BySeverity map[string]int `json:"open_by_severity" doc:"open findings by severity: the keys are critical, high, medium, low, none and unknown; a severity with no open finding is absent"`
	KEV        int            `json:"open_kev" doc:"how many open findings are in CISA KEV"`
	Advisories int            `json:"advisories" doc:"how many advisories are held, withdrawn ones not counted"`
	// TopAssets are the assets with the most open findings.
	TopAssets []AssetCount `json:"top_assets" doc:"the ten assets with the most open findings, most critical first, then most high, then most open"`
}

// AssetCount is an asset with its number of open findings.
type AssetCount struct {
	ID       int64  `json:"id" doc:"the asset's ID"`
	Name     string `json:"name" doc:"the asset's name"`
	Open     int    `json:"open" doc:"its open findings"`
	Critical int    `json:"critical" doc:"its open findings of severity critical"`
	High     int    `json:"high" doc:"its open findings of severity high"`
}
