package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

const assetColumns = `id, name, kind, owner, criticality, exposure, environment, lifecycle, tags, cpes,
	current_snapshot_id, created_at, updated_at`

func scanAsset(row rowScanner) (model.Asset, error) {
	var a model.Asset
	var tags, cpes string
	var cur sql.NullInt64
	err := row.Scan(&a.ID, &a.Name, &a.Kind, &a.Owner, &a.Criticality, &a.Exposure, &a.Environment,
		&a.Lifecycle, &tags, &cpes, &cur, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Asset{}, ErrNotFound
	}
	if err != nil {
		return model.Asset{}, err
	}
	a.CurrentSnapshotID = cur.Int64
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(tags), &a.Tags); err != nil {
		return a, err
	}
	return a, json.Unmarshal([]byte(cpes), &a.CPEs)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on plain data
	}
	return string(b)
}

// CreateAsset adds an asset (normalized by the caller); ErrConflict when
// the name is taken.
func (t *Tx) CreateAsset(ctx context.Context, a model.Asset) (model.Asset, error) {
	return createAsset(ctx, t.tx, a)
}

func createAsset(ctx context.Context, tx *sql.Tx, a model.Asset) (model.Asset, error) {
	a.CreatedAt = now()
	a.UpdatedAt = a.CreatedAt
	err := tx.QueryRowContext(ctx, `INSERT INTO assets (name, kind, owner, criticality, exposure, environment,
		lifecycle, tags, cpes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		a.Name, a.Kind, a.Owner, a.Criticality, a.Exposure, a.Environment, a.Lifecycle,
		mustJSON(a.Tags), mustJSON(a.CPEs), a.CreatedAt).Scan(&a.ID)
	if isUnique(err) {
		return model.Asset{}, fmt.Errorf("asset %q: %w", a.Name, ErrConflict)
	}
	return a, err
}

// AssetForUpdate reads an asset inside the transaction, its row locked
// until the transaction ends (on PostgreSQL; SQLite has one writer).
func (t *Tx) AssetForUpdate(ctx context.Context, id int64) (model.Asset, error) {
	return scanAsset(t.tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE id = $1`+t.forUpdate(), id))
}

// UpdateAsset replaces an asset's descriptive fields (normalized by the
// caller) and returns it as stored.
func (t *Tx) UpdateAsset(ctx context.Context, a model.Asset) (model.Asset, error) {
	a.UpdatedAt = now()
	res, err := t.tx.ExecContext(ctx, `UPDATE assets SET name = $1, kind = $2, owner = $3, criticality = $4,
		exposure = $5, environment = $6, lifecycle = $7, tags = $8, cpes = $9, updated_at = $10 WHERE id = $11`,
		a.Name, a.Kind, a.Owner, a.Criticality, a.Exposure, a.Environment, a.Lifecycle,
		mustJSON(a.Tags), mustJSON(a.CPEs), a.UpdatedAt, a.ID)
	if isUnique(err) {
		return model.Asset{}, fmt.Errorf("asset %q: %w", a.Name, ErrConflict)
	}
	if err != nil {
		return model.Asset{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Asset{}, ErrNotFound
	}
	return a, nil
}

// DeleteAsset removes an asset with its snapshots, findings and decisions.
func (t *Tx) DeleteAsset(ctx context.Context, id int64) error {
	// Children first: PostgreSQL checks foreign keys per statement and
	// SQLite's cascade handles the rest.
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM findings WHERE asset_id = $1`, id); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM assets WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Asset returns one asset.
func (s *Store) Asset(ctx context.Context, id int64) (model.Asset, error) {
	return scanAsset(s.db.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE id = $1`, id))
}

// AssetByName returns one asset by its unique name.
func (s *Store) AssetByName(ctx context.Context, name string) (model.Asset, error) {
	return scanAsset(s.db.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE name = $1`, name))
}

// AssetFilter narrows an asset listing; After is the keyset cursor (the
// last ID of the previous page). Kind, Exposure, Lifecycle and
// Criticality, when set, keep the assets with that value.
type AssetFilter struct {
	Text                      string
	Kind, Exposure, Lifecycle string
	Criticality               int
	After                     int64
	Limit                     int
}

// where is the filter as SQL conditions (each starting with AND) on the
// assets table aliased a, with their arguments numbered from $next.
func (f AssetFilter) where(next int) (string, []any) {
	var q strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", next+len(args)-1)
	}
	if f.Text != "" {
		p := arg("%" + likeEscape(strings.ToLower(f.Text)) + "%")
		fmt.Fprintf(&q, ` AND (LOWER(a.name) LIKE %s ESCAPE '\' OR LOWER(a.owner) LIKE %s ESCAPE '\')`, p, p)
	}
	for _, c := range []struct{ col, v string }{{"kind", f.Kind}, {"exposure", f.Exposure}, {"lifecycle", f.Lifecycle}} {
		if c.v != "" {
			fmt.Fprintf(&q, ` AND a.%s = %s`, c.col, arg(c.v))
		}
	}
	if f.Criticality != 0 {
		fmt.Fprintf(&q, ` AND a.criticality = %s`, arg(f.Criticality))
	}
	return q.String(), args
}

// Assets lists assets by ID.
func (s *Store) Assets(ctx context.Context, f AssetFilter) ([]model.Asset, error) {
	cond, args := f.where(2)
	q := `SELECT ` + assetColumns + ` FROM assets a WHERE id > $1` + cond
	q += fmt.Sprintf(` ORDER BY id LIMIT %d`, PageSize(f.Limit))
	return queryAll(ctx, s.db, scanAsset, q, append([]any{f.After}, args...)...)
}

// CountAssets counts assets.
func (s *Store) CountAssets(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM assets`).Scan(&n)
	return n, err
}

// likeEscape keeps % and _ in user text literal. Both engines use
// backslash as the LIKE escape in the queries that call this.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// MaxPageSize is the largest page a list returns.
const MaxPageSize = 500

// PageSize bounds a requested page size: 50 by default, at most
// MaxPageSize.
func PageSize(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}
