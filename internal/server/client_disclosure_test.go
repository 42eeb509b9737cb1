package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// clientDisclosure reads and changes the disclosure settings through the
// client: a change keeps the fields not sent, a bad one is a 400 that
// names the field and changes nothing, and analysts may not read them.
func clientDisclosure(ctx context.Context, t *testing.T, admin, analyst *client.Client) {
	t.Helper()
	st := must(admin.DisclosureSettings(ctx))(t)
	if st.ExpiresDays != 180 || len(st.Contacts) != 0 || len(st.Warnings) == 0 || st.SecurityTxt != "" {
		t.Fatalf("the default disclosure settings: %+v", st)
	}
	contacts := []string{"mailto:security@example.org"}
	st = must(admin.UpdateDisclosureSettings(ctx, model.DisclosurePatch{Contacts: &contacts,
		Timers: &model.CaseTimersPatch{FixDays: map[string]int{"critical": 14}}}))(t)
	if len(st.Contacts) != 1 || st.Timers.FixDays["critical"] != 14 || st.Timers.FixDays["low"] != 180 ||
		!strings.Contains(st.SecurityTxt, "Contact: mailto:security@example.org\n") {
		t.Fatalf("after setting a contact: %+v", st)
	}
	bad := 365
	_, err := admin.UpdateDisclosureSettings(ctx, model.DisclosurePatch{ExpiresDays: &bad, Contacts: &[]string{}})
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !strings.Contains(ce.Message, "expires_days 365") {
		t.Fatalf("expires_days 365: %v", err)
	}
	if st := must(admin.DisclosureSettings(ctx))(t); len(st.Contacts) != 1 || st.ExpiresDays != 180 {
		t.Errorf("a refused change changed something: %+v", st)
	}
	if _, err := analyst.DisclosureSettings(ctx); !errors.As(err, &ce) || ce.Status != http.StatusForbidden {
		t.Errorf("an analyst reads the disclosure settings: %v", err)
	}
	// Back to no contact, as the other client tests expect nothing of it.
	must(admin.UpdateDisclosureSettings(ctx, model.DisclosurePatch{Contacts: &[]string{}}))(t)
}

// walkDisclosureForm is the disclosure settings page's form with the
// default settings, as the auth walk posts it.
func walkDisclosureForm() string {
	d := model.DefaultDisclosure()
	v := url.Values{"organisation": {"Walk Org"}, "base_url": {""}, "contacts": {"mailto:security@example.org"}, "encryption": {""},
		"preferred_languages": {strings.Join(d.PreferredLanguages, ", ")}, "expires_days": {fmt.Sprint(d.ExpiresDays)},
		"scope": {d.Scope}, "safe_harbour": {d.SafeHarbour}, "credit": {d.Credit},
		"csirt_name": {""}, "csirt_url": {""}, "csirt_contact": {""},
		"acknowledge_business_days": {fmt.Sprint(d.Timers.AcknowledgeBusinessDays)}, "triage_business_days": {fmt.Sprint(d.Timers.TriageBusinessDays)},
		"disclosure_days": {fmt.Sprint(d.Timers.DisclosureDays)}, "exploited_disclosure_days": {fmt.Sprint(d.Timers.ExploitedDisclosureDays)},
		"max_extension_days": {fmt.Sprint(d.Timers.MaxExtensionDays)}}
	for sev, n := range d.Timers.FixDays {
		v.Set("fix_days_"+sev, fmt.Sprint(n))
	}
	return v.Encode()
}
