package model

import "time"

// Dashboard is what the dashboard draws besides the overview's counts:
// the open and resolved findings day by day, the open findings by
// ecosystem, the assets with the largest inventories and the newest
// findings.
type Dashboard struct {
	// History is one entry a day, oldest first, ending today (UTC).
	History []DayCount `json:"history" doc:"one entry a day, oldest first, ending today (UTC): the findings open at the end of the day and those resolved that day"`
	// ByEcosystem is the open findings by ecosystem, most first.
	ByEcosystem []NameCount `json:"open_by_ecosystem" doc:"open findings by ecosystem, most first"`
	// Inventories are the assets with the most components in their
	// current snapshot, most first.
	Inventories []AssetComponents `json:"largest_inventories" doc:"the twenty assets with the most components in their current inventory, most first"`
	// Newest are the most recently found open findings, newest first.
	Newest []AssetFinding `json:"-"`
}

// DayCount is one day of the findings history. A finding resolved and
// later found again counts as open from its first sighting: its status
// keeps no earlier resolution.
type DayCount struct {
	Day      time.Time `json:"day" doc:"the day (UTC), at midnight"`
	Open     int       `json:"open" doc:"findings open at the end of the day"`
	Resolved int       `json:"resolved" doc:"findings resolved that day that are resolved still"`
}

// NameCount is a count under a name.
type NameCount struct {
	Name  string `json:"name" doc:"what is counted under"`
	Count int    `json:"count" doc:"how many"`
}

// AssetComponents is an asset with the size of its current inventory.
type AssetComponents struct {
	ID         int64  `json:"id" doc:"the asset's ID"`
	Name       string `json:"name" doc:"the asset's name"`
	Components int    `json:"components" doc:"components in its current snapshot"`
}
