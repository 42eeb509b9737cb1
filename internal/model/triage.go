package model

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Triage states: what people decided about a finding. A finding with no
// decision is new.
const (
	StateNew                = "new"
	StateUnderInvestigation = "under_investigation"
	StateAffected           = "affected"
	StateInRemediation      = "in_remediation"
	StateFixed              = "fixed"
	StateNotAffected        = "not_affected"
	StateFalsePositive      = "false_positive"
	StateRiskAccepted       = "risk_accepted"
)

// TriageStates lists every state, in the order a finding usually passes
// through them.
var TriageStates = []string{StateNew, StateUnderInvestigation, StateAffected, StateInRemediation, StateFixed,
	StateNotAffected, StateFalsePositive, StateRiskAccepted}

// DecidableStates are the states a person may set with a triage: fixed is
// also confirmed by detection, risk_accepted only comes from an approved
// exception, and new is where a finding starts.
var DecidableStates = []string{StateUnderInvestigation, StateAffected, StateInRemediation, StateFixed,
	StateNotAffected, StateFalsePositive}

// ClosingStates stop a finding's remediation clock: nothing is left to
// remediate (or the risk is accepted).
var ClosingStates = []string{StateNotAffected, StateFalsePositive, StateRiskAccepted}

// Closes tells whether state stops the remediation clock.
func Closes(state string) bool { return slices.Contains(ClosingStates, state) }

// Justifications are the VEX justifications a not_affected decision needs
// (CISA's VEX minimum requirements, as OpenVEX names them).
var Justifications = []string{
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"inline_mitigations_already_exist",
}

// SLAView is a finding's remediation clock as the API shows it.
type SLAView struct {
	DueAt         time.Time `json:"due_at,omitzero" doc:"the remediation deadline (UTC, RFC 3339); absent when the clock has none (severity none)"`
	State         string    `json:"state" doc:"on_track, due_soon or breached while the clock runs; met or missed once it stopped (resolved, not affected, false positive, risk accepted)"`
	Start         time.Time `json:"start,omitzero" doc:"only on GET /api/v1/findings/{id}: when the clock started: first seen, a change of rating, or a reopening"`
	PolicyVersion int       `json:"policy_version,omitempty" doc:"only on GET /api/v1/findings/{id}: the SLA policy version that set the clock; a finding keeps it when the policy changes"`
	Rule          string    `json:"rule,omitempty" doc:"only on GET /api/v1/findings/{id}: the policy rule that gave the period, in words, e.g. critical × internet-facing: 3 days"`
	KEVShortened  bool      `json:"kev_shortened,omitempty" doc:"only on GET /api/v1/findings/{id}: true when CISA's KEV due date is earlier than the policy's deadline and set due_at"`
	ClosedAt      time.Time `json:"closed_at,omitzero" doc:"when the clock stopped; absent while it runs"`
}

// PriorityView is a finding's SSVC priority as the API shows it.
type PriorityView struct {
	Decision string `json:"decision" doc:"CISA's SSVC deployer decision: track, track*, attend or act"`
	// Inputs are ssvc.Inputs and Outcome ssvc.Outcome, as JSON: model
	// does not import the ssvc package.
	Inputs  json.RawMessage `json:"inputs,omitempty" doc:"only on GET /api/v1/findings/{id}: every input of the decision with its date and source: the KEV entry, a proof of concept, the EPSS score with its date and model, the CVSS vector, the asset's criticality and exposure, the time of the decision"`
	Outcome json.RawMessage `json:"outcome,omitempty" doc:"only on GET /api/v1/findings/{id}: the value of each decision point (exploitation, automatable, technical impact, mission and well-being) and the rule that set it"`
}

// Ticket is an external ticket that tracks a finding's remediation.
type Ticket struct {
	URL string `json:"url" doc:"the ticket's https URL"`
	Key string `json:"key,omitempty" doc:"the ticket's key in its tracker, e.g. SEC-123"`
}

// HistoryKinds are the kinds of history entries: a state set by a
// person, by detection or by an exception, an assignment, a comment, a
// ticket.
var HistoryKinds = []string{"state", "detected", "exception", "assignment", "comment", "ticket"}

