package service

// Coordinated vulnerability disclosure cases (issue 14): a stranger's
// report through the public form, the tracking link that is their only
// access, and what the team does with the case. Every change is one
// transaction with its audit event (object type "case").

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
)

// ActorReporter is the audit actor of what a reporter does through the
// form or the tracking link.
const ActorReporter = "reporter"

// TrackingTokenBytes is the tracking token's randomness: 32 bytes,
// 43 characters of base64url.
const TrackingTokenBytes = 32

// NewTrackingToken makes a tracking token and the SHA-256 (hex) stored in
// its place.
func NewTrackingToken() (token, hash string) {
	b := make([]byte, TrackingTokenBytes)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashTrackingToken(token)
}

// HashTrackingToken is the hex SHA-256 of a token.
func HashTrackingToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrNoCase is what every failed tracking lookup answers: a malformed
// token, a wrong one and one of a case that is gone read the same.
var ErrNoCase = fmt.Errorf("no case has this tracking link: %w", model.ErrNotFound)

// Attachment is a file as a reporter or staff member sent it.
type Attachment struct {
	Name         string
	DeclaredType string
	Data         []byte
}

// checkedAttachment is an attachment found acceptable, packed to keep.
type checkedAttachment struct {
	model.CaseAttachment
	doc store.PackedDocument
}

// checkAttachments sanitises names, sniffs types against the allow-list
// and packs each file, outside any transaction.
func checkAttachments(files []Attachment) ([]checkedAttachment, error) {
	if len(files) > model.MaxCaseAttachments {
		return nil, fmt.Errorf("attachments: %d; at most %d: %w", len(files), model.MaxCaseAttachments, model.ErrTooLarge)
	}
	out := make([]checkedAttachment, 0, len(files))
	for _, f := range files {
		name := SanitiseFileName(f.Name)
		if len(f.Data) > model.MaxAttachmentBytes {
			return nil, fmt.Errorf("attachment %q: %d bytes; at most %d: %w", name, len(f.Data), model.MaxAttachmentBytes, model.ErrTooLarge)
		}
		if len(f.Data) == 0 {
			return nil, model.Invalidf("attachment %q: empty", name)
		}
		typ, err := SniffAttachment(f.Data)
		if err != nil {
			return nil, model.Invalidf("attachment %q: %v", name, err)
		}
		declared := f.DeclaredType
		if len(declared) > 100 || textProblem(declared) {
			declared = ""
		}
		doc, err := store.PackDocument(typ, f.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, checkedAttachment{CaseAttachment: model.CaseAttachment{Name: name, DeclaredType: declared,
			SniffedType: typ}, doc: doc})
	}
	return out, nil
}

// textProblem says whether s is not clean one-line text.
func textProblem(s string) bool { return model.ValidCaseText("", s, len(s), false) != nil }

// addAttachments stores checked attachments on a case (and message).
func addAttachments(ctx context.Context, tx *store.Tx, caseID, messageID int64, by string, at time.Time, files []checkedAttachment) ([]model.CaseAttachment, error) {
	out := make([]model.CaseAttachment, 0, len(files))
	for _, f := range files {
		a := f.CaseAttachment
		a.CaseID, a.MessageID, a.UploadedBy, a.CreatedAt = caseID, messageID, by, at
		a, err := tx.AddCaseAttachment(ctx, a, f.doc)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SubmitReport files a report from the public form: a new case in state
// received, its timers started from the policy in force, its attachments
// kept. It returns the case and its tracking token, which is shown once
// and stored only as its hash.
func (s *Service) SubmitReport(ctx context.Context, r model.CaseReport, files []Attachment) (model.Case, string, error) {
	if err := r.Normalize(); err != nil {
		return model.Case{}, "", err
	}
	checked, err := checkAttachments(files)
	if err != nil {
		return model.Case{}, "", err
	}
	pol, err := s.Disclosure(ctx)
	if err != nil {
		return model.Case{}, "", err
	}
	token, hash := NewTrackingToken()
	var c model.Case
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		c = model.Case{Title: r.Title, Description: r.Description, Product: r.Product, SeverityGuess: r.SeverityGuess,
			ProofOfConcept: r.ProofOfConcept, Contact: r.Contact, CreditName: r.CreditName, CreditOptIn: r.CreditOptIn,
			State: model.CaseReceived, ReceivedAt: now}
		startTimers(&c, pol.Timers)
		if c, err = tx.CreateCase(ctx, c, hash); err != nil {
			return err
		}
		if _, err := addAttachments(ctx, tx, c.ID, 0, ActorReporter, now, checked); err != nil {
			return err
		}
		ev := event(ActorReporter, "case.received", "case", c.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, nil, caseAudit(c, len(checked)))
	})
	if err != nil {
		return model.Case{}, "", err
	}
	c.Timers = CaseTimers(c, s.Store.Now())
	return c, token, nil
}

