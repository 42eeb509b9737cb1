package sla

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// halved is a policy where criticality 1 halves the days and 4 doubles them.
func halved() Policy {
	p := DefaultPolicy(t0)
	p.Version = 2
	p.CriticalityPercent = map[int]int{1: 50, 2: 100, 3: 100, 4: 200}
	return p
}

func TestDue(t *testing.T) {
	def := DefaultPolicy(t0)
	tiny := DefaultPolicy(t0)
	tiny.CriticalityPercent[2] = 1
	tests := []struct {
		name      string
		p         Policy
		in        Inputs
		due       time.Time // zero: no deadline
		days      int
		shortened bool
		rule      string
	}{
		{"critical internet-facing", def, Inputs{Severity: "critical", Exposure: "internet-facing", Criticality: 3, Start: t0}, t0.Add(3 * Day), 3, false, "critical × internet-facing: 3 days"},
		{"critical internal", def, Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: t0}, t0.Add(14 * Day), 14, false, "critical × internal: 14 days"},
		{"critical isolated", def, Inputs{Severity: "critical", Exposure: "isolated", Criticality: 1, Start: t0}, t0.Add(14 * Day), 14, false, "critical × isolated: 14 days"},
		{"high internet-facing", def, Inputs{Severity: "high", Exposure: "internet-facing", Criticality: 2, Start: t0}, t0.Add(30 * Day), 30, false, "high × internet-facing: 30 days"},
		{"high internal", def, Inputs{Severity: "high", Exposure: "internal", Criticality: 4, Start: t0}, t0.Add(60 * Day), 60, false, "high × internal: 60 days"},
		{"high isolated", def, Inputs{Severity: "high", Exposure: "isolated", Criticality: 3, Start: t0}, t0.Add(60 * Day), 60, false, "high × isolated: 60 days"},
		{"medium internet-facing", def, Inputs{Severity: "medium", Exposure: "internet-facing", Criticality: 3, Start: t0}, t0.Add(90 * Day), 90, false, "medium × internet-facing: 90 days"},
		{"medium internal", def, Inputs{Severity: "medium", Exposure: "internal", Criticality: 3, Start: t0}, t0.Add(90 * Day), 90, false, "medium × internal: 90 days"},
		{"low internet-facing", def, Inputs{Severity: "low", Exposure: "internet-facing", Criticality: 1, Start: t0}, t0.Add(180 * Day), 180, false, "low × internet-facing: 180 days"},
		{"low isolated", def, Inputs{Severity: "low", Exposure: "isolated", Criticality: 4, Start: t0}, t0.Add(180 * Day), 180, false, "low × isolated: 180 days"},
		{"none has no deadline", def, Inputs{Severity: "none", Exposure: "internet-facing", Criticality: 1, Start: t0}, time.Time{}, 0, false, "none: no deadline"},
		{"unknown follows high", def, Inputs{Severity: "unknown", Exposure: "internal", Criticality: 3, Start: t0}, t0.Add(60 * Day), 60, false, "unknown as high × internal: 60 days"},
		{"empty severity is unknown", def, Inputs{Exposure: "internet-facing", Criticality: 3, Start: t0}, t0.Add(30 * Day), 30, false, "unknown as high × internet-facing: 30 days"},
		{"asset defaults: internal, criticality 3", def, Inputs{Severity: "critical", Start: t0}, t0.Add(14 * Day), 14, false, "critical × internal: 14 days"},
		{"start kept in UTC", def, Inputs{Severity: "critical", Exposure: "internet-facing", Start: t0.In(time.FixedZone("CET", 3600))}, t0.Add(3 * Day), 3, false, "critical × internet-facing: 3 days"},
		// KEV override: the shorter of the policy and the end of CISA's due day.
		{"KEV due first shortens", def, Inputs{Severity: "critical", Exposure: "internal", Start: t0, KEVDue: day(2026, 3, 5)}, day(2026, 3, 6), 14, true, "critical × internal: 14 days"},
		{"KEV due later keeps the policy", def, Inputs{Severity: "critical", Exposure: "internet-facing", Start: t0, KEVDue: day(2026, 3, 23)}, t0.Add(3 * Day), 3, false, "critical × internet-facing: 3 days"},
		{"KEV due on the policy's day ends later", def, Inputs{Severity: "critical", Exposure: "internet-facing", Start: t0, KEVDue: day(2026, 3, 5)}, t0.Add(3 * Day), 3, false, "critical × internet-facing: 3 days"},
		{"KEV due the day before", def, Inputs{Severity: "critical", Exposure: "internet-facing", Start: t0, KEVDue: day(2026, 3, 4)}, day(2026, 3, 5), 3, true, "critical × internet-facing: 3 days"},
		{"KEV due already past", def, Inputs{Severity: "low", Exposure: "internal", Start: t0, KEVDue: day(2022, 1, 10)}, day(2022, 1, 11), 180, true, "low × internal: 180 days"},
		{"KEV gives none a deadline", def, Inputs{Severity: "none", Exposure: "internal", Start: t0, KEVDue: day(2026, 3, 20)}, day(2026, 3, 21), 0, true, "none: no deadline"},
		{"KEV due with a time of day counts its whole day", def, Inputs{Severity: "high", Exposure: "internal", Start: t0, KEVDue: time.Date(2026, 3, 20, 15, 4, 5, 0, time.UTC)}, day(2026, 3, 21), 60, true, "high × internal: 60 days"},
		// Criticality adjustment.
		{"criticality 1 at 50% rounds up", halved(), Inputs{Severity: "critical", Exposure: "internet-facing", Criticality: 1, Start: t0}, t0.Add(2 * Day), 2, false, "critical × internet-facing × criticality 1 (50%): 2 days"},
		{"criticality 1 at 50% of 14", halved(), Inputs{Severity: "critical", Exposure: "internal", Criticality: 1, Start: t0}, t0.Add(7 * Day), 7, false, "critical × internal × criticality 1 (50%): 7 days"},
		{"criticality 4 at 200%", halved(), Inputs{Severity: "low", Exposure: "internal", Criticality: 4, Start: t0}, t0.Add(360 * Day), 360, false, "low × internal × criticality 4 (200%): 360 days"},
		{"criticality 3 unchanged", halved(), Inputs{Severity: "high", Exposure: "internet-facing", Criticality: 3, Start: t0}, t0.Add(30 * Day), 30, false, "high × internet-facing: 30 days"},
		{"at least one day", tiny, Inputs{Severity: "critical", Exposure: "internet-facing", Criticality: 2, Start: t0}, t0.Add(Day), 1, false, "critical × internet-facing × criticality 2 (1%): 1 days"},
		{"adjusted and KEV", halved(), Inputs{Severity: "critical", Exposure: "internal", Criticality: 1, Start: t0, KEVDue: day(2026, 3, 3)}, day(2026, 3, 4), 7, true, "critical × internal × criticality 1 (50%): 7 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Due(tt.p, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !c.DueAt.Equal(tt.due) || c.Days != tt.days || c.KEVShortened != tt.shortened || c.Rule != tt.rule {
				t.Errorf("Due = due %v days %d kev %v rule %q; want %v %d %v %q", c.DueAt, c.Days, c.KEVShortened, c.Rule, tt.due, tt.days, tt.shortened, tt.rule)
			}
			if c.PolicyVersion != tt.p.Version || !c.Start.Equal(tt.in.Start) || c.Start.Location() != time.UTC {
				t.Errorf("version %d start %v; want %d %v UTC", c.PolicyVersion, c.Start, tt.p.Version, tt.in.Start)
			}
			if !tt.shortened && !c.DueAt.Equal(c.PolicyDueAt) {
				t.Errorf("due %v differs from the policy's %v without KEV", c.DueAt, c.PolicyDueAt)
			}
		})
	}
}

