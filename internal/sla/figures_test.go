package sla

import (
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

var zeroTime time.Time

func TestCompute(t *testing.T) {
	p := DefaultPolicy(t0)
	clock := func(sev model.Rating, exposure string, start time.Time) Clock {
		c, err := Due(p, Inputs{Severity: sev, Exposure: exposure, Start: start})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	from, to := day(2026, 3, 1), day(2026, 4, 1)
	recs := []Record{
		// Closed in March: 2, 10 and 20 days after start; the 20-day
		// critical internet-facing one missed its 3 days.
		{clock("critical", "internal", t0), t0.Add(2 * Day)},
		{clock("high", "internal", t0), t0.Add(10 * Day)},
		{clock("critical", "internet-facing", t0), t0.Add(20 * Day)},
		// No deadline: counts in the times, not the percentage (4 days).
		{clock("none", "internal", t0), t0.Add(4 * Day)},
		// Closed before the period: not closed in it, not open at its end.
		{clock("low", "internal", day(2026, 1, 1)), day(2026, 2, 1)},
		// Closed after the period: open at its end, and past due (3 days).
		{clock("critical", "internet-facing", day(2026, 3, 20)), day(2026, 4, 10)},
		// Open, not yet due at the period's end.
		{clock("medium", "internal", day(2026, 3, 25)), zeroTime},
		// Open and past due since January.
		{clock("critical", "internal", day(2026, 1, 2)), zeroTime},
		// Started after the period: not counted.
		{clock("critical", "internal", day(2026, 4, 2)), zeroTime},
	}
	got := Compute(recs, from, to)
	want := Figures{Closed: 4, WithDeadline: 3, InSLA: 2, PercentInSLA: 200.0 / 3,
		MeanTTR: 9 * Day, MedianTTR: 7 * Day, Open: 3, PastDue: 2}
	if got != want {
		t.Errorf("Compute =\n %+v; want\n %+v", got, want)
	}

	// Odd count: the middle one; since ever: the January one counts too.
	got = Compute(recs, zeroTime, to)
	if got.Closed != 5 || got.MedianTTR != 10*Day || got.InSLA != 3 || got.WithDeadline != 4 || got.PercentInSLA != 75 {
		t.Errorf("since ever: %+v", got)
	}
	if got := Compute(nil, from, to); got != (Figures{}) {
		t.Errorf("no records: %+v", got)
	}
	// Resolved exactly at the period's start counts; at its end does not.
	edge := []Record{{clock("low", "internal", t0), from}, {clock("low", "internal", t0), to}}
	if got := Compute(edge, from, to); got.Closed != 1 || got.Open != 1 {
		t.Errorf("edges: %+v", got)
	}
}
