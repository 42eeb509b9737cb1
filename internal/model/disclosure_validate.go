package model

// Checking and changing the disclosure settings.

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds of the disclosure settings, as their doc tags state them.
const (
	maxDisclosureName  = 200
	maxDisclosureURI   = 500
	maxDisclosureText  = 10000
	maxContacts        = 10
	maxEncryption      = 5
	maxLanguages       = 20
	MaxExpiresDays     = 364
	maxDisclosureDays  = 3650
	maxAcknowledgeDays = 30
	maxTriageDays      = 60
)

// FixSeverities are the severities the fix timers are set for, most
// severe first.
var FixSeverities = []string{"critical", "high", "medium", "low"}

// langTag is RFC 5646's well-formed Language-Tag, simplified: a primary
// subtag of 2–8 letters (or x / i for private and grandfathered tags) and
// subtags of 1–8 letters or digits.
var langTag = regexp.MustCompile(`^(?i)([a-z]{2,8}|x|i)(-[a-z0-9]{1,8})*$`)

// ValidLanguageTag tells s is a well-formed language tag (RFC 5646).
func ValidLanguageTag(s string) bool { return len(s) <= 35 && langTag.MatchString(s) }

// Validate checks every field against the bounds its doc tag states.
func (d Disclosure) Validate() error {
	if err := checkDisclosureText("organisation", d.Organisation, maxDisclosureName, false); err != nil {
		return err
	}
	if d.BaseURL != "" {
		if err := checkDisclosureURI("base_url", d.BaseURL, "https"); err != nil {
			return err
		}
		if u, _ := url.Parse(d.BaseURL); u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(d.BaseURL, "?") {
			return Invalidf("base_url %q: an address with no query or fragment", d.BaseURL)
		}
	}
	if err := checkDisclosureURIs("contacts", d.Contacts, maxContacts, "mailto", "https", "tel"); err != nil {
		return err
	}
	if err := checkDisclosureURIs("encryption", d.Encryption, maxEncryption, "https", "openpgp4fpr"); err != nil {
		return err
	}
	if len(d.PreferredLanguages) > maxLanguages {
		return Invalidf("preferred_languages: %d tags; at most %d", len(d.PreferredLanguages), maxLanguages)
	}
	for i, l := range d.PreferredLanguages {
		if !ValidLanguageTag(l) {
			return Invalidf("preferred_languages %q: a language tag (RFC 5646) such as en, de or pt-BR", l)
		}
		if slices.ContainsFunc(d.PreferredLanguages[:i], func(o string) bool { return strings.EqualFold(o, l) }) {
			return Invalidf("preferred_languages: %q twice", l)
		}
	}
	if d.ExpiresDays < 1 || d.ExpiresDays > MaxExpiresDays {
		return Invalidf("expires_days %d: 1–%d days (security.txt's Expires must be less than a year ahead)", d.ExpiresDays, MaxExpiresDays)
	}
	for _, t := range []struct{ name, v string }{{"scope", d.Scope}, {"safe_harbour", d.SafeHarbour}, {"credit", d.Credit}} {
		if err := checkDisclosureText(t.name, t.v, maxDisclosureText, true); err != nil {
			return err
		}
	}
	if err := checkDisclosureText("csirt.name", d.CSIRT.Name, maxDisclosureName, false); err != nil {
		return err
	}
	if d.CSIRT.URL != "" {
		if err := checkDisclosureURI("csirt.url", d.CSIRT.URL, "https"); err != nil {
			return err
		}
	}
	if d.CSIRT.Contact != "" {
		if err := checkDisclosureURI("csirt.contact", d.CSIRT.Contact, "mailto", "https"); err != nil {
			return err
		}
	}
	return d.Timers.Validate()
}

