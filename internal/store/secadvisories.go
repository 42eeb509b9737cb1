package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// OpenPGPKey returns the signing key kept in the database: its
// fingerprint and armored private key; ErrNotFound when none was made.
func (s *Store) OpenPGPKey(ctx context.Context) (fingerprint, armored string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT fingerprint, armored_private FROM openpgp_keys WHERE id = 1`).Scan(&fingerprint, &armored)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	return fingerprint, armored, err
}

// KeepOpenPGPKey stores a generated signing key unless another replica
// stored one first, and returns the armored key that is kept: the one
// given or the other replica's.
func (s *Store) KeepOpenPGPKey(ctx context.Context, fingerprint, armored string) (string, error) {
	_, err := s.db.ExecContext(ctx, `INSERT INTO openpgp_keys (id, fingerprint, armored_private, created_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO NOTHING`, fingerprint, armored, s.Now().UTC())
	if err != nil {
		return "", fmt.Errorf("keeping the OpenPGP key: %w", err)
	}
	_, kept, err := s.OpenPGPKey(ctx)
	return kept, err
}

// secAdvContent is what the content column holds.
type secAdvContent struct {
	Title           string                `json:"title"`
	Summary         string                `json:"summary"`
	Products        []model.SecAdvProduct `json:"products"`
	Vulnerabilities []model.SecAdvVuln    `json:"vulnerabilities"`
	RevisionSummary string                `json:"revision_summary"`
}

const secAdvColumns = `id, tracking_id, state, profile, tlp, case_id, content, version, initial_release_at, current_release_at,
	created_at, created_by, updated_at, updated_by`

func scanSecAdv(row rowScanner) (model.SecurityAdvisory, error) {
	var a model.SecurityAdvisory
	var caseID sql.NullInt64
	var content string
	var initial, current sql.NullTime
	err := row.Scan(&a.ID, &a.TrackingID, &a.State, &a.Profile, &a.TLP, &caseID, &content, &a.Version, &initial, &current,
		&a.CreatedAt, &a.CreatedBy, &a.UpdatedAt, &a.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	var c secAdvContent
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return a, fmt.Errorf("security advisory %d: content: %w", a.ID, err)
	}
	a.Title, a.Summary, a.Products, a.Vulnerabilities, a.RevisionSummary = c.Title, c.Summary, c.Products, c.Vulnerabilities, c.RevisionSummary
	if caseID.Valid {
		a.CaseID = &caseID.Int64
	}
	if initial.Valid {
		t := initial.Time.UTC()
		a.InitialReleaseAt = &t
	}
	if current.Valid {
		t := current.Time.UTC()
		a.CurrentReleaseAt = &t
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.FileName = model.CSAFFileName(a.TrackingID)
	a.Revisions = []model.SecAdvRevision{}
	return a, nil
}

func secAdvContentJSON(a model.SecurityAdvisory) (string, error) {
	b, err := json.Marshal(secAdvContent{Title: a.Title, Summary: a.Summary, Products: a.Products,
		Vulnerabilities: a.Vulnerabilities, RevisionSummary: a.RevisionSummary})
	return string(b), err
}

func nullTimePtr(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// CreateSecAdvisory stores a new advisory (normalized by the caller) with
// the next tracking ID of prefix and the current year:
// <prefix>-<year>-<number of four digits or more>.
func (t *Tx) CreateSecAdvisory(ctx context.Context, a model.SecurityAdvisory, prefix string) (model.SecurityAdvisory, error) {
	now := t.now().UTC()
	stem := fmt.Sprintf("%s-%d-", prefix, now.Year())
	ids, err := queryStrings(ctx, t.tx, `SELECT tracking_id FROM security_advisories WHERE tracking_id LIKE $1`, stem+"%")
	if err != nil {
		return a, err
	}
	n := 0
	for _, id := range ids {
		if k, err := strconv.Atoi(strings.TrimPrefix(id, stem)); err == nil && k > n {
			n = k
		}
	}
	a.TrackingID = fmt.Sprintf("%s%04d", stem, n+1)
	a.FileName = model.CSAFFileName(a.TrackingID)
	a.State, a.Version, a.Revisions = model.SecAdvDraft, 0, []model.SecAdvRevision{}
	a.CreatedAt, a.UpdatedAt, a.UpdatedBy = now, now, a.CreatedBy
	content, err := secAdvContentJSON(a)
	if err != nil {
		return a, err
	}
	var caseID sql.NullInt64
	if a.CaseID != nil {
		caseID = sql.NullInt64{Int64: *a.CaseID, Valid: true}
	}
	err = t.tx.QueryRowContext(ctx, `INSERT INTO security_advisories (tracking_id, state, profile, tlp, case_id, content, version,
		created_at, created_by, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $7, $8) RETURNING id`,
		a.TrackingID, a.State, a.Profile, a.TLP, caseID, content, now, a.CreatedBy).Scan(&a.ID)
	if isUnique(err) {
		return a, fmt.Errorf("security advisory %s: %w; try again", a.TrackingID, ErrConflict)
	}
	return a, err
}

// SecAdvisoryForUpdate reads an advisory with its revisions in the
// transaction, locked until it ends (on PostgreSQL).
func (t *Tx) SecAdvisoryForUpdate(ctx context.Context, id int64) (model.SecurityAdvisory, error) {
	a, err := scanSecAdv(t.tx.QueryRowContext(ctx, `SELECT `+secAdvColumns+` FROM security_advisories WHERE id = $1`+t.forUpdate(), id))
	if err != nil {
		return a, err
	}
	a.Revisions, err = secAdvRevisions(ctx, t.tx, id)
	return a, err
}

// UpdateSecAdvisory writes an advisory's content, state, version and
// release dates.
func (t *Tx) UpdateSecAdvisory(ctx context.Context, a model.SecurityAdvisory) error {
	content, err := secAdvContentJSON(a)
	if err != nil {
		return err
	}
	var caseID sql.NullInt64
	if a.CaseID != nil {
		caseID = sql.NullInt64{Int64: *a.CaseID, Valid: true}
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE security_advisories SET state = $1, profile = $2, tlp = $3, case_id = $4, content = $5,
		version = $6, initial_release_at = $7, current_release_at = $8, updated_at = $9, updated_by = $10 WHERE id = $11`,
		a.State, a.Profile, a.TLP, caseID, content, a.Version, nullTimePtr(a.InitialReleaseAt), nullTimePtr(a.CurrentReleaseAt),
		a.UpdatedAt.UTC(), a.UpdatedBy, a.ID)
	return err
}

