package csaf

import (
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// osvRecord is an OSV record (schema 1.6).
type osvRecord struct {
	SchemaVersion    string         `json:"schema_version"`
	ID               string         `json:"id"`
	Modified         string         `json:"modified"`
	Published        string         `json:"published"`
	Aliases          []string       `json:"aliases,omitempty"`
	Summary          string         `json:"summary"`
	Details          string         `json:"details"`
	Severity         []osvSeverity  `json:"severity,omitempty"`
	Affected         []osvAffected  `json:"affected"`
	References       []osvReference `json:"references,omitempty"`
	Credits          []osvCredit    `json:"credits,omitempty"`
	DatabaseSpecific osvDBSpecific  `json:"database_specific"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvAffected struct {
	Ranges           []osvRange         `json:"ranges"`
	DatabaseSpecific osvAffectedProduct `json:"database_specific"`
}

type osvRange struct {
	Type   string     `json:"type"`
	Events []osvEvent `json:"events"`
}

type osvEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
}

type osvAffectedProduct struct {
	Vendor   string `json:"vendor"`
	Product  string `json:"product"`
	Affected string `json:"affected_range"`
	Fixed    string `json:"fixed,omitempty"`
	AssetID  int64  `json:"asset_id"`
}

type osvReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type osvCredit struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type osvDBSpecific struct {
	CSAFTrackingID string   `json:"csaf_tracking_id"`
	Version        int      `json:"version"`
	CWEs           []string `json:"cwe_ids,omitempty"`
}

// OSV writes the advisory as one OSV record: its ID is the tracking ID
// behind x_ (the prefix OSV keeps for databases it does not list),
// the CVEs are its aliases, each affected product an affected entry whose
// range events come from the affected range and the fixed version (the
// products are the organisation's own, in no OSV ecosystem: they are named
// in database_specific). Products that are not affected are left out.
func OSV(a model.SecurityAdvisory, m Meta) ([]byte, error) {
	r := osvRecord{SchemaVersion: "1.6.0", ID: "x_" + a.TrackingID, Modified: stamp(m.Current), Published: stamp(m.Initial),
		Summary: a.Title, Details: a.Summary, Affected: []osvAffected{},
		DatabaseSpecific: osvDBSpecific{CSAFTrackingID: a.TrackingID, Version: m.Version}}
	var details []string
	if a.Summary != "" {
		details = append(details, a.Summary)
	}
	for _, v := range a.Vulnerabilities {
		if v.CVE != "" && !slices.Contains(r.Aliases, v.CVE) {
			r.Aliases = append(r.Aliases, v.CVE)
		}
		if v.CWE != "" && !slices.Contains(r.DatabaseSpecific.CWEs, v.CWE) {
			r.DatabaseSpecific.CWEs = append(r.DatabaseSpecific.CWEs, v.CWE)
		}
		if v.CVSS != "" && r.Severity == nil {
			r.Severity = []osvSeverity{{Type: "CVSS_V3", Score: v.CVSS}}
		}
		details = append(details, v.Title+"\n\n"+v.Description)
		if v.Remediation != "" {
			details = append(details, "Remediation: "+v.Remediation)
		}
		for _, n := range v.Acknowledgements {
			if !slices.ContainsFunc(r.Credits, func(c osvCredit) bool { return c.Name == n }) {
				r.Credits = append(r.Credits, osvCredit{Name: n, Type: "FINDER"})
			}
		}
	}
	r.Details = strings.Join(details, "\n\n")
	for _, p := range a.Products {
		if p.Status != model.ProductAffected {
			continue
		}
		r.Affected = append(r.Affected, osvAffected{Ranges: []osvRange{{Type: "ECOSYSTEM", Events: events(p)}},
			DatabaseSpecific: osvAffectedProduct{Vendor: m.Publisher, Product: p.Name, Affected: p.Affected, Fixed: p.Fixed, AssetID: p.AssetID}})
	}
	if m.SelfURL != "" {
		r.References = []osvReference{{Type: "ADVISORY", URL: m.SelfURL}}
	}
	return encode(r)
}

// events reads a range's bounds: >= or = as introduced, < as fixed, <=
// as last_affected; the fixed version, when given, is the fix. A range
// with no lower bound is introduced at 0.
func events(p model.SecAdvProduct) []osvEvent {
	rng := p.Affected
	if i := strings.Index(rng, "/"); strings.HasPrefix(strings.ToLower(rng), "vers:") && i > 0 {
		rng = rng[i+1:]
	}
	ev := []osvEvent{{Introduced: "0"}}
	var fixed, last string
	for c := range strings.FieldsFuncSeq(rng, func(r rune) bool { return r == ',' || r == '|' }) {
		c = strings.ReplaceAll(strings.TrimSpace(c), " ", "")
		switch {
		case strings.HasPrefix(c, ">="):
			ev[0].Introduced = c[2:]
		case strings.HasPrefix(c, "<="):
			last = c[2:]
		case strings.HasPrefix(c, "<"):
			fixed = c[1:]
		case strings.HasPrefix(c, ">"), strings.HasPrefix(c, "!="), c == "*":
		default:
			ev[0].Introduced = strings.TrimPrefix(c, "=")
			last = ev[0].Introduced
		}
	}
	if ev[0].Introduced == "" {
		ev[0].Introduced = "0"
	}
	switch {
	case p.Fixed != "":
		ev = append(ev, osvEvent{Fixed: p.Fixed})
	case fixed != "":
		ev = append(ev, osvEvent{Fixed: fixed})
	case last != "":
		ev = append(ev, osvEvent{LastAffected: last})
	}
	return ev
}
