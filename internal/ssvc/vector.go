package ssvc

import (
	"errors"
	"fmt"
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// ErrUnsupportedVector is returned by ReadVector for a vector that is not
// CVSS v3.0, v3.1 or v4.0 (CVSS v2 has no equivalent of the metrics the
// rules read).
var ErrUnsupportedVector = errors.New("not a CVSS v3.x or v4.0 vector")

// Vector holds the base metrics of a CVSS vector that the rules read, as
// the vector's letters: AV, AC, PR, UI and, for v4.0, AT; C and I are v3's
// C and I or v4's VC and VI; AU is v4's supplemental Automatable (Y, N, or
// "" when not stated).
type Vector struct {
	Version                string // 3.0, 3.1 or 4.0
	AV, AC, AT, PR, UI, AU string
	C, I                   string
}

// ReadVector reads a CVSS v3.0, v3.1 or v4.0 vector (surrounding spaces
// ignored) with go-cvss, which validates it.
func ReadVector(s string) (Vector, error) {
	s = strings.TrimSpace(s)
	type getter interface{ Get(string) (string, error) }
	var g getter
	var v Vector
	var err error
	switch {
	case strings.HasPrefix(s, "CVSS:3.0/"):
		v.Version = "3.0"
		var c *gocvss30.CVSS30
		if c, err = gocvss30.ParseVector(s); err == nil {
			g = c
		}
	case strings.HasPrefix(s, "CVSS:3.1/"):
		v.Version = "3.1"
		var c *gocvss31.CVSS31
		if c, err = gocvss31.ParseVector(s); err == nil {
			g = c
		}
	case strings.HasPrefix(s, "CVSS:4.0/"):
		v.Version = "4.0"
		var c *gocvss40.CVSS40
		if c, err = gocvss40.ParseVector(s); err == nil {
			g = c
		}
	default:
		return Vector{}, fmt.Errorf("cvss vector %q: %w", s, ErrUnsupportedVector)
	}
	if err != nil {
		return Vector{}, fmt.Errorf("cvss vector %q: %w", s, err)
	}
	get := func(m string) string {
		x, err := g.Get(m)
		if err != nil || x == "X" {
			return ""
		}
		return x
	}
	v.AV, v.AC, v.PR, v.UI = get("AV"), get("AC"), get("PR"), get("UI")
	if v.Version == "4.0" {
		v.AT, v.AU, v.C, v.I = get("AT"), get("AU"), get("VC"), get("VI")
	} else {
		v.C, v.I = get("C"), get("I")
	}
	return v, nil
}

// Automatable derives Automatable from the vector: a v4.0 vector that
// states the supplemental Automatable metric (AU:Y or AU:N) answers
// directly, as FIRST defined that metric to be SSVC's; otherwise yes when
// the vulnerability is reachable over the network with low complexity,
// without privileges or user interaction (AV:N/AC:L/PR:N/UI:N, and AT:N
// for v4.0) — what scanning the internet and exploiting every hit needs —
// else no. The string says which rule applied.
func (v Vector) Automatable() (Automatable, string) {
	switch v.AU {
	case "Y":
		return AutomatableYes, "CVSS " + v.Version + " states AU:Y"
	case "N":
		return AutomatableNo, "CVSS " + v.Version + " states AU:N"
	}
	net := v.AV == "N" && v.AC == "L" && v.PR == "N" && v.UI == "N"
	if v.Version == "4.0" {
		if net && v.AT == "N" {
			return AutomatableYes, "CVSS 4.0 AV:N/AC:L/AT:N/PR:N/UI:N"
		}
		return AutomatableNo, fmt.Sprintf("CVSS 4.0 AV:%s/AC:%s/AT:%s/PR:%s/UI:%s is not AV:N/AC:L/AT:N/PR:N/UI:N", v.AV, v.AC, v.AT, v.PR, v.UI)
	}
	if net {
		return AutomatableYes, "CVSS " + v.Version + " AV:N/AC:L/PR:N/UI:N"
	}
	return AutomatableNo, fmt.Sprintf("CVSS %s AV:%s/AC:%s/PR:%s/UI:%s is not AV:N/AC:L/PR:N/UI:N", v.Version, v.AV, v.AC, v.PR, v.UI)
}

// TechnicalImpact derives Technical Impact with CERT/CC's "CVSSv4 to
// Technical Impact" table v1.0.0 (github.com/CERTCC/SSVC, data/json/
// decision_tables/ssvc/cvssv4_to_technical_impact_1_0_0.json), applied to
// v3's C and I as to v4's VC and VI: total when confidentiality and
// integrity are both high, or when no privileges are required and one is
// high and the other low; else partial.
func (v Vector) TechnicalImpact() (TechnicalImpact, string) {
	ci := "C:" + v.C + "/I:" + v.I
	if v.Version == "4.0" {
		ci = "VC:" + v.C + "/VI:" + v.I
	}
	switch {
	case v.C == "H" && v.I == "H":
		return TechnicalImpactTotal, "CVSS " + v.Version + " " + ci
	case v.PR == "N" && (v.C == "H" && v.I == "L" || v.C == "L" && v.I == "H"):
		return TechnicalImpactTotal, "CVSS " + v.Version + " PR:N/" + ci
	}
	return TechnicalImpactPartial, "CVSS " + v.Version + " PR:" + v.PR + "/" + ci
}