// Validate checks the timers against their doc tags' bounds.
func (t CaseTimers) Validate() error {
	for _, c := range []struct {
		name      string
		v, lo, hi int
	}{
		{"timers.acknowledge_business_days", t.AcknowledgeBusinessDays, 1, maxAcknowledgeDays},
		{"timers.triage_business_days", t.TriageBusinessDays, 1, maxTriageDays},
		{"timers.disclosure_days", t.DisclosureDays, 1, maxDisclosureDays},
		{"timers.exploited_disclosure_days", t.ExploitedDisclosureDays, 1, maxDisclosureDays},
		{"timers.max_extension_days", t.MaxExtensionDays, 0, maxDisclosureDays},
	} {
		if c.v < c.lo || c.v > c.hi {
			return Invalidf("%s %d: %d–%d", c.name, c.v, c.lo, c.hi)
		}
	}
	if t.AcknowledgeBusinessDays > t.TriageBusinessDays {
		return Invalidf("timers: acknowledging (%d business days) must not take longer than triage (%d)", t.AcknowledgeBusinessDays, t.TriageBusinessDays)
	}
	for k, v := range t.FixDays {
		if !slices.Contains(FixSeverities, k) {
			return Invalidf("timers.fix_days %q: a severity, one of %s", k, strings.Join(FixSeverities, ", "))
		}
		if v < 1 || v > maxDisclosureDays {
			return Invalidf("timers.fix_days %s %d: 1–%d days", k, v, maxDisclosureDays)
		}
	}
	for _, s := range FixSeverities {
		if _, ok := t.FixDays[s]; !ok {
			return Invalidf("timers.fix_days: no target for %s", s)
		}
	}
	return nil
}

// checkDisclosureText checks a text's length and that it holds no control
// characters (line breaks and tabs allowed when multiline).
func checkDisclosureText(name, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return Invalidf("%s: not UTF-8", name)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return Invalidf("%s: %d characters; at most %d", name, n, max)
	}
	if i := strings.IndexFunc(v, func(r rune) bool {
		return (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}); i >= 0 {
		return Invalidf("%s: a control character at byte %d", name, i)
	}
	return nil
}

func checkDisclosureURIs(name string, vs []string, max int, schemes ...string) error {
	if len(vs) > max {
		return Invalidf("%s: %d URIs; at most %d", name, len(vs), max)
	}
	for i, v := range vs {
		if err := checkDisclosureURI(name, v, schemes...); err != nil {
			return err
		}
		if slices.Contains(vs[:i], v) {
			return Invalidf("%s: %q twice", name, v)
		}
	}
	return nil
}

// checkDisclosureURI checks v is an absolute URI of one of the schemes: no spaces
// or control characters (it becomes one security.txt line), an https URI
// with a host, a mailto: with an address.
func checkDisclosureURI(name, v string, schemes ...string) error {
	want := strings.Join(schemes, ":, ") + ":"
	if v == "" || len(v) > maxDisclosureURI {
		return Invalidf("%s %q: a URI (%s) of 1–%d characters", name, v, want, maxDisclosureURI)
	}
	if strings.IndexFunc(v, func(r rune) bool { return r <= 0x20 || r == 0x7f || r > 0x7e }) >= 0 {
		return Invalidf("%s %q: a URI has no spaces, control or non-ASCII characters (percent-encode them)", name, v)
	}
	u, err := url.Parse(v)
	if err != nil || !slices.Contains(schemes, u.Scheme) {
		return Invalidf("%s %q: a URI beginning with %s", name, v, want)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" || u.User != nil {
			return Invalidf("%s %q: an https URI with a host (and no user name)", name, v)
		}
	case "mailto":
		if !strings.Contains(u.Opaque, "@") {
			return Invalidf("%s %q: mailto: and an email address, such as mailto:security@example.org", name, v)
		}
	case "tel":
		if u.Opaque == "" || strings.Trim(u.Opaque, "+-.()0123456789") != "" {
			return Invalidf("%s %q: tel: and a phone number, such as tel:+31-20-555-0123", name, v)
		}
	case "openpgp4fpr":
		if n := len(u.Opaque); (n != 40 && n != 64) || strings.Trim(strings.ToLower(u.Opaque), "0123456789abcdef") != "" {
			return Invalidf("%s %q: openpgp4fpr: and a key fingerprint of 40 or 64 hex digits", name, v)
		}
	}
	return nil
}

// DisclosurePatch changes disclosure settings; a field absent (or null)
// is left as it is. A list given replaces the list (an empty one clears
// it); the CSIRT's and the timers' fields are changed one by one, and
// fix_days by severity.
type DisclosurePatch struct {
	Organisation       *string          `json:"organisation,omitempty" doc:"the organisation that publishes the policy and its advisories, at most 200 characters"`
	BaseURL            *string          `json:"base_url,omitempty" doc:"the public https address strangers reach this server at, at most 500 characters; empty: the address a request arrived at over TLS"`
	Contacts           *[]string        `json:"contacts,omitempty" doc:"security.txt Contact URIs, most preferred first (mailto:, https: or tel:), at most 10; replaces the list"`
	Encryption         *[]string        `json:"encryption,omitempty" doc:"security.txt Encryption URIs (https: or openpgp4fpr:), at most 5; replaces the list"`
	PreferredLanguages *[]string        `json:"preferred_languages,omitempty" doc:"RFC 5646 language tags reports may be written in, at most 20; replaces the list"`
	ExpiresDays        *int             `json:"expires_days,omitempty" doc:"how far ahead security.txt's Expires is set, in days: 1–364"`
	Scope              *string          `json:"scope,omitempty" doc:"what the policy covers and what is out of scope, at most 10,000 characters"`
	SafeHarbour        *string          `json:"safe_harbour,omitempty" doc:"the safe-harbour commitment, at most 10,000 characters"`
	Credit             *string          `json:"credit,omitempty" doc:"how reporters are credited, at most 10,000 characters"`
	CSIRT              *CSIRTPatch      `json:"csirt,omitempty" doc:"the national CSIRT acting as coordinator (NIS2 Art. 12): the fields given"`
	Timers             *CaseTimersPatch `json:"timers,omitempty" doc:"the case timers: the fields given"`
}