func TestDueInvalid(t *testing.T) {
	p := DefaultPolicy(t0)
	for field, in := range map[string]Inputs{
		"start":       {Severity: "high"},
		"exposure":    {Severity: "high", Exposure: "public", Start: t0},
		"criticality": {Severity: "high", Criticality: 5, Start: t0},
		"severity":    {Severity: "severe", Start: t0},
	} {
		_, err := Due(p, in)
		if !errors.Is(err, model.ErrInvalid) || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s: err = %v; want ErrInvalid naming %s", field, err, field)
		}
	}
}

// TestPolicyVersionRule: a finding keeps the policy version that set its
// clock; only a changed severity or a reopening sets a new clock under the
// current policy.
func TestPolicyVersionRule(t *testing.T) {
	v1 := DefaultPolicy(t0)
	v2 := DefaultPolicy(t0.Add(10 * Day))
	v2.Version = 2
	v2.Rules[model.RatingCritical] = Days{InternetFacing: 2, Internal: 7, Isolated: 7}
	v2.Rules[model.RatingHigh] = Days{InternetFacing: 15, Internal: 30, Isolated: 30}
	c, err := Due(v1, Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(5 * Day)
	tests := []struct {
		name     string
		next     Inputs
		reopened bool
		reset    string // "" when kept
		version  int
		start    time.Time
		due      time.Time
		kev      bool
	}{
		{"new policy version alone keeps the clock", Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: later}, false, "", 1, t0, t0.Add(14 * Day), false},
		{"exposure change keeps the clock", Inputs{Severity: "critical", Exposure: "internet-facing", Criticality: 3, Start: later}, false, "", 1, t0, t0.Add(14 * Day), false},
		{"criticality change keeps the clock", Inputs{Severity: "critical", Exposure: "internal", Criticality: 1, Start: later}, false, "", 1, t0, t0.Add(14 * Day), false},
		{"severity change re-sets under v2", Inputs{Severity: "high", Exposure: "internal", Criticality: 3, Start: later}, false, "severity critical → high", 2, later, later.Add(30 * Day), false},
		{"reopening re-sets under v2", Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: later}, true, "reopened", 2, later, later.Add(7 * Day), false},
		{"KEV listing later shortens the kept clock", Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: later, KEVDue: day(2026, 3, 9)}, false, "", 1, t0, day(2026, 3, 10), true},
		{"KEV due after the deadline changes nothing", Inputs{Severity: "critical", Exposure: "internal", Criticality: 3, Start: later, KEVDue: day(2026, 4, 1)}, false, "", 1, t0, t0.Add(14 * Day), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why, err := Apply(v2, c, tt.next, tt.reopened)
			if err != nil {
				t.Fatal(err)
			}
			if why != tt.reset || got.PolicyVersion != tt.version || !got.Start.Equal(tt.start) || !got.DueAt.Equal(tt.due) || got.KEVShortened != tt.kev {
				t.Errorf("Apply = %q v%d start %v due %v kev %v; want %q v%d %v %v %v", why, got.PolicyVersion, got.Start, got.DueAt, got.KEVShortened, tt.reset, tt.version, tt.start, tt.due, tt.kev)
			}
			reset, _ := Reset(c, tt.next, tt.reopened)
			if reset != (tt.reset != "") {
				t.Errorf("Reset = %v; want %v", reset, tt.reset != "")
			}
			if tt.reset == "" && (got.Exposure != c.Exposure || got.Criticality != c.Criticality || got.Rule != c.Rule) {
				t.Errorf("a kept clock changed its inputs: %+v", got)
			}
		})
	}

	// A KEV date stays when a later change does not name it again, and a
	// later severity change re-sets the clock with it.
	kev, _, _ := Apply(v2, c, Inputs{Severity: "critical", Start: later, KEVDue: day(2026, 3, 9)}, false)
	kept, _, _ := Apply(v2, kev, Inputs{Severity: "critical", Start: later}, false)
	if !kept.DueAt.Equal(day(2026, 3, 10)) || !kept.KEVShortened {
		t.Errorf("KEV date dropped: %+v", kept)
	}
	reset, why, _ := Apply(v2, kev, Inputs{Severity: "low", Exposure: "internal", Start: later}, false)
	if why == "" || reset.PolicyVersion != 2 || !reset.DueAt.Equal(day(2026, 3, 10)) || !reset.KEVShortened {
		t.Errorf("reset clock lost its KEV date: %q %+v", why, reset)
	}
	// Unknown stays unknown whether spelled "" or "unknown".
	u, _ := Due(v1, Inputs{Start: t0})
	if r, why := Reset(u, Inputs{Severity: "unknown", Start: later}, false); r {
		t.Errorf("unknown → unknown re-sets: %s", why)
	}
}

