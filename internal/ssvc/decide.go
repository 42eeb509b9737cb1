package ssvc

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// DefaultEPSSThreshold is the EPSS score (probability of exploitation
// activity in the next 30 days) from which a vulnerability counts as poc
// when no public proof of concept is known: 0.1 selects a small share of
// the scored CVEs, those with a real chance of exploitation soon. The
// threshold in force is recorded in every Inputs, so changing it never
// changes a past decision.
const DefaultEPSSThreshold = 0.1

// KEV is a vulnerability's entry in CISA's Known Exploited Vulnerabilities
// catalog, as the catalog release stated it.
type KEV struct {
	DateAdded      time.Time `json:"date_added"`
	DueDate        time.Time `json:"due_date,omitzero"`
	Ransomware     bool      `json:"known_ransomware_use"` // recorded; the tree does not read it
	CatalogVersion string    `json:"catalog_version,omitempty"`
}

// PoC is a public proof of concept (Metasploit, ExploitDB, a published
// exploit) as someone recorded it.
type PoC struct {
	Source string    `json:"source"` // where it is, e.g. a URL or "exploit-db 51234"
	Seen   time.Time `json:"seen"`   // when it was recorded
}

// EPSS is one FIRST EPSS score of the vulnerability.
type EPSS struct {
	Score      float64   `json:"score"`      // probability of exploitation activity in the next 30 days, 0–1
	Percentile float64   `json:"percentile"` // rank among all scored CVEs, 0–1
	Date       time.Time `json:"date"`       // score_date
	Model      string    `json:"model_version,omitempty"`
}

// CVSS is the vector the automatable and technical impact rules read, and
// who states it.
type CVSS struct {
	Vector string `json:"vector"`
	Source string `json:"source,omitempty"` // e.g. "advisory GHSA-…", "nvd@nist.gov CVE-…"
}

// Asset is what the decision takes from the asset, as it was at the time.
type Asset struct {
	ID          int64  `json:"id,omitempty"`
	Criticality int    `json:"criticality"` // 1 (highest) to 4 (lowest)
	Exposure    string `json:"exposure"`    // one of model.Exposures
}

// Inputs is every piece of evidence a decision is made from, with its date
// and source. Stored beside the decision, it lets Decide re-derive it.
// Evidence dated after At (a KEV listing, a PoC, an EPSS score) is
// ignored: it could not have been known when deciding.
type Inputs struct {
	At            time.Time `json:"at"`
	KEV           *KEV      `json:"kev,omitempty"`
	PoC           *PoC      `json:"poc,omitempty"`
	EPSS          *EPSS     `json:"epss,omitempty"`
	EPSSThreshold float64   `json:"epss_threshold"`
	CVSS          *CVSS     `json:"cvss,omitempty"`
	Asset         Asset     `json:"asset"`
}

// Outcome is a decision with the value of each decision point and, for
// each, the rule that set it.
type Outcome struct {
	Decision         Decision         `json:"decision"`
	Exploitation     Exploitation     `json:"exploitation"`
	Automatable      Automatable      `json:"automatable"`
	TechnicalImpact  TechnicalImpact  `json:"technical_impact"`
	MissionWellbeing MissionWellbeing `json:"mission_wellbeing"`
	// Why holds one line per decision point, in the order above.
	Why   []string `json:"why"`
	Table string   `json:"table"`
}

// String is the decision with its decision point values in a line, e.g.
// "exploitation active, automatable yes, technical impact total, mission &
// well-being high → act".
func (o Outcome) String() string {
	return fmt.Sprintf("exploitation %s, automatable %s, technical impact %s, mission & well-being %s → %s",
		o.Exploitation, o.Automatable, o.TechnicalImpact, o.MissionWellbeing, o.Decision)
}

// Decide derives the four decision points from in and applies CISA's tree.
// It fails (ErrInvalid, naming the field) on inputs no rule can read.
func Decide(in Inputs) (Outcome, error) {
	if err := in.validate(); err != nil {
		return Outcome{}, err
	}
	o := Outcome{Table: TableName}
	var why [4]string
	o.Exploitation, why[0] = ExploitationFrom(in)
	var err error
	o.Automatable, o.TechnicalImpact, why[1], why[2], err = fromCVSS(in.CVSS)
	if err != nil {
		return Outcome{}, err
	}
	o.MissionWellbeing, why[3], err = MissionWellbeingFrom(in.Asset.Criticality, in.Asset.Exposure)
	if err != nil {
		return Outcome{}, err
	}
	o.Why = why[:]
	o.Decision, err = Tree(o.Exploitation, o.Automatable, o.TechnicalImpact, o.MissionWellbeing)
	return o, err
}

