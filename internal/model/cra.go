package model

// CRA Art. 14 clocks: an actively exploited vulnerability in a product
// the organisation makes must be reported — an early warning within 24
// hours of becoming aware of it, a vulnerability notification within 72
// hours, and a final report within 14 days after a corrective or
// mitigating measure is available (Art. 14(2)). Submission is manual;
// the clock records when and how each report went.

import (
	"slices"
	"strings"
	"time"
)

// The three reports of CRA Art. 14(2).
const (
	CRAEarlyWarningReport = "early_warning"
	CRANotificationReport = "notification"
	CRAFinalReportReport  = "final_report"
)

// CRAReports lists them in the order they are due.
var CRAReports = []string{CRAEarlyWarningReport, CRANotificationReport, CRAFinalReportReport}

// The deadlines of CRA Art. 14(2)(a)–(c).
const (
	CRAEarlyWarningWithin = 24 * time.Hour
	CRANotificationWithin = 72 * time.Hour
	CRAFinalReportWithin  = 14 * 24 * time.Hour
)

// The states of a report's deadline.
const (
	// CRAWaiting: not due yet — the final report before a corrective or
	// mitigating measure is available.
	CRAWaiting  = "waiting"
	CRADue      = "due"      // running: not submitted, the deadline ahead
	CRABreached = "breached" // not submitted, the deadline passed
	CRAMet      = "met"      // submitted by the deadline
	CRALate     = "late"     // submitted after the deadline
)

// CRADeadlineStates lists them.
var CRADeadlineStates = []string{CRAWaiting, CRADue, CRABreached, CRAMet, CRALate}

// DefaultCRAChannel is where the reports go.
const DefaultCRAChannel = "ENISA single reporting platform"

// CRAClock is the reporting of one actively exploited vulnerability in
// a product.
type CRAClock struct {
	ID        int64 `json:"id" doc:"the clock's ID"`
	AssetID   int64 `json:"asset_id,omitempty" doc:"the product's asset; absent once the asset is deleted"`
	FindingID int64 `json:"finding_id,omitempty" doc:"the finding flagged actively exploited; absent for a case's clock (or once the finding is deleted)"`
	CaseID    int64 `json:"case_id,omitempty" doc:"the disclosure case flagged actively exploited; absent when none"`
	// Product and Vulnerability are as they were when the clock started.
	Product       string    `json:"product" doc:"the product's name when the clock started"`
	Vulnerability string    `json:"vulnerability" doc:"the vulnerability: advisory ID and aliases, or the case's title"`
	AwareAt       time.Time `json:"aware_at" doc:"when the organisation became aware that it is actively exploited (UTC, RFC 3339): the early warning and notification clocks start here"`
	Note          string    `json:"note,omitempty" doc:"how the organisation became aware of it"`
	MitigationAt  time.Time `json:"mitigation_at,omitzero" doc:"when a corrective or mitigating measure became available (UTC, RFC 3339): the final report's clock starts here; absent until recorded"`
	Mitigation    string    `json:"mitigation,omitempty" doc:"the measure that became available"`
	Drafts        CRADrafts `json:"drafts" doc:"the three reports' drafts, prefilled when the clock started"`
	StartedBy     string    `json:"started_by" doc:"who started the clock"`
	StartedAt     time.Time `json:"started_at" doc:"when (UTC, RFC 3339)"`
	UpdatedAt     time.Time `json:"updated_at" doc:"when it last changed (UTC, RFC 3339)"`
	// Submissions and Deadlines are filled when read.
	Submissions []CRASubmission `json:"submissions" doc:"the reports submitted, in the order of CRA Art. 14(2)"`
	Deadlines   []CRADeadline   `json:"deadlines" doc:"each report's deadline and its state when read"`
}

// CRADeadline is one report's deadline as of a moment.
type CRADeadline struct {
	Report string    `json:"report" doc:"early_warning, notification or final_report"`
	DueAt  time.Time `json:"due_at,omitzero" doc:"when it is due (UTC, RFC 3339); absent while waiting"`
	State  string    `json:"state" doc:"waiting (the final report before a measure is available), due, breached, met or late"`
	// Remaining is DueAt minus the time it was computed at, in seconds:
	// negative once breached; 0 when waiting or submitted.
	RemainingSeconds int64     `json:"remaining_seconds" doc:"seconds left until due when read (negative once breached); 0 when waiting or submitted"`
	SubmittedAt      time.Time `json:"submitted_at,omitzero" doc:"when it was submitted (UTC, RFC 3339); absent until then"`
}

