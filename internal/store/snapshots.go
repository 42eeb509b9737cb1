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

// componentExtra is what the components table keeps as JSON.
type componentExtra struct {
	CPEs     []string     `json:"cpes,omitempty"`
	Hashes   []model.Hash `json:"hashes,omitempty"`
	Licenses []string     `json:"licenses,omitempty"`
}

// NewSnapshot is an SBOM ready to store: keys are computed by the caller.
type NewSnapshot struct {
	Format, Subject, Source, SHA256, UploadedBy string
	Components                                  []model.Component
	Keys                                        []string // one per component; "" when unmatchable
}

// ResolveAsset finds the asset an upload names — by ID, or by name — and
// creates it when it does not exist and create is set, inside the
// transaction. authorize (nil: anything goes) decides whether the upload
// may go to the asset found or about to be created; its error stores
// nothing. created reports whether the asset is new.
func (t *Tx) ResolveAsset(ctx context.Context, a model.Asset, create bool, authorize func(model.Asset, bool) error) (_ model.Asset, created bool, err error) {
	if authorize == nil {
		authorize = func(model.Asset, bool) error { return nil }
	}
	var row *sql.Row
	if a.ID != 0 {
		row = t.tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE id = $1`, a.ID)
	} else {
		row = t.tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE name = $1`, a.Name)
	}
	found, err := scanAsset(row)
	if !errors.Is(err, ErrNotFound) || a.ID != 0 || !create {
		if errors.Is(err, ErrNotFound) {
			return model.Asset{}, false, fmt.Errorf("asset %s: %w", assetLabel(a), ErrNotFound)
		}
		if err != nil {
			return model.Asset{}, false, err
		}
		return found, false, authorize(found, false)
	}
	if err := a.Normalize(); err != nil {
		return model.Asset{}, false, err
	}
	if err := authorize(a, true); err != nil {
		return model.Asset{}, false, err
	}
	return createAssetIfMissing(ctx, t.tx, a)
}

// AddSnapshot stores a snapshot of the asset with its components and makes
// it the asset's current inventory.
func (t *Tx) AddSnapshot(ctx context.Context, asset model.Asset, n NewSnapshot) (model.Snapshot, error) {
	if len(n.Keys) != len(n.Components) {
		return model.Snapshot{}, errors.New("add snapshot: one key per component")
	}
	snap := model.Snapshot{AssetID: asset.ID, Format: n.Format, Subject: n.Subject, Source: n.Source,
		SHA256: n.SHA256, Components: len(n.Components), UploadedBy: n.UploadedBy, CreatedAt: now()}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO snapshots (asset_id, format, subject, source, sha256, components,
		uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		snap.AssetID, snap.Format, snap.Subject, snap.Source, snap.SHA256, snap.Components,
		snap.UploadedBy, snap.CreatedAt).Scan(&snap.ID)
	if err != nil {
		return model.Snapshot{}, err
	}
	if err := insertComponents(ctx, t.tx, t.dialect, snap.ID, n.Components, n.Keys); err != nil {
		return model.Snapshot{}, err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE assets SET current_snapshot_id = $1, updated_at = $2 WHERE id = $3`,
		snap.ID, snap.CreatedAt, asset.ID); err != nil {
		return model.Snapshot{}, err
	}
	t.written += int64(len(n.Components))
	return snap, nil
}

// createAssetIfMissing creates the asset unless another transaction
// created one of that name since this one looked: concurrent uploads that
// all ask to create the same new asset must all land on it, not fail. On
// PostgreSQL the INSERT waits for the other transaction and then does
// nothing; the SELECT after it (a new snapshot under READ COMMITTED) sees
// the committed row. SQLite runs one writer at a time, so the conflict
// never arises there.
func createAssetIfMissing(ctx context.Context, tx *sql.Tx, a model.Asset) (model.Asset, bool, error) {
	a.CreatedAt = now()
	a.UpdatedAt = a.CreatedAt
	err := tx.QueryRowContext(ctx, `INSERT INTO assets (name, kind, owner, criticality, exposure, environment,
		lifecycle, tags, cpes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
		ON CONFLICT (name) DO NOTHING RETURNING id`,
		a.Name, a.Kind, a.Owner, a.Criticality, a.Exposure, a.Environment, a.Lifecycle,
		mustJSON(a.Tags), mustJSON(a.CPEs), a.CreatedAt).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		found, err := scanAsset(tx.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE name = $1`, a.Name))
		return found, false, err
	}
	return a, err == nil, err
}

func assetLabel(a model.Asset) string {
	if a.ID != 0 {
		return fmt.Sprint(a.ID)
	}
	return fmt.Sprintf("%q", a.Name)
}

// componentBatch rows go in one INSERT: 11 values each keeps a statement
// well under both engines' parameter limits.
const componentBatch = 200

