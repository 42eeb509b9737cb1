package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

const feedColumns = `id, name, kind, url, url_secret, interval_seconds, enabled, created_at, last_attempt_at, last_success_at,
	last_error, content_hash, etag, items, changed, syncs, synced_through`

func scanFeed(row rowScanner) (model.Feed, error) {
	var f model.Feed
	var attempt, success, through sql.NullTime
	err := row.Scan(&f.ID, &f.Name, &f.Kind, &f.URL, &f.SecretURL, &f.Interval, &f.Enabled, &f.CreatedAt, &attempt, &success,
		&f.LastError, &f.ContentHash, &f.ETag, &f.Items, &f.Changed, &f.Syncs, &through)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Feed{}, ErrNotFound
	}
	f.CreatedAt, f.LastAttemptAt, f.LastSuccessAt = f.CreatedAt.UTC(), timeOf(attempt), timeOf(success)
	f.SyncedThrough = timeOf(through)
	return f, err
}

// CreateFeed adds a feed (normalized by the caller); ErrConflict when the
// name is taken.
func (t *Tx) CreateFeed(ctx context.Context, f model.Feed) (model.Feed, error) {
	f.CreatedAt = now()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO feeds (name, kind, url, url_secret, interval_seconds, enabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.Name, f.Kind, f.URL, f.SecretURL, f.Interval, f.Enabled, f.CreatedAt).Scan(&f.ID)
	if isUnique(err) {
		return model.Feed{}, fmt.Errorf("feed %q: %w", f.Name, ErrConflict)
	}
	return f, err
}

// FeedForUpdate reads a feed inside the transaction, its row locked until
// the transaction ends (on PostgreSQL).
func (t *Tx) FeedForUpdate(ctx context.Context, id int64) (model.Feed, error) {
	return scanFeed(t.tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`+t.forUpdate(), id))
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id int64) (model.Feed, error) {
	return scanFeed(s.db.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
}

// Feeds lists the feeds.
func (s *Store) Feeds(ctx context.Context) ([]model.Feed, error) {
	return queryAll(ctx, s.db, scanFeed, `SELECT `+feedColumns+` FROM feeds ORDER BY id`)
}

// DeleteFeed removes a feed and withdraws what only it supplied. Its
// advisories that no other feed holds are marked withdrawn and lose their
// affected entries, so that nothing matches them, and their content hash,
// so that a feed that brings one again stores it anew; they are kept, not
// deleted, so that the findings they caused keep their explanation (and
// resolve as withdrawn when re-matched). Deleting the last KEV or EPSS
// feed removes the catalogue or the scores and their marks on findings;
// deleting an NVD feed removes the records it stored. It returns the
// package keys to re-match — those the withdrawn advisories named, and
// those of advisories the NVD records rated — and how many advisories
// were withdrawn.
func (t *Tx) DeleteFeed(ctx context.Context, id int64) (keys []string, withdrawn int, err error) {
	var kind string
	err = t.tx.QueryRowContext(ctx, `SELECT kind FROM feeds WHERE id = $1`, id).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	only, err := queryStrings(ctx, t.tx, `SELECT af.advisory_id FROM advisory_feeds af WHERE af.feed_id = $1
		AND NOT EXISTS (SELECT 1 FROM advisory_feeds o WHERE o.advisory_id = af.advisory_id AND o.feed_id <> $1)
		ORDER BY af.advisory_id`, id)
	if err != nil {
		return nil, 0, err
	}
	if keys, err = withdrawAdvisories(ctx, t.tx, t.dialect, only); err != nil {
		return nil, 0, err
	}
	if err := dropFeedData(ctx, t.tx, id, kind); err != nil {
		return nil, 0, err
	}
	if kind == model.FeedNVD {
		// Its records go; the findings they rated are re-matched.
		more, err := nvdFeedKeys(ctx, t.tx, t.dialect, id)
		if err != nil {
			return nil, 0, err
		}
		set := map[string]bool{}
		for _, k := range append(keys, more...) {
			set[k] = true
		}
		keys = sortedKeys(set)
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM feeds WHERE id = $1`, id)
	return keys, len(only), err
}

// dropFeedData removes the KEV catalogue or the EPSS scores, and their
// marks on findings, when the feed deleted is the last of its kind.
func dropFeedData(ctx context.Context, tx *sql.Tx, id int64, kind string) error {
	if kind != model.FeedKEV && kind != model.FeedEPSS {
		return nil
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM feeds WHERE kind = $1 AND id <> $2`, kind, id).Scan(&others); err != nil || others > 0 {
		return err
	}
	stmts := []string{`DELETE FROM kev`, `UPDATE findings SET kev = FALSE WHERE kev`}
	if kind == model.FeedEPSS {
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
func (s *Store) DueFeeds(ctx context.Context) ([]model.Feed, error) {
	all, err := s.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	t := now()
	var due []model.Feed
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

// UpdateFeed changes a feed's configuration (normalized by the caller);
// its health stays. A feed given another source or kind starts its
// incremental position (synced_through) over.
func (t *Tx) UpdateFeed(ctx context.Context, f model.Feed) (model.Feed, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE feeds SET synced_through = CASE WHEN kind = $2 AND url = $3 AND url_secret = $4
		THEN synced_through END, name = $1, kind = $2, url = $3, url_secret = $4, interval_seconds = $5,
		enabled = $6 WHERE id = $7`, f.Name, f.Kind, f.URL, f.SecretURL, f.Interval, f.Enabled, f.ID)
	if isUnique(err) {
		return model.Feed{}, fmt.Errorf("feed %q: %w", f.Name, ErrConflict)
	}
	if err != nil {
		return model.Feed{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Feed{}, ErrNotFound
	}
	return scanFeed(t.tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, f.ID))
}
