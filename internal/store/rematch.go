package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// AssetComponent is a component of an asset's current snapshot.
type AssetComponent struct {
	AssetID, SnapshotID int64
	model.SnapshotComponent
}

// CurrentComponentsWithKeys returns the components with one of the keys
// of every asset's current snapshot, ordered by asset and then upload
// order: what a re-match after advisories changed reads, in one query per
// 500 keys instead of one per asset.
func (s *Store) CurrentComponentsWithKeys(ctx context.Context, keys []string) ([]AssetComponent, error) {
	// Two readers, each with half the keys: reading the rows is most of
	// the time, and the engines read on two connections at once.
	half := (len(keys) + 1) / 2
	var other []AssetComponent
	errc := make(chan error, 1)
	go func() {
		var err error
		other, err = s.componentsWithKeys(ctx, keys[half:])
		errc <- err
	}()
	out, err := s.componentsWithKeys(ctx, keys[:half])
	if err2 := <-errc; err == nil {
		err = err2
	}
	if err != nil {
		return nil, err
	}
	out = append(out, other...)
	slices.SortFunc(out, func(a, b AssetComponent) int {
		if a.AssetID != b.AssetID {
			return cmpInt64(a.AssetID, b.AssetID)
		}
		return cmpInt64(a.ID, b.ID)
	})
	return out, nil
}

