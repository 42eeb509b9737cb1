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
	Component
}

// CurrentComponentsWithKeys returns the components with one of the keys
// of every asset's current snapshot, ordered by asset and then upload
// order: what a re-match after advisories changed reads, in one query per
// 500 keys instead of one per asset.
func (s *Store) CurrentComponentsWithKeys(ctx context.Context, keys []string) ([]AssetComponent, error) {
	var out []AssetComponent
	err := eachChunk(keys, 500, func(args []any) error {
		return queryRows(ctx, s.db, `SELECT a.id, c.snapshot_id, c.id, c.pkey, c.ref, c.name, c.version, c.purl,
			c.ecosystem, c.package, c.scope, c.unmatchable, c.extra
			FROM components c JOIN assets a ON a.current_snapshot_id = c.snapshot_id
			WHERE c.pkey IN (`+rowPlaceholders(s.dialect, 1, len(args))+`)`, args, func(rows *sql.Rows) error {
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
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b AssetComponent) int {
		if a.AssetID != b.AssetID {
			return cmpInt64(a.AssetID, b.AssetID)
		}
		return cmpInt64(a.ID, b.ID)
	})
	return out, nil
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
				k := strings.Join([]string{aj, f.Summary, f.Severity, fmt.Sprint(f.SeverityRank), fmt.Sprint(f.Score),
					f.Fix, f.Evidence}, "\x00")
				if _, ok := changedVals[k]; !ok {
					changedVals[k] = []any{aj, f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence, t}
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
				severity_rank = ?, score = ?, fix = ?, evidence = ?, status = 'open', snapshot_id = `+curSnap+`,
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
			if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET status = 'resolved', resolved_at = ?, resolution = ?,
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
	scope := make(map[int64]map[string]bool, len(live)) // nil: every key
	var assets []int64
	union := map[string]bool{}
	whole := false
	for _, m := range live {
		out[m.AssetID] = map[string]*existing{}
		if m.Keys == nil {
			whole = true
			scope[m.AssetID] = nil
			assets = append(assets, m.AssetID)
			continue
		}
		if len(m.Keys) == 0 {
			continue // nothing of it to load
		}
		set := make(map[string]bool, len(m.Keys))
		for _, k := range m.Keys {
			set[k] = true
			union[k] = true
		}
		scope[m.AssetID] = set
		assets = append(assets, m.AssetID)
	}
	var keys []string
	if !whole && len(union) <= 200 {
		for k := range union {
			keys = append(keys, k)
		}
		slices.Sort(keys)
	}
	// With few keys, the findings of those keys; otherwise every finding
	// of the assets, filtered here rather than passing thousands of keys.
	const assetChunk = 250
	for start := 0; start < len(assets); start += assetChunk {
		part := assets[start:min(start+assetChunk, len(assets))]
		args := make([]any, 0, len(part)+len(keys))
		for _, a := range part {
			args = append(args, a)
		}
		q := `SELECT asset_id, id, pkey, version, vuln_id, status, aliases, summary, severity, severity_rank, score, fix,
			evidence FROM findings WHERE asset_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + `)`
		if keys != nil {
			q += ` AND pkey IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ") + `)`
			for _, k := range keys {
				args = append(args, k)
			}
		}
		rows, err := tx.QueryContext(ctx, numbered(d, q), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var asset int64
			var k, v, vid string
			e := &existing{}
			if err := rows.Scan(&asset, &e.id, &k, &v, &vid, &e.status, &e.aliases, &e.summary, &e.severity, &e.rank,
				&e.score, &e.fix, &e.evidence); err != nil {
				rows.Close()
				return nil, err
			}
			if set := scope[asset]; set != nil && !set[k] {
				continue
			}
			out[asset][k+"\x00"+v+"\x00"+vid] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
