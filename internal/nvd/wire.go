package nvd

import (
	"fmt"
	"strings"
)

// wireRecord is a bare `cve` object as NVD sends it; unknown fields
// (cveTags, affected, ...) are ignored.
type wireRecord struct {
	ID                    string          `json:"id"`
	SourceIdentifier      string          `json:"sourceIdentifier"`
	Published             string          `json:"published"`
	LastModified          string          `json:"lastModified"`
	VulnStatus            string          `json:"vulnStatus"`
	Descriptions          []LangString    `json:"descriptions"`
	Metrics               wireMetrics     `json:"metrics"`
	Weaknesses            []Weakness      `json:"weaknesses"`
	References            []Reference     `json:"references"`
	Configurations        []Configuration `json:"configurations"`
	CISAExploitAdd        string          `json:"cisaExploitAdd"`
	CISAActionDue         string          `json:"cisaActionDue"`
	CISARequiredAction    string          `json:"cisaRequiredAction"`
	CISAVulnerabilityName string          `json:"cisaVulnerabilityName"`
}

// wireMetrics holds one list per CVSS version, as NVD keys them.
type wireMetrics struct {
	V40  []wireCVSS `json:"cvssMetricV40"`
	V31  []wireCVSS `json:"cvssMetricV31"`
	V30  []wireCVSS `json:"cvssMetricV30"`
	V2   []wireCVSS `json:"cvssMetricV2"`
	SSVC []struct {
		Source   string `json:"source"`
		SSVCData struct {
			Timestamp string              `json:"timestamp"`
			Role      string              `json:"role"`
			Version   string              `json:"version"`
			Options   []map[string]string `json:"options"`
		} `json:"ssvcData"`
	} `json:"ssvcV203"`
}

// wireCVSS is one metric; CVSS v2 keeps baseSeverity beside cvssData,
// v3 and v4 inside it.
type wireCVSS struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData struct {
		Version      string  `json:"version"`
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
	} `json:"cvssData"`
	BaseSeverity string `json:"baseSeverity"`
}

// record checks w within lim and turns it into a Record.
func (w *wireRecord) record(lim Limits) (*Record, error) {
	if !cveID.MatchString(w.ID) {
		return nil, fmt.Errorf("%w: id is not a CVE ID", ErrInvalid)
	}
	for _, t := range []struct{ field, v string }{{"published", w.Published}, {"lastModified", w.LastModified}} {
		if _, err := parseTime(t.field, t.v); err != nil {
			return nil, fmt.Errorf("%s: %w", w.ID, err)
		}
	}
	metrics, err := w.Metrics.flatten(lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.ID, err)
	}
	if err := checkConfigurations(w.Configurations, lim); err != nil {
		return nil, fmt.Errorf("%s: %w", w.ID, err)
	}
	r := &Record{ID: w.ID, SourceIdentifier: w.SourceIdentifier, Published: w.Published,
		LastModified: w.LastModified, VulnStatus: w.VulnStatus, Descriptions: w.Descriptions,
		Metrics: metrics, Weaknesses: w.Weaknesses, References: w.References, Configurations: w.Configurations}
	for _, s := range w.Metrics.SSVC {
		d := s.SSVCData
		r.SSVC = append(r.SSVC, SSVC{Source: s.Source, Timestamp: d.Timestamp, Role: d.Role, Version: d.Version, Options: d.Options})
	}
	if w.CISAExploitAdd != "" || w.CISAActionDue != "" || w.CISARequiredAction != "" || w.CISAVulnerabilityName != "" {
		r.KEV = &KEV{ExploitAdd: w.CISAExploitAdd, ActionDue: w.CISAActionDue,
			RequiredAction: w.CISARequiredAction, VulnerabilityName: w.CISAVulnerabilityName}
	}
	return r, nil
}

// flatten lists every CVSS metric, newest version first, checking that
// each states the version of the list it is in and a score in range.
func (m *wireMetrics) flatten(lim Limits) ([]CVSS, error) {
	n := len(m.V40) + len(m.V31) + len(m.V30) + len(m.V2) + len(m.SSVC)
	if n > lim.MaxMetrics {
		return nil, fmt.Errorf("%w: %d metrics, limit %d", ErrTooLarge, n, lim.MaxMetrics)
	}
	out := make([]CVSS, 0, n)
	for _, l := range []struct {
		version string
		list    []wireCVSS
	}{{"4.0", m.V40}, {"3.1", m.V31}, {"3.0", m.V30}, {"2.0", m.V2}} {
		for i, c := range l.list {
			d := c.CVSSData
			if d.Version != l.version {
				return nil, fmt.Errorf("%w: CVSS %s metric %d states version %q", ErrInvalid, l.version, i, clip(d.Version))
			}
			if d.BaseScore < 0 || d.BaseScore > 10 {
				return nil, fmt.Errorf("%w: CVSS %s metric %d: base score %v out of 0–10", ErrInvalid, l.version, i, d.BaseScore)
			}
			sev := d.BaseSeverity
			if sev == "" {
				sev = c.BaseSeverity
			}
			out = append(out, CVSS{Source: c.Source, Type: c.Type, Version: l.version,
				Vector: strings.TrimSpace(d.VectorString), BaseScore: d.BaseScore, BaseSeverity: sev})
		}
	}
	return out, nil
}

// checkConfigurations bounds the cpeMatch entries of a record and checks
// the operators, which later CPE matching relies on.
func checkConfigurations(cs []Configuration, lim Limits) error {
	n := 0
	for i, c := range cs {
		if !validOperator(c.Operator, true) {
			return fmt.Errorf("%w: configurations[%d]: operator %q is not AND or OR", ErrInvalid, i, clip(c.Operator))
		}
		for j, node := range c.Nodes {
			if !validOperator(node.Operator, false) {
				return fmt.Errorf("%w: configurations[%d].nodes[%d]: operator %q is not AND or OR", ErrInvalid, i, j, clip(node.Operator))
			}
			n += len(node.CPEMatch)
			if n > lim.MaxCPEMatches {
				return fmt.Errorf("%w: more than %d cpeMatch entries", ErrTooLarge, lim.MaxCPEMatches)
			}
			for k, m := range node.CPEMatch {
				if !strings.HasPrefix(m.Criteria, "cpe:2.3:") {
					return fmt.Errorf("%w: configurations[%d].nodes[%d].cpeMatch[%d]: criteria is not a CPE 2.3 name", ErrInvalid, i, j, k)
				}
			}
		}
	}
	return nil
}

// validOperator accepts AND and OR, and an absent operator where NVD
// leaves it out (a configuration with one node).
func validOperator(op string, mayBeEmpty bool) bool {
	return op == "AND" || op == "OR" || op == "" && mayBeEmpty
}