// CRASubmission records how a report was submitted.
type CRASubmission struct {
	ID          int64     `json:"id" doc:"the submission's ID"`
	Report      string    `json:"report" doc:"early_warning, notification or final_report"`
	SubmittedAt time.Time `json:"submitted_at" doc:"when it was submitted (UTC, RFC 3339)"`
	Channel     string    `json:"channel" doc:"how: ENISA single reporting platform (the default), a CSIRT's portal, …"`
	Reference   string    `json:"reference,omitempty" doc:"the reference the platform gave"`
	SubmittedBy string    `json:"submitted_by" doc:"who submitted it (default: who records it)"`
	// Content is the draft as it was when the submission was recorded.
	Content    string    `json:"content" doc:"the report's draft as it stood when the submission was recorded (JSON)"`
	RecordedBy string    `json:"recorded_by" doc:"who recorded the submission"`
	RecordedAt time.Time `json:"recorded_at" doc:"when (UTC, RFC 3339)"`
}

// CRADrafts are the drafts of the three reports.
type CRADrafts struct {
	EarlyWarning CRAEarlyWarning `json:"early_warning" doc:"the early warning (CRA Art. 14(2)(a))"`
	Notification CRANotification `json:"notification" doc:"the vulnerability notification (CRA Art. 14(2)(b))"`
	FinalReport  CRAFinalReport  `json:"final_report" doc:"the final report (CRA Art. 14(2)(c))"`
}

// CRAEarlyWarning is what an early warning says (Art. 14(2)(a)).
type CRAEarlyWarning struct {
	Product string `json:"product" doc:"the product concerned, with its version"`
	// MaliciousAct is whether the exploitation is suspected to be
	// caused by unlawful or malicious acts.
	MaliciousAct string   `json:"malicious_act" doc:"whether a malicious or unlawful act is suspected: yes, no or unknown"`
	MemberStates []string `json:"member_states" doc:"the Member States the product is made available in, ISO 3166-1 alpha-2 (EL for Greece)"`
	Details      string   `json:"details" doc:"anything else worth saying now"`
}

// CRANotification is what a vulnerability notification says (Art. 14(2)(b)).
type CRANotification struct {
	ProductInfo        string `json:"product_info" doc:"general information about the product concerned"`
	Nature             string `json:"nature" doc:"the general nature of the exploit and of the vulnerability"`
	CorrectiveMeasures string `json:"corrective_measures" doc:"corrective or mitigating measures taken"`
	UserMeasures       string `json:"user_measures" doc:"corrective or mitigating measures users can take"`
	Sensitivity        string `json:"sensitivity" doc:"how sensitive the manufacturer deems the information notified"`
}

// CRAFinalReport is what a final report says (Art. 14(2)(c)).
type CRAFinalReport struct {
	Description    string `json:"description" doc:"a description of the vulnerability, including its severity and impact"`
	MaliciousActor string `json:"malicious_actor" doc:"information about any malicious actor that exploited or exploits it, where available"`
	SecurityUpdate string `json:"security_update" doc:"details of the security update or other corrective measures made available"`
}

// MaliciousActAnswers are what an early warning says of a malicious act.
var MaliciousActAnswers = []string{"unknown", "yes", "no"}

// maxDraftText bounds each draft field.
const maxDraftText = 8000

// Normalize checks a draft.
func (e *CRAEarlyWarning) Normalize() error {
	if e.MaliciousAct == "" {
		e.MaliciousAct = "unknown"
	}
	if !slices.Contains(MaliciousActAnswers, e.MaliciousAct) {
		return Invalidf("early_warning.malicious_act %q: one of %s", clip(e.MaliciousAct, 40), strings.Join(MaliciousActAnswers, ", "))
	}
	ms, err := NormalizeMemberStates(e.MemberStates)
	if err != nil {
		return err
	}
	e.MemberStates = ms
	return checkTexts("early_warning", map[string]*string{"product": &e.Product, "details": &e.Details})
}

// Normalize checks a draft.
func (n *CRANotification) Normalize() error {
	return checkTexts("notification", map[string]*string{"product_info": &n.ProductInfo, "nature": &n.Nature,
		"corrective_measures": &n.CorrectiveMeasures, "user_measures": &n.UserMeasures, "sensitivity": &n.Sensitivity})
}

// Normalize checks a draft.
func (f *CRAFinalReport) Normalize() error {
	return checkTexts("final_report", map[string]*string{"description": &f.Description,
		"malicious_actor": &f.MaliciousActor, "security_update": &f.SecurityUpdate})
}

