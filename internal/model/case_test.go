package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAddBusinessDays(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04 Mon", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-07 10:00 Mon", 0, "2026-12-07 10:00 Mon"},
		{"2026-12-07 10:00 Mon", 1, "2026-12-08 10:00 Tue"},
		{"2026-12-04 10:00 Fri", 1, "2026-12-07 10:00 Mon"}, // over the weekend
		{"2026-12-05 10:00 Sat", 1, "2026-12-07 10:00 Mon"}, // received on a Saturday
		{"2026-12-06 23:59 Sun", 1, "2026-12-07 23:59 Mon"},
		{"2026-12-04 10:00 Fri", 3, "2026-12-09 10:00 Wed"},
		{"2026-12-04 10:00 Fri", 10, "2026-12-18 10:00 Fri"}, // two weekends
		{"2026-12-31 12:00 Thu", 2, "2027-01-04 12:00 Mon"},  // across the year
	} {
		got := AddBusinessDays(at(c.from), c.n).Format("2006-01-02 15:04 Mon")
		if got != c.want {
			t.Errorf("%s + %d business days = %s; want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestCaseMoves(t *testing.T) {
	forward := []string{CaseReceived, CaseAcknowledged, CaseTriaging, CaseValid, CaseFixing, CaseFixed, CaseDisclosed, CaseClosed}
	for i := 0; i+1 < len(forward); i++ {
		if why := CanMoveCase(Case{State: forward[i]}, forward[i+1]); why != "" {
			t.Errorf("%s → %s: %s", forward[i], forward[i+1], why)
		}
	}
	for _, c := range []struct {
		c    Case
		to   string
		want string // "" allowed, else in the reason
	}{
		{Case{State: CaseReceived}, CaseFixed, "may become: acknowledged"},
		{Case{State: CaseReceived}, CaseReceived, "already"},
		{Case{State: CaseReceived}, "nonsense", "one of"},
		{Case{State: CaseTriaging}, CaseOutOfScope, ""},
		{Case{State: CaseInvalid}, CaseClosed, ""},
		{Case{State: CaseInvalid}, CaseFixing, "cannot become fixing"},
		{Case{State: CaseValid}, CaseTriaging, ""}, // a decision taken back
		{Case{State: CaseFixed}, CaseFixing, ""},   // a fix that was not one
		{Case{State: CaseDisclosed}, CaseFixing, "may become: closed"},
		{Case{State: CaseClosed}, CaseTriaging, ""},
		{Case{State: CaseClosed, DisclosedAt: time.Now()}, CaseTriaging, "stays closed"},
	} {
		why := CanMoveCase(c.c, c.to)
		if c.want == "" && why != "" || c.want != "" && !strings.Contains(why, c.want) {
			t.Errorf("%s → %s: %q; want %q", c.c.State, c.to, why, c.want)
		}
	}
	if err := Conflictf("x"); !errors.Is(err, ErrConflict) {
		t.Errorf("Conflictf is not ErrConflict: %v", err)
	}
}

func TestCaseIDs(t *testing.T) {
	for _, ok := range []string{"", "CVE-2021-44228", "CVE-2026-1234", "CVE-1999-0001", "CVE-2024-1234567"} {
		if err := ValidCVE(ok); err != nil {
			t.Errorf("ValidCVE(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"CVE-2021-123", "cve-2021-44228", "CVE-21-44228", "CVE-2021-44228 ", "CVE-2021-4422a", "GHSA-xxxx"} {
		if err := ValidCVE(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidCVE(%q): %v; want invalid", bad, err)
		}
	}
	for _, ok := range []string{"", "EUVD-2025-1", "EUVD-2024-45012"} {
		if err := ValidEUVD(ok); err != nil {
			t.Errorf("ValidEUVD(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"EUVD-2025-", "EUVD-25-1", "euvd-2025-1", "EUVD-2025-1x"} {
		if err := ValidEUVD(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidEUVD(%q): %v; want invalid", bad, err)
		}
	}
}

func TestCaseReportNormalize(t *testing.T) {
	for _, c := range []struct {
		r    CaseReport
		want error
		word string
	}{
		{CaseReport{Description: "d"}, ErrInvalid, "title: required"},
		{CaseReport{Title: "t"}, ErrInvalid, "description: required"},
		{CaseReport{Title: "t", Description: "d", SeverityGuess: "urgent"}, ErrInvalid, "severity"},
		{CaseReport{Title: strings.Repeat("x", MaxCaseTitle+1), Description: "d"}, ErrTooLarge, "title"},
		{CaseReport{Title: "t\nu", Description: "d"}, ErrInvalid, "title: control character"},
		{CaseReport{Title: "t", Description: "a\u202eb"}, ErrInvalid, "U+202E"},
		{CaseReport{Title: "t", Description: "d", ProofOfConcept: strings.Repeat("x", MaxCaseText+1)}, ErrTooLarge, "proof of concept"},
	} {
		err := c.r.Normalize()
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%+v: %v; want %v naming %q", c.r, err, c.want, c.word)
		}
	}
	r := CaseReport{Title: " <b>t</b> ", Description: "line 1\nline 2", SeverityGuess: "HIGH", CreditOptIn: true}
	if err := r.Normalize(); err != nil || r.Title != "<b>t</b>" || r.SeverityGuess != "high" || r.CreditOptIn {
		t.Errorf("normalized %+v, %v: markup kept verbatim, severity lower-cased, no credit without a name", r, err)
	}
}
