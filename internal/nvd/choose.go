package nvd

import (
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/severity"
)

// NVDSource is the source NVD's own (Primary) analysis names.
const NVDSource = "nvd@nist.gov"

// Scored is one CVSS metric of a record with the severity vulndesk reads
// from it.
type Scored struct {
	CVSS
	// Severity is what the record states: its base score and rating, with
	// the vector and its type. Only when the record states no rating is it
	// computed from the vector.
	Severity model.Severity
	// Computed is the CVSS base score and rating internal/severity reads
	// from the vector; zero when the vector does not parse. It differs
	// from Severity where the source scored a CVSS 4.0 vector with its
	// threat metrics (E:U, E:P: CVSS-BT) while Computed is CVSS-B, as in
	// two real go-aliases records.
	Computed model.Severity
}

// Choice is the severity a record gives a finding, and where it came from.
type Choice struct {
	Record string // the CVE ID
	Scored        // the metric chosen
	// Conflicts are the other sources' chosen metrics whose rating
	// differs from the chosen one (e.g. a CNA's 9.4 critical beside
	// NVD's 7.5 high), so that the finding can show it.
	Conflicts []Scored
}

// versionTypes maps NVD's CVSS versions onto internal/severity's types.
var versionTypes = map[string]string{
	"2.0": severity.TypeCVSSv2, "3.0": severity.TypeCVSSv3, "3.1": severity.TypeCVSSv3, "4.0": severity.TypeCVSSv4,
}

// versionRank orders CVSS versions, newest highest.
var versionRank = map[string]int{"2.0": 1, "3.0": 2, "3.1": 3, "4.0": 4}

// Scores lists every CVSS metric of r with its severity, in the record's
// order (newest CVSS version first), skipping none: the finding shows
// every vector with its source.
func (r *Record) Scores() []Scored {
	out := make([]Scored, 0, len(r.Metrics))
	for _, m := range r.Metrics {
		out = append(out, scored(m))
	}
	return out
}

// scored rates one metric as its record states it, and from its vector.
// The stated rating is kept because it is what NVD shows for the CVE: a
// finding must not show a rating that no source gives.
func scored(m CVSS) Scored {
	typ := versionTypes[m.Version]
	s := Scored{CVSS: m}
	if c, err := severity.FromVector(typ, m.Vector); err == nil {
		s.Computed = c
	}
	s.Severity = model.Severity{Rating: severity.FromLabel(m.BaseSeverity).Rating, Score: m.BaseScore, Type: typ, Vector: m.Vector, Version: m.Version}
	if s.Severity.Rating == model.RatingUnknown && s.Computed.Rating != "" {
		s.Severity = s.Computed
	}
	return s
}

// Choose picks the CVSS a finding should show from r: NVD's Primary
// metrics first, then a CNA's (Secondary), and within one source its
// newest CVSS version (4.0, 3.1, 3.0, 2.0); among equals the record's
// order. It reports false when r has no metric with a usable rating.
func Choose(r *Record) (Choice, bool) {
	perSource := newestPerSource(r.Scores())
	if len(perSource) == 0 {
		return Choice{Record: r.ID}, false
	}
	best := perSource[0]
	for _, s := range perSource[1:] {
		if typeRank(s) > typeRank(best) {
			best = s
		}
	}
	c := Choice{Record: r.ID, Scored: best}
	for _, s := range perSource {
		if s.Severity.Rating != best.Severity.Rating {
			c.Conflicts = append(c.Conflicts, s)
		}
	}
	return c, true
}

// newestPerSource keeps, for each source in order of first appearance,
// its usable metric of the newest CVSS version.
func newestPerSource(all []Scored) []Scored {
	var out []Scored
	index := map[string]int{}
	for _, s := range all {
		if s.Severity.Rating.Rank() == 0 {
			continue // unknown: nothing to show
		}
		key := s.Source + "\x00" + s.Type
		i, seen := index[key]
		switch {
		case !seen:
			index[key] = len(out)
			out = append(out, s)
		case versionRank[s.Version] > versionRank[out[i].Version]:
			out[i] = s
		}
	}
	return out
}

// typeRank puts NVD's Primary analysis above a CNA's Secondary one.
func typeRank(s Scored) int {
	switch {
	case s.Type == "Primary" && s.Source == NVDSource:
		return 3
	case s.Type == "Primary":
		return 2
	}
	return 1
}
