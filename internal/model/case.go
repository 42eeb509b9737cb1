package model

// Coordinated vulnerability disclosure cases (issue 14): a report a
// stranger sends through the public form, its states, its timers, the
// messages both ways, its attachments and its links.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Case states, in the order a case usually goes through them.
const (
	CaseReceived     = "received"
	CaseAcknowledged = "acknowledged"
	CaseTriaging     = "triaging"
	CaseValid        = "valid"
	CaseDuplicate    = "duplicate"
	CaseInvalid      = "invalid"
	CaseOutOfScope   = "out_of_scope"
	CaseFixing       = "fixing"
	CaseFixed        = "fixed"
	CaseDisclosed    = "disclosed"
	CaseClosed       = "closed"
)

// CaseStates lists every state in order.
var CaseStates = []string{CaseReceived, CaseAcknowledged, CaseTriaging, CaseValid, CaseDuplicate, CaseInvalid,
	CaseOutOfScope, CaseFixing, CaseFixed, CaseDisclosed, CaseClosed}

// caseMoves are the state changes allowed, from → to. Besides the way
// forward, a decision may be taken back to triaging (it was wrong), a fix
// that turns out incomplete goes back to fixing, and a case closed
// without being disclosed may be reopened for triage (see CanMoveCase).
var caseMoves = map[string][]string{
	CaseReceived:     {CaseAcknowledged},
	CaseAcknowledged: {CaseTriaging},
	CaseTriaging:     {CaseValid, CaseDuplicate, CaseInvalid, CaseOutOfScope},
	CaseValid:        {CaseFixing, CaseTriaging},
	CaseDuplicate:    {CaseClosed, CaseTriaging},
	CaseInvalid:      {CaseClosed, CaseTriaging},
	CaseOutOfScope:   {CaseClosed, CaseTriaging},
	CaseFixing:       {CaseFixed},
	CaseFixed:        {CaseDisclosed, CaseFixing},
	CaseDisclosed:    {CaseClosed},
	CaseClosed:       {CaseTriaging},
}

// CaseMoves lists the states a case in state may move to.
func CaseMoves(state string) []string { return caseMoves[state] }

// CanMoveCase says why a case may not move from one state to another, or
// "" when it may. A disclosed case stays closed: its advisory is public.
func CanMoveCase(c Case, to string) string {
	if !slices.Contains(CaseStates, to) {
		return fmt.Sprintf("state %q: one of %s", to, strings.Join(CaseStates, ", "))
	}
	if to == c.State {
		return fmt.Sprintf("the case is %s already", to)
	}
	if !slices.Contains(caseMoves[c.State], to) {
		next := "none"
		if len(caseMoves[c.State]) > 0 {
			next = strings.Join(caseMoves[c.State], ", ")
		}
		return fmt.Sprintf("a %s case cannot become %s; from %s it may become: %s", c.State, to, c.State, next)
	}
	if c.State == CaseClosed && !c.DisclosedAt.IsZero() {
		return "a disclosed case stays closed: its advisory is public"
	}
	return ""
}

