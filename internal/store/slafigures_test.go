package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
)

// TestClockFields: the quick read of a stored clock gives what decoding
// it whole gives, for clocks with and without deadline, KEV-shortened
// ones, and clocks it does not understand (escapes, another order).
func TestClockFields(t *testing.T) {
	p := sla.DefaultPolicy(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	start := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)
	var raws []string
	for _, in := range []sla.Inputs{
		{Severity: "critical", Exposure: "internet-facing", Start: start},
		{Severity: "none", Start: start},
		{Start: start},
		{Severity: "low", Start: start, KEVDue: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
	} {
		c, err := sla.Due(p, in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(c)
		raws = append(raws, string(b))
	}
	raws = append(raws,
		`{"rule": "say \"hi\"", "due_at": "2026-03-16T09:00:00Z", "start": "2026-03-02T09:00:00Z", "severity": "high"}`,
		`{"severity":"crit\u0069cal","start":"2026-03-02T09:00:00Z"}`)
	for _, raw := range raws {
		var c sla.Clock
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		sev, st, due, err := store.ClockFields(raw)
		if err != nil || model.Rating(sev) != c.Severity || !st.Equal(c.Start) || !due.Equal(c.DueAt) {
			t.Errorf("%s:\n got %s %v %v %v; want %s %v %v", raw, sev, st, due, err, c.Severity, c.Start, c.DueAt)
		}
	}
	if _, _, _, err := store.ClockFields(`{"severity": 3}`); err == nil {
		t.Error("a clock that is not one: no error")
	}
	if sev, _, _, _ := store.ClockFields(raws[2]); model.Rating(sev) != model.RatingUnknown {
		t.Errorf("empty severity read as %q", sev)
	}
}
