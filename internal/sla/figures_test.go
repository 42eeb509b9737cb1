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
		// Clock, resolved, asset.
		// Closed in March: 2, 10 and 20 days after start; the 20-day
		// critical internet-facing one missed its 3 days.
		{clock("critical", "internal", t0), t0.Add(2 * Day), 7},
		{clock("high", "internal", t0), t0.Add(10 * Day), 7},
		{clock("critical", "internet-facing", t0), t0.Add(20 * Day), 0},
		// No deadline: counts in the times, not the percentage (4 days).
		{clock("none", "internal", t0), t0.Add(4 * Day), 0},
		// Closed before the period: not closed in it, not open at its end.
		{clock("low", "internal", day(2026, 1, 1)), day(2026, 2, 1), 0},
		// Closed after the period: open at its end, and past due (3 days).
		{clock("critical", "internet-facing", day(2026, 3, 20)), day(2026, 4, 10), 0},
		// Open, not yet due at the period's end.
		{clock("medium", "internal", day(2026, 3, 25)), zeroTime, 0},
		// Open and past due since January.
		{clock("critical", "internal", day(2026, 1, 2)), zeroTime, 0},
		// Started after the period: not counted.
		{clock("critical", "internal", day(2026, 4, 2)), zeroTime, 0},
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
	// Per severity and per asset.
	bySev := ComputeBy(recs, from, to, func(r Record) model.Rating { return r.Clock.Severity })
	if c := bySev["critical"]; c.Closed != 2 || c.InSLA != 1 || c.PercentInSLA != 50 || c.Open != 2 || c.PastDue != 2 || c.MedianTTR != 11*Day {
		t.Errorf("critical: %+v", c)
	}
	if m := bySev["medium"]; m != (Figures{Open: 1}) || len(bySev) != 5 {
		t.Errorf("medium: %+v of %d groups", m, len(bySev))
	}
	byAsset := ComputeBy(recs, from, to, func(r Record) int64 { return r.AssetID })
	if a := byAsset[7]; a.Closed != 2 || a.InSLA != 2 || a.MeanTTR != 6*Day || a.Open != 0 {
		t.Errorf("asset 7: %+v", a)
	}
	if o := byAsset[0]; o.Closed != 2 || o.Open != 3 {
		t.Errorf("other assets: %+v", o)
	}

	// Resolved exactly at the period's start counts; at its end does not.
	edge := []Record{{Clock: clock("low", "internal", t0), ResolvedAt: from}, {Clock: clock("low", "internal", t0), ResolvedAt: to}}
	if got := Compute(edge, from, to); got.Closed != 1 || got.Open != 1 {
		t.Errorf("edges: %+v", got)
	}
}
