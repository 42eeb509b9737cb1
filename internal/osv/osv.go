// Package osv reads advisories in the OSV format (https://ossf.github.io/osv-schema/)
// from JSON files, directory trees, osv.dev's per-ecosystem all.zip archives
// and https URLs, with limits on everything it reads.
package osv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Vulnerability is one OSV record. Only the fields vulndesk uses are typed;
// unknown fields are ignored, as the schema allows.
type Vulnerability struct {
	SchemaVersion    string          `json:"schema_version,omitempty"`
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published,omitempty"`
	Withdrawn        string          `json:"withdrawn,omitempty"`
	Aliases          []string        `json:"aliases,omitempty"`
	Related          []string        `json:"related,omitempty"`
	Upstream         []string        `json:"upstream,omitempty"`
	Summary          string          `json:"summary,omitempty"`
	Details          string          `json:"details,omitempty"`
	Severity         []Severity      `json:"severity,omitempty"`
	Affected         []Affected      `json:"affected,omitempty"`
	References       []Reference     `json:"references,omitempty"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Severity is one entry of an OSV severity list.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Package names the package an affected entry is about.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Affected is one affected entry: a package and the versions of it affected.
type Affected struct {
	Package           Package         `json:"package"`
	Severity          []Severity      `json:"severity,omitempty"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Range types defined by the OSV schema.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Range is a list of events over one ordering of versions.
type Range struct {
	Type   string  `json:"type"`
	Repo   string  `json:"repo,omitempty"`
	Events []Event `json:"events"`
}

// Event is one boundary of a range; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is a link with its kind (ADVISORY, FIX, WEB, ...).
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Time parses an OSV timestamp (RFC 3339); the zero time when empty or
// malformed, since a bad timestamp should not cost the whole advisory.
func Time(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// IsWithdrawn reports whether the record has been withdrawn by its source.
func (v *Vulnerability) IsWithdrawn() bool { return strings.TrimSpace(v.Withdrawn) != "" }

// DatabaseSeverity returns database_specific.severity (as GitHub's advisory
// database and others state it), or "" when absent or not a string.
func DatabaseSeverity(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var ds struct {
		Severity json.RawMessage `json:"severity"`
	}
	if json.Unmarshal(raw, &ds) != nil || len(ds.Severity) == 0 || ds.Severity[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(ds.Severity, &s) != nil {
		return ""
	}
	return s
}

// Decode parses one OSV JSON document: a single record or an array of
// records. name is used in errors, which give line and column. A document
// whose records do not all carry the id and modified the OSV schema
// requires is not OSV at all: its error wraps ErrNotOSV (and ErrInvalid),
// so that a loader can tell it from a broken advisory.
func Decode(name string, data []byte) ([]Vulnerability, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return nil, &Error{Name: name, Err: fmt.Errorf("%w: empty document", ErrInvalid)}
	}
	var out []Vulnerability
	var err error
	if trimmed[0] == '[' {
		err = json.Unmarshal(data, &out)
	} else {
		var v Vulnerability
		err = json.Unmarshal(data, &v)
		out = []Vulnerability{v}
	}
	if err != nil {
		if why := notOSV(data); why != "" {
			return nil, &Error{Name: name, Err: fmt.Errorf("%w: %w: %s", ErrInvalid, ErrNotOSV, why)}
		}
		return nil, jsonError(name, data, err)
	}
	for i := range out {
		if err := out[i].validate(); err != nil {
			if len(out) > 1 {
				err = fmt.Errorf("record %d: %w", i+1, err)
			}
			return nil, &Error{Name: name, Err: err}
		}
	}
	return out, nil
}

// validate checks what matching relies on; it does not enforce the whole
// schema.
func (v *Vulnerability) validate() error {
	switch {
	case strings.TrimSpace(v.ID) == "":
		return fmt.Errorf("%w: %w: record has no id", ErrInvalid, ErrNotOSV)
	case strings.TrimSpace(v.Modified) == "":
		return fmt.Errorf("%w: %w: record has no modified", ErrInvalid, ErrNotOSV)
	}
	for i, a := range v.Affected {
		for j, r := range a.Ranges {
			for k, e := range r.Events {
				n := 0
				for _, s := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
					if s != "" {
						n++
					}
				}
				if n != 1 {
					return fmt.Errorf("%w: affected[%d].ranges[%d].events[%d] must set exactly one of introduced, fixed, last_affected, limit", ErrInvalid, i, j, k)
				}
			}
		}
	}
	return nil
}

// probe is what tells an OSV record: the two fields the schema requires.
type probe struct {
	ID       json.RawMessage `json:"id"`
	Modified json.RawMessage `json:"modified"`
}

// notOSV says why valid JSON that did not decode as OSV is no OSV record
// at all — not an object or array of objects, or one without an id or
// modified — or "" when it looks like OSV (so the decoding error stands)
// or is not valid JSON.
func notOSV(data []byte) string {
	if !json.Valid(data) {
		return ""
	}
	var ps []probe
	if err := json.Unmarshal(data, &ps); err != nil {
		var p probe
		if err := json.Unmarshal(data, &p); err != nil {
			return "neither an object nor an array of objects"
		}
		ps = []probe{p}
	}
	for i, p := range ps {
		why := ""
		switch {
		case !stated(p.ID):
			why = "record has no id"
		case !stated(p.Modified):
			why = "record has no modified"
		}
		if why != "" && len(ps) > 1 {
			why = fmt.Sprintf("record %d: %s", i+1, why)
		}
		if why != "" {
			return why
		}
	}
	return ""
}

// stated reports whether a field is present with a value other than null
// or "".
func stated(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	return s != "" && s != "null" && s != `""`
}