func TestState(t *testing.T) {
	c, err := Due(DefaultPolicy(t0), Inputs{Severity: "critical", Exposure: "internal", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	none, _ := Due(DefaultPolicy(t0), Inputs{Severity: "none", Start: t0})
	w := DefaultWindow(c) // 14 days / 5 = 67.2 h
	if w != 672*time.Hour/10 {
		t.Fatalf("window %v", w)
	}
	due := c.DueAt
	tests := []struct {
		name     string
		c        Clock
		now, res time.Time
		window   time.Duration
		want     State
	}{
		{"just started", c, t0, time.Time{}, w, OnTrack},
		{"before the window", c, due.Add(-w - time.Second), time.Time{}, w, OnTrack},
		{"window opens", c, due.Add(-w), time.Time{}, w, DueSoon},
		{"at the deadline", c, due, time.Time{}, w, DueSoon},
		{"just past", c, due.Add(time.Nanosecond), time.Time{}, w, Breached},
		{"long past", c, due.Add(400 * Day), time.Time{}, w, Breached},
		{"no window", c, due.Add(-time.Second), time.Time{}, 0, OnTrack},
		{"resolved early", c, due.Add(400 * Day), t0.Add(Day), w, Met},
		{"resolved at the deadline", c, due.Add(Day), due, w, Met},
		{"resolved late", c, due.Add(Day), due.Add(time.Second), w, Missed},
		{"no deadline open", none, t0.Add(1000 * Day), time.Time{}, w, OnTrack},
		{"no deadline resolved", none, t0.Add(1000 * Day), t0.Add(999 * Day), w, Met},
	}
	for _, tt := range tests {
		if got := tt.c.State(tt.now, tt.res, tt.window); got != tt.want {
			t.Errorf("%s: State = %s; want %s", tt.name, got, tt.want)
		}
	}
}

func TestDefaultWindow(t *testing.T) {
	p := DefaultPolicy(t0)
	tests := []struct {
		in   Inputs
		want time.Duration
	}{
		{Inputs{Severity: "critical", Exposure: "internet-facing", Start: t0}, 144 * time.Hour / 10},
		{Inputs{Severity: "high", Exposure: "internet-facing", Start: t0}, 6 * Day},
		{Inputs{Severity: "high", Exposure: "internal", Start: t0}, 7 * Day},
		{Inputs{Severity: "low", Start: t0}, 7 * Day},
		{Inputs{Severity: "none", Start: t0}, 0},
		{Inputs{Severity: "low", Start: t0, KEVDue: day(2020, 1, 1)}, 0},
	}
	for _, tt := range tests {
		c, err := Due(p, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := DefaultWindow(c); got != tt.want {
			t.Errorf("%s %s: window %v; want %v", tt.in.Severity, tt.in.Exposure, got, tt.want)
		}
	}
}
