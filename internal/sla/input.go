package sla

import (
	"maps"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// PolicyInput is a new version of the policy as an administrator gives
// it: a Policy without the version and time, which the service sets.
type PolicyInput struct {
	Rules              map[model.Rating]Days `json:"rules" doc:"the days per severity (critical, high, medium, low; each required) and asset exposure (internet-facing, internal, isolated; each required), 1–3650"`
	UnknownAs          model.Rating          `json:"unknown_as" doc:"the severity whose rule a finding of unknown severity follows: critical, high, medium or low"`
	CriticalityPercent map[int]int           `json:"criticality_percent" doc:"the days scaled by asset criticality, keys 1 (highest) to 4 (lowest), each required: days × percent / 100, rounded up, at least 1; percent 1–1000"`
}

// Input is p as an administrator would give it again, its maps copied.
func (p Policy) Input() PolicyInput {
	return PolicyInput{Rules: maps.Clone(p.Rules), UnknownAs: p.UnknownAs, CriticalityPercent: maps.Clone(p.CriticalityPercent)}
}

// Policy is in as version v, made at; Validate names the first bad field.
func (in PolicyInput) Policy(v int, at time.Time) (Policy, error) {
	p := Policy{Version: v, CreatedAt: at.UTC(), Rules: in.Rules, UnknownAs: in.UnknownAs, CriticalityPercent: in.CriticalityPercent}
	return p, p.Validate()
}