// caseAudit is what an event records of a case: its state and fields,
// never the tracking token (not even its hash).
func caseAudit(c model.Case, attachments int) map[string]any {
	return map[string]any{"public_id": c.PublicID, "state": c.State, "title": c.Title, "product": c.Product,
		"severity_guess": c.SeverityGuess, "attachments": attachments, "credit_opt_in": c.CreditOptIn}
}

// startTimers sets a new case's deadlines from the policy's timers.
func startTimers(c *model.Case, t model.CaseTimers) {
	c.AcknowledgeDue = model.AddBusinessDays(c.ReceivedAt, t.AcknowledgeBusinessDays)
	c.TriageDue = model.AddBusinessDays(c.ReceivedAt, t.TriageBusinessDays)
	c.DisclosureDue = disclosureDue(*c, t)
}

// disclosureDue is received + the disclosure days (exploited or not) +
// the extensions granted.
func disclosureDue(c model.Case, t model.CaseTimers) time.Time {
	return c.ReceivedAt.AddDate(0, 0, t.DisclosureDaysFor(c.ActivelyExploited)+c.ExtensionDays).UTC()
}

// severityOf is the severity the fix timer follows.
func severityOf(c model.Case) string { return cmpOr(c.Severity, c.SeverityGuess, "medium") }

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// CaseTimers reads a case's four timers at now, in the vocabulary of the
// SLA clocks (internal/sla): running ones on_track, due_soon (the last
// fifth of the period, at most a week) or breached; done ones met or
// missed. The fix timer runs once the case is valid; fix and disclosure
// do not run for a case found duplicate, invalid or out of scope.
func CaseTimers(c model.Case, now time.Time) []model.CaseTimer {
	rejected := c.Rejected()
	read := func(name string, start, due, done time.Time, runs bool) model.CaseTimer {
		t := model.CaseTimer{Name: name, DueAt: due, DoneAt: done}
		if !runs || due.IsZero() {
			return t // shown, but not running
		}
		clock := sla.Clock{Start: start, DueAt: due}
		t.State = string(clock.State(now, done, sla.DefaultWindow(clock)))
		return t
	}
	fixStart := c.DecidedAt
	if !c.FixDue.IsZero() && fixStart.IsZero() {
		fixStart = c.ReceivedAt
	}
	open := c.State != model.CaseClosed
	return []model.CaseTimer{
		read(model.TimerAcknowledge, c.ReceivedAt, c.AcknowledgeDue, c.AcknowledgedAt, open || !c.AcknowledgedAt.IsZero()),
		read(model.TimerTriage, c.ReceivedAt, c.TriageDue, c.DecidedAt, open || !c.DecidedAt.IsZero()),
		read(model.TimerFix, fixStart, c.FixDue, c.FixedAt, !rejected && !c.FixDue.IsZero() && (open || !c.FixedAt.IsZero())),
		read(model.TimerDisclosure, c.ReceivedAt, c.DisclosureDue, c.DisclosedAt, !rejected && (open || !c.DisclosedAt.IsZero())),
	}
}

// CaseByToken finds the case of a tracking token. Every failure — a
// malformed token, a wrong one — is ErrNoCase, after the same work: the
// token's hash is looked up and compared in constant time.
func (s *Service) CaseByToken(ctx context.Context, token string) (model.Case, error) {
	if len(token) > 200 {
		token = token[:200]
	}
	hash := HashTrackingToken(token)
	c, stored, err := s.Store.CaseByToken(ctx, hash)
	if errors.Is(err, model.ErrNotFound) {
		return model.Case{}, ErrNoCase
	}
	if err != nil {
		return model.Case{}, err
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) != 1 || !wellFormedToken(token) {
		return model.Case{}, ErrNoCase
	}
	c.Timers = CaseTimers(c, s.Store.Now())
	return c, nil
}

// wellFormedToken: 43 characters of base64url, as NewTrackingToken makes.
func wellFormedToken(t string) bool {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil && len(b) == TrackingTokenBytes
}

