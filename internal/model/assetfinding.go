package model

import (
	"encoding/json"
	"fmt"
	"time"
)

// Finding states.
const (
	FindingOpen     = "open"
	FindingResolved = "resolved"
)

// SeverityInfo is what a finding keeps of its severity besides the
// rating: where it came from, and the ratings that conflict with it.
type SeverityInfo struct {
	Severity  Severity   `json:"severity"`
	Conflicts []Severity `json:"conflicts,omitempty"`
}

// FindingStatuses lists the states a finding can be in.
var FindingStatuses = []string{FindingOpen, FindingResolved}

// FindingStatusFilters lists what FindingFilter.Status takes besides ""
// (open): a state, or "all" for every state.
var FindingStatusFilters = []string{FindingOpen, FindingResolved, "all"}

// Resolutions: why a finding stopped being seen.
const (
	ResolvedByUpgrade  = "upgrade"          // a newer snapshot no longer has the affected version
	ResolvedByAdvisory = "advisory-changed" // the corrected advisory no longer covers it
	// ResolvedByWithdrawal: its advisory was withdrawn, by its publisher
	// or because no feed that supplied it is left (see finding.Reason).
	ResolvedByWithdrawal = "withdrawn"
)

// Resolutions lists the reasons a finding can be resolved for.
var Resolutions = []string{ResolvedByUpgrade, ResolvedByAdvisory, ResolvedByWithdrawal, ResolvedByScan}

