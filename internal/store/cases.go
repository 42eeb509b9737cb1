package store

// Disclosure cases (issue 14): the reports strangers send, their
// messages, attachments, extensions and links.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/model"
)

const caseCols = `id, public_id, title, description, product, severity_guess, severity, proof_of_concept, contact,
	credit_name, credit_opt_in, state, cve_id, euvd_id, duplicate_of, actively_exploited, assignee,
	received_at, acknowledged_at, triaging_at, decided_at, fixing_at, fixed_at, disclosed_at, closed_at, updated_at,
	acknowledge_due, triage_due, fix_due, disclosure_due, extension_days`

func scanCase(row rowScanner) (model.Case, error) {
	var c model.Case
	var dup sql.NullInt64
	var ack, tri, dec, fixing, fixed, disc, closed, fixDue sql.NullTime
	err := row.Scan(&c.ID, &c.PublicID, &c.Title, &c.Description, &c.Product, &c.SeverityGuess, &c.Severity,
		&c.ProofOfConcept, &c.Contact, &c.CreditName, &c.CreditOptIn, &c.State, &c.CVE, &c.EUVD, &dup,
		&c.ActivelyExploited, &c.Assignee, &c.ReceivedAt, &ack, &tri, &dec, &fixing, &fixed, &disc, &closed,
		&c.UpdatedAt, &c.AcknowledgeDue, &c.TriageDue, &fixDue, &c.DisclosureDue, &c.ExtensionDays)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.DuplicateOf = dup.Int64
	c.ReceivedAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.UpdatedAt.UTC()
	c.AcknowledgeDue, c.TriageDue, c.DisclosureDue = c.AcknowledgeDue.UTC(), c.TriageDue.UTC(), c.DisclosureDue.UTC()
	c.AcknowledgedAt, c.TriagingAt, c.DecidedAt = timeOf(ack), timeOf(tri), timeOf(dec)
	c.FixingAt, c.FixedAt, c.DisclosedAt, c.ClosedAt, c.FixDue = timeOf(fixing), timeOf(fixed), timeOf(disc), timeOf(closed), timeOf(fixDue)
	return c, err
}

// CreateCase stores a new case with the SHA-256 of its tracking token
// (hex) and gives it its public ID, VD-<year>-<row ID, at least 4 digits>.
func (t *Tx) CreateCase(ctx context.Context, c model.Case, tokenHash string) (model.Case, error) {
	err := t.tx.QueryRowContext(ctx, `INSERT INTO cases (title, description, product, severity_guess, severity,
		proof_of_concept, contact, credit_name, credit_opt_in, state, token_sha256, received_at, updated_at,
		acknowledge_due, triage_due, disclosure_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		c.Title, c.Description, c.Product, c.SeverityGuess, c.Severity, c.ProofOfConcept, c.Contact, c.CreditName,
		c.CreditOptIn, c.State, tokenHash, c.ReceivedAt.UTC(), c.ReceivedAt.UTC(), c.AcknowledgeDue.UTC(),
		c.TriageDue.UTC(), c.DisclosureDue.UTC()).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("storing the case: %w", err)
	}
	c.PublicID = fmt.Sprintf("VD-%d-%04d", c.ReceivedAt.UTC().Year(), c.ID)
	_, err = t.tx.ExecContext(ctx, `UPDATE cases SET public_id = $1 WHERE id = $2`, c.PublicID, c.ID)
	c.UpdatedAt = c.ReceivedAt
	return c, err
}

// UpdateCase writes what the team changes of a case: its state and the
// times it entered states, its timers and its fields.
func (t *Tx) UpdateCase(ctx context.Context, c model.Case) error {
	var dup sql.NullInt64
	if c.DuplicateOf != 0 {
		dup = sql.NullInt64{Int64: c.DuplicateOf, Valid: true}
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE cases SET state = $1, severity = $2, cve_id = $3, euvd_id = $4,
		duplicate_of = $5, actively_exploited = $6, assignee = $7, credit_name = $8, credit_opt_in = $9,
		acknowledged_at = $10, triaging_at = $11, decided_at = $12, fixing_at = $13, fixed_at = $14,
		disclosed_at = $15, closed_at = $16, updated_at = $17, fix_due = $18, disclosure_due = $19,
		extension_days = $20 WHERE id = $21`,
		c.State, c.Severity, c.CVE, c.EUVD, dup, c.ActivelyExploited, c.Assignee, c.CreditName, c.CreditOptIn,
		nullTime(c.AcknowledgedAt), nullTime(c.TriagingAt), nullTime(c.DecidedAt), nullTime(c.FixingAt),
		nullTime(c.FixedAt), nullTime(c.DisclosedAt), nullTime(c.ClosedAt), c.UpdatedAt.UTC(), nullTime(c.FixDue),
		c.DisclosureDue.UTC(), c.ExtensionDays, c.ID)
	if err != nil {
		return fmt.Errorf("updating case %d: %w", c.ID, err)
	}
	return nil
}

