package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// CreateException stores a requested exception with its findings and
// returns its ID.
func (t *Tx) CreateException(ctx context.Context, e model.Exception) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO exceptions (scope, scope_value, reason, compensating_controls, requested_by,
		requested_at, expires_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.Scope, e.ScopeValue, e.Reason, e.CompensatingControls, e.RequestedBy, e.RequestedAt.UTC(), e.ExpiresAt.UTC(), e.State).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing the exception: %w", err)
	}
	rows := make([][]any, len(e.FindingIDs))
	for i, f := range e.FindingIDs {
		rows[i] = []any{id, f}
	}
	if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO exception_findings (exception_id, finding_id) VALUES `, rows, ""); err != nil {
		return 0, fmt.Errorf("storing the exception's findings: %w", err)
	}
	return id, nil
}

const exceptionCols = `id, scope, scope_value, reason, compensating_controls, requested_by, requested_at, expires_at, state,
	decided_by, decided_at, ended_at, end_reason`

func scanException(row rowScanner) (model.Exception, error) {
	var e model.Exception
	var decided, ended sql.NullTime
	err := row.Scan(&e.ID, &e.Scope, &e.ScopeValue, &e.Reason, &e.CompensatingControls, &e.RequestedBy, &e.RequestedAt,
		&e.ExpiresAt, &e.State, &e.DecidedBy, &decided, &ended, &e.EndReason)
	e.RequestedAt, e.ExpiresAt, e.DecidedAt, e.EndedAt = e.RequestedAt.UTC(), e.ExpiresAt.UTC(), timeOf(decided), timeOf(ended)
	return e, err
}

// ExceptionForUpdate reads an exception with its findings, locking it
// until the transaction ends.
func (t *Tx) ExceptionForUpdate(ctx context.Context, id int64) (model.Exception, error) {
	e, err := scanException(t.tx.QueryRowContext(ctx, `SELECT `+exceptionCols+` FROM exceptions WHERE id = $1`+t.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("exception %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return e, err
	}
	e.FindingIDs, err = exceptionFindings(ctx, t.tx, id)
	return e, err
}

func exceptionFindings(ctx context.Context, db querier, id int64) ([]int64, error) {
	return queryAll(ctx, db, func(row rowScanner) (int64, error) {
		var f int64
		return f, row.Scan(&f)
	}, `SELECT finding_id FROM exception_findings WHERE exception_id = $1 ORDER BY finding_id`, id)
}

// Exception reads an exception with its findings.
func (s *Store) Exception(ctx context.Context, id int64) (model.Exception, error) {
	e, err := scanException(s.db.QueryRowContext(ctx, `SELECT `+exceptionCols+` FROM exceptions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound // the caller names it
	}
	if err != nil {
		return e, err
	}
	e.FindingIDs, err = exceptionFindings(ctx, s.db, id)
	return e, err
}

// Exceptions lists exceptions, newest first, in one state ("" for all),
// at most 500, each with its findings.
func (s *Store) Exceptions(ctx context.Context, state string) ([]model.Exception, error) {
	q, args := `SELECT `+exceptionCols+` FROM exceptions`, []any{}
	if state != "" {
		q, args = q+` WHERE state = $1`, append(args, state)
	}
	es, err := queryAll(ctx, s.db, scanException, q+` ORDER BY id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].FindingIDs, err = exceptionFindings(ctx, s.db, es[i].ID); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// ExceptionsOf lists the exceptions that cover a finding, newest first,
// without their findings.
func (s *Store) ExceptionsOf(ctx context.Context, findingID int64) ([]model.Exception, error) {
	return queryAll(ctx, s.db, scanException, `SELECT `+exceptionCols+` FROM exceptions
		WHERE id IN (SELECT exception_id FROM exception_findings WHERE finding_id = $1) ORDER BY id DESC LIMIT 50`, findingID)
}

// EndException sets an exception's state: approved or rejected (by whom,
// when), expired or revoked (when, why).
func (t *Tx) EndException(ctx context.Context, id int64, state, by string, at time.Time, reason string) error {
	var err error
	switch state {
	case model.ExceptionApproved, model.ExceptionRejected:
		_, err = t.tx.ExecContext(ctx, `UPDATE exceptions SET state = $1, decided_by = $2, decided_at = $3, end_reason = $4 WHERE id = $5`,
			state, by, at.UTC(), reason, id)
	default:
		_, err = t.tx.ExecContext(ctx, `UPDATE exceptions SET state = $1, ended_at = $2, end_reason = $3 WHERE id = $4`,
			state, at.UTC(), reason, id)
	}
	if err == nil && state == model.ExceptionApproved {
		// What was already known exploited when it was approved does not
		// revoke it; a vulnerability that enters KEV later does.
		_, err = t.tx.ExecContext(ctx, `UPDATE exception_findings SET kev_at_approval =
			(SELECT f.kev FROM findings f WHERE f.id = exception_findings.finding_id) WHERE exception_id = $1`, id)
	}
	return err
}

// ExceptionsDue returns the approved exceptions that expired by now.
func (t *Tx) ExceptionsDue(ctx context.Context, now time.Time) ([]int64, error) {
	return queryAll(ctx, t.tx, func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT id FROM exceptions WHERE state = '`+model.ExceptionApproved+`' AND expires_at <= $1 ORDER BY id`, now.UTC())
}