// HistoryEntry is one change of a finding's decision: a state transition
// (by a person or by detection), an assignment, a comment or a ticket.
type HistoryEntry struct {
	ID            int64     `json:"id" doc:"the entry's ID"`
	At            time.Time `json:"at" doc:"when (UTC, RFC 3339)"`
	Actor         string    `json:"actor" doc:"who: a user's name, token:<name>, or system for detection"`
	Kind          string    `json:"kind" doc:"state (a person's decision), detected (detection: first seen, fixed by an upgrade, reopened), exception (an exception approved or ended), assignment, comment or ticket"`
	From          string    `json:"from,omitempty" doc:"the state before; absent when the entry changes no state"`
	To            string    `json:"to,omitempty" doc:"the state after; absent when the entry changes no state"`
	Reason        string    `json:"reason,omitempty" doc:"the reason given, or for detection what happened (reopened: detected again after it was fixed)"`
	Justification string    `json:"justification,omitempty" doc:"the VEX justification of a not_affected decision"`
	FindingID     int64     `json:"finding_id,omitempty" doc:"the finding it was made on: an upgrade makes a new finding, and the decision follows it"`
	Detail        string    `json:"detail,omitempty" doc:"the comment's text, the assignee, or the ticket URL and key"`
}

// MaxNoteLen bounds a reason, a comment or compensating controls, in
// bytes.
const MaxNoteLen = 4000

// TriageInput is a person's triage of a finding.
type TriageInput struct {
	State         string `json:"state" doc:"the new state: under_investigation, affected, in_remediation, fixed, not_affected or false_positive (risk_accepted comes only from an approved exception)"`
	Reason        string `json:"reason" doc:"why, in words (at most 4000 bytes)"`
	Justification string `json:"justification,omitempty" doc:"required with not_affected, and only with it: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary or inline_mitigations_already_exist"`
}

// Validate checks the input and names the first bad field.
func (in TriageInput) Validate() error {
	switch {
	case in.State == StateRiskAccepted:
		return Invalidf("state risk_accepted: only an approved exception accepts a risk (POST /api/v1/exceptions)")
	case in.State == StateNew:
		return Invalidf("state new: a finding is new until someone triages it; choose one of %s", strings.Join(DecidableStates, ", "))
	case !slices.Contains(DecidableStates, in.State):
		return Invalidf("state %q: one of %s", in.State, strings.Join(DecidableStates, ", "))
	case in.State == StateNotAffected && in.Justification == "":
		return Invalidf("justification: required for not_affected, one of %s", strings.Join(Justifications, ", "))
	case in.Justification != "" && in.State != StateNotAffected:
		return Invalidf("justification: only with not_affected")
	case in.Justification != "" && !slices.Contains(Justifications, in.Justification):
		return Invalidf("justification %q: one of %s", in.Justification, strings.Join(Justifications, ", "))
	}
	return ValidNote("reason", in.Reason)
}

// ValidNote checks a text a person writes (a reason, a comment): at most
// MaxNoteLen bytes of valid UTF-8 with no control characters but tabs and
// line breaks.
func ValidNote(field, s string) error {
	if len(s) > MaxNoteLen {
		return Invalidf("%s: %d bytes; at most %d", field, len(s), MaxNoteLen)
	}
	if !utf8.ValidString(s) {
		return Invalidf("%s: not valid UTF-8", field)
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && r != '\r' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d') {
			return Invalidf("%s: control character %U", field, r)
		}
	}
	return nil
}

// ValidName checks a short one-line name a person gives (an assignee, a
// ticket key): at most 200 bytes, no line breaks, as ValidNote.
func ValidName(field, s string) error {
	if len(s) > 200 {
		return Invalidf("%s: %d bytes; at most 200", field, len(s))
	}
	if strings.ContainsAny(s, "\r\n\t") {
		return Invalidf("%s: one line", field)
	}
	return ValidNote(field, s)
}

// Validate checks a ticket: an absolute https URL without credentials, of
// at most 2000 bytes, and an optional one-line key; both empty remove it.
func (tk Ticket) Validate() error {
	if tk.URL == "" && tk.Key == "" {
		return nil
	}
	if err := ValidName("key", tk.Key); err != nil {
		return err
	}
	u, err := url.Parse(tk.URL)
	switch {
	case len(tk.URL) > 2000:
		return Invalidf("url: %d bytes; at most 2000", len(tk.URL))
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil:
		return Invalidf("url %q: an https URL of the ticket (https://tracker.example/browse/SEC-12)", tk.URL)
	}
	return ValidNote("url", tk.URL)
}
