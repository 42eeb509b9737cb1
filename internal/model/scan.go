package model

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Scan record kinds: an SBOM upload, a SARIF import, a VEX document, and
// a scan run outside vulndesk (a penetration test, a DAST run) recorded
// with its report.
const (
	ScanSBOM     = "sbom"
	ScanSARIF    = "sarif"
	ScanVEX      = "vex"
	ScanExternal = "external"
)

// ScanKinds lists the kinds of scan records.
var ScanKinds = []string{ScanSBOM, ScanSARIF, ScanVEX, ScanExternal}

// ScanRecord is one scan of an asset with the document it produced
// (REQUIREMENTS R14): when it ran, what ran it, and the exact report.
type ScanRecord struct {
	ID             int64     `json:"id" doc:"the record's ID"`
	AssetID        int64     `json:"asset_id" doc:"the scanned asset's ID"`
	Kind           string    `json:"kind" doc:"sbom (an SBOM upload), sarif (a SARIF import), vex or external (a scan run elsewhere: a penetration test, a DAST run)"`
	Tool           string    `json:"tool,omitempty" doc:"what scanned: the SARIF driver, the SBOM's format, or the tool or firm named for an external scan"`
	Branch         string    `json:"branch,omitempty" doc:"the code branch a SARIF import was for"`
	Source         string    `json:"source,omitempty" doc:"the file name the document was sent with"`
	DocumentSHA256 string    `json:"document_sha256,omitempty" doc:"the SHA-256 of the raw document (hex); GET /api/v1/scans/{id}/document returns it when kept"`
	DocumentSize   int64     `json:"document_size,omitempty" doc:"the raw document's size in bytes"`
	MediaType      string    `json:"media_type,omitempty" doc:"the document's media type"`
	Kept           bool      `json:"kept" doc:"true when the raw document is kept; false when it was over the size limit (only its hash is recorded) or there was none"`
	SnapshotID     int64     `json:"snapshot_id,omitempty" doc:"the inventory snapshot an SBOM upload made or, for an identical SBOM sent again, confirmed"`
	ScannedAt      time.Time `json:"scanned_at" doc:"when the scan ran (UTC, RFC 3339): the upload time, or the date given for an external scan"`
	RecordedAt     time.Time `json:"recorded_at" doc:"when vulndesk recorded it (UTC, RFC 3339)"`
	RecordedBy     string    `json:"recorded_by" doc:"who recorded it: a user's name or token:<name>"`
	Summary        string    `json:"summary,omitempty" doc:"what the scan found or did, in words"`
}

// Document is a kept raw document, by the SHA-256 of its bytes.
type Document struct {
	SHA256    string    `json:"sha256"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// ExternalScan is a scan run outside vulndesk, recorded by a person with
// its report attached.
type ExternalScan struct {
	Tool      string    `json:"tool" doc:"what or who scanned: the tool, or the firm for a penetration test; 1–200 characters"`
	ScannedAt time.Time `json:"scanned_at" doc:"when the scan ran (RFC 3339 or a date); not in the future"`
	Summary   string    `json:"summary,omitempty" doc:"the result in words, at most 4000 bytes"`
}

// Validate checks the input and names the first bad field.
func (e *ExternalScan) Validate(now time.Time) error {
	e.Tool = strings.TrimSpace(e.Tool)
	e.Summary = strings.TrimSpace(e.Summary)
	switch {
	case !ValidAssetName(e.Tool):
		return Invalidf("tool %q: 1–200 characters without control characters", e.Tool)
	case e.ScannedAt.IsZero():
		return Invalidf("scanned_at: required, RFC 3339 or a date")
	case e.ScannedAt.After(now.Add(time.Hour)):
		return Invalidf("scanned_at %s: in the future", e.ScannedAt.Format(time.RFC3339))
	case len(e.Summary) > MaxNoteLen || !utf8.ValidString(e.Summary):
		return Invalidf("summary: at most %d bytes of UTF-8", MaxNoteLen)
	}
	return nil
}

// Cadence is how often assets must be scanned, in days, by exposure
// (REQUIREMENTS R14): an asset whose newest scan is older is overdue.
type Cadence map[string]int

// DefaultCadence: internet-facing assets monthly, the others quarterly.
func DefaultCadence() Cadence {
	return Cadence{"internet-facing": 30, "internal": 90, "isolated": 90}
}

// Validate checks that every exposure has an interval of 1–3650 days.
func (c Cadence) Validate() error {
	for k, v := range c {
		if !slices.Contains(Exposures, k) {
			return Invalidf("cadence %q: exposure one of %s", k, strings.Join(Exposures, ", "))
		}
		if v < 1 || v > 3650 {
			return Invalidf("cadence %s: %d days; 1–3650", k, v)
		}
	}
	for _, e := range Exposures {
		if _, ok := c[e]; !ok {
			return Invalidf("cadence: no interval for %s", e)
		}
	}
	return nil
}

// Days is the interval for an exposure.
func (c Cadence) Days(exposure string) int {
	if d, ok := c[exposure]; ok {
		return d
	}
	return DefaultCadence()[exposure]
}

// OverdueAsset is an asset whose newest scan is older than its cadence.
type OverdueAsset struct {
	Asset      Asset     `json:"asset" doc:"the asset"`
	LastScanAt time.Time `json:"last_scan_at,omitzero" doc:"the newest scan of the asset; absent when it was never scanned"`
	DueAt      time.Time `json:"due_at" doc:"when the next scan was due: the last scan (or, never scanned, the asset's creation) plus its cadence"`
	Days       int       `json:"cadence_days" doc:"the required interval for its exposure, in days"`
	DaysOver   int       `json:"days_overdue" doc:"whole days since due_at"`
}

// ParseScanTime reads when a scan ran: an RFC 3339 time, or a date (its
// start, UTC).
func ParseScanTime(field, v string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, Invalidf("%s %q: an RFC 3339 time (2026-11-30T14:00:00Z) or a date (2026-11-30)", field, v)
	}
	return t.UTC(), nil
}