// Case is a vulnerability report and what the team does with it.
type Case struct {
	ID       int64  `json:"id" doc:"the case's row ID (the API's {id})"`
	PublicID string `json:"public_id" doc:"the case ID people quote: VD-<year received>-<number>"`
	// What the reporter sent.
	Title          string `json:"title" doc:"the report's title, as sent"`
	Description    string `json:"description" doc:"the report's description, as sent"`
	Product        string `json:"product" doc:"the affected product or asset, as the reporter named it"`
	SeverityGuess  string `json:"severity_guess" doc:"the reporter's guess of the severity: critical, high, medium, low or empty"`
	ProofOfConcept string `json:"proof_of_concept" doc:"the proof of concept, as sent (never run or fetched)"`
	Contact        string `json:"contact" doc:"how to reach the reporter besides the tracking link, when given"`
	CreditName     string `json:"credit_name" doc:"the name to credit the reporter by"`
	CreditOptIn    bool   `json:"credit_opt_in" doc:"true when the reporter agreed to be credited publicly"`
	// What the team decided.
	State             string `json:"state" doc:"where the case stands"`
	Severity          string `json:"severity" doc:"the severity the team assessed (critical, high, medium, low); the fix timer follows it, else the reporter's guess, else medium"`
	CVE               string `json:"cve" doc:"the CVE ID assigned (CVE-YYYY-NNNN…)"`
	EUVD              string `json:"euvd" doc:"the EUVD ID assigned (EUVD-YYYY-N…)"`
	DuplicateOf       int64  `json:"duplicate_of,omitempty" doc:"the case this one duplicates (its ID)"`
	ActivelyExploited bool   `json:"actively_exploited" doc:"true when the flaw is known to be exploited: the disclosure timer is the shorter one"`
	Assignee          string `json:"assignee" doc:"who handles the case"`
	// When the case first entered each state.
	ReceivedAt     time.Time `json:"received_at" doc:"when the report arrived (UTC)"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero" doc:"when it was acknowledged"`
	TriagingAt     time.Time `json:"triaging_at,omitzero" doc:"when triage began"`
	DecidedAt      time.Time `json:"decided_at,omitzero" doc:"when it was first found valid, duplicate, invalid or out of scope"`
	FixingAt       time.Time `json:"fixing_at,omitzero" doc:"when the fix began"`
	FixedAt        time.Time `json:"fixed_at,omitzero" doc:"when it was fixed"`
	DisclosedAt    time.Time `json:"disclosed_at,omitzero" doc:"when it was disclosed"`
	ClosedAt       time.Time `json:"closed_at,omitzero" doc:"when it was closed"`
	UpdatedAt      time.Time `json:"updated_at" doc:"when the case last changed"`
	// The timers' deadlines.
	AcknowledgeDue time.Time `json:"acknowledge_due" doc:"acknowledge by: received + the policy's business days"`
	TriageDue      time.Time `json:"triage_due" doc:"decide by: received + the policy's business days"`
	FixDue         time.Time `json:"fix_due,omitzero" doc:"fix by: found valid + the policy's days for the severity"`
	DisclosureDue  time.Time `json:"disclosure_due" doc:"disclose by: received + the policy's disclosure days (the exploited ones when actively exploited) + extensions"`
	ExtensionDays  int       `json:"extension_days" doc:"the days the disclosure date was extended by, in total"`
	// Timers are the four timers read now (set by the service).
	Timers []CaseTimer `json:"timers" doc:"the acknowledge, triage, fix and disclosure timers, read now"`
}

// Rejected says whether the case was decided not to be a vulnerability
// to fix here (duplicate, invalid, out of scope), now or before it closed.
func (c Case) Rejected() bool {
	switch c.State {
	case CaseDuplicate, CaseInvalid, CaseOutOfScope:
		return true
	case CaseClosed:
		return c.FixDue.IsZero() && !c.DecidedAt.IsZero()
	}
	return false
}

// CaseTimer is one of a case's timers, read at a moment.
type CaseTimer struct {
	Name  string    `json:"name" doc:"acknowledge, triage, fix or disclosure"`
	DueAt time.Time `json:"due_at,omitzero" doc:"the deadline (UTC); absent while the timer has not started (fix: until the case is valid)"`
	// DoneAt is when what the timer waits for happened.
	DoneAt time.Time `json:"done_at,omitzero" doc:"when what it waits for happened"`
	// State is on_track, due_soon, breached (running) or met, missed
	// (done); "" for a timer that does not run (not started, or the case
	// was rejected).
	State string `json:"state,omitempty" doc:"on_track, due_soon or breached while it runs; met or missed once done; empty when it does not run"`
}

// Case timer names.
const (
	TimerAcknowledge = "acknowledge"
	TimerTriage      = "triage"
	TimerFix         = "fix"
	TimerDisclosure  = "disclosure"
)

