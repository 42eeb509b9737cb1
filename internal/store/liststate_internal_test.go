package store

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// TestListState: the SLA state a list reads from a finding's columns is
// the one its clock gives, for clocks of every period, read before, in and
// after their due_soon window, open and closed in time and late.
func TestListState(t *testing.T) {
	p := sla.DefaultPolicy(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5000 {
		sev := []model.Rating{"critical", "high", "medium", "low", "none", "unknown"}[i%6]
		in := sla.Inputs{Severity: sev, Exposure: model.Exposures[i%len(model.Exposures)], Criticality: 1 + i%4, Start: start}
		if i%7 == 0 {
			in.KEVDue = start.AddDate(0, 0, rng.IntN(40)-10)
		}
		c, err := sla.Due(p, in)
		if err != nil {
			t.Fatal(err)
		}
		var soon time.Time
		if !c.DueAt.IsZero() {
			soon = c.DueAt.Add(-sla.DefaultWindow(c))
		}
		now := start.Add(time.Duration(rng.Int64N(int64(200 * sla.Day))))
		var closed time.Time
		if i%3 == 0 {
			closed = start.Add(time.Duration(rng.Int64N(int64(200 * sla.Day))))
		}
		if got, want := listState(c.DueAt, soon, closed, now), c.State(now, closed, sla.DefaultWindow(c)); got != want {
			t.Fatalf("clock %+v at %s closed %s: list %s, clock %s", c, now, closed, got, want)
		}
	}
}
