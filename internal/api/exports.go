package api

import "time"

// FindingRow is one finding as GET /api/v1/findings/export writes it: a
// flat row, each field named as the findings list names it (the SLA and
// the priority flattened). The CSV export has one column per field, in
// this order, under these names.
type FindingRow struct {
	ID        int64    `json:"id" doc:"the finding's ID"`
	AssetID   int64    `json:"asset_id" doc:"the ID of the affected asset"`
	Asset     string   `json:"asset" doc:"the affected asset's name"`
	Ecosystem string   `json:"ecosystem" doc:"the OSV ecosystem of the affected package"`
	Package   string   `json:"package" doc:"the affected package's name in OSV terms"`
	Version   string   `json:"version" doc:"the installed version that the advisory covers"`
	PURL      string   `json:"purl" doc:"the component's package URL as the SBOM states it; empty when it gives none"`
	Advisory  string   `json:"advisory" doc:"the primary advisory ID of the vulnerability"`
	Aliases   []string `json:"aliases" doc:"every other ID of the same vulnerability, sorted (in CSV: separated by spaces)"`
	Summary   string   `json:"summary" doc:"the advisory's one-line summary; empty when it has none"`
	Severity  string   `json:"severity" doc:"the qualitative severity; unknown when none is stated"`
	Score     float64  `json:"score,omitempty" doc:"the CVSS base score, 0–10; absent (in CSV: empty) when there is no CVSS vector"`
	KEV       bool     `json:"kev" doc:"whether the vulnerability is in CISA's KEV catalog"`
	EPSS      *float64 `json:"epss,omitempty" doc:"the EPSS probability, 0–1; absent (in CSV: empty) when none is known"`
	Status    string   `json:"status" doc:"open or resolved: what detection says"`
	State     string   `json:"state" doc:"the triage state: what people decided"`
	Priority  string   `json:"priority,omitempty" doc:"the SSVC decision (track, track*, attend, act); absent until set"`
	// SLADueAt and SLAState flatten the remediation clock.
	SLADueAt   time.Time `json:"sla_due_at,omitzero" doc:"the remediation deadline (UTC, RFC 3339); absent when the clock has none"`
	SLAState   string    `json:"sla_state,omitempty" doc:"the remediation clock's state at the export's time; absent until the clock is set"`
	Assignee   string    `json:"assignee,omitempty" doc:"the person or team it is assigned to; absent when none"`
	FirstSeen  time.Time `json:"first_seen" doc:"when a match first found it (UTC, RFC 3339)"`
	LastSeen   time.Time `json:"last_seen" doc:"when a match of a snapshot last found it (UTC, RFC 3339)"`
	ResolvedAt time.Time `json:"resolved_at,omitzero" doc:"when it was resolved (UTC, RFC 3339); absent while open"`
	Fix        string    `json:"fix,omitempty" doc:"the nearest version that fixes it; absent when none is known"`
}
