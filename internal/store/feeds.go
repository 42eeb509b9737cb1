package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Feed kinds.
const (
	FeedOSV  = "osv"  // OSV JSON: an all.zip URL, a directory, a file
	FeedKEV  = "kev"  // CISA Known Exploited Vulnerabilities JSON
	FeedEPSS = "epss" // FIRST EPSS scores CSV, plain or gzip
)

// FeedKinds lists the kinds a feed may have.
var FeedKinds = []string{FeedOSV, FeedKEV, FeedEPSS}

// Feed is a configured advisory source and its health.
type Feed struct {
	ID   int64  `json:"id" doc:"the feed's ID"`
	Name string `json:"name" doc:"unique name: 1–200 letters, digits and . _ : / @ + -"`
	Kind string `json:"kind" doc:"what the source holds: osv (OSV JSON: a zip such as all.zip, a directory or a file), kev (CISA Known Exploited Vulnerabilities JSON), epss (FIRST EPSS scores CSV, plain or gzip)"`
	// URL is the source as it may be shown: with any credentials in it
	// redacted. SecretURL, never shown, is the source with them ("" when
	// it has none); Source returns what to read.
	URL       string `json:"url" doc:"where the feed is read: an https:// URL (http:// only on loopback), a file:// URL or a local path, at most 2000 characters; credentials in it are shown redacted"`
	SecretURL string `json:"-"`
	Interval  int    `json:"interval_seconds" doc:"seconds between scheduled syncs, 60–604800"`
	Enabled   bool   `json:"enabled" doc:"whether the feed is synced on its schedule"`
	// Health: when the last sync was tried and when one last worked, the
	// error of the last failure (cleared by a success), what the source
	// held (items) and how many of those the last sync changed, and the
	// SHA-256 of the content fetched.
	CreatedAt     time.Time `json:"created_at" doc:"when the feed was configured (UTC, RFC 3339)"`
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero" doc:"when a sync was last tried (UTC, RFC 3339); absent before the first"`
	LastSuccessAt time.Time `json:"last_success_at,omitzero" doc:"when a sync last worked (UTC, RFC 3339); absent before the first success"`
	LastError     string    `json:"last_error,omitempty" doc:"the error of the last failed sync; absent once a sync works"`
	ContentHash   string    `json:"content_hash,omitempty" doc:"SHA-256 (lowercase hex) of the content the last successful sync fetched; absent before one"`
	ETag          string    `json:"-"`
	Items         int       `json:"items" doc:"how many entries the source held at the last sync that read it (advisories, KEV entries or EPSS scores)"`
	Changed       int       `json:"changed" doc:"how many of those the last successful sync added or changed; 0 when the content was unchanged"`
	Syncs         int       `json:"syncs" doc:"how many syncs have succeeded"`
}

// FeedPayload is the payload of a JobSyncFeed job.
type FeedPayload struct {
	FeedID int64 `json:"feed_id"`
	// Force re-processes the content even when it has not changed.
	Force bool `json:"force,omitempty"`
	// Scheduled jobs are skipped when the feed was tried after they were
	// queued: another replica's scheduler got there first.
	Scheduled bool `json:"scheduled,omitempty"`
}

// Source is what the feed reads: its URL with the credentials it needs.
func (f Feed) Source() string {
	if f.SecretURL != "" {
		return f.SecretURL
	}
	return f.URL
}

// Normalize fills defaults and checks the fields.
func (f *Feed) Normalize() error {
	f.Name = strings.TrimSpace(f.Name)
	if !assetName.MatchString(f.Name) {
		return invalidf("name %q: 1–200 characters of letters, digits and . _ : / @ + -", f.Name)
	}
	if !slices.Contains(FeedKinds, f.Kind) {
		return invalidf("kind %q: one of %s", f.Kind, strings.Join(FeedKinds, ", "))
	}
	if f.URL == "" || len(f.Source()) > 2000 {
		return invalidf("url: required, at most 2000 characters")
	}
	if strings.Contains(f.URL, "://") {
		u, err := url.Parse(f.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "file") {
			return invalidf("url %q: an https:// URL (http:// only on loopback), a file:// URL or a local path", f.URL)
		}
	}
	if f.Interval == 0 {
		f.Interval = 3600
	}
	if f.Interval < 60 || f.Interval > 7*86400 {
		return invalidf("interval_seconds %d: between 60 and 604800", f.Interval)
	}
	return nil
}

const feedColumns = `id, name, kind, url, url_secret, interval_seconds, enabled, created_at, last_attempt_at, last_success_at,
	last_error, content_hash, etag, items, changed, syncs`

func scanFeed(row interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var attempt, success sql.NullTime
	err := row.Scan(&f.ID, &f.Name, &f.Kind, &f.URL, &f.SecretURL, &f.Interval, &f.Enabled, &f.CreatedAt, &attempt, &success,
		&f.LastError, &f.ContentHash, &f.ETag, &f.Items, &f.Changed, &f.Syncs)
	if errors.Is(err, sql.ErrNoRows) {
		return Feed{}, ErrNotFound
	}
	f.CreatedAt, f.LastAttemptAt, f.LastSuccessAt = f.CreatedAt.UTC(), timeOf(attempt), timeOf(success)
	return f, err
}

