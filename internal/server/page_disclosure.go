package server

// The disclosure settings page (admins): every field of the settings in
// one form, the security.txt it serves and what would make that lapse.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// disclosureView is what disclosure.html draws.
type disclosureView struct {
	D                               model.Disclosure
	Contacts, Encryption, Languages string
	Severities                      []string
	Warnings                        []string
	SecurityTxt                     string
	// Saved tells the settings were just changed; Error why a change
	// was refused (the form then shows what was sent).
	Saved bool
	Error string
}

func newDisclosureView(s *Server, r *http.Request, d model.Disclosure) *disclosureView {
	st := s.disclosureSettings(r, d)
	return &disclosureView{D: d, Contacts: strings.Join(d.Contacts, "\n"), Encryption: strings.Join(d.Encryption, "\n"),
		Languages: strings.Join(d.PreferredLanguages, ", "), Severities: model.FixSeverities,
		Warnings: st.Warnings, SecurityTxt: st.SecurityTxt}
}

func (s *Server) disclosurePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, err := s.Svc.Disclosure(r.Context())
	if err != nil {
		return err
	}
	v := newDisclosureView(s, r, d)
	v.Saved = r.URL.Query().Get("saved") != ""
	return s.render(w, http.StatusOK, "disclosure.html", pageData{Title: "Disclosure settings", User: who, Data: v})
}

// setDisclosurePage changes the settings from the form: every field.
func (s *Server) setDisclosurePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	p, err := disclosureForm(r)
	if err == nil {
		_, err = s.Svc.UpdateDisclosure(r.Context(), who.Name, p)
	}
	if err != nil {
		status, msg := statusOf(err)
		if status != http.StatusBadRequest {
			return err
		}
		// Show what was sent, so that nothing typed is lost.
		d, rerr := s.Svc.Disclosure(r.Context())
		if rerr != nil {
			return rerr
		}
		p.Apply(&d)
		v := newDisclosureView(s, r, d)
		v.Error = msg
		return s.render(w, http.StatusBadRequest, "disclosure.html", pageData{Title: "Disclosure settings", User: who, Data: v})
	}
	http.Redirect(w, r, "/settings/disclosure?saved=1", http.StatusSeeOther)
	return nil
}

// disclosureForm reads the form into a patch of every field; a number
// that is not one is an invalid-input error (the rest is still read).
func disclosureForm(r *http.Request) (model.DisclosurePatch, error) {
	f := r.PostForm
	str := func(name string) *string { v := f.Get(name); return &v }
	lines := func(name string, sep func(rune) bool) *[]string {
		out := []string{}
		for _, l := range strings.FieldsFunc(f.Get(name), sep) {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return &out
	}
	newline := func(r rune) bool { return r == '\n' || r == '\r' }
	comma := func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }
	var bad error
	num := func(name string) *int {
		raw := strings.TrimSpace(f.Get(name))
		n, err := strconv.Atoi(raw)
		if err != nil && bad == nil {
			bad = model.Invalidf("%s %q: a whole number of days", strings.ReplaceAll(name, "_", " "), raw)
		}
		return &n
	}
	p := model.DisclosurePatch{
		Organisation: str("organisation"), BaseURL: str("base_url"),
		Contacts: lines("contacts", newline), Encryption: lines("encryption", newline), PreferredLanguages: lines("preferred_languages", comma),
		ExpiresDays: num("expires_days"),
		Scope:       str("scope"), SafeHarbour: str("safe_harbour"), Credit: str("credit"),
		CSIRT: &model.CSIRTPatch{Name: str("csirt_name"), URL: str("csirt_url"), Contact: str("csirt_contact")},
		Timers: &model.CaseTimersPatch{
			AcknowledgeBusinessDays: num("acknowledge_business_days"), TriageBusinessDays: num("triage_business_days"),
			DisclosureDays: num("disclosure_days"), ExploitedDisclosureDays: num("exploited_disclosure_days"),
			MaxExtensionDays: num("max_extension_days"), FixDays: map[string]int{},
		},
	}
	for _, sev := range model.FixSeverities {
		p.Timers.FixDays[sev] = *num("fix_days_" + sev)
	}
	if bad != nil {
		return p, fmt.Errorf("disclosure settings: %w", bad)
	}
	return p, nil
}