// ExceptionsEnteredKEV returns the approved exceptions of which a finding
// entered CISA KEV after the approval, each with the CVE IDs listed.
func (t *Tx) ExceptionsEnteredKEV(ctx context.Context) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := queryRows(ctx, t.tx, `SELECT DISTINCT x.id, k.cve FROM exceptions x
		JOIN exception_findings ef ON ef.exception_id = x.id JOIN findings f ON f.id = ef.finding_id
		JOIN advisory_aliases aa ON aa.advisory_id = f.vuln_id JOIN kev k ON k.cve = aa.alias
		WHERE x.state = '`+model.ExceptionApproved+`' AND f.kev = TRUE AND ef.kev_at_approval = FALSE ORDER BY x.id, k.cve`, nil,
		func(rows *sql.Rows) error {
			var id int64
			var v string
			err := rows.Scan(&id, &v)
			out[id] = append(out[id], v)
			return err
		})
	return out, err
}

// AcceptedBy returns the findings whose risk exception id accepts now.
func (t *Tx) AcceptedBy(ctx context.Context, id int64) ([]Triaged, error) {
	return queryAll(ctx, t.tx, scanTriaged, `SELECT `+triagedCols+` FROM `+triagedFrom+`
		WHERE d.exception_id = $1 AND f.state = '`+model.StateRiskAccepted+`' ORDER BY f.id`, id)
}

// ScopeFindings returns the open findings an advisory scope (an ID or an
// alias) or a component scope (a package URL; without a version, every
// version of it) covers, at most limit+1 of them.
func (t *Tx) ScopeFindings(ctx context.Context, scope, value string, limit int) ([]int64, error) {
	scan := func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}
	open := `f.status = '` + model.FindingOpen + `'`
	switch scope {
	case model.ScopeAdvisory:
		return queryAll(ctx, t.tx, scan, fmt.Sprintf(`SELECT f.id FROM findings f WHERE %s AND (f.vuln_id = $1
			OR f.vuln_id IN (SELECT aa.advisory_id FROM advisory_aliases aa WHERE aa.alias = $1)) ORDER BY f.id LIMIT %d`, open, limit+1), value)
	case model.ScopeComponent:
		return queryAll(ctx, t.tx, scan, fmt.Sprintf(`SELECT f.id FROM findings f WHERE %s AND (f.purl = $1
			OR substr(f.purl, 1, $2) = $3) ORDER BY f.id LIMIT %d`, open, limit+1), value, len(value)+1, value+"@")
	}
	return nil, model.Invalidf("scope %q: findings, advisory or component", scope)
}

// AssetLifecycles returns the lifecycles of the assets of findings.
func (t *Tx) AssetLifecycles(ctx context.Context, ids []int64) (map[string]bool, error) {
	out := map[string]bool{}
	for part, args := range idChunks(ids, 500) {
		err := queryRows(ctx, t.tx, `SELECT DISTINCT a.lifecycle FROM findings f JOIN assets a ON a.id = f.asset_id WHERE f.id IN (`+
			rowPlaceholders(t.dialect, 1, len(part))+`)`, args, func(rows *sql.Rows) error {
			var l string
			err := rows.Scan(&l)
			out[l] = true
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
