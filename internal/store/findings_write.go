package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// MatchResult is the outcome of matching (part of) one snapshot.
type MatchResult struct {
	AssetID, SnapshotID int64
	// Keys limits the result to these package keys (a re-match after
	// advisories changed); nil means the whole snapshot.
	Keys     []string
	Findings []finding.Detected
	// Resolution is why a finding no longer found is resolved (unless its
	// advisory was withdrawn): model.ResolvedByUpgrade for a snapshot's
	// match, model.ResolvedByAdvisory for a re-match.
	Resolution string
	// Generation is the advisory generation the result was computed at;
	// with CheckGeneration set, a result computed before the advisories
	// last changed is refused with ErrOutdated, so the caller computes it
	// again instead of overwriting a newer re-match.
	Generation      int64
	CheckGeneration bool
}

// ErrOutdated is returned for a match result computed from advisories
// that have since changed.
var ErrOutdated = errors.New("advisories changed while matching")

// MatchStats says what applying match results did. Updated counts the
// open findings found again (changed or not); Stale the results skipped
// because their snapshot is no longer their asset's current one (or the
// asset is gone): the newer snapshot's match covers it.
type MatchStats struct {
	New      int `json:"new"`
	Updated  int `json:"updated"`
	Reopened int `json:"reopened"`
	Resolved int `json:"resolved"`
	Stale    int `json:"stale,omitempty"`
	// Rerated counts the open findings whose rating changed (a revised
	// CVSS in an advisory or in an NVD record of an alias); each has its
	// finding.rerated event.
	Rerated int `json:"rerated,omitempty"`
}

// Add adds o's counts to st.
func (st *MatchStats) Add(o MatchStats) {
	st.New, st.Updated, st.Reopened, st.Resolved, st.Stale = st.New+o.New, st.Updated+o.Updated,
		st.Reopened+o.Reopened, st.Resolved+o.Resolved, st.Stale+o.Stale
	st.Rerated += o.Rerated
}

func (st *MatchStats) count(ch *finding.Changes) {
	st.New += len(ch.New)
	st.Updated += len(ch.Unchanged) + len(ch.Changed)
	st.Reopened += len(ch.Reopened)
	st.Resolved += len(ch.Resolved)
}