func (in Inputs) validate() error {
	if in.At.IsZero() {
		return model.Invalidf("at: required (when the decision is made)")
	}
	if in.KEV != nil && in.KEV.DateAdded.IsZero() {
		return model.Invalidf("kev.date_added: required")
	}
	if in.PoC != nil && (in.PoC.Seen.IsZero() || strings.TrimSpace(in.PoC.Source) == "") {
		return model.Invalidf("poc: source and seen required")
	}
	if e := in.EPSS; e != nil {
		switch {
		case !unit(e.Score):
			return model.Invalidf("epss.score %v: 0 to 1", e.Score)
		case !unit(e.Percentile):
			return model.Invalidf("epss.percentile %v: 0 to 1", e.Percentile)
		case e.Date.IsZero():
			return model.Invalidf("epss.date: required")
		case !(in.EPSSThreshold > 0 && in.EPSSThreshold <= 1):
			return model.Invalidf("epss_threshold %v: above 0, at most 1 (default %v)", in.EPSSThreshold, DefaultEPSSThreshold)
		}
	}
	return nil
}

func unit(x float64) bool { return !math.IsNaN(x) && x >= 0 && x <= 1 }

// ExploitationFrom derives Exploitation from the evidence known at in.At:
// active when the vulnerability was listed in CISA's KEV catalog; poc when
// a public proof of concept was recorded or its EPSS score reached
// in.EPSSThreshold; else none. The string says which rule applied.
func ExploitationFrom(in Inputs) (Exploitation, string) {
	var notes []string
	late := func(what string, d time.Time) {
		notes = append(notes, what+" "+d.Format(time.DateOnly)+" (after the decision)")
	}
	if k := in.KEV; k != nil {
		if !k.DateAdded.After(in.At) {
			return ExploitationActive, "listed in CISA KEV on " + k.DateAdded.Format(time.DateOnly)
		}
		late("KEV listing of", k.DateAdded)
	}
	if p := in.PoC; p != nil {
		if !p.Seen.After(in.At) {
			return ExploitationPoC, "public proof of concept: " + p.Source
		}
		late("PoC seen", p.Seen)
	}
	if e := in.EPSS; e != nil {
		switch {
		case e.Date.After(in.At):
			late("EPSS of", e.Date)
		case e.Score >= in.EPSSThreshold:
			return ExploitationPoC, fmt.Sprintf("EPSS %v ≥ %v on %s", e.Score, in.EPSSThreshold, e.Date.Format(time.DateOnly))
		default:
			notes = append(notes, fmt.Sprintf("EPSS %v < %v on %s", e.Score, in.EPSSThreshold, e.Date.Format(time.DateOnly)))
		}
	}
	if len(notes) == 0 {
		return ExploitationNone, "not in KEV, no public proof of concept, no EPSS score"
	}
	return ExploitationNone, "not in KEV, no public proof of concept; " + strings.Join(notes, "; ")
}

// fromCVSS derives Automatable and Technical Impact from the vector. With
// no vector, or one of CVSS v2, nothing tells them, and both take the
// cautious value (yes, total) so that missing data never lowers a
// priority; a vector that does not parse is an error.
func fromCVSS(c *CVSS) (Automatable, TechnicalImpact, string, string, error) {
	if c == nil || strings.TrimSpace(c.Vector) == "" {
		const why = "no CVSS v3.x or v4.0 vector: assumed"
		return AutomatableYes, TechnicalImpactTotal, why + " yes", why + " total", nil
	}
	v, err := ReadVector(c.Vector)
	if errors.Is(err, ErrUnsupportedVector) {
		why := fmt.Sprintf("CVSS vector %q is not v3.x or v4.0: assumed", c.Vector)
		return AutomatableYes, TechnicalImpactTotal, why + " yes", why + " total", nil
	}
	if err != nil {
		return "", "", "", "", model.Invalidf("cvss.vector: %v", err)
	}
	a, wa := v.Automatable()
	t, wt := v.TechnicalImpact()
	return a, t, wa, wt, nil
}

// MissionWellbeingFrom derives Mission & Well-being from the asset. Its
// criticality stands for Mission Prevalence (1 essential, 2–3 support, 4
// minimal); exposure settles the middle: an internet-facing asset of
// criticality 2 serves the public and counts high, an isolated asset of
// criticality 3 counts low.
//
//	criticality  internet-facing  internal  isolated
//	1            high             high      high
//	2            high             medium    medium
//	3            medium           medium    low
//	4            low              low       low
//
// Criticality 0 counts as 3 and exposure "" as internal, the defaults of
// model.Asset.
func MissionWellbeingFrom(criticality int, exposure string) (MissionWellbeing, string, error) {
	if criticality == 0 {
		criticality = 3
	}
	if exposure == "" {
		exposure = "internal"
	}
	if !slices.Contains(model.Exposures, exposure) {
		return "", "", model.Invalidf("asset.exposure %q: one of %s", exposure, strings.Join(model.Exposures, ", "))
	}
	var m MissionWellbeing
	switch criticality {
	case 1:
		m = MissionWellbeingHigh
	case 2:
		m = MissionWellbeingMedium
		if exposure == "internet-facing" {
			m = MissionWellbeingHigh
		}
	case 3:
		m = MissionWellbeingMedium
		if exposure == "isolated" {
			m = MissionWellbeingLow
		}
	case 4:
		m = MissionWellbeingLow
	default:
		return "", "", model.Invalidf("asset.criticality %d: 1 (highest) to 4 (lowest)", criticality)
	}
	return m, fmt.Sprintf("asset criticality %d, %s", criticality, exposure), nil
}
