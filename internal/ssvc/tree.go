// Package ssvc decides a finding's priority with CISA's SSVC decision tree
// (track, track*, attend, act) from four decision points, each derived by a
// documented rule from dated evidence: Exploitation from the KEV catalog, a
// public proof of concept or EPSS; Automatable and Technical Impact from a
// CVSS v3.x or v4 vector; Mission & Well-being from the asset's
// criticality and exposure. Inputs keeps every piece of evidence with its
// date and source, so Decide re-derives a stored decision exactly. Pure.
package ssvc

import "github.com/vulndesk/vulndesk/internal/model"

// Exploitation is the present state of exploitation of the vulnerability.
type Exploitation string

// The Exploitation values.
const (
	ExploitationNone   Exploitation = "none"   // no evidence of exploitation, no public PoC
	ExploitationPoC    Exploitation = "poc"    // a public proof of concept or well-known method
	ExploitationActive Exploitation = "active" // used in the wild by real attackers
)

// Automatable tells whether an attacker can reliably automate steps 1–4 of
// the kill chain (reconnaissance, weaponization, delivery, exploitation).
type Automatable string

// The Automatable values.
const (
	AutomatableNo  Automatable = "no"
	AutomatableYes Automatable = "yes"
)

// TechnicalImpact is how much control or information an exploit gives.
type TechnicalImpact string

// The Technical Impact values.
const (
	TechnicalImpactPartial TechnicalImpact = "partial"
	TechnicalImpactTotal   TechnicalImpact = "total"
)

// MissionWellbeing combines Mission Prevalence and Public Well-Being Impact.
type MissionWellbeing string

// The Mission & Well-being values.
const (
	MissionWellbeingLow    MissionWellbeing = "low"
	MissionWellbeingMedium MissionWellbeing = "medium"
	MissionWellbeingHigh   MissionWellbeing = "high"
)

// Decision is the outcome of CISA's tree.
type Decision string

// The decisions, lowest first, with CISA's meaning.
const (
	Track     Decision = "track"  // no action now; remediate within standard update timelines
	TrackStar Decision = "track*" // as track, with closer monitoring for changes
	Attend    Decision = "attend" // supervisory attention; remediate sooner than standard timelines
	Act       Decision = "act"    // leadership attention; remediate as soon as possible
)

// Decisions lists the decisions, lowest first.
var Decisions = []Decision{Track, TrackStar, Attend, Act}

// Rank orders decisions: track 1, track* 2, attend 3, act 4; 0 for anything else.
func (d Decision) Rank() int {
	for i, x := range Decisions {
		if d == x {
			return i + 1
		}
	}
	return 0
}

// TableName names the decision table Tree encodes.
const TableName = "CISA Coordinator decision table v2.0.3"

// table is CISA's SSVC decision tree as published in "CISA Stakeholder-
// Specific Vulnerability Categorization Guide" (CISA, November 2022,
// https://www.cisa.gov/stakeholder-specific-vulnerability-categorization-ssvc)
// and kept machine-readable by CERT/CC as "CISA Coordinator" v2.0.3
// (github.com/CERTCC/SSVC, data/json/decision_tables/cisa/
// cisa_coordinator_2_0_3.json), row for row in that file's order:
// Exploitation, Automatable, Technical Impact, Mission & Well-being →
// decision.
var table = [36]struct {
	e Exploitation
	a Automatable
	t TechnicalImpact
	m MissionWellbeing
	d Decision
}{
	{"none", "no", "partial", "low", Track},
	{"none", "no", "partial", "medium", Track},
	{"none", "no", "partial", "high", Track},
	{"none", "no", "total", "low", Track},
	{"none", "no", "total", "medium", Track},
	{"none", "no", "total", "high", TrackStar},
	{"none", "yes", "partial", "low", Track},
	{"none", "yes", "partial", "medium", Track},
	{"none", "yes", "partial", "high", Attend},
	{"none", "yes", "total", "low", Track},
	{"none", "yes", "total", "medium", Track},
	{"none", "yes", "total", "high", Attend},
	{"poc", "no", "partial", "low", Track},
	{"poc", "no", "partial", "medium", Track},
	{"poc", "no", "partial", "high", TrackStar},
	{"poc", "no", "total", "low", Track},
	{"poc", "no", "total", "medium", TrackStar},
	{"poc", "no", "total", "high", Attend},
	{"poc", "yes", "partial", "low", Track},
	{"poc", "yes", "partial", "medium", Track},
	{"poc", "yes", "partial", "high", Attend},
	{"poc", "yes", "total", "low", Track},
	{"poc", "yes", "total", "medium", TrackStar},
	{"poc", "yes", "total", "high", Attend},
	{"active", "no", "partial", "low", Track},
	{"active", "no", "partial", "medium", Track},
	{"active", "no", "partial", "high", Attend},
	{"active", "no", "total", "low", Track},
	{"active", "no", "total", "medium", Attend},
	{"active", "no", "total", "high", Act},
	{"active", "yes", "partial", "low", Attend},
	{"active", "yes", "partial", "medium", Attend},
	{"active", "yes", "partial", "high", Act},
	{"active", "yes", "total", "low", Attend},
	{"active", "yes", "total", "medium", Act},
	{"active", "yes", "total", "high", Act},
}

// Tree is CISA's decision for the four decision points; an error (ErrInvalid)
// names a value that is not one of its decision point's.
func Tree(e Exploitation, a Automatable, t TechnicalImpact, m MissionWellbeing) (Decision, error) {
	for _, r := range table {
		if r.e == e && r.a == a && r.t == t && r.m == m {
			return r.d, nil
		}
	}
	switch {
	case e != ExploitationNone && e != ExploitationPoC && e != ExploitationActive:
		return "", model.Invalidf("exploitation %q: none, poc or active", e)
	case a != AutomatableNo && a != AutomatableYes:
		return "", model.Invalidf("automatable %q: no or yes", a)
	case t != TechnicalImpactPartial && t != TechnicalImpactTotal:
		return "", model.Invalidf("technical_impact %q: partial or total", t)
	}
	return "", model.Invalidf("mission_wellbeing %q: low, medium or high", m)
}