// CaseTimerNames lists the timers in order.
var CaseTimerNames = []string{TimerAcknowledge, TimerTriage, TimerFix, TimerDisclosure}

// AddBusinessDays is t plus n business days (Monday–Friday, UTC): each
// following day that is a weekday counts, so Friday 10:00 + 1 is Monday
// 10:00 and Saturday 10:00 + 1 is Monday 10:00 too.
func AddBusinessDays(t time.Time, n int) time.Time {
	t = t.UTC()
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// FixDaysFor is the policy's fix period for a severity: the team's rating,
// else the reporter's guess, else medium's.
func (ct CaseTimers) FixDaysFor(severity string) int {
	if d, ok := ct.FixDays[severity]; ok && d > 0 {
		return d
	}
	if d, ok := ct.FixDays["medium"]; ok && d > 0 {
		return d
	}
	return DefaultCaseTimers().FixDays["medium"]
}

// DisclosureDaysFor is the disclosure period: the exploited one when the
// flaw is actively exploited.
func (ct CaseTimers) DisclosureDaysFor(exploited bool) int {
	if exploited {
		return ct.ExploitedDisclosureDays
	}
	return ct.DisclosureDays
}

// CaseSeverities are the severities a case takes.
var CaseSeverities = []string{"critical", "high", "medium", "low"}

// CaseMessage is a message on a case: from the reporter (through the
// tracking link) or from staff; a staff note marked internal is never
// shown to the reporter.
type CaseMessage struct {
	ID         int64     `json:"id" doc:"the message's ID"`
	CaseID     int64     `json:"case_id" doc:"the case's ID"`
	AuthorKind string    `json:"author_kind" doc:"reporter or staff"`
	Author     string    `json:"author,omitempty" doc:"the staff member who wrote it (empty for the reporter)"`
	Body       string    `json:"body" doc:"the text, as sent"`
	Internal   bool      `json:"internal" doc:"true for a staff note the reporter never sees"`
	CreatedAt  time.Time `json:"created_at" doc:"when it was sent (UTC)"`
}

// Message author kinds.
const (
	AuthorReporter = "reporter"
	AuthorStaff    = "staff"
)

// CaseAttachment is a file sent with a report or a message; its bytes are
// a kept document (by SHA-256), only ever served to staff as a download.
type CaseAttachment struct {
	ID           int64     `json:"id" doc:"the attachment's ID"`
	CaseID       int64     `json:"case_id" doc:"the case's ID"`
	MessageID    int64     `json:"message_id,omitempty" doc:"the message it came with (none: with the report)"`
	Name         string    `json:"name" doc:"the file name sent, sanitised"`
	DeclaredType string    `json:"declared_type" doc:"the media type the sender declared (not trusted)"`
	SniffedType  string    `json:"sniffed_type" doc:"the media type its content was found to be"`
	Size         int64     `json:"size" doc:"its size in bytes"`
	SHA256       string    `json:"sha256" doc:"the SHA-256 of its bytes (hex)"`
	UploadedBy   string    `json:"uploaded_by" doc:"reporter, or the staff member who sent it"`
	CreatedAt    time.Time `json:"created_at" doc:"when it arrived (UTC)"`
}

// Case link kinds.
const (
	LinkAsset    = "asset"
	LinkFinding  = "finding"
	LinkAdvisory = "advisory"
)

// CaseLinkKinds lists the kinds of links.
var CaseLinkKinds = []string{LinkAsset, LinkFinding, LinkAdvisory}

// CaseLink ties a case to an asset, a finding or an advisory.
type CaseLink struct {
	ID        int64     `json:"id" doc:"the link's ID"`
	CaseID    int64     `json:"case_id" doc:"the case's ID"`
	Kind      string    `json:"kind" doc:"asset, finding or advisory"`
	Target    string    `json:"target" doc:"the asset's or finding's ID, or the advisory's ID (GHSA-…, CVE-…)"`
	CreatedBy string    `json:"created_by" doc:"who linked it"`
	CreatedAt time.Time `json:"created_at" doc:"when (UTC)"`
}

// CaseExtension is an extension of the disclosure date.
type CaseExtension struct {
	ID        int64     `json:"id" doc:"the extension's ID"`
	CaseID    int64     `json:"case_id" doc:"the case's ID"`
	Days      int       `json:"days" doc:"by how many days"`
	Reason    string    `json:"reason" doc:"why, as agreed"`
	CreatedBy string    `json:"created_by" doc:"who recorded it"`
	CreatedAt time.Time `json:"created_at" doc:"when (UTC)"`
}

// CaseDetail is a case with everything on it.
type CaseDetail struct {
	Case
	Messages    []CaseMessage    `json:"messages" doc:"the messages, oldest first (internal notes too)"`
	Attachments []CaseAttachment `json:"attachments" doc:"the attachments, oldest first"`
	Links       []CaseLink       `json:"links" doc:"the links to assets, findings and advisories"`
	Extensions  []CaseExtension  `json:"extensions" doc:"the extensions of the disclosure date"`
}

// Limits of what a report carries.
const (
	MaxCaseTitle       = 200
	MaxCaseText        = 20000 // description, proof of concept, a message
	MaxCaseShort       = 200   // product, contact
	MaxCaseCredit      = 100
	MaxCaseAttachments = 3
	MaxAttachmentBytes = 2 << 20
)

// CaseReport is what the public form sends.
type CaseReport struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	Product        string `json:"product"`
	SeverityGuess  string `json:"severity_guess"`
	ProofOfConcept string `json:"proof_of_concept"`
	Contact        string `json:"contact"`
	CreditName     string `json:"credit_name"`
	CreditOptIn    bool   `json:"credit_opt_in"`
}