// ReporterMessage records a message the reporter sends through the
// tracking link, with its attachments. A closed case takes no more.
func (s *Service) ReporterMessage(ctx context.Context, token, body string, files []Attachment) (model.CaseMessage, error) {
	body = strings.TrimSpace(body)
	if err := checkMessage(body); err != nil {
		return model.CaseMessage{}, err
	}
	checked, err := checkAttachments(files)
	if err != nil {
		return model.CaseMessage{}, err
	}
	found, err := s.CaseByToken(ctx, token)
	if err != nil {
		return model.CaseMessage{}, err
	}
	var m model.CaseMessage
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.CaseForUpdate(ctx, found.ID)
		if err != nil {
			return err
		}
		if c.State == model.CaseClosed {
			return model.Conflictf("case %s is closed: it takes no more messages; file a new report", c.PublicID)
		}
		now := tx.Now()
		if m, err = tx.AddCaseMessage(ctx, model.CaseMessage{CaseID: c.ID, AuthorKind: model.AuthorReporter, Body: body, CreatedAt: now}); err != nil {
			return err
		}
		if _, err := addAttachments(ctx, tx, c.ID, m.ID, ActorReporter, now, checked); err != nil {
			return err
		}
		ev := event(ActorReporter, "case.message", "case", c.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, nil, map[string]any{"message_id": m.ID, "author_kind": m.AuthorKind, "attachments": len(checked)})
	})
	return m, err
}

func checkMessage(body string) error {
	if body == "" {
		return model.Invalidf("message: empty: write what you want to say")
	}
	return model.ValidCaseText("message", body, model.MaxCaseText, true)
}

// StaffMessage records a staff member's message on a case: shown to the
// reporter on the tracking page, or an internal note that never is.
func (s *Service) StaffMessage(ctx context.Context, actor string, id int64, in model.CaseMessageInput) (model.CaseMessage, error) {
	in.Body = strings.TrimSpace(in.Body)
	if err := checkMessage(in.Body); err != nil {
		return model.CaseMessage{}, err
	}
	var m model.CaseMessage
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.CaseForUpdate(ctx, id)
		if err != nil {
			return err
		}
		now := tx.Now()
		if m, err = tx.AddCaseMessage(ctx, model.CaseMessage{CaseID: c.ID, AuthorKind: model.AuthorStaff, Author: actor,
			Body: in.Body, Internal: in.Internal, CreatedAt: now}); err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		ev := event(actor, "case.message", "case", c.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, nil, map[string]any{"message_id": m.ID, "author_kind": m.AuthorKind, "internal": m.Internal})
	})
	return m, err
}

// MoveCase moves a case to another state (see model.CanMoveCase; a move
// the state machine does not allow is 409 naming the moves it does). The
// time the case first enters a state is recorded; a valid case's fix
// timer starts, from the policy in force, when it becomes valid.
func (s *Service) MoveCase(ctx context.Context, actor string, id int64, ch model.CaseStateChange) (model.Case, error) {
	ch.State, ch.DuplicateOf, ch.Note = strings.TrimSpace(ch.State), strings.TrimSpace(ch.DuplicateOf), strings.TrimSpace(ch.Note)
	if !slices.Contains(model.CaseStates, ch.State) {
		return model.Case{}, model.Invalidf("state %q: one of %s", ch.State, strings.Join(model.CaseStates, ", "))
	}
	if ch.Note != "" {
		if err := model.ValidCaseText("note", ch.Note, model.MaxCaseText, true); err != nil {
			return model.Case{}, err
		}
	}
	if ch.DuplicateOf != "" && ch.State != model.CaseDuplicate {
		return model.Case{}, model.Invalidf("duplicate_of: only with state duplicate")
	}
	if len(ch.DuplicateOf) > 40 {
		return model.Case{}, model.Invalidf("duplicate_of: a case's ID or VD-… case ID")
	}
	return s.changeCase(ctx, id, func(tx *store.Tx, c *model.Case, t model.CaseTimers) error {
		if why := model.CanMoveCase(*c, ch.State); why != "" {
			return model.Conflictf("case %s: %s", c.PublicID, why)
		}
		before := *c
		now := tx.Now()
		if ch.State == model.CaseDuplicate {
			if ch.DuplicateOf == "" {
				return model.Invalidf("duplicate_of: required for duplicate: the case this one repeats")
			}
			orig, err := tx.CaseRef(ctx, ch.DuplicateOf)
			if errors.Is(err, model.ErrNotFound) {
				return model.Invalidf("duplicate_of %q: no such case", ch.DuplicateOf)
			}
			if err != nil {
				return err
			}
			if orig.ID == c.ID {
				return model.Invalidf("duplicate_of %q: a case cannot duplicate itself", ch.DuplicateOf)
			}
			c.DuplicateOf = orig.ID
		}
		enterState(c, ch.State, now, t)
		if err := tx.UpdateCase(ctx, *c); err != nil {
			return err
		}
		if ch.Note != "" {
			if _, err := tx.AddCaseMessage(ctx, model.CaseMessage{CaseID: c.ID, AuthorKind: model.AuthorStaff, Author: actor,
				Body: ch.Note, Internal: true, CreatedAt: now}); err != nil {
				return err
			}
		}
		ev := event(actor, "case."+ch.State, "case", c.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, map[string]any{"state": before.State}, map[string]any{"state": c.State,
			"duplicate_of": c.DuplicateOf, "fix_due": c.FixDue})
	})
}

