package model

import "time"

// Rating is a qualitative severity, ordered none < low < medium < high < critical.
// RatingUnknown sorts below none: an advisory that states no severity.
type Rating string

// The ratings, as CVSS v3/v4 name them.
const (
	RatingUnknown  Rating = "unknown"
	RatingNone     Rating = "none"
	RatingLow      Rating = "low"
	RatingMedium   Rating = "medium"
	RatingHigh     Rating = "high"
	RatingCritical Rating = "critical"
)

// Ratings lists every rating, highest first.
var Ratings = []Rating{RatingCritical, RatingHigh, RatingMedium, RatingLow, RatingNone, RatingUnknown}

// Rank orders ratings: unknown 0, none 1, low 2, medium 3, high 4, critical 5.
func (r Rating) Rank() int {
	switch r {
	case RatingNone:
		return 1
	case RatingLow:
		return 2
	case RatingMedium:
		return 3
	case RatingHigh:
		return 4
	case RatingCritical:
		return 5
	}
	return 0
}

// Severity is the severity of an advisory and where it came from.
type Severity struct {
	Rating Rating `json:"rating" doc:"the qualitative severity; unknown when the advisory states none"`
	// Score is the base score (0–10) of Vector; 0 when there is no vector.
	Score float64 `json:"score,omitempty" doc:"the CVSS base score of vector, 0–10; absent when there is no vector"`
	// Type is CVSS_V2, CVSS_V3, CVSS_V4, or "ecosystem" for a rating the
	// advisory database states without a vector (GHSA database_specific).
	Type   string `json:"type,omitempty" doc:"where the rating comes from: CVSS_V2, CVSS_V3, CVSS_V4, or ecosystem for a rating the advisory database states without a vector; absent when none"`
	Vector string `json:"vector,omitempty" doc:"the CVSS vector string; absent when there is none"`
	// Where it came from: From names the kind of record that states it,
	// Record that record's ID; for an NVD record, Source and SourceType
	// say who scored it (NVD's own primary analysis or a CNA's).
	Version    string `json:"version,omitempty" doc:"the CVSS version of vector: 2.0, 3.0, 3.1 or 4.0; absent when there is no vector"`
	From       string `json:"from,omitempty" doc:"which record states the rating: advisory (the advisory itself) or nvd (the NVD record of one of its CVE aliases, used when the advisory states none); absent when unknown"`
	Record     string `json:"record,omitempty" doc:"the ID of the record that states it: the advisory's ID, or the CVE ID of the NVD record"`
	Source     string `json:"source,omitempty" doc:"for a rating from an NVD record, who scored it: nvd@nist.gov for NVD's own analysis, else the CNA (an e-mail address or UUID); absent otherwise"`
	SourceType string `json:"source_type,omitempty" doc:"for a rating from an NVD record, Primary (NVD's analysis) or Secondary (a CNA's), as NVD states; absent otherwise"`
}

// Where a severity comes from (Severity.From).
const (
	SeverityFromAdvisory = "advisory" // the advisory states it
	SeverityFromNVD      = "nvd"      // an NVD record of one of the advisory's CVE aliases
)

// Provenance describes in a few words where s came from, for tables:
// "advisory", "NVD CVE-2024-1234", "CNA security@example.com
// CVE-2024-1234"; "" when unknown.
func (s Severity) Provenance() string {
	switch {
	case s.From == SeverityFromAdvisory:
		return "advisory"
	case s.From != SeverityFromNVD:
		return ""
	case s.Source == "nvd@nist.gov":
		return "NVD " + s.Record
	case s.SourceType == "Primary":
		return "NVD (" + s.Source + ") " + s.Record
	}
	return "CNA " + s.Source + " via NVD " + s.Record
}

// Evidence explains why one affected entry of an advisory covers a
// component's version.
type Evidence struct {
	// Advisory is the ID of the advisory record that holds the entry.
	Advisory  string `json:"advisory" doc:"the ID of the advisory record that holds the affected entry"`
	Ecosystem string `json:"ecosystem" doc:"the entry's OSV ecosystem"`
	Package   string `json:"package" doc:"the entry's package name"`
	// RangeType is SEMVER, ECOSYSTEM or GIT for a range, or "VERSIONS" when
	// the version is named in the entry's explicit versions list.
	RangeType    string `json:"range_type" doc:"SEMVER, ECOSYSTEM or GIT for a range, or VERSIONS when the version is named in the entry's list of versions"`
	Introduced   string `json:"introduced,omitempty" doc:"the range's introduced version; absent when none"`
	Fixed        string `json:"fixed,omitempty" doc:"the range's fixed version; absent when none"`
	LastAffected string `json:"last_affected,omitempty" doc:"the range's last affected version; absent when none"`
	Limit        string `json:"limit,omitempty" doc:"the range's limit version; absent when none"`
	// Reason says in words how the version falls inside, e.g.
	// "1.2.3 >= introduced 1.0.0 and < fixed 1.2.5".
	Reason string `json:"reason" doc:"how the version falls inside, in words, e.g. 1.2.3 >= introduced 1.0.0 and < fixed 1.2.5"`
}