// CaseForUpdate reads a case, locking it until the transaction ends.
func (t *Tx) CaseForUpdate(ctx context.Context, id int64) (model.Case, error) {
	c, err := scanCase(t.tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`+t.forUpdate(), id))
	if errors.Is(err, ErrNotFound) {
		return c, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return c, err
}

// CaseRef finds a case by its row ID or its public ID (VD-…).
func (t *Tx) CaseRef(ctx context.Context, ref string) (model.Case, error) {
	q, arg := `SELECT `+caseCols+` FROM cases WHERE public_id = $1`, any(ref)
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		q, arg = `SELECT `+caseCols+` FROM cases WHERE id = $1`, n
	}
	c, err := scanCase(t.tx.QueryRowContext(ctx, q, arg))
	if errors.Is(err, ErrNotFound) {
		return c, fmt.Errorf("case %q: %w", ref, ErrNotFound)
	}
	return c, err
}

// Case reads a case; ErrNotFound (unnamed: the caller names it).
func (s *Store) Case(ctx context.Context, id int64) (model.Case, error) {
	return scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
}

// CaseByToken reads the case whose tracking token has this SHA-256 (hex)
// and returns the hash stored, for the caller's constant-time compare.
func (s *Store) CaseByToken(ctx context.Context, tokenHash string) (model.Case, string, error) {
	var stored string
	c, err := scanCase(rowFunc(func(dest ...any) error {
		return s.db.QueryRowContext(ctx, `SELECT `+caseCols+`, token_sha256 FROM cases WHERE token_sha256 = $1`,
			tokenHash).Scan(append(dest, &stored)...)
	}))
	return c, stored, err
}

// rowFunc is a rowScanner made of a function.
type rowFunc func(dest ...any) error

func (f rowFunc) Scan(dest ...any) error { return f(dest...) }

// CaseFilter selects cases.
type CaseFilter struct {
	State string // "" for all
}

// MaxCaseList bounds a list of cases.
const MaxCaseList = 500

// Cases lists cases newest first, at most MaxCaseList.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]model.Case, error) {
	q, args := `SELECT `+caseCols+` FROM cases`, []any{}
	if f.State != "" {
		q, args = q+` WHERE state = $1`, append(args, f.State)
	}
	return queryAll(ctx, s.db, scanCase, q+` ORDER BY id DESC LIMIT `+strconv.Itoa(MaxCaseList), args...)
}

// CaseStateCounts counts cases per state.
func (s *Store) CaseStateCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := queryRows(ctx, s.db, `SELECT state, COUNT(*) FROM cases GROUP BY state`, nil, func(rows *sql.Rows) error {
		var st string
		var n int
		err := rows.Scan(&st, &n)
		out[st] = n
		return err
	})
	return out, err
}

// AddCaseMessage stores a message.
func (t *Tx) AddCaseMessage(ctx context.Context, m model.CaseMessage) (model.CaseMessage, error) {
	m.CreatedAt = m.CreatedAt.UTC()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO case_messages (case_id, author_kind, author, body, internal, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.CaseID, m.AuthorKind, m.Author, m.Body, m.Internal, m.CreatedAt).Scan(&m.ID)
	if err != nil {
		return m, fmt.Errorf("storing the message: %w", err)
	}
	return m, nil
}

// CaseMessages lists a case's messages oldest first; internal notes only
// when internal is set.
func (s *Store) CaseMessages(ctx context.Context, caseID int64, internal bool) ([]model.CaseMessage, error) {
	q := `SELECT id, case_id, author_kind, author, body, internal, created_at FROM case_messages WHERE case_id = $1`
	if !internal {
		q += ` AND internal = FALSE`
	}
	return queryAll(ctx, s.db, func(row rowScanner) (model.CaseMessage, error) {
		var m model.CaseMessage
		err := row.Scan(&m.ID, &m.CaseID, &m.AuthorKind, &m.Author, &m.Body, &m.Internal, &m.CreatedAt)
		m.CreatedAt = m.CreatedAt.UTC()
		return m, err
	}, q+` ORDER BY id LIMIT 5000`, caseID)
}

// AddCaseAttachment keeps an attachment's bytes (a packed document) and
// records it. A document too large to keep is refused: an attachment is
// never recorded without its bytes.
func (t *Tx) AddCaseAttachment(ctx context.Context, a model.CaseAttachment, doc PackedDocument) (model.CaseAttachment, error) {
	kept, err := t.PutDocument(ctx, doc, 0)
	if err != nil {
		return a, err
	}
	if !kept {
		return a, fmt.Errorf("attachment %q: %w", a.Name, model.ErrTooLarge)
	}
	a.SHA256, a.Size, a.CreatedAt = doc.SHA256, doc.Size, a.CreatedAt.UTC()
	var msg sql.NullInt64
	if a.MessageID != 0 {
		msg = sql.NullInt64{Int64: a.MessageID, Valid: true}
	}
	err = t.tx.QueryRowContext(ctx, `INSERT INTO case_attachments (case_id, message_id, name, declared_type, sniffed_type,
		size, sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.CaseID, msg, a.Name, a.DeclaredType, a.SniffedType, a.Size, a.SHA256, a.UploadedBy, a.CreatedAt).Scan(&a.ID)
	if err != nil {
		return a, fmt.Errorf("storing attachment %q: %w", a.Name, err)
	}
	return a, nil
}

const attachmentCols = `id, case_id, message_id, name, declared_type, sniffed_type, size, sha256, uploaded_by, created_at`

func scanAttachment(row rowScanner) (model.CaseAttachment, error) {
	var a model.CaseAttachment
	var msg sql.NullInt64
	err := row.Scan(&a.ID, &a.CaseID, &msg, &a.Name, &a.DeclaredType, &a.SniffedType, &a.Size, &a.SHA256, &a.UploadedBy, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	a.MessageID, a.CreatedAt = msg.Int64, a.CreatedAt.UTC()
	return a, err
}

// CaseAttachments lists a case's attachments, oldest first.
func (s *Store) CaseAttachments(ctx context.Context, caseID int64) ([]model.CaseAttachment, error) {
	return queryAll(ctx, s.db, scanAttachment, `SELECT `+attachmentCols+` FROM case_attachments WHERE case_id = $1 ORDER BY id`, caseID)
}

// CaseAttachment reads one attachment of a case (caseID 0: of any case).
func (s *Store) CaseAttachment(ctx context.Context, caseID, id int64) (model.CaseAttachment, error) {
	a, err := scanAttachment(s.db.QueryRowContext(ctx, `SELECT `+attachmentCols+` FROM case_attachments
		WHERE id = $1 AND (case_id = $2 OR $2 = 0)`, id, caseID))
	switch {
	case errors.Is(err, ErrNotFound) && caseID != 0:
		return a, fmt.Errorf("attachment %d of case %d: %w", id, caseID, ErrNotFound)
	case errors.Is(err, ErrNotFound):
		return a, fmt.Errorf("attachment %d: %w", id, ErrNotFound)
	}
	return a, err
}

// AddCaseExtension records an extension of the disclosure date.
func (t *Tx) AddCaseExtension(ctx context.Context, e model.CaseExtension) (model.CaseExtension, error) {
	e.CreatedAt = e.CreatedAt.UTC()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO case_extensions (case_id, days, reason, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.CaseID, e.Days, e.Reason, e.CreatedBy, e.CreatedAt).Scan(&e.ID)
	return e, err
}

// CaseExtensions lists a case's extensions, oldest first.
func (s *Store) CaseExtensions(ctx context.Context, caseID int64) ([]model.CaseExtension, error) {
	return queryAll(ctx, s.db, func(row rowScanner) (model.CaseExtension, error) {
		var e model.CaseExtension
		err := row.Scan(&e.ID, &e.CaseID, &e.Days, &e.Reason, &e.CreatedBy, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	}, `SELECT id, case_id, days, reason, created_by, created_at FROM case_extensions WHERE case_id = $1 ORDER BY id`, caseID)
}

// CaseLinkTargetExists says whether a link's target exists: an asset or
// finding by ID, an advisory by ID or alias.
func (t *Tx) CaseLinkTargetExists(ctx context.Context, kind, target string) (bool, error) {
	var q string
	var arg any = target
	switch kind {
	case model.LinkAsset, model.LinkFinding:
		n, err := strconv.ParseInt(target, 10, 64)
		if err != nil || n <= 0 {
			return false, nil
		}
		arg, q = n, `SELECT COUNT(*) FROM assets WHERE id = $1`
		if kind == model.LinkFinding {
			q = `SELECT COUNT(*) FROM findings WHERE id = $1`
		}
	case model.LinkAdvisory:
		q = `SELECT (SELECT COUNT(*) FROM advisories WHERE id = $1) + (SELECT COUNT(*) FROM advisory_aliases WHERE alias = $1)`
	default:
		return false, nil
	}
	var n int
	err := t.tx.QueryRowContext(ctx, q, arg).Scan(&n)
	return n > 0, err
}

// AddCaseLink stores a link; ErrConflict when the case has it already.
func (t *Tx) AddCaseLink(ctx context.Context, l model.CaseLink) (model.CaseLink, error) {
	l.CreatedAt = l.CreatedAt.UTC()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO case_links (case_id, kind, target, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, kind, target) DO NOTHING RETURNING id`,
		l.CaseID, l.Kind, l.Target, l.CreatedBy, l.CreatedAt).Scan(&l.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("the case is linked to %s %s already: %w", l.Kind, l.Target, ErrConflict)
	}
	return l, err
}

// RemoveCaseLink deletes a link of a case and returns it.
func (t *Tx) RemoveCaseLink(ctx context.Context, caseID, id int64) (model.CaseLink, error) {
	l, err := scanLink(t.tx.QueryRowContext(ctx, `DELETE FROM case_links WHERE case_id = $1 AND id = $2
		RETURNING id, case_id, kind, target, created_by, created_at`, caseID, id))
	if errors.Is(err, ErrNotFound) {
		return l, fmt.Errorf("link %d of case %d: %w", id, caseID, ErrNotFound)
	}
	return l, err
}

func scanLink(row rowScanner) (model.CaseLink, error) {
	var l model.CaseLink
	err := row.Scan(&l.ID, &l.CaseID, &l.Kind, &l.Target, &l.CreatedBy, &l.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, err
}

// CaseLinks lists a case's links, oldest first.
func (s *Store) CaseLinks(ctx context.Context, caseID int64) ([]model.CaseLink, error) {
	return queryAll(ctx, s.db, scanLink, `SELECT id, case_id, kind, target, created_by, created_at FROM case_links
		WHERE case_id = $1 ORDER BY id`, caseID)
}

// Acknowledgements lists the credited reporters of disclosed cases (state
// disclosed, or closed after disclosure) who opted in, newest first.
func (s *Store) Acknowledgements(ctx context.Context) ([]model.Acknowledgement, error) {
	return queryAll(ctx, s.db, func(row rowScanner) (model.Acknowledgement, error) {
		var a model.Acknowledgement
		err := row.Scan(&a.Name, &a.CVE, &a.DisclosedAt)
		a.DisclosedAt = a.DisclosedAt.UTC()
		return a, err
	}, `SELECT credit_name, cve_id, disclosed_at FROM cases
		WHERE credit_opt_in = TRUE AND credit_name <> '' AND disclosed_at IS NOT NULL
		AND state IN ('`+model.CaseDisclosed+`', '`+model.CaseClosed+`')
		ORDER BY disclosed_at DESC, id DESC LIMIT 1000`)
}

// CaseFormKey is the key that signs the report form's timestamp, made on
// first use and kept as a setting so that every replica shares it.
func (s *Store) CaseFormKey(ctx context.Context) ([]byte, error) {
	const name = "case_form_key"
	var k string
	if ok, err := s.Setting(ctx, name, &k); err != nil || ok {
		b, derr := hex.DecodeString(k)
		if err == nil && derr != nil {
			err = derr
		}
		return b, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (name, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO NOTHING`, name, mustJSON(hex.EncodeToString(b)), "vulndesk", now())
	if err != nil {
		return nil, err
	}
	if _, err := s.Setting(ctx, name, &k); err != nil {
		return nil, err
	}
	return hex.DecodeString(k)
}
