// Package advisorydb holds advisories in the form matching needs — one
// Record per affected package entry, looked up by (ecosystem, normalised
// package name) — either in memory, loaded straight from OSV sources, or in
// a compiled index file that `vulndesk db build` writes and scans open cheaply.
package advisorydb

import (
	"sort"
	"strings"

	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/severity"
)

// Record is one affected entry of one advisory: the package it names and
// the versions of it affected.
type Record struct {
	ID      string   `json:"id"`
	Aliases []string `json:"aliases,omitempty"`
	// Ecosystem is the canonical OSV ecosystem, with its release suffix.
	Ecosystem string `json:"ecosystem"`
	// Package is the package name as the advisory writes it.
	Package  string         `json:"package"`
	Ranges   []Range        `json:"ranges,omitempty"`
	Versions []string       `json:"versions,omitempty"`
	Severity model.Severity `json:"severity"`
}

// Range is one OSV range of a record.
type Range struct {
	Type   string      `json:"type"`
	Events []osv.Event `json:"events"`
}

// Key is the lookup key of a package: base ecosystem and normalised name,
// joined by "|", which no ecosystem name holds (and which, unlike NUL, a
// PostgreSQL text column can store).
func Key(eco, name string) string {
	base, _ := ecosystem.Split(eco)
	return base + "|" + ecosystem.NormalizeName(eco, name)
}

// Key returns the record's lookup key.
func (r *Record) Key() string { return Key(r.Ecosystem, r.Package) }

// Records converts an OSV record into the records of its affected entries
// and the advisory's description. Withdrawn advisories give none.
func Records(v *osv.Vulnerability) ([]*Record, model.AdvisoryInfo) {
	info := Info(v)
	if v.IsWithdrawn() {
		return nil, info
	}
	aliases := dedupe(v.Aliases, v.ID)
	var out []*Record
	for i := range v.Affected {
		a := &v.Affected[i]
		eco, name := a.Package.Ecosystem, a.Package.Name
		if (eco == "" || name == "") && a.Package.PURL != "" {
			if p, err := ecosystem.FromPURL(a.Package.PURL); err == nil {
				eco, name = p.Ecosystem, p.Name
			}
		}
		if eco == "" || name == "" {
			continue // nothing to index it under
		}
		eco, _ = ecosystem.Canonical(eco)
		r := &Record{ID: v.ID, Aliases: aliases, Ecosystem: eco, Package: name, Versions: a.Versions}
		for _, rg := range a.Ranges {
			r.Ranges = append(r.Ranges, Range{Type: strings.ToUpper(rg.Type), Events: rg.Events})
		}
		r.Severity = info.Severity
		if len(a.Severity) > 0 {
			r.Severity = severityOf(a.Severity, osv.DatabaseSeverity(a.DatabaseSpecific))
		} else if r.Severity.Rating == model.RatingUnknown {
			if l := osv.DatabaseSeverity(a.DatabaseSpecific); l != "" {
				r.Severity = severity.FromLabel(l)
			}
		}
		out = append(out, r)
	}
	return out, info
}

// Info describes an advisory for reports.
func Info(v *osv.Vulnerability) model.AdvisoryInfo {
	info := model.AdvisoryInfo{
		ID:        v.ID,
		Aliases:   dedupe(v.Aliases, v.ID),
		Summary:   v.Summary,
		Details:   v.Details,
		Published: osv.Time(v.Published),
		Modified:  osv.Time(v.Modified),
		Severity:  severityOf(v.Severity, osv.DatabaseSeverity(v.DatabaseSpecific)),
	}
	for _, r := range v.References {
		if r.URL != "" {
			info.References = append(info.References, r.URL)
		}
	}
	return info
}

func severityOf(s []osv.Severity, label string) model.Severity {
	entries := make([]severity.Entry, len(s))
	for i, e := range s {
		entries[i] = severity.Entry{Type: e.Type, Score: e.Score}
	}
	return severity.FromOSV(entries, label)
}

// dedupe returns the sorted distinct aliases without the record's own ID.
func dedupe(aliases []string, self string) []string {
	if len(aliases) == 0 {
		return nil
	}
	out := make([]string, 0, len(aliases))
	for _, a := range aliases {
		a = strings.TrimSpace(a)
		if a != "" && a != self {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	j := 0
	for i, a := range out {
		if i == 0 || a != out[j-1] {
			out[j] = a
			j++
		}
	}
	return out[:j]
}