// CSIRTPatch changes the CSIRT's fields given.
type CSIRTPatch struct {
	Name    *string `json:"name,omitempty" doc:"its name, at most 200 characters; empty: none configured"`
	URL     *string `json:"url,omitempty" doc:"its web address (https:), at most 500 characters"`
	Contact *string `json:"contact,omitempty" doc:"how to reach it (mailto: or https:), at most 500 characters"`
}

// CaseTimersPatch changes the timers given.
type CaseTimersPatch struct {
	AcknowledgeBusinessDays *int           `json:"acknowledge_business_days,omitempty" doc:"acknowledge within this many business days: 1–30, at most the triage time"`
	TriageBusinessDays      *int           `json:"triage_business_days,omitempty" doc:"triage within this many business days: 1–60"`
	FixDays                 map[string]int `json:"fix_days,omitempty" doc:"target days from valid to fixed for the severities given (critical, high, medium, low): 1–3650"`
	DisclosureDays          *int           `json:"disclosure_days,omitempty" doc:"publish at the latest this many days after the report: 1–3650"`
	ExploitedDisclosureDays *int           `json:"exploited_disclosure_days,omitempty" doc:"the disclosure deadline when actively exploited, in days: 1–3650"`
	MaxExtensionDays        *int           `json:"max_extension_days,omitempty" doc:"the longest extension of the disclosure date, in days: 0–3650"`
}

// Apply changes d by p (it does not validate: call d.Validate after).
func (p DisclosurePatch) Apply(d *Disclosure) {
	setPatched(&d.Organisation, p.Organisation)
	if p.BaseURL != nil {
		d.BaseURL = strings.TrimRight(strings.TrimSpace(*p.BaseURL), "/")
	}
	setPatchedList(&d.Contacts, p.Contacts)
	setPatchedList(&d.Encryption, p.Encryption)
	setPatchedList(&d.PreferredLanguages, p.PreferredLanguages)
	setPatched(&d.ExpiresDays, p.ExpiresDays)
	setPatched(&d.Scope, p.Scope)
	setPatched(&d.SafeHarbour, p.SafeHarbour)
	setPatched(&d.Credit, p.Credit)
	if c := p.CSIRT; c != nil {
		setPatched(&d.CSIRT.Name, c.Name)
		setPatched(&d.CSIRT.URL, c.URL)
		setPatched(&d.CSIRT.Contact, c.Contact)
	}
	if t := p.Timers; t != nil {
		setPatched(&d.Timers.AcknowledgeBusinessDays, t.AcknowledgeBusinessDays)
		setPatched(&d.Timers.TriageBusinessDays, t.TriageBusinessDays)
		setPatched(&d.Timers.DisclosureDays, t.DisclosureDays)
		setPatched(&d.Timers.ExploitedDisclosureDays, t.ExploitedDisclosureDays)
		setPatched(&d.Timers.MaxExtensionDays, t.MaxExtensionDays)
		if len(t.FixDays) > 0 {
			fix := make(map[string]int, len(d.Timers.FixDays)+len(t.FixDays))
			for k, v := range d.Timers.FixDays {
				fix[k] = v
			}
			for k, v := range t.FixDays {
				fix[k] = v
			}
			d.Timers.FixDays = fix
		}
	}
}

func setPatched[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setPatchedList sets a list, trimming each entry; an empty list is stored as
// empty, not null.
func setPatchedList(dst *[]string, v *[]string) {
	if v == nil {
		return
	}
	out := make([]string, 0, len(*v))
	for _, s := range *v {
		out = append(out, strings.TrimSpace(s))
	}
	*dst = out
}
