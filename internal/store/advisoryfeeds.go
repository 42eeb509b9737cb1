package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"
)

// Which feeds supply each advisory (advisory_feeds), so that deleting a
// feed withdraws only what no other feed holds.

// linkAdvisories records that a feed supplies the advisories.
func linkAdvisories(ctx context.Context, tx *sql.Tx, d Dialect, feedID int64, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if d == Postgres {
		_, err := tx.ExecContext(ctx, `INSERT INTO advisory_feeds (advisory_id, feed_id)
			SELECT u, $2 FROM unnest($1::text[]) AS u ON CONFLICT DO NOTHING`, ids, feedID)
		return err
	}
	const batch = 500
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		args := make([]any, 0, 2*len(part))
		for _, id := range part {
			args = append(args, id, feedID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO advisory_feeds (advisory_id, feed_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(part)), ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// FeedAdvisories returns the IDs of the advisories a feed is recorded to
// supply.
func (s *Store) FeedAdvisories(ctx context.Context, feedID int64) (map[string]bool, error) {
	ids, err := queryStrings(ctx, s.db, `SELECT advisory_id FROM advisory_feeds WHERE feed_id = $1`, feedID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// withdrawAdvisories marks advisories withdrawn, drops their affected
// entries and content hash, bumps the advisory generation, and returns the
// package keys they named, sorted (see Tx.DeleteFeed).
func withdrawAdvisories(ctx context.Context, tx *sql.Tx, d Dialect, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := map[string]bool{}
	t := now()
	if err := eachChunk(ids, 500, func(args []any) error {
		in := ` IN (` + rowPlaceholders(d, 1, len(args)) + `)`
		ks, err := queryStrings(ctx, tx, `SELECT DISTINCT pkey FROM advisory_records WHERE advisory_id`+in, args...)
		if err != nil {
			return err
		}
		for _, k := range ks {
			keys[k] = true
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM advisory_records WHERE advisory_id`+in, args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, numbered(d, `UPDATE advisories SET withdrawn = TRUE, content_hash = '', updated_at = ?
			WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`)`), append([]any{t}, args...)...)
		return err
	}); err != nil {
		return nil, err
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return nil, err
	}
	return sortedKeys(keys), nil
}

// sortedKeys lists a set's keys in order.
func sortedKeys(set map[string]bool) []string {
	list := make([]string, 0, len(set))
	for k := range set {
		list = append(list, k)
	}
	sort.Strings(list)
	return list
}