// SecAdvFile is a published revision's served files.
type SecAdvFile struct {
	AdvisoryID int64
	Number     int
	// Path is below the white directory: <YYYY>/<file>.json.
	Path        string
	PublishedAt time.Time
	CSAF, OSV   []byte
	SHA256      string
	SHA512      string
	// Signature is the armored detached signature of CSAF made with the
	// key of KeyFingerprint.
	Signature      string
	KeyFingerprint string
}

// AddSecAdvRevision records a published revision with its files.
func (t *Tx) AddSecAdvRevision(ctx context.Context, r model.SecAdvRevision, f SecAdvFile) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO security_advisory_revisions (advisory_id, number, summary, published_at, published_by,
		path, csaf, osv, sha256, sha512, signature, key_fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		f.AdvisoryID, r.Number, r.Summary, r.Date.UTC(), r.PublishedBy, f.Path, f.CSAF, f.OSV, f.SHA256, f.SHA512, f.Signature, f.KeyFingerprint)
	if isUnique(err) {
		return fmt.Errorf("revision %d of security advisory %d: %w", r.Number, f.AdvisoryID, ErrConflict)
	}
	return err
}

func secAdvRevisions(ctx context.Context, db querier, id int64) ([]model.SecAdvRevision, error) {
	return queryAll(ctx, db, func(row rowScanner) (model.SecAdvRevision, error) {
		var r model.SecAdvRevision
		err := row.Scan(&r.Number, &r.Date, &r.Summary, &r.PublishedBy, &r.SHA256)
		r.Date = r.Date.UTC()
		return r, err
	}, `SELECT number, published_at, summary, published_by, sha256 FROM security_advisory_revisions WHERE advisory_id = $1 ORDER BY number`, id)
}

