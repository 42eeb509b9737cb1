package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Asset is something the organisation runs: an application, a host, a
// device. Its current inventory is its newest snapshot.
type Asset struct {
	ID          int64    `json:"id" doc:"the asset's ID"`
	Name        string   `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -, starting with a letter or digit"`
	Kind        string   `json:"kind" doc:"what the asset is"`
	Owner       string   `json:"owner" doc:"who answers for the asset (a team or a person), at most 200 characters; empty when unknown"`
	Criticality int      `json:"criticality" doc:"how much the asset matters: 1 (highest) to 4 (lowest)"`
	Exposure    string   `json:"exposure" doc:"who can reach the asset"`
	Environment string   `json:"environment" doc:"free text such as production or staging, at most 100 characters; empty when unknown"`
	Lifecycle   string   `json:"lifecycle" doc:"where the asset is in its life"`
	Tags        []string `json:"tags" doc:"labels, at most 50 of 1–64 characters each; uploader tokens can be held to assets with given tags"`
	// CPEs name hardware, operating systems and firmware that have no SBOM.
	CPEs              []string  `json:"cpes" doc:"CPE 2.3 formatted strings naming hardware, operating systems and firmware that have no SBOM, at most 500"`
	CurrentSnapshotID int64     `json:"current_snapshot_id,omitempty" doc:"the ID of the newest inventory snapshot; absent until an SBOM is uploaded"`
	CreatedAt         time.Time `json:"created_at" doc:"when the asset was created (UTC, RFC 3339)"`
	UpdatedAt         time.Time `json:"updated_at" doc:"when the asset last changed (UTC, RFC 3339)"`
}

// The values an asset's fields may take.
var (
	AssetKinds = []string{"application", "service", "library", "container-image", "host",
		"virtual-machine", "network-device", "medical-device", "ot-device", "firmware", "operating-system", "other"}
	Exposures  = []string{"internet-facing", "internal", "isolated"}
	Lifecycles = []string{"active", "legacy", "end-of-life", "decommissioned"}
)

var (
	assetName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$`)
	cpe23     = regexp.MustCompile(`^cpe:2\.3:[aho\*\-](:[^:\s]+){10}$`)
)

// ValidAssetName tells whether s can be an asset's name.
func ValidAssetName(s string) bool { return assetName.MatchString(s) }

// Normalize fills defaults and checks every field, naming the first bad one.
func (a *Asset) Normalize() error {
	a.Name = strings.TrimSpace(a.Name)
	if !assetName.MatchString(a.Name) {
		return invalidf("name %q: 1–200 characters of letters, digits and . _ : / @ + -, starting with a letter or digit", a.Name)
	}
	if a.Kind == "" {
		a.Kind = "application"
	}
	if !slices.Contains(AssetKinds, a.Kind) {
		return invalidf("kind %q: one of %s", a.Kind, strings.Join(AssetKinds, ", "))
	}
	if a.Criticality == 0 {
		a.Criticality = 3
	}
	if a.Criticality < 1 || a.Criticality > 4 {
		return invalidf("criticality %d: 1 (highest) to 4 (lowest)", a.Criticality)
	}
	if a.Exposure == "" {
		a.Exposure = "internal"
	}
	if !slices.Contains(Exposures, a.Exposure) {
		return invalidf("exposure %q: one of %s", a.Exposure, strings.Join(Exposures, ", "))
	}
	if a.Lifecycle == "" {
		a.Lifecycle = "active"
	}
	if !slices.Contains(Lifecycles, a.Lifecycle) {
		return invalidf("lifecycle %q: one of %s", a.Lifecycle, strings.Join(Lifecycles, ", "))
	}
	if len(a.Owner) > 200 || len(a.Environment) > 100 {
		return invalidf("owner (200) or environment (100) too long")
	}
	if len(a.Tags) > 50 || len(a.CPEs) > 500 {
		return invalidf("at most 50 tags and 500 CPEs")
	}
	for _, t := range a.Tags {
		if t == "" || len(t) > 64 {
			return invalidf("tag %q: 1–64 characters", t)
		}
	}
	for _, c := range a.CPEs {
		if !cpe23.MatchString(c) {
			return invalidf("cpe %q: not a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…, 13 fields)", c)
		}
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	if a.CPEs == nil {
		a.CPEs = []string{}
	}
	return nil
}

const assetColumns = `id, name, kind, owner, criticality, exposure, environment, lifecycle, tags, cpes,
	current_snapshot_id, created_at, updated_at`

func scanAsset(row interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	var tags, cpes string
	var cur sql.NullInt64
	err := row.Scan(&a.ID, &a.Name, &a.Kind, &a.Owner, &a.Criticality, &a.Exposure, &a.Environment,
		&a.Lifecycle, &tags, &cpes, &cur, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Asset{}, ErrNotFound
	}
	if err != nil {
		return Asset{}, err
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

// CreateAsset adds an asset after Normalize; ErrConflict when the name is
// taken.
func (s *Store) CreateAsset(ctx context.Context, a Asset) (Asset, error) {
	if err := a.Normalize(); err != nil {
		return Asset{}, err
	}
	return a, s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = createAsset(ctx, tx, a)
		return err
	})
}

func createAsset(ctx context.Context, tx *sql.Tx, a Asset) (Asset, error) {
	a.CreatedAt = now()
	a.UpdatedAt = a.CreatedAt
	err := tx.QueryRowContext(ctx, `INSERT INTO assets (name, kind, owner, criticality, exposure, environment,
		lifecycle, tags, cpes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		a.Name, a.Kind, a.Owner, a.Criticality, a.Exposure, a.Environment, a.Lifecycle,
		mustJSON(a.Tags), mustJSON(a.CPEs), a.CreatedAt).Scan(&a.ID)
	if isUnique(err) {
		return Asset{}, fmt.Errorf("asset %q: %w", a.Name, ErrConflict)
	}
	return a, err
}

