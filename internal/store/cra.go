package store

// CRA Art. 14 clocks, their drafts and the records of their reports'
// submission.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

const craColumns = `id, asset_id, finding_id, case_id, product, vulnerability, aware_at, note, mitigation_at, mitigation, drafts,
	started_by, started_at, updated_at`

func scanCRAClock(row rowScanner) (model.CRAClock, error) {
	var c model.CRAClock
	var assetID, findingID, caseID sql.NullInt64
	var mitigation sql.NullTime
	var drafts string
	err := row.Scan(&c.ID, &assetID, &findingID, &caseID, &c.Product, &c.Vulnerability, &c.AwareAt, &c.Note, &mitigation,
		&c.Mitigation, &drafts, &c.StartedBy, &c.StartedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.CRAClock{}, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	c.AssetID, c.FindingID, c.CaseID, c.MitigationAt = assetID.Int64, findingID.Int64, caseID.Int64, timeOf(mitigation)
	c.AwareAt, c.StartedAt, c.UpdatedAt = c.AwareAt.UTC(), c.StartedAt.UTC(), c.UpdatedAt.UTC()
	c.Submissions = []model.CRASubmission{}
	if err := json.Unmarshal([]byte(drafts), &c.Drafts); err != nil {
		return c, fmt.Errorf("CRA clock %d drafts: %w", c.ID, err)
	}
	return c, nil
}

const submissionColumns = `id, clock_id, report, submitted_at, channel, reference, submitted_by, content, recorded_by, recorded_at`

func scanSubmission(row rowScanner) (int64, model.CRASubmission, error) {
	var s model.CRASubmission
	var clock int64
	err := row.Scan(&s.ID, &clock, &s.Report, &s.SubmittedAt, &s.Channel, &s.Reference, &s.SubmittedBy, &s.Content,
		&s.RecordedBy, &s.RecordedAt)
	s.SubmittedAt, s.RecordedAt = s.SubmittedAt.UTC(), s.RecordedAt.UTC()
	return clock, s, err
}

// fillSubmissions reads the submissions of the clocks, in report order.
func fillSubmissions(ctx context.Context, db querier, cs []model.CRAClock) error {
	if len(cs) == 0 {
		return nil
	}
	at := map[int64]int{}
	args := make([]any, len(cs))
	for i, c := range cs {
		at[c.ID] = i
		args[i] = c.ID
	}
	err := queryRows(ctx, db, `SELECT `+submissionColumns+` FROM cra_submissions WHERE clock_id IN (`+placeholders(1, len(cs))+`)
		ORDER BY clock_id, submitted_at, id`, args, func(rows *sql.Rows) error {
		clock, s, err := scanSubmission(rows)
		if err == nil {
			cs[at[clock]].Submissions = append(cs[at[clock]].Submissions, s)
		}
		return err
	})
	return err
}

// CreateCRAClock starts a clock; ErrConflict when its finding has one.
func (t *Tx) CreateCRAClock(ctx context.Context, c model.CRAClock) (model.CRAClock, error) {
	c.StartedAt = t.now()
	c.UpdatedAt = c.StartedAt
	c.Submissions = []model.CRASubmission{}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO cra_clocks (asset_id, finding_id, case_id, product, vulnerability, aware_at,
		note, drafts, started_by, started_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		nullID(c.AssetID), nullID(c.FindingID), nullID(c.CaseID), c.Product, c.Vulnerability, c.AwareAt.UTC(), c.Note,
		mustJSON(c.Drafts), c.StartedBy, c.StartedAt).Scan(&c.ID)
	if isUnique(err) {
		return c, fmt.Errorf("finding %d has a CRA clock already: %w", c.FindingID, ErrConflict)
	}
	return c, err
}

// CRAClockForUpdate reads a clock with its submissions, locked until the
// transaction ends (on PostgreSQL).
func (t *Tx) CRAClockForUpdate(ctx context.Context, id int64) (model.CRAClock, error) {
	c, err := scanCRAClock(t.tx.QueryRowContext(ctx, `SELECT `+craColumns+` FROM cra_clocks WHERE id = $1`+t.forUpdate(), id))
	if err != nil {
		return c, err
	}
	cs := []model.CRAClock{c}
	err = fillSubmissions(ctx, t.tx, cs)
	return cs[0], err
}

// UpdateCRAClock stores a clock's drafts and mitigation.
func (t *Tx) UpdateCRAClock(ctx context.Context, c model.CRAClock) (model.CRAClock, error) {
	c.UpdatedAt = t.now()
	_, err := t.tx.ExecContext(ctx, `UPDATE cra_clocks SET drafts = $1, mitigation_at = $2, mitigation = $3, updated_at = $4
		WHERE id = $5`, mustJSON(c.Drafts), nullTime(c.MitigationAt), c.Mitigation, c.UpdatedAt, c.ID)
	return c, err
}

// AddCRASubmission records a report's submission; ErrConflict when that
// report's submission is recorded already.
func (t *Tx) AddCRASubmission(ctx context.Context, clockID int64, s model.CRASubmission) (model.CRASubmission, error) {
	s.RecordedAt = t.now()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO cra_submissions (clock_id, report, submitted_at, channel, reference,
		submitted_by, content, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		clockID, s.Report, s.SubmittedAt.UTC(), s.Channel, s.Reference, s.SubmittedBy, s.Content, s.RecordedBy, s.RecordedAt).Scan(&s.ID)
	if isUnique(err) {
		return s, fmt.Errorf("CRA clock %d: the %s's submission is recorded already: %w", clockID, s.Report, ErrConflict)
	}
	return s, err
}

// withDeadlines fills each clock's deadlines at the store's clock.
func (s *Store) withDeadlines(cs []model.CRAClock) {
	now := s.Now()
	for i := range cs {
		cs[i].Deadlines = cs[i].DeadlinesAt(now)
	}
}

// CRAClock reads a clock with its submissions and deadlines.
func (s *Store) CRAClock(ctx context.Context, id int64) (model.CRAClock, error) {
	c, err := scanCRAClock(s.db.QueryRowContext(ctx, `SELECT `+craColumns+` FROM cra_clocks WHERE id = $1`, id))
	if err != nil {
		return c, err
	}
	cs := []model.CRAClock{c}
	if err := fillSubmissions(ctx, s.db, cs); err != nil {
		return c, err
	}
	s.withDeadlines(cs)
	return cs[0], nil
}

// CRAFilter narrows the clocks listed; zero values match all.
type CRAFilter struct {
	CaseID, FindingID int64
}

// CRAClocks lists clocks, newest awareness first, with their submissions
// and deadlines (at most 500).
func (s *Store) CRAClocks(ctx context.Context, f CRAFilter) ([]model.CRAClock, error) {
	var where []string
	var args []any
	if f.CaseID != 0 {
		args = append(args, f.CaseID)
		where = append(where, fmt.Sprintf("case_id = $%d", len(args)))
	}
	if f.FindingID != 0 {
		args = append(args, f.FindingID)
		where = append(where, fmt.Sprintf("finding_id = $%d", len(args)))
	}
	q := `SELECT ` + craColumns + ` FROM cra_clocks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	cs, err := queryAll(ctx, s.db, scanCRAClock, q+` ORDER BY aware_at DESC, id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	if err := fillSubmissions(ctx, s.db, cs); err != nil {
		return nil, err
	}
	s.withDeadlines(cs)
	return cs, nil
}

// CRACandidates lists the open findings listed in CISA KEV on products'
// assets that have no clock, most severe first (at most 200).
func (s *Store) CRACandidates(ctx context.Context) ([]model.CRACandidate, error) {
	return queryAll(ctx, s.db, func(row rowScanner) (model.CRACandidate, error) {
		var c model.CRACandidate
		var aliases string
		err := row.Scan(&c.FindingID, &c.AssetID, &c.Product, &c.Advisory, &aliases, &c.Package, &c.Version, &c.Severity, &c.FirstSeen)
		if err != nil {
			return c, err
		}
		c.FirstSeen = c.FirstSeen.UTC()
		return c, json.Unmarshal([]byte(aliases), &c.Aliases)
	}, `SELECT f.id, f.asset_id, p.name, f.vuln_id, f.aliases, f.package, f.version, f.severity, f.first_seen
		FROM findings f JOIN products p ON p.asset_id = f.asset_id
		WHERE f.kev AND f.status = '`+model.FindingOpen+`' AND NOT EXISTS (SELECT 1 FROM cra_clocks c WHERE c.finding_id = f.id)
		ORDER BY f.severity_rank DESC, f.id LIMIT 200`)
}