// AssetFinding is one advisory affecting one package version of one asset,
// with its life cycle.
type AssetFinding struct {
	ID        int64    `json:"id" doc:"the finding's ID"`
	AssetID   int64    `json:"asset_id" doc:"the ID of the affected asset"`
	AssetName string   `json:"asset" doc:"the affected asset's name"`
	Key       string   `json:"-"`
	Ecosystem string   `json:"ecosystem" doc:"the OSV ecosystem of the affected package (PyPI, Go, npm, Debian:12, …)"`
	Package   string   `json:"package" doc:"the affected package's name in OSV terms"`
	Version   string   `json:"version" doc:"the installed version that the advisory covers"`
	PURL      string   `json:"purl,omitempty" doc:"the component's package URL as the SBOM states it; absent when it gives none"`
	VulnID    string   `json:"advisory" doc:"the primary advisory ID among the IDs of this vulnerability (OSV, GHSA, CVE, …); GET /api/v1/advisories/{id} reads it"`
	Aliases   []string `json:"aliases" doc:"every other ID of the same vulnerability, sorted"`
	Summary   string   `json:"summary,omitempty" doc:"the advisory's one-line summary; absent when it has none"`
	Severity  string   `json:"severity" doc:"the advisory's qualitative severity; unknown when the advisory states none"`
	Score     float64  `json:"score,omitempty" doc:"the CVSS base score, 0–10; absent when the advisory has no CVSS vector"`
	// SeverityDetail is the rating with its vector and where it came
	// from; Conflicts the other sources' differing ratings.
	SeverityDetail Severity   `json:"severity_detail" doc:"the severity with its CVSS vector and where it came from: the advisory's own, or (when the advisory states none) the NVD record of one of its CVE aliases — NVD's primary analysis first, then the CNA's"`
	Conflicts      []Severity `json:"severity_conflicts,omitempty" doc:"ratings of the same vulnerability by other sources that differ from the one shown (a CNA's critical beside NVD's high); absent when all agree"`
	// SeveritySince is when the rating shown was set: an input of
	// severity-based remediation clocks.
	SeveritySince time.Time `json:"severity_since" doc:"when the rating shown was set: the first match, or the latest change of rating (an NVD record or an advisory revised its CVSS) — where a severity-based remediation clock starts (UTC, RFC 3339)"`
	// CVSS is filled on a single finding's read only.
	CVSS []Severity `json:"cvss,omitempty" doc:"every CVSS vector known for the vulnerability with who states it (the advisory, NVD, each CNA); only on GET /api/v1/findings/{id}"`
	Fix  string     `json:"fix,omitempty" doc:"the nearest version above the installed one that fixes it; absent when none is known"`
	// Evidence is the JSON list of model.Evidence of the match.
	Evidence   json.RawMessage `json:"evidence" doc:"why the advisory covers the installed version: one entry per affected range or version list that matched"`
	KEV        bool            `json:"kev" doc:"whether the vulnerability is in CISA's Known Exploited Vulnerabilities catalog (needs a kev feed)"`
	EPSS       *float64        `json:"epss,omitempty" doc:"the EPSS probability of exploitation in the next 30 days, 0–1 (needs an epss feed); absent when no score is known"`
	Status     string          `json:"status" doc:"open while the asset's current snapshot has the affected version and an advisory covers it; resolved once not"`
	SnapshotID int64           `json:"snapshot_id" doc:"the snapshot whose match last found it"`
	// FirstSeen and LastSeen are the first and the latest match of an
	// inventory snapshot that found it (a re-match after an advisory
	// change that leaves it as it was does not move LastSeen).
	FirstSeen  time.Time `json:"first_seen" doc:"when a match first found it (UTC, RFC 3339)"`
	LastSeen   time.Time `json:"last_seen" doc:"when a match of a snapshot last found it (UTC, RFC 3339); a re-match after an advisory change that leaves it as it was does not move it"`
	ResolvedAt time.Time `json:"resolved_at,omitzero" doc:"when it was resolved (UTC, RFC 3339); absent while open"`
	Resolution string    `json:"resolution,omitempty" doc:"why it was resolved: upgrade (a newer snapshot no longer has the affected version), advisory-changed (the corrected advisory no longer covers it), withdrawn (its advisory was withdrawn by its publisher, or the feeds that supplied it were deleted), not-in-latest-scan (a code finding the latest SARIF log of its tool on its branch no longer has); absent while open"`
	// ResolvedBy is the snapshot that no longer had the affected version.
	ResolvedBy int64 `json:"resolved_by_snapshot,omitempty" doc:"the snapshot that no longer had the affected version; absent unless resolved by upgrade"`
	// State is what people decided (TriageStates), apart from Status,
	// which is what detection says.
	State      string        `json:"state" doc:"the triage state: new (nobody decided yet), under_investigation, affected, in_remediation, fixed, not_affected, false_positive or risk_accepted (only through an approved exception)"`
	Assignee   string        `json:"assignee,omitempty" doc:"the person or team it is assigned to; absent when none"`
	ReopenedAt time.Time     `json:"reopened_at,omitzero" doc:"when detection found it again after it was fixed; absent when it never was"`
	SLA        *SLAView      `json:"sla,omitempty" doc:"the remediation clock; absent until it is set (just after the match that found it)"`
	Priority   *PriorityView `json:"priority,omitempty" doc:"the SSVC priority with its inputs; absent until it is set (just after the match that found it)"`
	// Kind is KindDependency or KindCode; Code is filled for a code
	// finding.
	Kind string       `json:"kind" doc:"what found it: dependency (an advisory matched to a package of the asset's inventory) or code (a result of a SARIF log imported for the asset: its advisory is the rule ID, its package the file)"`
	Code *CodeFinding `json:"code,omitempty" doc:"for a code finding, the tool, rule, branch and location; absent for a dependency finding"`
	// Decision is filled on a single finding's read only.
	Decision *Decision `json:"decision,omitempty" doc:"what people decided about this vulnerability on this asset (it follows the finding across upgrades); only on GET /api/v1/findings/{id}, absent when nobody decided yet"`
}

// Finding is the finding as the scan engine and the report writers see
// it — the component, the advisory and the evidence — without its life
// cycle, so that a service's findings render in every report format a scan
// has. The component is what the finding knows of it: its package, version
// and package URL.
func (f AssetFinding) Finding() (Finding, error) {
	var ev []Evidence
	if len(f.Evidence) > 0 {
		if err := json.Unmarshal(f.Evidence, &ev); err != nil {
			return Finding{}, fmt.Errorf("finding %d: evidence: %w", f.ID, err)
		}
	}
	return Finding{
		Component: &Component{Name: f.Package, Version: f.Version, PURL: f.PURL, Ecosystem: f.Ecosystem, Package: f.Package},
		ID:        f.VulnID, Aliases: f.Aliases, Summary: f.Summary,
		Severity: f.SeverityDetail, Conflicts: f.Conflicts,
		Evidence: ev, Fix: f.Fix,
	}, nil
}