// checkTexts trims draft fields and checks their length, in name order.
func checkTexts(report string, fields map[string]*string) error {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		*fields[n] = strings.TrimSpace(*fields[n])
		if err := checkText(report+"."+n, *fields[n], maxDraftText); err != nil {
			return err
		}
	}
	return nil
}

// Submitted returns the submission of a report, if any.
func (c CRAClock) Submitted(report string) (CRASubmission, bool) {
	for _, s := range c.Submissions {
		if s.Report == report {
			return s, true
		}
	}
	return CRASubmission{}, false
}

// DueAt is when a report is due; zero for the final report until a
// measure is available.
func (c CRAClock) DueAt(report string) time.Time {
	switch report {
	case CRAEarlyWarningReport:
		return c.AwareAt.Add(CRAEarlyWarningWithin)
	case CRANotificationReport:
		return c.AwareAt.Add(CRANotificationWithin)
	case CRAFinalReportReport:
		// A measure available before awareness counts from awareness.
		if !c.MitigationAt.IsZero() {
			return maxTime(c.MitigationAt, c.AwareAt).Add(CRAFinalReportWithin)
		}
	}
	return time.Time{}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// DeadlinesAt computes each report's deadline and state at now.
func (c CRAClock) DeadlinesAt(now time.Time) []CRADeadline {
	out := make([]CRADeadline, 0, len(CRAReports))
	for _, r := range CRAReports {
		d := CRADeadline{Report: r, DueAt: c.DueAt(r)}
		sub, done := c.Submitted(r)
		switch {
		case done:
			d.SubmittedAt = sub.SubmittedAt
			d.State = CRAMet
			if !d.DueAt.IsZero() && sub.SubmittedAt.After(d.DueAt) {
				d.State = CRALate
			}
		case d.DueAt.IsZero():
			d.State = CRAWaiting
		default:
			d.RemainingSeconds = int64(d.DueAt.Sub(now) / time.Second)
			d.State = CRADue
			if !now.Before(d.DueAt) {
				d.State = CRABreached
			}
		}
		out = append(out, d)
	}
	return out
}

// Open tells whether a report is still to be submitted.
func (c CRAClock) Open() bool { return len(c.Submissions) < len(CRAReports) }

// CRACandidate is an open finding listed in CISA KEV on a product's asset
// without a clock: someone should decide whether to start one.
type CRACandidate struct {
	FindingID int64     `json:"finding_id" doc:"the finding's ID"`
	AssetID   int64     `json:"asset_id" doc:"the product's asset"`
	Product   string    `json:"product" doc:"the product's name"`
	Advisory  string    `json:"advisory" doc:"the finding's advisory ID"`
	Aliases   []string  `json:"aliases" doc:"the vulnerability's other IDs"`
	Package   string    `json:"package" doc:"the affected package"`
	Version   string    `json:"version" doc:"the installed version"`
	Severity  string    `json:"severity" doc:"the advisory's severity"`
	FirstSeen time.Time `json:"first_seen" doc:"when a match first found it (UTC, RFC 3339)"`
}

// CRAStart is a request to start a clock.
type CRAStart struct {
	FindingID int64     `json:"finding_id" doc:"the finding flagged actively exploited; its asset must be a product"`
	CaseID    int64     `json:"case_id" doc:"the disclosure case flagged actively exploited (with asset_id, or with a finding)"`
	AssetID   int64     `json:"asset_id" doc:"the product concerned (for a case without a finding; with a finding it must be the finding's asset when given)"`
	AwareAt   time.Time `json:"aware_at,omitzero" doc:"when the organisation became aware it is actively exploited (UTC, RFC 3339; default: now); not in the future"`
	Note      string    `json:"note" doc:"how it became known, at most 2000 characters"`
	Title     string    `json:"title" doc:"for a case's clock: the vulnerability as the case calls it, at most 500 characters (required without a finding)"`
}

// Normalize checks the request; the service checks what it names.
func (s *CRAStart) Normalize(now time.Time) error {
	if s.FindingID < 0 || s.CaseID < 0 || s.AssetID < 0 {
		return Invalidf("finding_id, case_id and asset_id: positive IDs")
	}
	if s.FindingID == 0 && s.CaseID == 0 {
		return Invalidf("finding_id or case_id: the finding or disclosure case flagged actively exploited")
	}
	if s.FindingID == 0 && s.AssetID == 0 {
		return Invalidf("asset_id: required for a case's clock without a finding (the product concerned)")
	}
	s.Note, s.Title = strings.TrimSpace(s.Note), strings.TrimSpace(s.Title)
	if err := checkText("note", s.Note, 2000); err != nil {
		return err
	}
	if err := checkLine("title", s.Title, 500); err != nil {
		return err
	}
	if s.FindingID == 0 && s.Title == "" {
		return Invalidf("title: required for a case's clock without a finding (what the vulnerability is)")
	}
	if s.AwareAt.IsZero() {
		s.AwareAt = now
	}
	return checkPast("aware_at", s.AwareAt, now)
}

// CRASubmissionInput records a submission.
type CRASubmissionInput struct {
	Report      string    `json:"report" doc:"early_warning, notification or final_report"`
	SubmittedAt time.Time `json:"submitted_at,omitzero" doc:"when it was submitted (UTC, RFC 3339; default: now); not in the future"`
	Channel     string    `json:"channel" doc:"how (default: ENISA single reporting platform), at most 200 characters"`
	Reference   string    `json:"reference" doc:"the reference the platform gave, at most 500 characters"`
	SubmittedBy string    `json:"submitted_by" doc:"who submitted it (default: who records it), at most 200 characters"`
}

// Normalize fills defaults and checks the input.
func (in *CRASubmissionInput) Normalize(now time.Time, by string) error {
	if !slices.Contains(CRAReports, in.Report) {
		return Invalidf("report %q: one of %s", clip(in.Report, 40), strings.Join(CRAReports, ", "))
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"channel", &in.Channel, 200}, {"reference", &in.Reference, 500}, {"submitted_by", &in.SubmittedBy, 200}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkLine(f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	if in.Channel == "" {
		in.Channel = DefaultCRAChannel
	}
	if in.SubmittedBy == "" {
		in.SubmittedBy = by
	}
	if in.SubmittedAt.IsZero() {
		in.SubmittedAt = now
	}
	return checkPast("submitted_at", in.SubmittedAt, now)
}

// CRAMitigation records that a corrective or mitigating measure is
// available.
type CRAMitigation struct {
	AvailableAt time.Time `json:"available_at,omitzero" doc:"when the measure became available (UTC, RFC 3339; default: now); not in the future; one available before awareness counts from awareness"`
	Description string    `json:"description" doc:"the measure: the fixed version, the workaround, at most 2000 characters"`
}

// CRADraftsPatch replaces the drafts it carries; absent ones stay.
type CRADraftsPatch struct {
	EarlyWarning *CRAEarlyWarning `json:"early_warning,omitempty" doc:"the early warning's draft, whole; absent: unchanged"`
	Notification *CRANotification `json:"notification,omitempty" doc:"the notification's draft, whole; absent: unchanged"`
	FinalReport  *CRAFinalReport  `json:"final_report,omitempty" doc:"the final report's draft, whole; absent: unchanged"`
}

// Apply checks the drafts the patch carries and sets them on d.
func (p CRADraftsPatch) Apply(d *CRADrafts) error {
	if p.EarlyWarning == nil && p.Notification == nil && p.FinalReport == nil {
		return Invalidf("early_warning, notification or final_report: at least one draft to save")
	}
	if p.EarlyWarning != nil {
		if err := p.EarlyWarning.Normalize(); err != nil {
			return err
		}
		d.EarlyWarning = *p.EarlyWarning
	}
	if p.Notification != nil {
		if err := p.Notification.Normalize(); err != nil {
			return err
		}
		d.Notification = *p.Notification
	}
	if p.FinalReport != nil {
		if err := p.FinalReport.Normalize(); err != nil {
			return err
		}
		d.FinalReport = *p.FinalReport
	}
	return nil
}

// OutboundUpdate is what became of an outbound report; absent fields
// stay.
type OutboundUpdate struct {
	Status      *string    `json:"status,omitempty" doc:"what became of it"`
	Response    *string    `json:"response,omitempty" doc:"what the recipient answered, at most 4000 characters"`
	RespondedAt *time.Time `json:"responded_at,omitempty" doc:"when the recipient answered (UTC, RFC 3339; default: now when a response or status is given); not in the future"`
	Reference   *string    `json:"reference,omitempty" doc:"the reference it got (an issue URL, a GHSA ID), at most 500 characters"`
}

// ParseTimeInput reads a time a person typed or a form sent: RFC 3339,
// or YYYY-MM-DDTHH:MM[:SS] or YYYY-MM-DD HH:MM (a browser's
// datetime-local) taken as UTC; "" is the zero time.
func ParseTimeInput(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) <= 40 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
			if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, Invalidf("%s %q: a time as YYYY-MM-DDTHH:MM (UTC) or RFC 3339", field, clip(s, 40))
}
