package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Advisory is one advisory as the store keeps it: its description (Info,
// JSON of model.AdvisoryInfo) and its affected entries (Records, JSON of
// advisorydb.Record each, with their lookup keys).
type Advisory struct {
	ID          string
	Summary     string
	Severity    string
	Score       float64
	Aliases     []string
	Info        string
	Withdrawn   bool
	Published   time.Time
	Modified    time.Time
	ContentHash string
	Records     []AdvisoryRecord
}

// AdvisoryRecord is one affected entry of an advisory.
type AdvisoryRecord struct {
	Key  string
	JSON string
}

// FeedResult is what one successful sync of a feed brings.
type FeedResult struct {
	FeedID      int64
	ContentHash string
	ETag        string
	// Items counts what the source holds.
	Items int
	// Held are stored advisories the source holds unchanged and that are
	// not known yet to come from this feed (from another feed, or from
	// before feeds were recorded per advisory).
	Held []string
}

// AdvisoryHashes returns the content hash of every stored advisory, so a
// sync re-processes only what changed.
func (s *Store) AdvisoryHashes(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := queryRows(ctx, s.db, `SELECT id, content_hash FROM advisories`, nil, func(rows *sql.Rows) error {
		var id, h string
		err := rows.Scan(&id, &h)
		out[id] = h
		return err
	})
	return out, err
}

// ApplyAdvisories stores the changed advisories of one sync, records which
// feed supplies them and the feed's health, and bumps the advisory
// generation. It returns every package key the changes touch (old and
// new), sorted, for the caller to re-match.
func (t *Tx) ApplyAdvisories(ctx context.Context, res FeedResult, changed []Advisory) ([]string, error) {
	keys := map[string]bool{}
	for i := range changed {
		if err := putAdvisory(ctx, t.tx, res.FeedID, &changed[i], keys); err != nil {
			return nil, fmt.Errorf("advisory %s: %w", changed[i].ID, err)
		}
	}
	if err := putAdvisoryAliases(ctx, t.tx, t.dialect, changed); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(changed)+len(res.Held))
	for _, a := range changed {
		ids = append(ids, a.ID)
	}
	if err := linkAdvisories(ctx, t.tx, t.dialect, res.FeedID, append(ids, res.Held...)); err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		if err := bumpGeneration(ctx, t.tx); err != nil {
			return nil, err
		}
	}
	return sortedKeys(keys), feedSucceeded(ctx, t.tx, res.FeedID, res.ContentHash, res.ETag, res.Items, len(changed))
}

func putAdvisory(ctx context.Context, tx *sql.Tx, feedID int64, a *Advisory, keys map[string]bool) error {
	oldKeys, err := queryStrings(ctx, tx, `SELECT pkey FROM advisory_records WHERE advisory_id = $1`, a.ID)
	if err != nil {
		return err
	}
	for _, k := range oldKeys {
		keys[k] = true
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM advisory_records WHERE advisory_id = $1`, a.ID); err != nil {
		return err
	}
	if a.Aliases == nil {
		a.Aliases = []string{}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO advisories (id, feed_id, summary, severity, score, aliases, info, withdrawn,
		published, modified, content_hash, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (id) DO UPDATE SET feed_id = excluded.feed_id, summary = excluded.summary,
		severity = excluded.severity, score = excluded.score, aliases = excluded.aliases, info = excluded.info,
		withdrawn = excluded.withdrawn, published = excluded.published, modified = excluded.modified,
		content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
		a.ID, feedID, a.Summary, a.Severity, a.Score, mustJSON(a.Aliases), a.Info, a.Withdrawn,
		nullTime(a.Published), nullTime(a.Modified), a.ContentHash, now())
	if err != nil {
		return err
	}
	for i, r := range a.Records {
		keys[r.Key] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO advisory_records (advisory_id, seq, pkey, record) VALUES ($1, $2, $3, $4)`,
			a.ID, i, r.Key, r.JSON); err != nil {
			return err
		}
	}
	return nil
}