// ApplyFindings records match results, of one asset or of many: what
// finding.Diff decides for each asset (new findings opened, changed ones
// rewritten, resolved ones detected again re-opened, open ones no longer
// found resolved), written for all of them in batched statements. It is
// the one writer of findings: a snapshot's match and a re-match after
// advisories changed (which touches most assets, and cost one transaction
// and about ten statements per asset when applied one by one) both go
// through it. It writes detection only: a finding's status is open or
// resolved, never what someone decided about it.
//
// A result whose snapshot is no longer its asset's current one (or whose
// asset is gone) is skipped, counted as Stale, and the others applied.
// When a result was computed at an advisory generation that is no longer
// current (with CheckGeneration), nothing is applied and ErrOutdated is
// returned. Each asset may appear once.
func (t *Tx) ApplyFindings(ctx context.Context, results []MatchResult) (MatchStats, error) {
	order, err := byAsset(results)
	if err != nil {
		return MatchStats{}, err
	}
	cur, risk, err := lockAssets(ctx, t.tx, t.dialect, results, order)
	if err != nil {
		return MatchStats{}, err
	}
	var live []*MatchResult // ascending asset IDs
	for _, i := range order {
		m := &results[i]
		if sn, ok := cur[m.AssetID]; ok && sn == m.SnapshotID {
			live = append(live, m)
		}
	}
	st := MatchStats{Stale: len(results) - len(live)}
	if len(live) == 0 {
		return st, nil
	}
	if err := checkGeneration(ctx, t.tx, live); err != nil {
		return MatchStats{}, err
	}
	stored, err := loadStored(ctx, t.tx, t.dialect, live)
	if err != nil {
		return MatchStats{}, err
	}
	ins := make([]finding.Input, len(live))
	var undetected []string
	for i, m := range live {
		ins[i] = finding.Input{Keys: m.Keys, Stored: stored[m.AssetID], Detected: m.Findings, Reason: m.Resolution}
		undetected = append(undetected, finding.Undetected(ins[i])...)
	}
	withdrawn, err := withdrawnAmong(ctx, t.tx, t.dialect, undetected)
	if err != nil {
		return MatchStats{}, err
	}
	w := findingWrites{at: t.now()}
	for i, m := range live {
		ins[i].Withdrawn = withdrawn
		ch := finding.Diff(ins[i])
		st.count(&ch)
		w.add(m, &ch)
	}
	if err := t.assessFresh(ctx, &w, risk); err != nil {
		return MatchStats{}, err
	}
	if err := w.write(ctx, t.tx, t.dialect); err != nil {
		return MatchStats{}, err
	}
	as, err := t.afterDetection(ctx, &w)
	if err != nil {
		return MatchStats{}, err
	}
	if err := t.ReprioritizedEvents(ctx, as.Reprioritized, w.at); err != nil {
		return MatchStats{}, err
	}
	// A rating is an input of the finding's remediation clock: each
	// change is recorded, in this transaction, with where the new one
	// came from.
	for _, u := range w.rerated {
		st.Rerated++
		e := model.Event{Actor: "system", Kind: "finding.rerated", ObjectType: "finding", ObjectID: strconv.FormatInt(u.ID, 10)}
		if err := t.AppendEvent(ctx, e, map[string]any{"severity": u.Severity},
			map[string]any{"severity": u.Found.Severity, "advisory": u.Found.VulnID, "detail": json.RawMessage(u.Found.SeverityInfoJSON())}); err != nil {
			return MatchStats{}, err
		}
	}
	t.written += int64(st.New + st.Resolved + st.Reopened)
	return st, nil
}

// byAsset returns the results' indexes by ascending asset ID: the order
// the asset rows are locked in, so two transactions never wait for each
// other's rows in a cycle. An asset may have one result only.
func byAsset(results []MatchResult) ([]int, error) {
	order := make([]int, len(results))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(results[a].AssetID, results[b].AssetID) })
	for i := 1; i < len(order); i++ {
		if results[order[i]].AssetID == results[order[i-1]].AssetID {
			return nil, fmt.Errorf("asset %d: two match results in one write", results[order[i]].AssetID)
		}
	}
	return order, nil
}

// checkGeneration returns ErrOutdated when a result that asks for the
// check was computed at another advisory generation than the current one.
func checkGeneration(ctx context.Context, tx *sql.Tx, live []*MatchResult) error {
	var gen *int64
	for _, m := range live {
		if !m.CheckGeneration {
			continue
		}
		if gen == nil {
			var g int64
			if err := tx.QueryRowContext(ctx, `SELECT value FROM generations WHERE name = 'advisories'`).Scan(&g); err != nil {
				return fmt.Errorf("reading the advisory generation: %w", err)
			}
			gen = &g
		}
		if *gen != m.Generation {
			return ErrOutdated
		}
	}
	return nil
}