func insertComponents(ctx context.Context, tx *sql.Tx, d Dialect, snapID int64, comps []model.Component, keys []string) error {
	const cols = 11
	for start := 0; start < len(comps); start += componentBatch {
		end := min(start+componentBatch, len(comps))
		var q strings.Builder
		q.WriteString(`INSERT INTO components (snapshot_id, pkey, ref, name, version, purl, ecosystem, package,
			scope, unmatchable, extra) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "(%s)", rowPlaceholders(d, len(args)+1, cols))
			c := &comps[i]
			extra := "{}"
			if len(c.CPEs)+len(c.Hashes)+len(c.Licenses) > 0 {
				extra = mustJSON(componentExtra{CPEs: c.CPEs, Hashes: c.Hashes, Licenses: c.Licenses})
			}
			args = append(args, snapID, keys[i], c.Ref, c.Name, c.Version, c.PURL, c.Ecosystem, c.Package,
				string(c.Scope), c.Unmatchable, extra)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("storing components: %w", err)
		}
	}
	return nil
}

const snapshotColumns = `id, asset_id, format, subject, source, sha256, components, uploaded_by, created_at, matched_at`

func scanSnapshot(row rowScanner) (model.Snapshot, error) {
	var s model.Snapshot
	var matched sql.NullTime
	err := row.Scan(&s.ID, &s.AssetID, &s.Format, &s.Subject, &s.Source, &s.SHA256, &s.Components,
		&s.UploadedBy, &s.CreatedAt, &matched)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Snapshot{}, ErrNotFound
	}
	s.CreatedAt, s.MatchedAt = s.CreatedAt.UTC(), timeOf(matched)
	return s, err
}

// Snapshot returns one snapshot.
func (s *Store) Snapshot(ctx context.Context, id int64) (model.Snapshot, error) {
	return scanSnapshot(s.db.QueryRowContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots WHERE id = $1`, id))
}

// Snapshots lists an asset's snapshots, newest first.
func (s *Store) Snapshots(ctx context.Context, assetID int64) ([]model.Snapshot, error) {
	return queryAll(ctx, s.db, scanSnapshot, `SELECT `+snapshotColumns+` FROM snapshots WHERE asset_id = $1 ORDER BY id DESC`, assetID)
}

// Components returns a snapshot's components in upload order; when keys is
// not nil, only those with one of the given lookup keys.
func (s *Store) Components(ctx context.Context, snapID int64, keys []string) ([]model.SnapshotComponent, error) {
	q := `SELECT ` + componentColumns + ` FROM components WHERE snapshot_id = $1`
	args := []any{snapID}
	var want map[string]bool
	switch {
	case keys == nil:
	case len(keys) == 0:
		return nil, nil
	case len(keys) > 200:
		// Many keys (a large feed sync): read the snapshot and filter
		// here, rather than pass thousands of parameters.
		want = make(map[string]bool, len(keys))
		for _, k := range keys {
			want[k] = true
		}
	default:
		q += ` AND pkey IN (` + placeholders(2, len(keys)) + `)`
		for _, k := range keys {
			args = append(args, k)
		}
	}
	var out []model.SnapshotComponent
	err := queryRows(ctx, s.db, q+` ORDER BY id`, args, func(rows *sql.Rows) error {
		c, err := scanComponent(rows)
		if err == nil && (want == nil || want[c.Key]) {
			out = append(out, c)
		}
		return err
	})
	return out, err
}

// ComponentsPage returns up to limit of a snapshot's components after the
// component ID after, in ID order: the next page of a listing, or of a
// match that reads a large snapshot a part at a time.
func (s *Store) ComponentsPage(ctx context.Context, snapID, after int64, limit int) ([]model.SnapshotComponent, error) {
	var out []model.SnapshotComponent
	err := queryRows(ctx, kept{s}, `SELECT `+componentColumns+` FROM components
		WHERE snapshot_id = $1 AND id > $2 ORDER BY id LIMIT $3`, []any{snapID, after, limit}, func(rows *sql.Rows) error {
		c, err := scanComponent(rows)
		out = append(out, c)
		return err
	})
	return out, err
}

const componentColumns = `id, pkey, ref, name, version, purl, ecosystem, package, scope, unmatchable, extra`

func scanComponent(rows *sql.Rows) (model.SnapshotComponent, error) {
	var c model.SnapshotComponent
	var scope, extra string
	if err := rows.Scan(&c.ID, &c.Key, &c.Ref, &c.Name, &c.Version, &c.PURL, &c.Ecosystem, &c.Package,
		&scope, &c.Unmatchable, &extra); err != nil {
		return c, err
	}
	c.Scope = model.Scope(scope)
	if extra != "{}" {
		var x componentExtra
		if err := json.Unmarshal([]byte(extra), &x); err != nil {
			return c, err
		}
		c.CPEs, c.Hashes, c.Licenses = x.CPEs, x.Hashes, x.Licenses
	}
	return c, nil
}