// putAdvisoryAliases writes every ID the advisories are known by, their
// own too: KEV and EPSS attach to their findings by them.
func putAdvisoryAliases(ctx context.Context, tx *sql.Tx, d Dialect, advs []Advisory) error {
	var ids, aliases, owners []string
	for _, a := range advs {
		ids = append(ids, a.ID)
		for _, al := range append([]string{a.ID}, a.Aliases...) {
			aliases, owners = append(aliases, al), append(owners, a.ID)
		}
	}
	if d == Postgres {
		if _, err := tx.ExecContext(ctx, `DELETE FROM advisory_aliases WHERE advisory_id = ANY($1)`, ids); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO advisory_aliases (alias, advisory_id)
			SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, aliases, owners)
		return err
	}
	const batch = 500
	if err := eachChunk(ids, batch, func(args []any) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM advisory_aliases WHERE advisory_id IN (`+rowPlaceholders(d, 1, len(args))+`)`, args...)
		return err
	}); err != nil {
		return err
	}
	for start := 0; start < len(aliases); start += batch {
		end := min(start+batch, len(aliases))
		args := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			args = append(args, aliases[i], owners[i])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO advisory_aliases (alias, advisory_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", end-start), ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// RecordsByKey returns the JSON records of one package key.
func (s *Store) RecordsByKey(ctx context.Context, key string) ([]string, error) {
	return queryStrings(ctx, s.db, `SELECT record FROM advisory_records WHERE pkey = $1 ORDER BY advisory_id, seq`, key)
}

// RecordsByKeys returns the JSON records of many package keys at once, in
// the order RecordsByKey gives them; keys without records are absent. A
// match of a new SBOM reads its packages' records so in a few queries,
// not one per package.
func (s *Store) RecordsByKeys(ctx context.Context, keys []string) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachChunk(keys, 500, func(args []any) error {
		return queryRows(ctx, s.db, `SELECT pkey, record FROM advisory_records WHERE pkey IN (`+placeholders(1, len(args))+`)
			ORDER BY pkey, advisory_id, seq`, args, func(rows *sql.Rows) error {
			var k, r string
			if err := rows.Scan(&k, &r); err != nil {
				return err
			}
			out[k] = append(out[k], r)
			return nil
		})
	})
	return out, err
}

// AdvisoryInfo returns the stored description (JSON) of an advisory.
func (s *Store) AdvisoryInfo(ctx context.Context, id string) (string, bool, error) {
	var info string
	err := s.db.QueryRowContext(ctx, `SELECT info FROM advisories WHERE id = $1`, id).Scan(&info)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return info, err == nil, err
}

// AdvisoriesByAlias returns the IDs of the advisories that name id as
// their ID or as an alias (CVE-2021-44228 finds GHSA-… and GO-…).
func (s *Store) AdvisoriesByAlias(ctx context.Context, id string) ([]string, error) {
	return queryStrings(ctx, s.db, `SELECT advisory_id FROM advisory_aliases WHERE alias = $1 ORDER BY advisory_id`, id)
}

// Generation returns the advisory generation: it changes whenever stored
// advisories do.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	err := s.db.QueryRowContext(ctx, `SELECT value FROM generations WHERE name = 'advisories'`).Scan(&g)
	return g, err
}

// AdvisoryStats counts advisories and their affected-package records.
func (s *Store) AdvisoryStats(ctx context.Context) (advisories, records int, err error) {
	if err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM advisories WHERE NOT withdrawn`).Scan(&advisories); err != nil {
		return
	}
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM advisory_records`).Scan(&records)
	return
}

// KEVEntry is one CISA KEV catalogue entry, with the version of the
// catalog that lists it (catalogVersion, the same for every entry of one
// catalog).
type KEVEntry struct {
	CVE, Vendor, Product, Name string
	DateAdded, DueDate         time.Time
	Ransomware                 bool
	Catalog                    string
}

// ApplyKEV replaces the KEV catalogue with a new one, appends what it
// changes to the KEV history and re-marks which findings are known
// exploited, in one transaction. It returns how many entries were added
// or removed.
func (t *Tx) ApplyKEV(ctx context.Context, res FeedResult, entries []KEVEntry) (int, error) {
	changed := 0
	tx, d := t.tx, t.dialect
	listed, err := queryStrings(ctx, tx, `SELECT cve FROM kev`)
	if err != nil {
		return 0, err
	}
	old := make(map[string]bool, len(listed))
	for _, c := range listed {
		old[c] = true
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !old[e.CVE] {
			changed++
		}
		seen[e.CVE] = true
	}
	for c := range old {
		if !seen[c] {
			changed++
		}
	}
	if err := recordKEV(ctx, tx, d, entries); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kev`); err != nil {
		return 0, err
	}
	err = insertBatches(ctx, tx, d, `INSERT INTO kev (cve, vendor, product, name, date_added, due_date, ransomware) VALUES `,
		` ON CONFLICT (cve) DO NOTHING`, 7, len(entries), func(i int) []any {
			e := &entries[i]
			return []any{e.CVE, e.Vendor, e.Product, e.Name, nullTime(e.DateAdded), nullTime(e.DueDate), e.Ransomware}
		})
	if err != nil {
		return 0, err
	}
	// One pass, touching only the findings whose mark changes: the
	// listed IDs are computed once (not a join per finding, which
	// PostgreSQL without statistics ran as a scan of kev per row).
	if _, err := tx.ExecContext(ctx, `UPDATE findings SET kev = NOT kev
		WHERE kev <> (vuln_id IN (SELECT aa.advisory_id FROM advisory_aliases aa JOIN kev k ON k.cve = aa.alias))`); err != nil {
		return 0, err
	}
	return changed, feedSucceeded(ctx, tx, res.FeedID, res.ContentHash, res.ETag, res.Items, changed)
}

