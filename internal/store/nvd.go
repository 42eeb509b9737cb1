package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// NVDRecord is one CVE record of an NVD feed as the store keeps it.
type NVDRecord struct {
	ID           string
	VulnStatus   string
	Published    time.Time
	LastModified time.Time
	// Metrics is the JSON list of the record's CVSS metrics, what
	// severity from aliases reads; Record the whole record as JSON.
	Metrics, Record string
	ContentHash     string
}

// nvdStored is what ApplyNVD compares a record with.
type nvdStored struct {
	lastModified  time.Time
	metrics, hash string
}

// NVDApplied is what storing a batch of NVD records did.
type NVDApplied struct {
	// Written counts the records added or changed.
	Written int
	// Rerated are the CVE IDs whose CVSS metrics were added or changed:
	// the severity of their findings may change.
	Rerated []string
	// Keys are the package keys of the advisories that name a rerated
	// CVE (as their ID or an alias), sorted: what to re-match.
	Keys []string
}

// ApplyNVD stores NVD records for a feed: new ones, and changed ones
// unless the stored copy is one NVD modified later (two feeds, or a page
// boundary, may bring the same CVE twice). When metrics changed it bumps
// the advisory generation — a match computed before reads stale ratings —
// and returns the package keys of the advisories that alias those CVEs,
// for a re-match by alias.
func (t *Tx) ApplyNVD(ctx context.Context, feedID int64, recs []NVDRecord) (NVDApplied, error) {
	var out NVDApplied
	if len(recs) == 0 {
		return out, nil
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	stored, err := t.nvdStored(ctx, ids)
	if err != nil {
		return out, err
	}
	at := now()
	for i := range recs {
		r := &recs[i]
		old, had := stored[r.ID]
		if had && (old.lastModified.After(r.LastModified) || old.hash == r.ContentHash) {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO nvd_records (id, feed_id, vuln_status, published, last_modified,
			metrics, record, content_hash, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (id) DO UPDATE SET feed_id = excluded.feed_id, vuln_status = excluded.vuln_status,
			published = excluded.published, last_modified = excluded.last_modified, metrics = excluded.metrics,
			record = excluded.record, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
			r.ID, feedID, r.VulnStatus, nullTime(r.Published), r.LastModified.UTC(), r.Metrics, r.Record, r.ContentHash, at); err != nil {
			return out, fmt.Errorf("NVD record %s: %w", r.ID, err)
		}
		stored[r.ID] = nvdStored{lastModified: r.LastModified, metrics: r.Metrics, hash: r.ContentHash}
		out.Written++
		if !had || old.metrics != r.Metrics {
			out.Rerated = append(out.Rerated, r.ID)
		}
	}
	if len(out.Rerated) == 0 {
		return out, nil
	}
	slices.Sort(out.Rerated)
	out.Rerated = slices.Compact(out.Rerated)
	if err := bumpGeneration(ctx, t.tx); err != nil {
		return out, err
	}
	out.Keys, err = keysAliasing(ctx, t.tx, t.dialect, out.Rerated)
	return out, err
}

// nvdStored reads what is stored of the given CVEs.
func (t *Tx) nvdStored(ctx context.Context, ids []string) (map[string]nvdStored, error) {
	out := make(map[string]nvdStored, len(ids))
	scan := func(rows *sql.Rows) error {
		var id string
		var s nvdStored
		if err := rows.Scan(&id, &s.lastModified, &s.metrics, &s.hash); err != nil {
			return err
		}
		out[id] = s
		return nil
	}
	const q = `SELECT id, last_modified, metrics, content_hash FROM nvd_records WHERE id`
	err := inIDs(ids, t.dialect, func(in string, args []any) error { return queryRows(ctx, t.tx, q+in, args, scan) })
	if err != nil {
		return nil, fmt.Errorf("reading stored NVD records: %w", err)
	}
	return out, nil
}

// keysAliasing returns the package keys of the advisories known by any of
// the IDs (their own or an alias), sorted.
func keysAliasing(ctx context.Context, tx *sql.Tx, d Dialect, ids []string) ([]string, error) {
	set := map[string]bool{}
	const q = `SELECT DISTINCT r.pkey FROM advisory_aliases al JOIN advisory_records r ON r.advisory_id = al.advisory_id
		WHERE al.alias`
	err := inIDs(ids, d, func(in string, args []any) error {
		keys, err := queryStrings(ctx, tx, q+in, args...)
		for _, k := range keys {
			set[k] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("finding the packages of advisories aliasing %d CVEs: %w", len(ids), err)
	}
	return sortedKeys(set), nil
}

// inIDs runs read with an "IN (…)"/"= ANY($1)" clause and its arguments
// for ids, in chunks on SQLite.
func inIDs(ids []string, d Dialect, read func(in string, args []any) error) error {
	if len(ids) == 0 {
		return nil
	}
	if d == Postgres {
		return read(` = ANY($1)`, []any{ids})
	}
	return eachChunk(ids, 500, func(args []any) error {
		return read(` IN (`+rowPlaceholders(d, 1, len(args))+`)`, args)
	})
}

// NVDFeedSynced records a successful sync of an NVD feed: its health and,
// for the API, through, the end of the lastModified range now stored
// (zero leaves it).
func (t *Tx) NVDFeedSynced(ctx context.Context, res FeedResult, changed int, through time.Time) error {
	if err := feedSucceeded(ctx, t.tx, res.FeedID, res.ContentHash, res.ETag, res.Items, changed); err != nil {
		return err
	}
	if through.IsZero() {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE feeds SET synced_through = $1 WHERE id = $2`, through.UTC(), res.FeedID)
	return err
}

// NVDMetrics returns the stored CVSS metrics (JSON) of the given CVEs that
// have a record.
func (s *Store) NVDMetrics(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	const q = `SELECT id, metrics FROM nvd_records WHERE id`
	err := inIDs(ids, s.dialect, func(in string, args []any) error {
		return queryRows(ctx, s.db, q+in, args, func(rows *sql.Rows) error {
			var id, m string
			err := rows.Scan(&id, &m)
			out[id] = m
			return err
		})
	})
	return out, err
}

// NVDRecordJSON returns the stored record of a CVE as JSON, and whether
// there is one.
func (s *Store) NVDRecordJSON(ctx context.Context, id string) (string, bool, error) {
	var rec string
	err := s.db.QueryRowContext(ctx, `SELECT record FROM nvd_records WHERE id = $1`, id).Scan(&rec)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	return rec, err == nil, err
}

// nvdFeedKeys deletes the records of an NVD feed and returns the package
// keys of the advisories aliasing them, for a re-match that drops the
// ratings they gave.
func nvdFeedKeys(ctx context.Context, tx *sql.Tx, d Dialect, feedID int64) ([]string, error) {
	ids, err := queryStrings(ctx, tx, `SELECT id FROM nvd_records WHERE feed_id = $1`, feedID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	keys, err := keysAliasing(ctx, tx, d, ids)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM nvd_records WHERE feed_id = $1`, feedID); err != nil {
		return nil, err
	}
	return keys, bumpGeneration(ctx, tx)
}

// bumpGeneration moves the advisory generation: what matching reads
// (advisories, their records, NVD ratings) changed, so a match computed
// before is outdated and every replica's record cache starts over.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE generations SET value = value + 1 WHERE name = 'advisories'`)
	return err
}
