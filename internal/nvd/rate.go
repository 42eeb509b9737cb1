package nvd

import (
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// MetricsFunc returns the CVSS metrics of the NVD record held for a CVE
// ID, in the record's order, or nil when none is held.
type MetricsFunc func(cve string) []CVSS

// IsCVE tells whether id is a CVE ID (CVE-YYYY-NNNN…).
func IsCVE(id string) bool { return cveID.MatchString(id) }

// CVEs lists the CVE IDs among a vulnerability's ID and aliases, in that
// order: the IDs whose NVD records can rate it.
func CVEs(id string, aliases []string) []string {
	var out []string
	if IsCVE(id) {
		out = append(out, id)
	}
	for _, a := range aliases {
		if IsCVE(a) {
			out = append(out, a)
		}
	}
	return out
}

// Rate applies the severity rule to f: an advisory that states a severity
// keeps it; one that states none (model.RatingUnknown) takes the rating of
// the NVD records held for its CVE IDs — NVD's primary analysis first,
// then another primary one, then a CNA's, each source's newest CVSS
// version, the higher score among several CVEs. Either way every other
// source's rating that differs from the one shown is put in f.Conflicts,
// so that a disagreement is visible. Rate reports whether an NVD record
// rated f.
func Rate(f *model.Finding, metrics MetricsFunc) bool {
	var cands []model.Severity
	var ranks []int
	for _, id := range CVEs(f.ID, f.Aliases) {
		for _, s := range newestPerSource(scoresOf(metrics(id))) {
			cands = append(cands, provenance(id, s))
			ranks = append(ranks, typeRank(s))
		}
	}
	f.Conflicts = nil
	if len(cands) == 0 {
		return false
	}
	rated := false
	if f.Severity.Rating == model.RatingUnknown {
		best := 0
		for i := range cands {
			if ranks[i] > ranks[best] || (ranks[i] == ranks[best] && cands[i].Score > cands[best].Score) {
				best = i
			}
		}
		f.Severity, rated = cands[best], true
	}
	for _, c := range cands {
		if c.Rating != f.Severity.Rating {
			f.Conflicts = append(f.Conflicts, c)
		}
	}
	return rated
}

// Vectors lists every CVSS metric of the NVD records held for the CVE IDs
// among id and aliases, each with where it came from: what a finding
// shows beside the rating it chose.
func Vectors(id string, aliases []string, metrics MetricsFunc) []model.Severity {
	var out []model.Severity
	for _, cve := range CVEs(id, aliases) {
		for _, s := range scoresOf(metrics(cve)) {
			out = append(out, provenance(cve, s))
		}
	}
	return out
}

func scoresOf(ms []CVSS) []Scored {
	if len(ms) == 0 {
		return nil
	}
	return (&Record{Metrics: ms}).Scores()
}

// provenance is s as a finding shows it: its severity and who stated it.
func provenance(cve string, s Scored) model.Severity {
	v := s.Severity
	v.Version, v.From, v.Record = s.Version, model.SeverityFromNVD, cve
	v.Source, v.SourceType = strings.TrimSpace(s.Source), s.Type
	return v
}