// Suppression records that an ignore entry applies to a finding.
type Suppression struct {
	Reason string    `json:"reason"`
	Until  time.Time `json:"until,omitzero"`
}

// Finding is one advisory (with all the IDs it is known by) affecting one
// component.
type Finding struct {
	Component *Component `json:"component"`
	// ID is the primary advisory ID; Aliases are all other IDs of the same
	// vulnerability (merged advisory records and their aliases), sorted.
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Severity Severity `json:"severity"`
	// Conflicts are other sources' ratings of the same vulnerability that
	// differ from Severity (a CNA's critical beside NVD's high).
	Conflicts []Severity `json:"severity_conflicts,omitempty"`
	Evidence  []Evidence `json:"evidence"`
	// FixedVersions are the versions that fix this for the component's
	// package, ascending; Fix is the nearest one above the installed version.
	FixedVersions []string     `json:"fixed_versions,omitempty"`
	Fix           string       `json:"fix,omitempty"`
	Suppressed    *Suppression `json:"suppressed,omitempty"`
}

// AdvisoryInfo is what reports show of an advisory besides the match.
type AdvisoryInfo struct {
	ID         string    `json:"id" doc:"the advisory ID"`
	Aliases    []string  `json:"aliases,omitempty" doc:"other IDs of the same vulnerability (CVE, GHSA, …); absent when none"`
	Summary    string    `json:"summary,omitempty" doc:"one-line summary; absent when none"`
	Details    string    `json:"details,omitempty" doc:"the full description, often Markdown; absent when none"`
	Published  time.Time `json:"published,omitzero" doc:"when the advisory was published (UTC, RFC 3339); absent when unknown"`
	Modified   time.Time `json:"modified,omitzero" doc:"when the advisory last changed (UTC, RFC 3339); absent when unknown"`
	References []string  `json:"references,omitempty" doc:"URLs of advisories, fixes and reports; absent when none"`
	Severity   Severity  `json:"severity" doc:"the advisory's severity and where it comes from"`
	// CVSS lists every CVSS vector known for the vulnerability, each with
	// where it came from: the advisory's own, then those of the NVD
	// records of its CVE aliases.
	CVSS []Severity `json:"cvss,omitempty" doc:"every CVSS vector known for the vulnerability with who states it: the advisory's own, then those of the NVD records of its CVE aliases (NVD's and each CNA's); absent when none"`
}

// ExpiredIgnore is an ignore entry whose date has passed, so it no longer
// applies.
type ExpiredIgnore struct {
	ID     string    `json:"id"`
	Reason string    `json:"reason"`
	Until  time.Time `json:"until"`
}

// Result is everything one scan produced.
type Result struct {
	SBOMs    []SBOM    `json:"sboms"`
	Findings []Finding `json:"findings"`
	// Unmatched are components that could not be matched, each with its
	// Unmatchable reason.
	Unmatched []Component `json:"unmatched"`
	// Advisories describes each advisory ID that a finding names.
	Advisories     map[string]AdvisoryInfo `json:"advisories"`
	ExpiredIgnores []ExpiredIgnore         `json:"expired_ignores,omitempty"`
	// Unchecked counts, per ecosystem, the components that were not
	// checked because the database holds no advisories for their
	// ecosystem; they are neither findings nor Unmatched.
	Unchecked []Unchecked `json:"unchecked,omitempty"`
	// Notes are remarks about how matching was done, e.g. ecosystems
	// without a version ordering that were matched on explicit versions only.
	Notes []string `json:"notes,omitempty"`
}

// Unchecked counts the components of one ecosystem that were not checked:
// they name a package in a known ecosystem, but the advisory database holds
// no advisory for that ecosystem, so finding nothing says nothing.
type Unchecked struct {
	// Ecosystem is the base OSV ecosystem ("Packagist", "Debian").
	Ecosystem  string `json:"ecosystem"`
	Components int    `json:"components"`
}

// Gate says which active findings fail a scan (--fail-on,
// --fail-on-unknown).
type Gate struct {
	// Threshold fails the findings rated at or above it; none (or empty)
	// fails no rating.
	Threshold Rating
	// Unknown fails the findings whose advisory states no severity,
	// whatever Threshold is. Off, they fail nothing: most Go advisories
	// state no severity, and failing on them would fail every Go build.
	Unknown bool
}

// Fails reports whether a finding of rating r fails the gate.
func (g Gate) Fails(r Rating) bool {
	if r == RatingUnknown || r == "" {
		return g.Unknown
	}
	if g.Threshold == "" || g.Threshold == RatingNone {
		return false
	}
	return r.Rank() >= g.Threshold.Rank()
}

// On reports whether the gate can fail any finding at all.
func (g Gate) On() bool {
	return g.Unknown || (g.Threshold != "" && g.Threshold != RatingNone)
}