// changeCase runs change on the locked case, with the policy's timers, in
// one transaction, and returns the case with its timers read now.
func (s *Service) changeCase(ctx context.Context, id int64, change func(tx *store.Tx, c *model.Case, t model.CaseTimers) error) (model.Case, error) {
	pol, err := s.Disclosure(ctx)
	if err != nil {
		return model.Case{}, err
	}
	var c model.Case
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		if c, err = tx.CaseForUpdate(ctx, id); err != nil {
			return err
		}
		return change(tx, &c, pol.Timers)
	})
	if err != nil {
		return model.Case{}, err
	}
	c.Timers = CaseTimers(c, s.Store.Now())
	return c, nil
}

// enterState moves c to state at now: the state's first-entry time is
// set, and what a back-edge undoes is cleared.
func enterState(c *model.Case, state string, now time.Time, t model.CaseTimers) {
	from := c.State
	c.State, c.UpdatedAt = state, now
	first := func(p *time.Time) {
		if p.IsZero() {
			*p = now
		}
	}
	switch state {
	case model.CaseAcknowledged:
		first(&c.AcknowledgedAt)
	case model.CaseTriaging:
		first(&c.TriagingAt)
		c.DuplicateOf = 0
		if from == model.CaseValid {
			c.FixDue = time.Time{} // found valid again, the fix timer starts again
		}
		if from == model.CaseClosed {
			c.ClosedAt = time.Time{}
		}
	case model.CaseValid:
		first(&c.DecidedAt)
		if c.FixDue.IsZero() {
			c.FixDue = now.AddDate(0, 0, t.FixDaysFor(severityOf(*c)))
		}
	case model.CaseDuplicate, model.CaseInvalid, model.CaseOutOfScope:
		first(&c.DecidedAt)
		c.FixDue = time.Time{}
	case model.CaseFixing:
		first(&c.FixingAt)
		c.FixedAt = time.Time{} // a fix that was not one
	case model.CaseFixed:
		first(&c.FixedAt)
	case model.CaseDisclosed:
		first(&c.DisclosedAt)
	case model.CaseClosed:
		first(&c.ClosedAt)
	}
}

// PatchCase changes a case's severity, assignee, CVE and EUVD IDs, credit
// and exploitation flag. A valid case's fix timer follows a new severity
// (from the time it became valid); the disclosure date follows the flag.
// Credit is the reporter's to give: staff may record a name and the
// opt-in the reporter asked for, and turn it off.
func (s *Service) PatchCase(ctx context.Context, actor string, id int64, p model.CasePatch) (model.Case, error) {
	if err := normalizePatch(&p); err != nil {
		return model.Case{}, err
	}
	return s.changeCase(ctx, id, func(tx *store.Tx, c *model.Case, t model.CaseTimers) error {
		before := *c
		apply := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		apply(&c.Severity, p.Severity)
		apply(&c.Assignee, p.Assignee)
		apply(&c.CVE, p.CVE)
		apply(&c.EUVD, p.EUVD)
		apply(&c.CreditName, p.CreditName)
		if p.CreditOptIn != nil {
			c.CreditOptIn = *p.CreditOptIn
		}
		if c.CreditOptIn && c.CreditName == "" {
			return model.Invalidf("credit_opt_in: true needs a credit_name")
		}
		if p.ActivelyExploited != nil {
			c.ActivelyExploited = *p.ActivelyExploited
		}
		if c.Severity != before.Severity && !c.FixDue.IsZero() && c.FixedAt.IsZero() {
			start := c.DecidedAt
			if start.IsZero() {
				start = c.ReceivedAt
			}
			c.FixDue = start.AddDate(0, 0, t.FixDaysFor(severityOf(*c)))
		}
		c.DisclosureDue = disclosureDue(*c, t)
		c.UpdatedAt = tx.Now()
		if err := tx.UpdateCase(ctx, *c); err != nil {
			return err
		}
		ev := event(actor, "case.changed", "case", c.ID)
		ev.At = c.UpdatedAt
		return tx.AppendEvent(ctx, ev, patchView(before), patchView(*c))
	})
}

