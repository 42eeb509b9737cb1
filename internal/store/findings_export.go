package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// EachFinding calls fn with every finding f selects, in f.Sort's order:
// the findings list's pages end to end (f's Cursor and Limit are not
// used). It reads them with one statement, row by row as fn takes them,
// so an export of any size holds one finding at a time, and its rows are
// one snapshot: SQLite (WAL) and PostgreSQL each give a statement the
// database as it was when it started; a change committed meanwhile is
// not in it. (A text filter's terms are looked up just before.) On
// SQLite the statement's snapshot keeps the write-ahead log from being
// checkpointed past it until the export ends (Maintain checkpoints
// passively meanwhile); writers are not held up.
// fn's error stops the export and is returned.
func (s *Store) EachFinding(ctx context.Context, f FindingFilter, fn func(model.AssetFinding) error) error {
	if f.Now.IsZero() {
		f.Now = s.Now()
	}
	f.Cursor, f.Limit = "", 0
	lq, err := newListQuery(f, s.dialect)
	if err != nil {
		return err
	}
	common := "" // a text too common for the lookup: tested on each row, as textWalk does
	if f.Text != "" {
		t, ok, err := s.textTerms(ctx, f.Text)
		switch {
		case err != nil:
			return err
		case !ok:
			common = strings.ToLower(f.Text)
		case t.none():
			return nil
		default:
			_, test := s.textConds(lq, t)
			lq.where = append(lq.where, "("+test+")")
		}
	}
	q := `SELECT ` + findingColumns + ` FROM ` + findingsFrom
	if len(lq.where) > 0 {
		q += " WHERE " + strings.Join(lq.where, " AND ")
	}
	s.exports.Add(1) // see Maintain
	defer s.exports.Add(-1)
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY "+lq.order.by("f."), lq.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		fd, _, err := scanFinding(rows, f.Now)
		if err != nil {
			return err
		}
		if common != "" && !textMatch(fd, common) {
			continue
		}
		if err := fn(fd); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OpenFindingDecisions returns the decisions that apply to the asset's
// open findings, by finding ID; a finding nobody decided about has none.
func (s *Store) OpenFindingDecisions(ctx context.Context, assetID int64) (map[int64]model.Decision, error) {
	out := map[int64]model.Decision{}
	err := queryRows(ctx, s.db, `SELECT f.id, d.id, d.vuln_id, d.pkey, d.state, d.justification, d.reason, d.assignee,
		d.decided_by, d.decided_at
		FROM findings f JOIN decisions d ON d.asset_id = f.asset_id AND d.vuln_id = f.vuln_id AND d.pkey = f.pkey
		WHERE f.asset_id = $1 AND f.status = 'open'`, []any{assetID}, func(rows *sql.Rows) error {
		var id int64
		d := model.Decision{AssetID: assetID}
		err := rows.Scan(&id, &d.ID, &d.VulnID, &d.PackageKey, &d.State, &d.Justification, &d.Reason, &d.Assignee,
			&d.DecidedBy, &d.DecidedAt)
		d.DecidedAt = d.DecidedAt.UTC()
		out[id] = d
		return err
	})
	return out, err
}