// lockAssets reads the current snapshot of the results' assets, and their
// exposure and criticality (inputs of the new findings' clocks and
// priorities), locking their rows on PostgreSQL in ascending ID order
// (SQLite has one writer anyway). Deleted assets are missing from the
// maps.
func lockAssets(ctx context.Context, tx *sql.Tx, d Dialect, results []MatchResult, order []int) (map[int64]int64, map[int64]ssvc.Asset, error) {
	lock := ""
	if d == Postgres {
		lock = " FOR UPDATE"
	}
	cur := make(map[int64]int64, len(order))
	risk := make(map[int64]ssvc.Asset, len(order))
	const chunk = 500
	for start := 0; start < len(order); start += chunk {
		part := order[start:min(start+chunk, len(order))]
		args := make([]any, len(part))
		for i, r := range part {
			args[i] = results[r].AssetID
		}
		err := queryRows(ctx, tx, `SELECT id, current_snapshot_id, exposure, criticality FROM assets WHERE id IN (`+
			rowPlaceholders(d, 1, len(part))+`) ORDER BY id`+lock, args, func(rows *sql.Rows) error {
			var id int64
			var sn sql.NullInt64
			a := ssvc.Asset{}
			if err := rows.Scan(&id, &sn, &a.Exposure, &a.Criticality); err != nil {
				return err
			}
			if sn.Valid {
				cur[id] = sn.Int64
			}
			a.ID, risk[id] = id, a
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("locking assets: %w", err)
		}
	}
	return cur, risk, nil
}

// loadStored reads, per asset, its stored findings of the result's keys
// (all of them for nil keys): what finding.Diff compares the result with.
// Only dependency findings: code findings are the SARIF import's
// (ApplyCodeFindings), and a match that read them would resolve them as
// no longer detected.
func loadStored(ctx context.Context, tx *sql.Tx, d Dialect, live []*MatchResult) (map[int64][]finding.Stored, error) {
	out := make(map[int64][]finding.Stored, len(live))
	var whole []int64 // assets matched whole: all their findings
	var pairAssets []int64
	var pairKeys []string // with pairAssets: (asset, key) pairs re-matched
	for _, m := range live {
		if m.Keys == nil {
			whole = append(whole, m.AssetID)
		}
		for _, k := range m.Keys {
			pairAssets, pairKeys = append(pairAssets, m.AssetID), append(pairKeys, k)
		}
	}
	const cols = `f.asset_id, f.id, f.pkey, f.version, f.vuln_id, f.status, f.aliases, f.content_hash, f.severity`
	scan := func(rows *sql.Rows) error {
		var asset int64
		var s finding.Stored
		if err := rows.Scan(&asset, &s.ID, &s.Identity.PackageKey, &s.Identity.Version, &s.Identity.VulnID,
			&s.Status, &s.Aliases, &s.Hash, &s.Severity); err != nil {
			return err
		}
		out[asset] = append(out[asset], s)
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
			rowPlaceholders(d, 1, len(part))+`) AND f.kind = '`+model.KindDependency+`'`, args, scan); err != nil {
			return nil, fmt.Errorf("reading the findings of %d assets: %w", len(part), err)
		}
	}
	if len(pairAssets) == 0 {
		return out, nil
	}
	// The findings of each asset's own re-matched keys, looked up pair by
	// pair in the unique (asset, key, …) index. (Every asset of a batch
	// times every key of the batch was seven times as many lookups.)
	var err error
	if d == Postgres {
		err = queryRows(ctx, tx, `SELECT `+cols+` FROM unnest($1::bigint[], $2::text[]) AS u(a, k)
			JOIN findings f ON f.asset_id = u.a AND f.pkey = u.k AND f.kind = '`+model.KindDependency+`'`, []any{pairAssets, pairKeys}, scan)
	} else {
		pairs := make([][2]any, len(pairAssets))
		for i := range pairAssets {
			pairs[i] = [2]any{pairAssets[i], pairKeys[i]}
		}
		err = queryRows(ctx, tx, `SELECT `+cols+` FROM json_each($1) AS u
			JOIN findings f ON f.asset_id = u.value ->> 0 AND f.pkey = u.value ->> 1
			AND f.kind = '`+model.KindDependency+`'`, []any{mustJSON(pairs)}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the findings of %d re-matched keys: %w", len(pairKeys), err)
	}
	return out, nil
}

// withdrawnAmong returns which of the advisories (by ID) are withdrawn —
// by their publisher, or because the feeds that supplied them were
// deleted — for finding.Diff to resolve their findings as withdrawn.
func withdrawnAmong(ctx context.Context, tx *sql.Tx, d Dialect, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	err := inIDs(ids, d, func(in string, args []any) error {
		got, err := queryStrings(ctx, tx, `SELECT id FROM advisories WHERE withdrawn AND id`+in, args...)
		for _, id := range got {
			out[id] = true
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("looking up withdrawn advisories: %w", err)
	}
	return out, nil
}