// Normalize trims the report's fields and checks each against its limit;
// the error names the field.
func (r *CaseReport) Normalize() error {
	r.Title, r.Product = strings.TrimSpace(r.Title), strings.TrimSpace(r.Product)
	r.Contact, r.CreditName = strings.TrimSpace(r.Contact), strings.TrimSpace(r.CreditName)
	r.Description, r.ProofOfConcept = strings.TrimSpace(r.Description), strings.TrimSpace(r.ProofOfConcept)
	r.SeverityGuess = strings.ToLower(strings.TrimSpace(r.SeverityGuess))
	switch {
	case r.Title == "":
		return Invalidf("title: required: say in a line what you found")
	case r.Description == "":
		return Invalidf("description: required: say what you found and what it affects")
	case r.SeverityGuess != "" && !slices.Contains(CaseSeverities, r.SeverityGuess):
		return Invalidf("severity: %q: one of %s, or none", r.SeverityGuess, strings.Join(CaseSeverities, ", "))
	}
	for _, f := range []struct {
		name, text string
		max        int
		lines      bool
	}{{"title", r.Title, MaxCaseTitle, false}, {"description", r.Description, MaxCaseText, true},
		{"product", r.Product, MaxCaseShort, false}, {"proof of concept", r.ProofOfConcept, MaxCaseText, true},
		{"contact", r.Contact, MaxCaseShort, false}, {"credit name", r.CreditName, MaxCaseCredit, false}} {
		if err := ValidCaseText(f.name, f.text, f.max, f.lines); err != nil {
			return err
		}
	}
	if r.CreditName == "" {
		r.CreditOptIn = false
	}
	return nil
}

// ValidCaseText checks a text a reporter or staff member sent: at most max
// bytes of valid UTF-8 without control or invisible formatting characters
// (tabs and, where lines is set, line breaks allowed).
func ValidCaseText(field, s string, max int, lines bool) error {
	if len(s) > max {
		return fmt.Errorf("%s: %d bytes; at most %d: %w", field, len(s), max, ErrTooLarge)
	}
	if !utf8.ValidString(s) {
		return Invalidf("%s: not valid UTF-8", field)
	}
	for _, r := range s {
		if r == '\t' || lines && (r == '\n' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return Invalidf("%s: control character %U", field, r)
		}
	}
	return nil
}