func patchView(c model.Case) map[string]any {
	return map[string]any{"severity": c.Severity, "assignee": c.Assignee, "cve": c.CVE, "euvd": c.EUVD,
		"credit_name": c.CreditName, "credit_opt_in": c.CreditOptIn, "actively_exploited": c.ActivelyExploited,
		"fix_due": c.FixDue, "disclosure_due": c.DisclosureDue}
}

func normalizePatch(p *model.CasePatch) error {
	trim := func(v *string) {
		if v != nil {
			*v = strings.TrimSpace(*v)
		}
	}
	trim(p.Severity)
	trim(p.Assignee)
	trim(p.CVE)
	trim(p.EUVD)
	trim(p.CreditName)
	if p.Severity != nil {
		*p.Severity = strings.ToLower(*p.Severity)
		if *p.Severity != "" && !slices.Contains(model.CaseSeverities, *p.Severity) {
			return model.Invalidf("severity %q: one of %s, or empty", *p.Severity, strings.Join(model.CaseSeverities, ", "))
		}
	}
	if p.CVE != nil {
		*p.CVE = strings.ToUpper(*p.CVE)
		if err := model.ValidCVE(*p.CVE); err != nil {
			return err
		}
	}
	if p.EUVD != nil {
		*p.EUVD = strings.ToUpper(*p.EUVD)
		if err := model.ValidEUVD(*p.EUVD); err != nil {
			return err
		}
	}
	if p.Assignee != nil {
		if err := model.ValidCaseText("assignee", *p.Assignee, model.MaxCaseCredit, false); err != nil {
			return err
		}
	}
	if p.CreditName != nil {
		if err := model.ValidCaseText("credit_name", *p.CreditName, model.MaxCaseCredit, false); err != nil {
			return err
		}
	}
	return nil
}

// ExtendDisclosure extends a case's disclosure date by days, with the
// reason agreed; all extensions of a case together stay within the
// policy's max_extension_days.
func (s *Service) ExtendDisclosure(ctx context.Context, actor string, id int64, in model.CaseExtensionInput) (model.Case, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Days <= 0:
		return model.Case{}, model.Invalidf("days: %d; a positive number of days", in.Days)
	case in.Reason == "":
		return model.Case{}, model.Invalidf("reason: required: say why the date moves")
	}
	if err := model.ValidCaseText("reason", in.Reason, model.MaxNoteLen, true); err != nil {
		return model.Case{}, err
	}
	return s.changeCase(ctx, id, func(tx *store.Tx, c *model.Case, t model.CaseTimers) error {
		if !c.DisclosedAt.IsZero() || c.Rejected() || c.State == model.CaseClosed {
			return model.Conflictf("case %s is %s: its disclosure date no longer runs", c.PublicID, c.State)
		}
		if total := c.ExtensionDays + in.Days; total > t.MaxExtensionDays {
			return model.Invalidf("days: %d more would extend case %s by %d days in all; the policy allows at most %d",
				in.Days, c.PublicID, total, t.MaxExtensionDays)
		}
		before := c.DisclosureDue
		c.ExtensionDays += in.Days
		c.DisclosureDue = disclosureDue(*c, t)
		c.UpdatedAt = tx.Now()
		if err := tx.UpdateCase(ctx, *c); err != nil {
			return err
		}
		if _, err := tx.AddCaseExtension(ctx, model.CaseExtension{CaseID: c.ID, Days: in.Days, Reason: in.Reason,
			CreatedBy: actor, CreatedAt: c.UpdatedAt}); err != nil {
			return err
		}
		ev := event(actor, "case.extended", "case", c.ID)
		ev.At = c.UpdatedAt
		return tx.AppendEvent(ctx, ev, map[string]any{"disclosure_due": before},
			map[string]any{"disclosure_due": c.DisclosureDue, "days": in.Days, "reason": in.Reason})
	})
}

