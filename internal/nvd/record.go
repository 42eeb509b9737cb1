// Package nvd decodes records of NVD's CVE API 2.0: the bare `cve`
// objects (as NVD's feeds and mirrors store them one per file) and whole
// API response pages, from memory or from a local file or directory. It
// keeps what later code needs: every CVSS metric with its source (for
// severity from aliases), the configurations (for CPE matching), and the
// record's status and dates (for incremental updates). It speaks no HTTP.
package nvd

import (
	"fmt"
	"time"
)

// TimeLayout is how NVD writes published, lastModified and a response's
// timestamp: UTC without a zone, milliseconds optional.
const TimeLayout = "2006-01-02T15:04:05.999"

// Record is one CVE as NVD publishes it, reduced to the fields vulndesk
// uses; fields NVD adds later are ignored rather than refused.
type Record struct {
	ID               string `json:"id"`
	SourceIdentifier string `json:"source_identifier,omitempty"`
	// Published and LastModified are NVD's text (see TimeLayout); the
	// decoder checks that they parse.
	Published      string          `json:"published,omitempty"`
	LastModified   string          `json:"last_modified,omitempty"`
	VulnStatus     string          `json:"vuln_status,omitempty"`
	Descriptions   []LangString    `json:"descriptions,omitempty"`
	Metrics        []CVSS          `json:"metrics,omitempty"`
	SSVC           []SSVC          `json:"ssvc,omitempty"`
	Weaknesses     []Weakness      `json:"weaknesses,omitempty"`
	References     []Reference     `json:"references,omitempty"`
	Configurations []Configuration `json:"configurations,omitempty"`
	// KEV holds CISA's Known Exploited Vulnerabilities fields NVD copies
	// onto the record; nil when the CVE is not in the catalogue.
	KEV *KEV `json:"kev,omitempty"`
}

// LangString is a text in one language.
type LangString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

// CVSS is one CVSS metric of a record, of any version, with who states it.
type CVSS struct {
	// Source names who scored it: "nvd@nist.gov" for NVD, the CNA's
	// address or UUID otherwise.
	Source string `json:"source"`
	// Type is "Primary" (NVD's own analysis) or "Secondary" (a CNA's).
	Type string `json:"type"`
	// Version is the CVSS version: "2.0", "3.0", "3.1" or "4.0".
	Version      string  `json:"version"`
	Vector       string  `json:"vector"`
	BaseScore    float64 `json:"base_score"`
	BaseSeverity string  `json:"base_severity,omitempty"`
}

// SSVC is a CISA SSVC decision NVD carries in metrics.ssvcV203.
type SSVC struct {
	Source    string `json:"source"`
	Timestamp string `json:"timestamp,omitempty"`
	Role      string `json:"role,omitempty"`
	Version   string `json:"version,omitempty"`
	// Options are the decision points, e.g. {"exploitation": "active"}.
	Options []map[string]string `json:"options,omitempty"`
}

// Weakness is a CWE classification by one source.
type Weakness struct {
	Source      string       `json:"source"`
	Type        string       `json:"type"`
	Description []LangString `json:"description"`
}

// Reference is a link about the CVE.
type Reference struct {
	URL    string   `json:"url"`
	Source string   `json:"source,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

// Configuration is one applicability statement: its nodes combined by
// Operator (AND/OR; empty means OR), the whole negated when Negate.
type Configuration struct {
	Operator string `json:"operator,omitempty"`
	Negate   bool   `json:"negate,omitempty"`
	Nodes    []Node `json:"nodes"`
}

// Node combines CPE match criteria by Operator (AND/OR).
type Node struct {
	Operator string     `json:"operator"`
	Negate   bool       `json:"negate,omitempty"`
	CPEMatch []CPEMatch `json:"cpeMatch"`
}

// CPEMatch is one CPE 2.3 match criterion, optionally with a version
// range; Vulnerable is false for a platform the software runs on.
type CPEMatch struct {
	Vulnerable            bool   `json:"vulnerable"`
	Criteria              string `json:"criteria"`
	MatchCriteriaID       string `json:"matchCriteriaId,omitempty"`
	VersionStartIncluding string `json:"versionStartIncluding,omitempty"`
	VersionStartExcluding string `json:"versionStartExcluding,omitempty"`
	VersionEndIncluding   string `json:"versionEndIncluding,omitempty"`
	VersionEndExcluding   string `json:"versionEndExcluding,omitempty"`
}

// KEV is the CISA KEV catalogue entry NVD copies onto a record.
type KEV struct {
	ExploitAdd        string `json:"exploit_add,omitempty"`
	ActionDue         string `json:"action_due,omitempty"`
	RequiredAction    string `json:"required_action,omitempty"`
	VulnerabilityName string `json:"vulnerability_name,omitempty"`
}

// Description returns the English description, or the first one.
func (r *Record) Description() string {
	for _, d := range r.Descriptions {
		if d.Lang == "en" {
			return d.Value
		}
	}
	if len(r.Descriptions) > 0 {
		return r.Descriptions[0].Value
	}
	return ""
}

// LastModifiedTime parses LastModified; the zero time when absent.
func (r *Record) LastModifiedTime() (time.Time, error) {
	return parseTime("lastModified", r.LastModified)
}

// PublishedTime parses Published; the zero time when absent.
func (r *Record) PublishedTime() (time.Time, error) { return parseTime("published", r.Published) }

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s is not an NVD time (%s)", ErrInvalid, field, TimeLayout)
	}
	return t, nil
}