// CreateFeed adds a feed; ErrConflict when the name is taken.
func (s *Store) CreateFeed(ctx context.Context, f Feed) (Feed, error) {
	if err := f.Normalize(); err != nil {
		return Feed{}, err
	}
	f.CreatedAt = now()
	err := s.db.QueryRowContext(ctx, `INSERT INTO feeds (name, kind, url, url_secret, interval_seconds, enabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.Name, f.Kind, f.URL, f.SecretURL, f.Interval, f.Enabled, f.CreatedAt).Scan(&f.ID)
	if isUnique(err) {
		return Feed{}, fmt.Errorf("feed %q: %w", f.Name, ErrConflict)
	}
	return f, err
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (Feed, error) {
	return scanFeed(s.db.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
}

// Feeds lists the feeds.
func (s *Store) Feeds(ctx context.Context) ([]Feed, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Feed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteFeed removes a feed and withdraws, in the same transaction, what
// only it supplied. Its advisories that no other feed holds are marked
// withdrawn and lose their affected entries, so that nothing matches them,
// and their content hash, so that a feed that brings one again stores it
// anew; they are kept, not deleted, so that the findings they caused keep
// their explanation. The re-match of the package keys they named is
// queued with resolution ResolvedByWithdrawal: the findings only they
// caused resolve as withdrawn. Deleting the last KEV or EPSS feed removes
// the catalogue or the scores and their marks on findings. It returns how
// many advisories were withdrawn.
func (s *Store) DeleteFeed(ctx context.Context, id int64) (int, error) {
	var withdrawn int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM feeds WHERE id = $1`, id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		only, err := queryStrings(ctx, tx, `SELECT af.advisory_id FROM advisory_feeds af WHERE af.feed_id = $1
			AND NOT EXISTS (SELECT 1 FROM advisory_feeds o WHERE o.advisory_id = af.advisory_id AND o.feed_id <> $1)
			ORDER BY af.advisory_id`, id)
		if err != nil {
			return err
		}
		withdrawn = len(only)
		if err := withdrawAdvisories(ctx, tx, s.dialect, only); err != nil {
			return err
		}
		if err := dropFeedData(ctx, tx, id, kind); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM feeds WHERE id = $1`, id)
		return err
	})
	return withdrawn, err
}

// dropFeedData removes the KEV catalogue or the EPSS scores, and their
// marks on findings, when the feed deleted is the last of its kind.
func dropFeedData(ctx context.Context, tx *sql.Tx, id int64, kind string) error {
	if kind != FeedKEV && kind != FeedEPSS {
		return nil
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM feeds WHERE kind = $1 AND id <> $2`, kind, id).Scan(&others); err != nil || others > 0 {
		return err
	}
	stmts := []string{`DELETE FROM kev`, `UPDATE findings SET kev = FALSE WHERE kev`}
	if kind == FeedEPSS {
		stmts = []string{`DELETE FROM epss`, `UPDATE findings SET epss = NULL WHERE epss IS NOT NULL`}
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// FeedAttempted records that a sync started.
func (s *Store) FeedAttempted(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE feeds SET last_attempt_at = $1 WHERE id = $2`, now(), id)
	return err
}

// FeedFailed records a failed sync.
func (s *Store) FeedFailed(ctx context.Context, id int64, syncErr error) error {
	msg := syncErr.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	_, err := s.db.ExecContext(ctx, `UPDATE feeds SET last_error = $1 WHERE id = $2`, msg, id)
	return err
}

// FeedUnchanged records a sync that found the same content as last time.
func (s *Store) FeedUnchanged(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE feeds SET last_success_at = $1, last_error = '', changed = 0,
		syncs = syncs + 1 WHERE id = $2`, now(), id)
	return err
}

// DueFeeds returns the enabled feeds whose interval has passed since their
// last attempt, or that were never tried.
func (s *Store) DueFeeds(ctx context.Context) ([]Feed, error) {
	all, err := s.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	t := now()
	var due []Feed
	for _, f := range all {
		if f.Enabled && (f.LastAttemptAt.IsZero() || t.Sub(f.LastAttemptAt) >= time.Duration(f.Interval)*time.Second) {
			due = append(due, f)
		}
	}
	return due, nil
}

// feedSucceeded writes a successful sync's health inside its transaction.
func feedSucceeded(ctx context.Context, tx *sql.Tx, id int64, hash, etag string, items, changed int) error {
	_, err := tx.ExecContext(ctx, `UPDATE feeds SET last_success_at = $1, last_error = '', content_hash = $2, etag = $3,
		items = $4, changed = $5, syncs = syncs + 1 WHERE id = $6`, now(), hash, etag, items, changed, id)
	return err
}

// UpdateFeed changes a feed's configuration; its health stays.
func (s *Store) UpdateFeed(ctx context.Context, f Feed) (Feed, error) {
	if err := f.Normalize(); err != nil {
		return Feed{}, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE feeds SET name = $1, kind = $2, url = $3, url_secret = $4, interval_seconds = $5,
		enabled = $6 WHERE id = $7`, f.Name, f.Kind, f.URL, f.SecretURL, f.Interval, f.Enabled, f.ID)
	if isUnique(err) {
		return Feed{}, fmt.Errorf("feed %q: %w", f.Name, ErrConflict)
	}
	if err != nil {
		return Feed{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Feed{}, ErrNotFound
	}
	return s.Feed(ctx, f.ID)
}