// EPSSScore is one CVE's exploit prediction score, with the EPSS model
// version that computed it (the same for every score of one file).
type EPSSScore struct {
	CVE               string
	Score, Percentile float64
	Model             string
}

// ApplyEPSS stores the scores that changed (in score, percentile or
// model), appends the changed scores of the CVEs findings name to the
// EPSS history and re-scores findings, in one transaction. It returns how
// many scores changed.
func (t *Tx) ApplyEPSS(ctx context.Context, res FeedResult, date time.Time, scores []EPSSScore) (int, error) {
	tx, d := t.tx, t.dialect
	model := ""
	if len(scores) > 0 {
		model = scores[0].Model
	}
	// Scores of another model are not read: they all change.
	old := map[string][2]float64{}
	err := queryRows(ctx, tx, `SELECT cve, score, percentile FROM epss WHERE model_version = $1`, []any{model}, func(rows *sql.Rows) error {
		var c string
		var sc, p float64
		err := rows.Scan(&c, &sc, &p)
		old[c] = [2]float64{sc, p}
		return err
	})
	if err != nil {
		return 0, err
	}
	var diff []EPSSScore
	for _, e := range scores {
		if o, ok := old[e.CVE]; !ok || e.Model != model || o != [2]float64{e.Score, e.Percentile} {
			diff = append(diff, e)
		}
	}
	changed := len(diff)
	err = insertBatches(ctx, tx, d, `INSERT INTO epss (cve, score, percentile, score_date, model_version) VALUES `,
		` ON CONFLICT (cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile,
			score_date = excluded.score_date, model_version = excluded.model_version`, 5, len(diff), func(i int) []any {
			e := &diff[i]
			return []any{e.CVE, e.Score, e.Percentile, nullTime(date), e.Model}
		})
	if err != nil {
		return 0, err
	}
	if err := recordEPSS(ctx, tx); err != nil {
		return 0, err
	}
	if changed > 0 {
		// The highest score of each finding's IDs, computed in one
		// grouped pass; only findings whose score changes are written.
		if _, err := tx.ExecContext(ctx, `UPDATE findings SET epss = sub.m
			FROM (SELECT aa.advisory_id AS vid, MAX(e.score) AS m FROM advisory_aliases aa
				JOIN epss e ON e.cve = aa.alias GROUP BY aa.advisory_id) AS sub
			WHERE findings.vuln_id = sub.vid AND findings.epss IS DISTINCT FROM sub.m`); err != nil {
			return 0, err
		}
	}
	return changed, feedSucceeded(ctx, tx, res.FeedID, res.ContentHash, res.ETag, res.Items, changed)
}