// LinkCase links a case to an existing asset, finding or advisory.
func (s *Service) LinkCase(ctx context.Context, actor string, id int64, in model.CaseLinkInput) (model.CaseLink, error) {
	in.Kind, in.Target = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Target)
	if !slices.Contains(model.CaseLinkKinds, in.Kind) {
		return model.CaseLink{}, model.Invalidf("kind %q: one of %s", in.Kind, strings.Join(model.CaseLinkKinds, ", "))
	}
	if in.Target == "" || len(in.Target) > 200 || textProblem(in.Target) {
		return model.CaseLink{}, model.Invalidf("target: the %s's ID, at most 200 characters", in.Kind)
	}
	var l model.CaseLink
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.CaseForUpdate(ctx, id)
		if err != nil {
			return err
		}
		ok, err := tx.CaseLinkTargetExists(ctx, in.Kind, in.Target)
		if err != nil {
			return err
		}
		if !ok {
			return model.Invalidf("target %q: there is no %s with this ID", in.Target, in.Kind)
		}
		now := tx.Now()
		if l, err = tx.AddCaseLink(ctx, model.CaseLink{CaseID: c.ID, Kind: in.Kind, Target: in.Target, CreatedBy: actor, CreatedAt: now}); err != nil {
			return err
		}
		ev := event(actor, "case.linked", "case", c.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, nil, l)
	})
	return l, err
}

// UnlinkCase removes a link of a case.
func (s *Service) UnlinkCase(ctx context.Context, actor string, id, linkID int64) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.CaseForUpdate(ctx, id)
		if err != nil {
			return err
		}
		l, err := tx.RemoveCaseLink(ctx, c.ID, linkID)
		if err != nil {
			return err
		}
		ev := event(actor, "case.unlinked", "case", c.ID)
		ev.At = tx.Now()
		return tx.AppendEvent(ctx, ev, l, nil)
	})
}

// CaseDetail reads a case with its timers and everything on it, for staff.
func (s *Service) CaseDetail(ctx context.Context, id int64) (model.CaseDetail, error) {
	c, err := s.Store.Case(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return model.CaseDetail{}, fmt.Errorf("case %d: %w", id, err)
	}
	if err != nil {
		return model.CaseDetail{}, err
	}
	c.Timers = CaseTimers(c, s.Store.Now())
	d := model.CaseDetail{Case: c}
	if d.Messages, err = s.Store.CaseMessages(ctx, id, true); err != nil {
		return d, err
	}
	if d.Attachments, err = s.Store.CaseAttachments(ctx, id); err != nil {
		return d, err
	}
	if d.Links, err = s.Store.CaseLinks(ctx, id); err != nil {
		return d, err
	}
	d.Extensions, err = s.Store.CaseExtensions(ctx, id)
	return d, err
}

// Cases lists cases, newest first, in a state ("" for any) and with a
// timer in timerState ("" for any), each with its timers read now.
func (s *Service) Cases(ctx context.Context, state, timerState string) ([]model.Case, error) {
	if state != "" && !slices.Contains(model.CaseStates, state) {
		return nil, model.Invalidf("state %q: one of %s", state, strings.Join(model.CaseStates, ", "))
	}
	if timerState != "" && !slices.Contains(sla.States, sla.State(timerState)) {
		return nil, model.Invalidf("timer_state %q: one of on_track, due_soon, breached, met, missed", timerState)
	}
	cs, err := s.Store.Cases(ctx, store.CaseFilter{State: state})
	if err != nil {
		return nil, err
	}
	now, out := s.Store.Now(), make([]model.Case, 0, len(cs))
	for _, c := range cs {
		c.Timers = CaseTimers(c, now)
		if timerState == "" || slices.ContainsFunc(c.Timers, func(t model.CaseTimer) bool { return t.State == timerState }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// caseExists checks, in the caller's transaction, that the case another
// record names (a CRA clock, an outbound report, an advisory) exists,
// and locks it until the transaction ends so that it stays.
func caseExists(ctx context.Context, tx *store.Tx, id int64) error {
	_, err := tx.CaseForUpdate(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return model.Invalidf("case_id %d: no such disclosure case", id)
	}
	return err
}

// CaseFormKey is the key that signs the report form's timestamps: made
// on first need and kept, so that every replica shares it. It is no
// one's decision, so it has no audit event.
func (s *Service) CaseFormKey(ctx context.Context) ([]byte, error) {
	return s.Store.CaseFormKey(ctx)
}
