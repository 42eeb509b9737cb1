// Package sla sets and reads remediation clocks: a versioned Policy gives
// the days a finding may stay open by severity × asset exposure, adjusted
// by asset criticality; Due starts a Clock (a KEV-listed vulnerability gets
// the shorter of the policy and CISA's due date), State reads it at a time,
// Apply decides whether a changed finding keeps its clock (it keeps the
// policy version that set it unless its severity changed or it reopened),
// and Compute gives the figures auditors ask for. Everything is pure.
package sla

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// MaxDays is the longest period a rule may give (ten years).
const MaxDays = 3650

// Days is what a rule gives one severity, per asset exposure.
type Days struct {
	InternetFacing int `json:"internet-facing" doc:"days on an internet-facing asset, 1–3650"`
	Internal       int `json:"internal" doc:"days on an internal asset, 1–3650"`
	Isolated       int `json:"isolated" doc:"days on an isolated asset (no network path), 1–3650"`
}

// For returns the days for an exposure (one of model.Exposures) and
// whether the exposure is known.
func (d Days) For(exposure string) (int, bool) {
	switch exposure {
	case "internet-facing":
		return d.InternetFacing, true
	case "internal":
		return d.Internal, true
	case "isolated":
		return d.Isolated, true
	}
	return 0, false
}

// RatedSeverities are the severities a policy must give days for, highest
// first. None has no deadline; unknown follows Policy.UnknownAs.
var RatedSeverities = []model.Rating{model.RatingCritical, model.RatingHigh, model.RatingMedium, model.RatingLow}

// Policy is one version of the SLA policy. A finding's clock keeps the
// version that set it (see Apply); editing the policy makes a new version.
type Policy struct {
	// Version counts from 1; CreatedAt is when it was made.
	Version   int       `json:"version" doc:"the version, counting from 1; the server sets it"`
	CreatedAt time.Time `json:"created_at" doc:"when this version was made (UTC, RFC 3339); the server sets it"`
	// Rules gives the days per severity and exposure, for each of
	// RatedSeverities.
	Rules map[model.Rating]Days `json:"rules" doc:"the days per severity (critical, high, medium, low; each required) and asset exposure"`
	// UnknownAs is the severity whose rule a finding of unknown severity
	// (an advisory that states none) follows: a clock must run for every
	// finding, and unrated advisories include malicious packages.
	UnknownAs model.Rating `json:"unknown_as" doc:"the severity whose rule a finding of unknown severity follows: critical, high, medium or low"`
	// CriticalityPercent scales the days by asset criticality, 1 (highest)
	// to 4 (lowest): days × percent / 100, rounded up, at least 1. All 100
	// by default, so the defaults hold for every asset.
	CriticalityPercent map[int]int `json:"criticality_percent" doc:"the days scaled by asset criticality, 1 (highest) to 4 (lowest), each required: days × percent / 100, rounded up, at least 1; percent 1–1000"`
}

// DefaultPolicy is version 1 of the policy as issue 12 sets it: critical
// 3 days on an internet-facing asset and 14 on an internal one, high
// 30 / 60, medium 90, low 180. Isolated assets (no network path) follow
// the internal days. Unknown severities follow high; criticality does not
// change the days until an administrator says so.
func DefaultPolicy(createdAt time.Time) Policy {
	return Policy{
		Version:   1,
		CreatedAt: createdAt,
		Rules: map[model.Rating]Days{
			model.RatingCritical: {InternetFacing: 3, Internal: 14, Isolated: 14},
			model.RatingHigh:     {InternetFacing: 30, Internal: 60, Isolated: 60},
			model.RatingMedium:   {InternetFacing: 90, Internal: 90, Isolated: 90},
			model.RatingLow:      {InternetFacing: 180, Internal: 180, Isolated: 180},
		},
		UnknownAs:          model.RatingHigh,
		CriticalityPercent: map[int]int{1: 100, 2: 100, 3: 100, 4: 100},
	}
}

// Validate checks every field and names the first bad one.
func (p Policy) Validate() error {
	if p.Version < 1 {
		return model.Invalidf("version %d: 1 or more", p.Version)
	}
	if p.CreatedAt.IsZero() {
		return model.Invalidf("created_at: required")
	}
	for r := range p.Rules {
		if !slices.Contains(RatedSeverities, r) {
			return model.Invalidf("rules.%s: rules are for %s; none has no deadline and unknown follows unknown_as", r, ratedList())
		}
	}
	for _, r := range RatedSeverities {
		d, ok := p.Rules[r]
		if !ok {
			return model.Invalidf("rules.%s: missing", r)
		}
		for _, e := range model.Exposures {
			if n, _ := d.For(e); n < 1 || n > MaxDays {
				return model.Invalidf("rules.%s.%s: %d days; 1 to %d", r, e, n, MaxDays)
			}
		}
	}
	if !slices.Contains(RatedSeverities, p.UnknownAs) {
		return model.Invalidf("unknown_as %q: one of %s", p.UnknownAs, ratedList())
	}
	for c := range p.CriticalityPercent {
		if c < 1 || c > 4 {
			return model.Invalidf("criticality_percent.%d: criticality is 1 (highest) to 4 (lowest)", c)
		}
	}
	for c := 1; c <= 4; c++ {
		pct, ok := p.CriticalityPercent[c]
		if !ok {
			return model.Invalidf("criticality_percent.%d: missing", c)
		}
		if pct < 1 || pct > 1000 {
			return model.Invalidf("criticality_percent.%d: %d; 1 to 1000 percent", c, pct)
		}
	}
	return nil
}

func ratedList() string {
	s := make([]string, len(RatedSeverities))
	for i, r := range RatedSeverities {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ParsePolicy reads a policy as stored or as an administrator submits it:
// strict JSON (unknown fields and trailing data are refused), then
// Validate.
func ParsePolicy(data []byte) (Policy, error) {
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, model.Invalidf("sla policy: %v", err)
	}
	if dec.More() {
		return Policy{}, model.Invalidf("sla policy: data after the policy")
	}
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("sla policy: %w", err)
	}
	return p, nil
}

// days is the period a rule gives severity r (already mapped from unknown)
// on an asset of the exposure and criticality: the rule's days scaled by
// the criticality percent, rounded up, at least 1.
func (p Policy) days(r model.Rating, exposure string, criticality int) (int, error) {
	d, ok := p.Rules[r]
	if !ok {
		return 0, model.Invalidf("severity %q: the policy has no rule for it", r)
	}
	n, ok := d.For(exposure)
	if !ok {
		return 0, model.Invalidf("exposure %q: one of %s", exposure, strings.Join(model.Exposures, ", "))
	}
	pct, ok := p.CriticalityPercent[criticality]
	if !ok {
		return 0, model.Invalidf("criticality %d: 1 (highest) to 4 (lowest)", criticality)
	}
	n = (n*pct + 99) / 100
	return max(n, 1), nil
}