// SecAdvisory returns one advisory with its revisions.
func (s *Store) SecAdvisory(ctx context.Context, id int64) (model.SecurityAdvisory, error) {
	a, err := scanSecAdv(s.db.QueryRowContext(ctx, `SELECT `+secAdvColumns+` FROM security_advisories WHERE id = $1`, id))
	if err != nil {
		return a, err
	}
	a.Revisions, err = secAdvRevisions(ctx, s.db, id)
	return a, err
}

// SecAdvisories lists the advisories, newest first, in one state (""
// for all), at most 500, without their revisions.
func (s *Store) SecAdvisories(ctx context.Context, state string) ([]model.SecurityAdvisory, error) {
	q, args := `SELECT `+secAdvColumns+` FROM security_advisories`, []any{}
	if state != "" {
		q, args = q+` WHERE state = $1`, append(args, state)
	}
	return queryAll(ctx, s.db, scanSecAdv, q+` ORDER BY id DESC LIMIT 500`, args...)
}

// CaseSecAdvisories lists the advisories written for a disclosure case,
// newest first.
func (s *Store) CaseSecAdvisories(ctx context.Context, caseID int64) ([]model.SecurityAdvisory, error) {
	return queryAll(ctx, s.db, scanSecAdv, `SELECT `+secAdvColumns+` FROM security_advisories WHERE case_id = $1 ORDER BY id DESC`, caseID)
}

// PublishedSecAdvisories lists the advisories that have a published
// revision (whatever their state now), newest release first.
func (s *Store) PublishedSecAdvisories(ctx context.Context) ([]model.SecurityAdvisory, error) {
	return queryAll(ctx, s.db, scanSecAdv, `SELECT `+secAdvColumns+` FROM security_advisories WHERE version > 0
		ORDER BY current_release_at DESC, id DESC`)
}

const secAdvFileColumns = `advisory_id, number, path, published_at, csaf, osv, sha256, sha512, signature, key_fingerprint`

func scanSecAdvFile(row rowScanner) (SecAdvFile, error) {
	var f SecAdvFile
	err := row.Scan(&f.AdvisoryID, &f.Number, &f.Path, &f.PublishedAt, &f.CSAF, &f.OSV, &f.SHA256, &f.SHA512, &f.Signature, &f.KeyFingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	f.PublishedAt = f.PublishedAt.UTC()
	return f, err
}

// newestRevision selects each advisory's newest published revision.
const newestRevision = `number = (SELECT MAX(number) FROM security_advisory_revisions n WHERE n.advisory_id = r.advisory_id)`

// SecAdvFileByPath returns the newest published revision served at path
// (<YYYY>/<file>.json); ErrNotFound when none.
func (s *Store) SecAdvFileByPath(ctx context.Context, path string) (SecAdvFile, error) {
	return scanSecAdvFile(s.db.QueryRowContext(ctx, `SELECT `+secAdvFileColumns+` FROM security_advisory_revisions r
		WHERE path = $1 AND `+newestRevision, path))
}

// SecAdvFile returns an advisory's newest published revision;
// ErrNotFound when it was never published.
func (s *Store) SecAdvFile(ctx context.Context, id int64) (SecAdvFile, error) {
	return scanSecAdvFile(s.db.QueryRowContext(ctx, `SELECT `+secAdvFileColumns+` FROM security_advisory_revisions r
		WHERE advisory_id = $1 AND `+newestRevision, id))
}

// SecAdvFiles lists every advisory's newest published revision, newest
// first (by publication, then path): the provider's index and changes.
func (s *Store) SecAdvFiles(ctx context.Context) ([]SecAdvFile, error) {
	return queryAll(ctx, s.db, scanSecAdvFile, `SELECT `+secAdvFileColumns+` FROM security_advisory_revisions r
		WHERE `+newestRevision+` ORDER BY published_at DESC, path`)
}

// AssetNames returns the names of those of the assets that exist.
func (t *Tx) AssetNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		var name string
		err := t.tx.QueryRowContext(ctx, `SELECT name FROM assets WHERE id = $1`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, nil
}
