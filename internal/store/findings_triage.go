package store

import (
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// triage adds the conditions of the triage filters: states, SSVC
// priorities, assignee and SLA state.
func (lq *listQuery) triage(f FindingFilter) error {
	if len(f.State) > 0 {
		var ph []string
		for _, st := range f.State {
			if !slices.Contains(model.TriageStates, st) {
				return invalidf("state %q: one of %s", st, strings.Join(model.TriageStates, ", "))
			}
			ph = append(ph, lq.arg(st))
		}
		lq.where = append(lq.where, lq.triageOn("f.state", f)+" IN ("+strings.Join(ph, ", ")+")")
	}
	if len(f.Priority) > 0 {
		var ph []string
		for _, p := range f.Priority {
			r := ssvc.Decision(p).Rank()
			if r == 0 {
				return invalidf("priority %q: one of track, track*, attend, act", p)
			}
			ph = append(ph, lq.arg(r))
		}
		lq.where = append(lq.where, lq.triageOn("f.priority_rank", f)+" IN ("+strings.Join(ph, ", ")+")")
	}
	switch f.Assignee {
	case "":
	case "none":
		lq.where = append(lq.where, "f.assignee = ''")
	default:
		// The partial index findings_assignee_list holds the assigned
		// findings; SQLite uses it only when the query states its
		// condition too.
		lq.where = append(lq.where, lq.triageOn("f.assignee", f)+" = "+lq.arg(f.Assignee), "f.assignee <> ''")
	}
	if f.SLAState == "" {
		return nil
	}
	state := sla.State(f.SLAState)
	now := ""
	if state == sla.Breached || state == sla.DueSoon || state == sla.OnTrack {
		now = lq.arg(f.Now.UTC()) // PostgreSQL refuses a parameter no condition uses
	}
	// The open clocks are read by walking findings_clock_list (or the
	// asset's findings) in the list's order and testing the deadlines each
	// entry holds: the few rows of a page come early.
	switch state {
	case sla.Breached:
		lq.where = append(lq.where, "f.closed_at IS NULL", "f.sla_due_at <= "+now)
	case sla.DueSoon:
		lq.where = append(lq.where, "f.closed_at IS NULL", "f.sla_soon_at <= "+now, "f.sla_due_at > "+now)
	case sla.OnTrack:
		lq.where = append(lq.where, "f.closed_at IS NULL", "f.sla_clock <> ''", "(f.sla_due_at IS NULL OR f.sla_soon_at > "+now+")")
	case sla.Met:
		lq.where = append(lq.where, "f.closed_at IS NOT NULL", "(f.sla_due_at IS NULL OR f.closed_at <= f.sla_due_at)")
	case sla.Missed:
		lq.where = append(lq.where, "f.closed_at IS NOT NULL", "f.closed_at > f.sla_due_at")
	default:
		return invalidf("sla_state %q: on_track, due_soon, breached, met or missed", f.SLAState)
	}
	return nil
}

// triageOn is col as a triage filter's condition on it is written: on
// SQLite, when the list is of one asset, "+col", which no index seeks on.
// Without statistics SQLite took an index led by col as readily as
// findings_asset_list, and for priority=act of one asset read every act
// finding of every asset (about 4% of the table) to keep the asset's few;
// the asset's own findings are a few hundred at most. PostgreSQL weighs
// the indexes with its statistics.
func (lq *listQuery) triageOn(col string, f FindingFilter) string {
	if lq.dialect == SQLite && f.AssetID != 0 {
		return "+" + col
	}
	return col
}
