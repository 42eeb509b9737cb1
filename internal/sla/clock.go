package sla

import (
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Day is the unit of a rule: 24 hours, whatever the time zone.
const Day = 24 * time.Hour

// Inputs are what a finding's clock is set from.
type Inputs struct {
	Severity model.Rating `json:"severity"`
	// Exposure is one of model.Exposures; "" counts as internal and
	// Criticality 0 as 3, the defaults of model.Asset.
	Exposure    string `json:"exposure"`
	Criticality int    `json:"criticality"`
	// Start is when the clock starts: the finding's first seen, the time
	// its severity changed, or the time it reopened.
	Start time.Time `json:"start"`
	// KEVDue is CISA's due date for a KEV-listed vulnerability, as the
	// catalog states it (a date, UTC midnight); zero when not listed. The
	// deadline is the end of that day.
	KEVDue time.Time `json:"kev_due,omitzero"`
}

// Clock is a finding's remediation clock: what set it and when it is due.
type Clock struct {
	PolicyVersion int          `json:"policy_version"`
	Severity      model.Rating `json:"severity"`
	Exposure      string       `json:"exposure"`
	Criticality   int          `json:"criticality"`
	Start         time.Time    `json:"start"`
	KEVDue        time.Time    `json:"kev_due,omitzero"`
	// Days is the period the rule gave; PolicyDueAt is Start + Days, zero
	// for a severity without deadline (none).
	Days        int       `json:"days"`
	PolicyDueAt time.Time `json:"policy_due_at,omitzero"`
	// DueAt is the deadline: PolicyDueAt, or the end of CISA's due day
	// when that is earlier (KEVShortened). Zero when there is none.
	DueAt        time.Time `json:"due_at,omitzero"`
	KEVShortened bool      `json:"kev_shortened"`
	// Rule says in words which rule gave Days, e.g. "critical ×
	// internet-facing: 3 days".
	Rule string `json:"rule"`
}

// Due sets a clock under policy p. A severity of none has no policy
// deadline (only a KEV due date can give it one); unknown follows
// p.UnknownAs. A KEV-listed vulnerability is due at the end of CISA's due
// day when that comes before the policy's deadline, even when it is
// already past at Start.
func Due(p Policy, in Inputs) (Clock, error) {
	if in.Start.IsZero() {
		return Clock{}, model.Invalidf("start: required")
	}
	if in.Exposure == "" {
		in.Exposure = "internal"
	}
	if in.Criticality == 0 {
		in.Criticality = 3
	}
	c := Clock{PolicyVersion: p.Version, Severity: in.Severity, Exposure: in.Exposure,
		Criticality: in.Criticality, Start: in.Start.UTC(), KEVDue: in.KEVDue}
	switch in.Severity {
	case model.RatingNone:
		c.Rule = "none: no deadline"
	case model.RatingUnknown, "":
		c.Severity = model.RatingUnknown
		if err := c.rule(p, p.UnknownAs, "unknown as "+string(p.UnknownAs)); err != nil {
			return Clock{}, err
		}
	default:
		if err := c.rule(p, in.Severity, string(in.Severity)); err != nil {
			return Clock{}, err
		}
	}
	c.applyKEV()
	return c, nil
}

// rule fills Days, PolicyDueAt, DueAt and Rule from p's rule for rating r.
func (c *Clock) rule(p Policy, r model.Rating, name string) error {
	n, err := p.days(r, c.Exposure, c.Criticality)
	if err != nil {
		return err
	}
	c.Days = n
	c.PolicyDueAt = c.Start.Add(time.Duration(n) * Day)
	c.DueAt = c.PolicyDueAt
	c.Rule = fmt.Sprintf("%s × %s: %d days", name, c.Exposure, n)
	if pct := p.CriticalityPercent[c.Criticality]; pct != 100 {
		c.Rule = fmt.Sprintf("%s × %s × criticality %d (%d%%): %d days", name, c.Exposure, c.Criticality, pct, n)
	}
	return nil
}

// applyKEV sets DueAt to the shorter of the policy's deadline and the end
// of CISA's due day.
func (c *Clock) applyKEV() {
	c.DueAt, c.KEVShortened = c.PolicyDueAt, false
	if c.KEVDue.IsZero() {
		return
	}
	kev := endOfDay(c.KEVDue)
	if c.PolicyDueAt.IsZero() || kev.Before(c.PolicyDueAt) {
		c.DueAt, c.KEVShortened = kev, true
	}
}

// endOfDay is the end of t's day in UTC (the next midnight).
func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Reset tells whether a finding whose clock is c must get a new clock
// under the current policy, and why. Only two things re-set a clock: the
// severity changed (next.Start should then be when it changed), or the
// finding reopened after it was fixed (next.Start: when it came back). A
// new policy version, a changed exposure or criticality, or an exception
// that expired leave the clock as it was: a finding keeps the version that
// set its clock.
func Reset(c Clock, next Inputs, reopened bool) (bool, string) {
	sev := next.Severity
	if sev == "" {
		sev = model.RatingUnknown
	}
	switch {
	case reopened:
		return true, "reopened"
	case sev != c.Severity:
		return true, fmt.Sprintf("severity %s → %s", c.Severity, sev)
	}
	return false, ""
}

// Apply gives the clock a finding has after a change: a new clock under
// policy p when Reset says so, else c with its policy version, start and
// rule, and its deadline the shorter of the policy's and CISA's current
// due date (a vulnerability added to KEV after the clock was set shortens
// it). next.KEVDue zero keeps the KEV date c has: the catalog rarely drops
// entries, and a deadline that moved back would hide a breach. The reason
// is "" when c is kept.
func Apply(p Policy, c Clock, next Inputs, reopened bool) (Clock, string, error) {
	if next.KEVDue.IsZero() {
		next.KEVDue = c.KEVDue
	}
	if reset, why := Reset(c, next, reopened); reset {
		n, err := Due(p, next)
		return n, why, err
	}
	if !next.KEVDue.Equal(c.KEVDue) {
		c.KEVDue = next.KEVDue
		c.applyKEV()
	}
	return c, "", nil
}
