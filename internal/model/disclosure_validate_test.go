package model_test

import (
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestDisclosureValidate(t *testing.T) {
	if err := model.DefaultDisclosure().Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	l := func(v ...string) *[]string { return &v }
	cases := []struct {
		name string
		p    model.DisclosurePatch
		want string // "" valid
	}{
		{"contacts", model.DisclosurePatch{Contacts: l("mailto:security@example.org", "https://example.org/security", "tel:+1-201-555-0123")}, ""},
		{"base_url trailing slash trimmed", model.DisclosurePatch{BaseURL: s("https://vulndesk.example.org/")}, ""},
		{"encryption fingerprint", model.DisclosurePatch{Encryption: l("openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f")}, ""},
		{"languages", model.DisclosurePatch{PreferredLanguages: l("en", "pt-BR", "zh-Hant-TW")}, ""},
		{"csirt", model.DisclosurePatch{CSIRT: &model.CSIRTPatch{Name: s("CERT-Bund"), URL: s("https://www.bsi.bund.de/"), Contact: s("mailto:certbund@bsi.bund.de")}}, ""},
		{"fix days one severity", model.DisclosurePatch{Timers: &model.CaseTimersPatch{FixDays: map[string]int{"low": 365}}}, ""},
		{"no extension", model.DisclosurePatch{Timers: &model.CaseTimersPatch{MaxExtensionDays: n(0)}}, ""},

		{"organisation too long", model.DisclosurePatch{Organisation: s(strings.Repeat("x", 201))}, "organisation: 201 characters"},
		{"organisation control", model.DisclosurePatch{Organisation: s("a\nb")}, "organisation: a control character"},
		{"base_url http", model.DisclosurePatch{BaseURL: s("http://vulndesk.example.org")}, "base_url"},
		{"base_url query", model.DisclosurePatch{BaseURL: s("https://vulndesk.example.org/?a=1")}, "no query"},
		{"contact http", model.DisclosurePatch{Contacts: l("http://example.org/")}, `contacts "http://example.org/"`},
		{"contact bare email", model.DisclosurePatch{Contacts: l("security@example.org")}, "a URI beginning with mailto:, https:, tel:"},
		{"contact mailto no address", model.DisclosurePatch{Contacts: l("mailto:security")}, "an email address"},
		{"contact newline", model.DisclosurePatch{Contacts: l("mailto:a@example.org\nExpires: 2099-01-01T00:00:00Z")}, "no spaces, control"},
		{"contact twice", model.DisclosurePatch{Contacts: l("mailto:a@example.org", "mailto:a@example.org")}, "twice"},
		{"contact tel letters", model.DisclosurePatch{Contacts: l("tel:call-me")}, "phone number"},
		{"too many contacts", model.DisclosurePatch{Contacts: l("tel:1", "tel:2", "tel:3", "tel:4", "tel:5", "tel:6", "tel:7", "tel:8", "tel:9", "tel:10", "tel:11")}, "at most 10"},
		{"https no host", model.DisclosurePatch{Contacts: l("https:///x")}, "with a host"},
		{"encryption http", model.DisclosurePatch{Encryption: l("http://example.org/key.asc")}, "encryption"},
		{"encryption short fingerprint", model.DisclosurePatch{Encryption: l("openpgp4fpr:abcd")}, "40 or 64 hex"},
		{"language", model.DisclosurePatch{PreferredLanguages: l("english language")}, "language tag"},
		{"language twice", model.DisclosurePatch{PreferredLanguages: l("en", "EN")}, "twice"},
		{"expires 0", model.DisclosurePatch{ExpiresDays: n(0)}, "expires_days 0"},
		{"expires 365", model.DisclosurePatch{ExpiresDays: n(365)}, "expires_days 365: 1–364"},
		{"scope too long", model.DisclosurePatch{Scope: s(strings.Repeat("é", 10001))}, "scope: 10001 characters"},
		{"csirt http", model.DisclosurePatch{CSIRT: &model.CSIRTPatch{URL: s("http://cert.example")}}, "csirt.url"},
		{"csirt tel", model.DisclosurePatch{CSIRT: &model.CSIRTPatch{Contact: s("tel:+49")}}, "csirt.contact"},
		{"ack 0", model.DisclosurePatch{Timers: &model.CaseTimersPatch{AcknowledgeBusinessDays: n(0)}}, "timers.acknowledge_business_days 0: 1–30"},
		{"ack after triage", model.DisclosurePatch{Timers: &model.CaseTimersPatch{AcknowledgeBusinessDays: n(20)}}, "must not take longer than triage"},
		{"triage 61", model.DisclosurePatch{Timers: &model.CaseTimersPatch{TriageBusinessDays: n(61)}}, "1–60"},
		{"fix severity", model.DisclosurePatch{Timers: &model.CaseTimersPatch{FixDays: map[string]int{"urgent": 3}}}, `fix_days "urgent"`},
		{"fix 0", model.DisclosurePatch{Timers: &model.CaseTimersPatch{FixDays: map[string]int{"high": 0}}}, "fix_days high 0"},
		{"disclosure 3651", model.DisclosurePatch{Timers: &model.CaseTimersPatch{DisclosureDays: n(3651)}}, "timers.disclosure_days 3651"},
		{"extension -1", model.DisclosurePatch{Timers: &model.CaseTimersPatch{MaxExtensionDays: n(-1)}}, "timers.max_extension_days -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := model.DefaultDisclosure()
			c.p.Apply(&d)
			err := d.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// TestDisclosurePatchKeeps: a patch changes what it gives only.
func TestDisclosurePatchKeeps(t *testing.T) {
	d := model.DefaultDisclosure()
	org := "Example"
	model.DisclosurePatch{Organisation: &org, Timers: &model.CaseTimersPatch{FixDays: map[string]int{"high": 45}}}.Apply(&d)
	def := model.DefaultDisclosure()
	if d.Organisation != "Example" || d.Timers.FixDays["high"] != 45 || d.Timers.FixDays["critical"] != 30 || d.Scope != def.Scope ||
		d.ExpiresDays != 180 || len(d.PreferredLanguages) != 1 {
		t.Fatalf("%+v", d)
	}
	if def.Timers.FixDays["high"] != 60 {
		t.Fatalf("the patch changed the defaults' map")
	}
	empty := []string{}
	model.DisclosurePatch{PreferredLanguages: &empty}.Apply(&d)
	if d.PreferredLanguages == nil || len(d.PreferredLanguages) != 0 {
		t.Fatalf("an empty list: %#v", d.PreferredLanguages)
	}
}
