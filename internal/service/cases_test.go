package service_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// caseClock is a store clock tests move forward.
type caseClock struct{ now time.Time }

func (c *caseClock) set(st *store.Store, s string) {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	c.now = t
	st.SetClock(func() time.Time { return c.now })
}

func timerOf(c model.Case, name string) model.CaseTimer {
	for _, t := range c.Timers {
		if t.Name == name {
			return t
		}
	}
	return model.CaseTimer{}
}

// TestCaseLifecycle: a report received on a Friday runs its timers in
// business days over the weekend; the state machine refuses moves it does
// not allow with a conflict naming those it does; each change is an audit
// event of the case; the fix timer starts when the case turns valid and
// follows its severity; exploitation shortens the disclosure date and
// extensions are bounded; credit shows once disclosed.
func TestCaseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		var clock caseClock
		clock.set(st, "2026-12-04 10:00") // a Friday
		c, token, err := svc.SubmitReport(ctx, model.CaseReport{Title: "XSS in search", Description: "the q parameter",
			SeverityGuess: "high", CreditName: "Ada", CreditOptIn: true},
			[]service.Attachment{{Name: "../../etc/poc.txt", DeclaredType: "text/html", Data: []byte("alert(1)")}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.PublicID, "VD-2026-") || len(c.PublicID) < len("VD-2026-0001") || c.State != model.CaseReceived {
			t.Errorf("the new case: %s %s", c.PublicID, c.State)
		}
		day := func(t time.Time) string { return t.Format("2006-01-02 15:04 Mon") }
		if day(c.AcknowledgeDue) != "2026-12-09 10:00 Wed" || day(c.TriageDue) != "2026-12-18 10:00 Fri" ||
			day(c.DisclosureDue) != "2027-03-04 10:00 Thu" {
			t.Errorf("due: acknowledge %s, triage %s, disclosure %s", day(c.AcknowledgeDue), day(c.TriageDue), day(c.DisclosureDue))
		}
		if got := timerOf(c, model.TimerAcknowledge).State; got != "on_track" {
			t.Errorf("acknowledge timer at receipt: %q", got)
		}
		if got := timerOf(c, model.TimerFix); got.State != "" || !got.DueAt.IsZero() {
			t.Errorf("the fix timer before the case is valid: %+v", got)
		}

		// The token opens the case; its hash alone is stored, and any
		// other token — wrong, malformed, empty — is the same not found.
		if got, err := svc.CaseByToken(ctx, token); err != nil || got.ID != c.ID {
			t.Fatalf("CaseByToken: %+v, %v", got, err)
		}
		if len(token) != 43 {
			t.Errorf("token %q: %d characters; want 43 (32 bytes, base64url)", token, len(token))
		}
		for _, bad := range []string{"", "x", token[:42], token + "A", strings.ToUpper(token), service.HashTrackingToken(token)} {
			if _, err := svc.CaseByToken(ctx, bad); !errors.Is(err, service.ErrNoCase) || err.Error() != service.ErrNoCase.Error() {
				t.Errorf("CaseByToken(%q): %v; want ErrNoCase", bad, err)
			}
		}
		d, err := svc.CaseDetail(ctx, c.ID)
		if err != nil || len(d.Attachments) != 1 {
			t.Fatalf("detail: %+v, %v", d, err)
		}
		if a := d.Attachments[0]; a.Name != "poc.txt" || a.SniffedType != "text/plain" || a.DeclaredType != "text/html" || a.Size != 8 {
			t.Errorf("the attachment: %+v", a)
		}

		// Thursday: the acknowledgement is overdue; acknowledged late, missed.
		clock.set(st, "2026-12-10 09:00")
		cs, err := svc.Cases(ctx, "", "breached")
		if err != nil || len(cs) != 1 {
			t.Errorf("breached cases: %+v, %v", cs, err)
		}
		_, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseValid})
		if !errors.Is(err, model.ErrConflict) || !strings.Contains(err.Error(), "may become: acknowledged") {
			t.Errorf("received → valid: %v", err)
		}
		for _, st := range []string{model.CaseAcknowledged, model.CaseTriaging} {
			if c, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: st, Note: "moving on"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := timerOf(c, model.TimerAcknowledge).State; got != "missed" {
			t.Errorf("acknowledged late: %q", got)
		}
		_, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseDuplicate})
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "duplicate_of: required") {
			t.Errorf("duplicate without the original: %v", err)
		}
		_, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseDuplicate, DuplicateOf: c.PublicID})
		if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), "itself") {
			t.Errorf("a duplicate of itself: %v", err)
		}

		// Valid on Monday: triage met, the fix timer runs 60 days (high).
		clock.set(st, "2026-12-14 10:00")
		if c, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseValid}); err != nil {
			t.Fatal(err)
		}
		if timerOf(c, model.TimerTriage).State != "met" || day(c.FixDue) != "2027-02-12 10:00 Fri" {
			t.Errorf("valid: triage %q, fix due %s", timerOf(c, model.TimerTriage).State, day(c.FixDue))
		}
		crit, yes := "critical", true
		if c, err = svc.PatchCase(ctx, "ana", c.ID, model.CasePatch{Severity: &crit, ActivelyExploited: &yes}); err != nil {
			t.Fatal(err)
		}
		if day(c.FixDue) != "2027-01-13 10:00 Wed" || day(c.DisclosureDue) != "2026-12-11 10:00 Fri" ||
			timerOf(c, model.TimerDisclosure).State != "breached" {
			t.Errorf("critical and exploited: fix due %s, disclosure due %s (%s)", day(c.FixDue), day(c.DisclosureDue), timerOf(c, model.TimerDisclosure).State)
		}
		if c, err = svc.ExtendDisclosure(ctx, "ana", c.ID, model.CaseExtensionInput{Days: 45, Reason: "agreed with the reporter"}); err != nil {
			t.Fatal(err)
		}
		if day(c.DisclosureDue) != "2027-01-25 10:00 Mon" {
			t.Errorf("extended by 45 days: %s", day(c.DisclosureDue))
		}
		if _, err := svc.ExtendDisclosure(ctx, "ana", c.ID, model.CaseExtensionInput{Days: 1, Reason: "more"}); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("extended past the policy's 45 days: %v", err)
		}

		// Fixed, disclosed: credited on the acknowledgements, not before.
		for _, s := range []string{model.CaseFixing, model.CaseFixed} {
			if c, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: s}); err != nil {
				t.Fatal(err)
			}
		}
		if as, err := st.Acknowledgements(ctx); err != nil || len(as) != 0 {
			t.Errorf("acknowledgements before disclosure: %+v, %v", as, err)
		}
		cve := "CVE-2026-5555"
		if _, err := svc.PatchCase(ctx, "ana", c.ID, model.CasePatch{CVE: &cve}); err != nil {
			t.Fatal(err)
		}
		if c, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseDisclosed}); err != nil {
			t.Fatal(err)
		}
		if as, err := st.Acknowledgements(ctx); err != nil || len(as) != 1 || as[0].Name != "Ada" || as[0].CVE != cve {
			t.Errorf("acknowledgements once disclosed: %+v, %v", as, err)
		}
		if timerOf(c, model.TimerFix).State != "met" || timerOf(c, model.TimerDisclosure).State != "met" {
			t.Errorf("timers once disclosed: %+v", c.Timers)
		}
		if _, err := svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseClosed}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: model.CaseTriaging}); !errors.Is(err, model.ErrConflict) {
			t.Errorf("reopening a disclosed case: %v", err)
		}

		evs, err := st.EventsOf(ctx, "case", itoa(c.ID))
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
			if strings.Contains(string(e.After), token) || strings.Contains(string(e.After), service.HashTrackingToken(token)) {
				t.Errorf("event %s records the token: %s", e.Kind, e.After)
			}
		}
		want := "case.received case.acknowledged case.triaging case.valid case.changed case.extended case.fixing case.fixed case.changed case.disclosed case.closed"
		if strings.Join(kinds, " ") != want {
			t.Errorf("events:\n got %s\nwant %s", strings.Join(kinds, " "), want)
		}
	})
}

