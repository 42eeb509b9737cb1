package sla

import "time"

// State is where a clock stands.
type State string

// The states: an open finding is on_track, due_soon or breached; a
// resolved one met its deadline or missed it.
const (
	OnTrack  State = "on_track"
	DueSoon  State = "due_soon"
	Breached State = "breached"
	Met      State = "met"
	Missed   State = "missed"
)

// States lists every state, open ones first.
var States = []State{OnTrack, DueSoon, Breached, Met, Missed}

// MaxDueSoon caps DefaultWindow.
const MaxDueSoon = 7 * Day

// DefaultWindow is how long before its deadline a clock is due_soon: the
// last fifth of its period, at most a week — 14.4 hours of a 3-day clock,
// 2.8 days of 14, 6 of 30, 7 of 60 and more. A clock whose deadline is at
// or before its start (a KEV due date already past) has none.
func DefaultWindow(c Clock) time.Duration {
	period := c.DueAt.Sub(c.Start)
	if c.DueAt.IsZero() || period <= 0 {
		return 0
	}
	return min(period/5, MaxDueSoon)
}

// State reads clock c at now. resolvedAt is when the finding was resolved
// (fixed, not affected, false positive), zero while it is open: it met the
// deadline when resolved at or before DueAt, else missed it. An open
// finding is breached once now is after DueAt, due_soon when at most
// window remains, else on_track. A clock without deadline is on_track
// while open and met when resolved.
func (c Clock) State(now, resolvedAt time.Time, window time.Duration) State {
	if !resolvedAt.IsZero() {
		if c.DueAt.IsZero() || !resolvedAt.After(c.DueAt) {
			return Met
		}
		return Missed
	}
	switch {
	case c.DueAt.IsZero():
		return OnTrack
	case now.After(c.DueAt):
		return Breached
	case c.DueAt.Sub(now) <= window:
		return DueSoon
	}
	return OnTrack
}