var (
	cveRE  = regexp.MustCompile(`^CVE-(19|20)\d{2}-\d{4,19}$`)
	euvdRE = regexp.MustCompile(`^EUVD-(19|20)\d{2}-\d{1,19}$`)
)

// ValidCVE checks a CVE ID (CVE-YYYY-NNNN, four digits or more); "" is
// allowed (none).
func ValidCVE(s string) error {
	if s != "" && !cveRE.MatchString(s) {
		return Invalidf("cve %q: a CVE ID is CVE-YYYY-NNNN (four or more digits)", s)
	}
	return nil
}

// ValidEUVD checks an EUVD ID (EUVD-YYYY-N…); "" is allowed (none).
func ValidEUVD(s string) error {
	if s != "" && !euvdRE.MatchString(s) {
		return Invalidf("euvd %q: an EUVD ID is EUVD-YYYY-N (one or more digits)", s)
	}
	return nil
}

// CaseStateChange moves a case to another state.
type CaseStateChange struct {
	State string `json:"state" doc:"the state to move to"`
	// DuplicateOf names the case a duplicate repeats (its ID or public ID).
	DuplicateOf string `json:"duplicate_of,omitempty" doc:"for duplicate: the case it repeats, by ID or case ID (VD-…)"`
	// Note, when given, is recorded as an internal note with the change.
	Note string `json:"note,omitempty" doc:"an internal note recorded with the change"`
}

// CasePatch changes a case's fields; absent fields stay as they are.
type CasePatch struct {
	Severity          *string `json:"severity,omitempty" doc:"critical, high, medium, low, or empty to fall back to the reporter's guess; the fix timer of a valid case follows it"`
	Assignee          *string `json:"assignee,omitempty" doc:"who handles the case (empty: nobody)"`
	CVE               *string `json:"cve,omitempty" doc:"the CVE ID (CVE-YYYY-NNNN…), empty to clear"`
	EUVD              *string `json:"euvd,omitempty" doc:"the EUVD ID (EUVD-YYYY-N…), empty to clear"`
	CreditName        *string `json:"credit_name,omitempty" doc:"the name to credit the reporter by, as they asked"`
	CreditOptIn       *bool   `json:"credit_opt_in,omitempty" doc:"whether the reporter agreed to be credited; only true with a credit name"`
	ActivelyExploited *bool   `json:"actively_exploited,omitempty" doc:"whether the flaw is known to be exploited; the disclosure date follows it"`
}

// CaseMessageInput is a staff message on a case.
type CaseMessageInput struct {
	Body     string `json:"body" doc:"the text"`
	Internal bool   `json:"internal,omitempty" doc:"true: an internal note the reporter never sees"`
}

// CaseLinkInput links a case to an asset, finding or advisory.
type CaseLinkInput struct {
	Kind   string `json:"kind" doc:"asset, finding or advisory"`
	Target string `json:"target" doc:"the asset's or finding's ID, or the advisory's ID"`
}

// CaseExtensionInput extends a case's disclosure date.
type CaseExtensionInput struct {
	Days   int    `json:"days" doc:"by how many days; all extensions of a case together at most the policy's max_extension_days"`
	Reason string `json:"reason" doc:"why, as agreed with the reporter"`
}

// Acknowledgement is a credited reporter of a disclosed case, for the
// public acknowledgements page.
type Acknowledgement struct {
	Name        string    `json:"name"`
	CVE         string    `json:"cve,omitempty"`
	DisclosedAt time.Time `json:"disclosed_at"`
}

// conflictError is a message about a state that forbids a change, that is
// ErrConflict (409).
type conflictError string

func (e conflictError) Error() string        { return string(e) }
func (e conflictError) Is(target error) bool { return target == ErrConflict }

// Conflictf returns an ErrConflict error with the message.
func Conflictf(format string, args ...any) error { return conflictError(fmt.Sprintf(format, args...)) }