// TestCaseRejectedAndRefused: a case found invalid runs no fix or
// disclosure timer; an attachment whose content is not allowed, or too
// many, stores nothing; a reporter may not message a closed case.
func TestCaseRejectedAndRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		for name, files := range map[string][]service.Attachment{
			"html":     {{Name: "x.txt", Data: []byte("<html><script>alert(1)</script>")}},
			"elf":      {{Name: "x.png", Data: []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")}},
			"too many": {{Name: "a", Data: []byte("a")}, {Name: "b", Data: []byte("b")}, {Name: "c", Data: []byte("c")}, {Name: "d", Data: []byte("d")}},
			"too big":  {{Name: "big.txt", Data: []byte(strings.Repeat("a", model.MaxAttachmentBytes+1))}},
		} {
			_, _, err := svc.SubmitReport(ctx, model.CaseReport{Title: "t", Description: "d"}, files)
			if err == nil || !errors.Is(err, model.ErrInvalid) && !errors.Is(err, model.ErrTooLarge) {
				t.Errorf("%s: %v; want refused", name, err)
			}
		}
		if cs, err := st.Cases(ctx, store.CaseFilter{}); err != nil || len(cs) != 0 {
			t.Errorf("refused reports were stored: %d, %v", len(cs), err)
		}
		c, token, err := svc.SubmitReport(ctx, model.CaseReport{Title: "spam", Description: "buy now"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{model.CaseAcknowledged, model.CaseTriaging, model.CaseInvalid, model.CaseClosed} {
			if c, err = svc.MoveCase(ctx, "ana", c.ID, model.CaseStateChange{State: s}); err != nil {
				t.Fatal(err)
			}
		}
		if f, d := timerOf(c, model.TimerFix), timerOf(c, model.TimerDisclosure); f.State != "" || d.State != "" {
			t.Errorf("an invalid case's fix and disclosure timers: %+v %+v", f, d)
		}
		if _, err := svc.ReporterMessage(ctx, token, "hello?", nil); !errors.Is(err, model.ErrConflict) {
			t.Errorf("a message on a closed case: %v", err)
		}
		if _, err := svc.ExtendDisclosure(ctx, "ana", c.ID, model.CaseExtensionInput{Days: 1, Reason: "r"}); !errors.Is(err, model.ErrConflict) {
			t.Errorf("extending a closed case: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
