package api

import "time"

// SLAPolicies is the SLA policy in force and its history. P is
// sla.Policy, which this package may not import.
type SLAPolicies[P any] struct {
	Policy   P   `json:"policy" doc:"the policy in force: its newest version"`
	Versions []P `json:"versions" doc:"every version, the one in force among them, newest first"`
}

// SLAFigures are the SLA figures of a set of findings over a period.
type SLAFigures struct {
	Closed             int     `json:"closed" doc:"findings whose remediation clock stopped in the period (resolved, not affected, false positive, risk accepted)"`
	ClosedWithDeadline int     `json:"closed_with_deadline" doc:"those of them whose clock had a deadline"`
	ClosedInSLA        int     `json:"closed_in_sla" doc:"those of them closed by their deadline"`
	PercentInSLA       float64 `json:"percent_in_sla" doc:"closed_in_sla / closed_with_deadline × 100; 0 when none had a deadline"`
	MeanTTRSeconds     int64   `json:"mean_ttr_seconds" doc:"the mean time to remediate (closed − clock start) of the closed findings, in seconds; 0 when none"`
	MedianTTRSeconds   int64   `json:"median_ttr_seconds" doc:"the median time to remediate of the closed findings, in seconds; 0 when none"`
	Open               int     `json:"open" doc:"findings whose clock ran at the period's end"`
	OpenPastDue        int     `json:"open_past_due" doc:"those of them past their deadline at the period's end"`
}

// SLAFigureGroup is the figures of one severity or one asset.
type SLAFigureGroup struct {
	Severity  string `json:"severity,omitempty" doc:"by=severity: the severity the clock was set for"`
	AssetID   int64  `json:"asset_id,omitempty" doc:"by=asset: the asset's ID"`
	AssetName string `json:"asset_name,omitempty" doc:"by=asset: the asset's name"`
	SLAFigures
}

// SLAFigureReport is the SLA figures of a period, in all and by group.
type SLAFigureReport struct {
	From   time.Time        `json:"from" doc:"the period's start (UTC, RFC 3339), included"`
	To     time.Time        `json:"to" doc:"the period's end, excluded"`
	By     string           `json:"by" doc:"severity, asset, or empty: no groups"`
	All    SLAFigures       `json:"all" doc:"the figures of every finding"`
	Groups []SLAFigureGroup `json:"groups" doc:"the figures per group, severities most severe first, assets by name; empty without by"`
}

// Settings are the settings an administrator may change.
type Settings struct {
	ExceptionMaxDays int `json:"exception_max_days" doc:"how far ahead an exception may expire, in days (1–3650; default 365)"`
	// ScanCadence is model.Cadence.
	ScanCadence map[string]int `json:"scan_cadence_days" doc:"the required interval between scans of an asset by its exposure, in days (defaults: internet-facing 30, internal 90, isolated 90)"`
}

// SettingsPatch changes settings; an absent field is left as it is.
type SettingsPatch struct {
	ExceptionMaxDays *int           `json:"exception_max_days,omitempty" doc:"how far ahead an exception may expire, in days, 1–3650"`
	ScanCadence      map[string]int `json:"scan_cadence_days,omitempty" doc:"the required interval between scans by exposure, in days (1–3650): every exposure (internet-facing, internal, isolated) or some of them"`
}