func (s *Store) componentsWithKeys(ctx context.Context, keys []string) ([]AssetComponent, error) {
	var out []AssetComponent
	err := eachChunk(keys, 500, func(args []any) error {
		// The components of the keys, kept when their snapshot is an
		// asset's current one: a set test ("+" keeps SQLite from seeking
		// every key in every snapshot; joining assets on their current
		// snapshot scanned all assets for each component).
		return queryRows(ctx, s.db, `SELECT a.asset_id, c.snapshot_id, c.id, c.pkey, c.ref, c.name, c.version, c.purl,
			c.ecosystem, c.package, c.scope, c.unmatchable, c.extra
			FROM components c JOIN snapshots a ON a.id = c.snapshot_id
			WHERE c.pkey IN (`+rowPlaceholders(s.dialect, 1, len(args))+`)
			AND +c.snapshot_id IN (SELECT current_snapshot_id FROM assets)`, args, func(rows *sql.Rows) error {
			var c AssetComponent
			var scope, extra string
			if err := rows.Scan(&c.AssetID, &c.SnapshotID, &c.ID, &c.Key, &c.Ref, &c.Name, &c.Version, &c.PURL,
				&c.Ecosystem, &c.Package, &scope, &c.Unmatchable, &extra); err != nil {
				return err
			}
			c.Scope = model.Scope(scope)
			if extra != "{}" {
				var x componentExtra
				if err := json.Unmarshal([]byte(extra), &x); err != nil {
					return err
				}
				c.CPEs, c.Hashes, c.Licenses = x.CPEs, x.Hashes, x.Licenses
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ApplyRematch records the match results of many assets in one
// transaction, with the semantics of ApplyMatch for each, but batched
// statements for all of them: the results of a re-match after advisories
// changed, which touches most assets, cost one transaction and about ten
// statements per asset when applied one by one.
//
// A result whose snapshot is no longer its asset's current one (or whose
// asset is gone) is skipped, and the others applied. When a result was
// computed at an advisory generation that is no longer current (with
// CheckGeneration), nothing is applied and ErrOutdated is returned. Each
// asset may appear once.
func (s *Store) ApplyRematch(ctx context.Context, results []MatchResult) (MatchStats, error) {
	order := make([]int, len(results))
	for i := range order {
		order[i] = i
	}
	// Ascending asset IDs: the order the asset rows are locked in, so two
	// batches never wait for each other's rows in a cycle.
	slices.SortFunc(order, func(a, b int) int { return cmpInt64(results[a].AssetID, results[b].AssetID) })
	for i := 1; i < len(order); i++ {
		if results[order[i]].AssetID == results[order[i-1]].AssetID {
			return MatchStats{}, fmt.Errorf("asset %d: two results in one re-match", results[order[i]].AssetID)
		}
	}
	var st MatchStats
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st = MatchStats{}
		cur, err := lockAssets(ctx, tx, s.dialect, results, order)
		if err != nil {
			return err
		}
		var live []*MatchResult // ascending asset IDs
		for _, i := range order {
			m := &results[i]
			if sn, ok := cur[m.AssetID]; ok && sn == m.SnapshotID {
				live = append(live, m)
			}
		}
		if len(live) == 0 {
			return nil
		}
		var gen *int64
		for _, m := range live {
			if !m.CheckGeneration {
				continue
			}
			if gen == nil {
				var g int64
				if err := tx.QueryRowContext(ctx, `SELECT value FROM generations WHERE name = 'advisories'`).Scan(&g); err != nil {
					return err
				}
				gen = &g
			}
			if *gen != m.Generation {
				return ErrOutdated
			}
		}
		old, err := loadExistingMany(ctx, tx, s.dialect, live)
		if err != nil {
			return err
		}
		t := now()
		var fresh []freshFinding
		var same []int64
		var aliased []aliasChange
		changed := map[string][]int64{} // update values (updateKey) -> finding IDs
		changedVals := map[string][]any{}
		gone := map[string][]int64{} // resolution -> finding IDs
		var matched []int64          // snapshots matched whole
		for _, m := range live {
			mine := old[m.AssetID]
			if mine == nil {
				mine = map[string]*existing{}
			}
			sorted := sortFindings(m, mine, &st)
			fresh = append(fresh, sorted.fresh...)
			same = append(same, sorted.same...)
			for _, c := range sorted.changed {
				f, aj := c.f, c.aliasesJSON
				// Rows updated to the same values share a statement; the
				// snapshot is each row's asset's current one (checked
				// above, under the asset's lock).
				h := contentHash(f)
				k := aj + "\x00" + h
				if _, ok := changedVals[k]; !ok {
					changedVals[k] = []any{aj, f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence, h, t}
				}
				changed[k] = append(changed[k], c.e.id)
				if aj != c.e.aliases {
					aliased = append(aliased, aliasChange{c.e.id, f.VulnID, nonNil(f.Aliases)})
				}
			}
			if len(sorted.gone) > 0 {
				gone[m.Resolution] = append(gone[m.Resolution], sorted.gone...)
			}
			if m.Keys == nil {
				matched = append(matched, m.SnapshotID)
			}
		}
		if err := insertFindings(ctx, tx, s.dialect, fresh, t); err != nil {
			return err
		}
		const curSnap = `(SELECT a.current_snapshot_id FROM assets a WHERE a.id = findings.asset_id)`
		ks := make([]string, 0, len(changed))
		for k := range changed {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		for _, k := range ks {
			ids := changed[k]
			slices.Sort(ids)
			if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET aliases = ?, summary = ?, severity = ?,
				severity_rank = ?, score = ?, fix = ?, evidence = ?, content_hash = ?, status = 'open', snapshot_id = `+curSnap+`,
				last_seen = ?, resolved_at = NULL, resolution = '', resolved_by_snapshot = NULL`, changedVals[k], ids); err != nil {
				return err
			}
		}
		for _, a := range aliased {
			if err := rescoreExploit(ctx, tx, a.id, a.vulnID, a.aliases); err != nil {
				return err
			}
		}
		// A finding a re-match sees again unchanged is left as it is: its
		// last_seen tells when an inventory match last saw it. Only one
		// whose asset has a newer snapshot, not matched yet, moves to it.
		// (Writing all of them was most of a re-match's time.)
		slices.Sort(same)
		if err := updateByIDWhere(ctx, tx, s.dialect, `UPDATE findings SET snapshot_id = `+curSnap+`, last_seen = ?`,
			[]any{t}, same, "snapshot_id <> "+curSnap); err != nil {
			return err
		}
		for res, ids := range gone {
			slices.Sort(ids)
			if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET status = 'resolved', resolved_at = ?, resolution = `+resolutionOr+`,
				resolved_by_snapshot = `+curSnap, []any{t, res}, ids); err != nil {
				return err
			}
		}
		for start := 0; start < len(matched); start += 500 {
			part := matched[start:min(start+500, len(matched))]
			args := []any{t}
			for _, id := range part {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, numbered(s.dialect, `UPDATE snapshots SET matched_at = ? WHERE id IN (`+
				strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.written.Add(int64(st.New + st.Resolved + st.Reopened))
	}
	return st, err
}

type aliasChange struct {
	id      int64
	vulnID  string
	aliases []string
}

// lockAssets reads the current snapshot of the results' assets, locking
// their rows on PostgreSQL in ascending ID order (SQLite has one writer
// anyway). Deleted assets are missing from the map.
func lockAssets(ctx context.Context, tx *sql.Tx, d Dialect, results []MatchResult, order []int) (map[int64]int64, error) {
	lock := ""
	if d == Postgres {
		lock = " FOR UPDATE"
	}
	cur := make(map[int64]int64, len(order))
	const chunk = 500
	for start := 0; start < len(order); start += chunk {
		part := order[start:min(start+chunk, len(order))]
		args := make([]any, len(part))
		for i, r := range part {
			args[i] = results[r].AssetID
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, current_snapshot_id FROM assets WHERE id IN (`+
			rowPlaceholders(d, 1, len(part))+`) ORDER BY id`+lock, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var sn sql.NullInt64
			if err := rows.Scan(&id, &sn); err != nil {
				rows.Close()
				return nil, err
			}
			if sn.Valid {
				cur[id] = sn.Int64
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// loadExistingMany is loadExisting for many assets at once: per asset,
// its findings of the result's keys (all of them for nil keys).
func loadExistingMany(ctx context.Context, tx *sql.Tx, d Dialect, live []*MatchResult) (map[int64]map[string]*existing, error) {
	out := make(map[int64]map[string]*existing, len(live))
	var whole []int64 // assets matched whole: all their findings
	var pairAssets []int64
	var pairKeys []string // with pairAssets: (asset, key) pairs re-matched
	for _, m := range live {
		out[m.AssetID] = map[string]*existing{}
		if m.Keys == nil {
			whole = append(whole, m.AssetID)
		}
		for _, k := range m.Keys {
			pairAssets, pairKeys = append(pairAssets, m.AssetID), append(pairKeys, k)
		}
	}
	const cols = `f.asset_id, f.id, f.pkey, f.version, f.vuln_id, f.status, f.aliases, f.content_hash`
	scan := func(rows *sql.Rows) error {
		var asset int64
		var k, v, vid string
		e := &existing{}
		if err := rows.Scan(&asset, &e.id, &k, &v, &vid, &e.status, &e.aliases, &e.hash); err != nil {
			return err
		}
		out[asset][k+"\x00"+v+"\x00"+vid] = e
		return nil
	}
	const assetChunk = 250
	for start := 0; start < len(whole); start += assetChunk {
		part := whole[start:min(start+assetChunk, len(whole))]
		args := make([]any, len(part))
		for i, a := range part {
			args[i] = a
		}
		if err := queryRows(ctx, tx, `SELECT `+cols+` FROM findings f WHERE f.asset_id IN (`+
			rowPlaceholders(d, 1, len(part))+`)`, args, scan); err != nil {
			return nil, err
		}
	}
	if len(pairAssets) == 0 {
		return out, nil
	}
	// The findings of each asset's own re-matched keys, looked up pair by
	// pair in the unique (asset, key, …) index. (Every asset of a batch
	// times every key of the batch was seven times as many lookups.)
	if d == Postgres {
		return out, queryRows(ctx, tx, `SELECT `+cols+` FROM unnest($1::bigint[], $2::text[]) AS u(a, k)
			JOIN findings f ON f.asset_id = u.a AND f.pkey = u.k`, []any{pairAssets, pairKeys}, scan)
	}
	pairs := make([][2]any, len(pairAssets))
	for i := range pairAssets {
		pairs[i] = [2]any{pairAssets[i], pairKeys[i]}
	}
	return out, queryRows(ctx, tx, `SELECT `+cols+` FROM json_each($1) AS u
		JOIN findings f ON f.asset_id = u.value ->> 0 AND f.pkey = u.value ->> 1`, []any{mustJSON(pairs)}, scan)
}