// UpdateAsset replaces an asset's descriptive fields.
func (s *Store) UpdateAsset(ctx context.Context, a Asset) (Asset, error) {
	if err := a.Normalize(); err != nil {
		return Asset{}, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE assets SET name = $1, kind = $2, owner = $3, criticality = $4,
		exposure = $5, environment = $6, lifecycle = $7, tags = $8, cpes = $9, updated_at = $10 WHERE id = $11`,
		a.Name, a.Kind, a.Owner, a.Criticality, a.Exposure, a.Environment, a.Lifecycle,
		mustJSON(a.Tags), mustJSON(a.CPEs), now(), a.ID)
	if isUnique(err) {
		return Asset{}, fmt.Errorf("asset %q: %w", a.Name, ErrConflict)
	}
	if err != nil {
		return Asset{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Asset{}, ErrNotFound
	}
	return s.Asset(ctx, a.ID)
}

// DeleteAsset removes an asset with its snapshots and findings.
func (s *Store) DeleteAsset(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// Children first: PostgreSQL checks foreign keys per statement and
		// SQLite's cascade handles the rest.
		if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE asset_id = $1`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM assets WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// Asset returns one asset.
func (s *Store) Asset(ctx context.Context, id int64) (Asset, error) {
	return scanAsset(s.db.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE id = $1`, id))
}

// AssetByName returns one asset by its unique name.
func (s *Store) AssetByName(ctx context.Context, name string) (Asset, error) {
	return scanAsset(s.db.QueryRowContext(ctx, `SELECT `+assetColumns+` FROM assets WHERE name = $1`, name))
}

// AssetFilter narrows an asset listing; After is the keyset cursor (the
// last ID of the previous page).
type AssetFilter struct {
	Text  string
	After int64
	Limit int
}

// Assets lists assets by ID.
func (s *Store) Assets(ctx context.Context, f AssetFilter) ([]Asset, error) {
	q := `SELECT ` + assetColumns + ` FROM assets WHERE id > $1`
	args := []any{f.After}
	if f.Text != "" {
		q += ` AND (LOWER(name) LIKE $2 ESCAPE '\' OR LOWER(owner) LIKE $2 ESCAPE '\')`
		args = append(args, "%"+likeEscape(strings.ToLower(f.Text))+"%")
	}
	q += fmt.Sprintf(` ORDER BY id LIMIT %d`, PageSize(f.Limit))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Asset{}
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
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
