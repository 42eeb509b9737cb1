package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
)

// findingWrites gathers what the diffs of many assets decided, so that
// each kind of write is a few batched statements for all of them: one
// statement per row made a 500-component snapshot hundreds of statements
// (round trips on PostgreSQL), and a re-match thousands.
type findingWrites struct {
	at    time.Time
	fresh []freshFinding
	// freshIDs are the IDs the fresh findings were given.
	freshIDs []int64
	// touched are unchanged findings of whole-snapshot matches, by
	// snapshot: moved to it and seen now.
	touched map[int64][]int64
	// seen are unchanged findings of re-matches of some keys: left as
	// they are (their last_seen tells when an inventory match last saw
	// them) unless their asset has a newer snapshot, not matched yet.
	// (Writing all of them was most of a re-match's time.)
	seen []int64
	// changed and reopened are rows rewritten, grouped by the values
	// written (updateKey), so that rows written alike share a statement.
	changed, reopened map[string]*rewrite
	aliased           []finding.Update
	// rerated are the updates that change a finding's rating: dated
	// (severity_since) and reported (MatchStats.Rerated).
	rerated  []finding.Update
	resolved map[string][]int64 // by reason
	matched  []int64            // snapshots matched whole
}

// rewrite is a group of findings given the same detected content.
type rewrite struct {
	vals []any
	ids  []int64
}

func (w *findingWrites) add(m *MatchResult, ch *finding.Changes) {
	for _, d := range ch.New {
		w.fresh = append(w.fresh, freshFinding{assetID: m.AssetID, snapID: m.SnapshotID, f: d})
	}
	if m.Keys == nil {
		if len(ch.Unchanged) > 0 {
			if w.touched == nil {
				w.touched = map[int64][]int64{}
			}
			w.touched[m.SnapshotID] = append(w.touched[m.SnapshotID], ch.Unchanged...)
		}
		w.matched = append(w.matched, m.SnapshotID)
	} else {
		w.seen = append(w.seen, ch.Unchanged...)
	}
	w.changed = w.group(w.changed, ch.Changed)
	w.reopened = w.group(w.reopened, ch.Reopened)
	for _, r := range ch.Resolved {
		if w.resolved == nil {
			w.resolved = map[string][]int64{}
		}
		w.resolved[r.Reason] = append(w.resolved[r.Reason], r.ID)
	}
}

// group adds updates to groups by the values they write, and notes those
// whose aliases change (their KEV and EPSS marks follow).
func (w *findingWrites) group(groups map[string]*rewrite, us []finding.Update) map[string]*rewrite {
	for _, u := range us {
		if groups == nil {
			groups = map[string]*rewrite{}
		}
		f, h := u.Found, u.Found.Hash()
		k := u.Aliases + "\x00" + h
		g := groups[k]
		if g == nil {
			g = &rewrite{vals: []any{u.Aliases, f.Summary, f.Severity, f.SeverityRank, f.Score, f.SeverityInfoJSON(), f.Fix, f.Evidence, h, w.at}}
			groups[k] = g
		}
		g.ids = append(g.ids, u.ID)
		if u.AliasesChanged {
			w.aliased = append(w.aliased, u)
		}
		if u.Rerated() {
			w.rerated = append(w.rerated, u)
		}
	}
	return groups
}

// curSnap is the current snapshot of a finding's asset: the snapshot of
// every result written (checked under the asset's lock).
const curSnap = `(SELECT a.current_snapshot_id FROM assets a WHERE a.id = findings.asset_id)`

// rewriteSet writes a finding's detected content (rewrite.vals).
const rewriteSet = `UPDATE findings SET aliases = ?, summary = ?, severity = ?, severity_rank = ?, score = ?, severity_info = ?,
	fix = ?, evidence = ?, content_hash = ?, snapshot_id = ` + curSnap + `, last_seen = ?`

// write runs the statements, in an order that keeps them deterministic.
func (w *findingWrites) write(ctx context.Context, tx *sql.Tx, d Dialect) error {
	var err error
	if w.freshIDs, err = insertFindings(ctx, tx, d, w.fresh, w.at); err != nil {
		return err
	}
	if err := writeGroups(ctx, tx, d, rewriteSet, w.changed); err != nil {
		return fmt.Errorf("updating changed findings: %w", err)
	}
	// Detected again: open once more, the resolution cleared.
	if err := writeGroups(ctx, tx, d, rewriteSet+`, status = '`+model.FindingOpen+`', resolved_at = NULL, resolution = '',
		resolved_by_snapshot = NULL`, w.reopened); err != nil {
		return fmt.Errorf("re-opening findings: %w", err)
	}
	if len(w.rerated) > 0 {
		ids := make([]int64, len(w.rerated))
		for i, u := range w.rerated {
			ids[i] = u.ID
		}
		slices.Sort(ids)
		if err := updateByID(ctx, tx, d, `UPDATE findings SET severity_since = ?`, []any{w.at}, ids); err != nil {
			return fmt.Errorf("dating re-rated findings: %w", err)
		}
	}
	for _, u := range w.aliased {
		if err := rescoreExploit(ctx, tx, u.ID, u.Found.VulnID, u.Found.Aliases); err != nil {
			return fmt.Errorf("marking finding %d with KEV and EPSS: %w", u.ID, err)
		}
	}
	if err := w.writeSeen(ctx, tx, d); err != nil {
		return err
	}
	for _, reason := range slices.Sorted(maps.Keys(w.resolved)) {
		ids := w.resolved[reason]
		slices.Sort(ids)
		if err := updateByID(ctx, tx, d, `UPDATE findings SET status = '`+model.FindingResolved+`', resolved_at = ?, resolution = ?,
			resolved_by_snapshot = `+curSnap, []any{w.at, reason}, ids); err != nil {
			return fmt.Errorf("resolving findings (%s): %w", reason, err)
		}
	}
	for start := 0; start < len(w.matched); start += 500 {
		part := w.matched[start:min(start+500, len(w.matched))]
		args := []any{w.at}
		for _, id := range part {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, numbered(d, `UPDATE snapshots SET matched_at = ? WHERE id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`), args...); err != nil {
			return fmt.Errorf("marking %d snapshots matched: %w", len(part), err)
		}
	}
	return nil
}

// writeSeen moves the unchanged findings found again (see touched and
// seen).
func (w *findingWrites) writeSeen(ctx context.Context, tx *sql.Tx, d Dialect) error {
	for _, sn := range slices.Sorted(maps.Keys(w.touched)) {
		if err := updateByID(ctx, tx, d, `UPDATE findings SET snapshot_id = ?, last_seen = ?`, []any{sn, w.at}, w.touched[sn]); err != nil {
			return fmt.Errorf("updating the findings snapshot %d found again: %w", sn, err)
		}
	}
	slices.Sort(w.seen)
	if err := updateByIDWhere(ctx, tx, d, `UPDATE findings SET snapshot_id = `+curSnap+`, last_seen = ?`,
		[]any{w.at}, w.seen, "snapshot_id <> "+curSnap); err != nil {
		return fmt.Errorf("updating the findings a re-match found again: %w", err)
	}
	return nil
}

// writeGroups runs set (which takes a group's values) on each group's
// findings.
func writeGroups(ctx context.Context, tx *sql.Tx, d Dialect, set string, groups map[string]*rewrite) error {
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		g := groups[k]
		slices.Sort(g.ids)
		if err := updateByID(ctx, tx, d, set, g.vals, g.ids); err != nil {
			return err
		}
	}
	return nil
}

// updateByID runs an UPDATE of findings, whose SET clause takes args as
// "?", on the findings with the given IDs, 500 at a time.
func updateByID(ctx context.Context, tx *sql.Tx, d Dialect, set string, args []any, ids []int64) error {
	return updateByIDWhere(ctx, tx, d, set, args, ids, "")
}

// updateByIDWhere is updateByID with a further condition (no parameters)
// that rows must meet to be written.
func updateByIDWhere(ctx context.Context, tx *sql.Tx, d Dialect, set string, args []any, ids []int64, cond string) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		all := make([]any, 0, len(args)+len(part))
		all = append(all, args...)
		for _, id := range part {
			all = append(all, id)
		}
		q := set + ` WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + `)`
		if cond != "" {
			q += " AND " + cond
		}
		if _, err := tx.ExecContext(ctx, numbered(d, q), all...); err != nil {
			return err
		}
	}
	return nil
}

// numbered turns the "?" of a statement into "$1", "$2"… for PostgreSQL;
// SQLite takes "?" as they are (see rowPlaceholders). The statement must
// hold no "?" but its parameters.
func numbered(d Dialect, q string) string {
	if d == SQLite {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rescoreExploit marks a finding with the KEV and EPSS data of its IDs
// (its own and its aliases), after they changed.
func rescoreExploit(ctx context.Context, tx *sql.Tx, id int64, vulnID string, aliases []string) error {
	ids := append([]string{vulnID}, aliases...)
	args := []any{id}
	for _, a := range ids {
		args = append(args, a)
	}
	in := `IN (` + placeholders(2, len(ids)) + `)`
	_, err := tx.ExecContext(ctx, `UPDATE findings SET kev = EXISTS (SELECT 1 FROM kev WHERE cve `+in+`),
		epss = (SELECT MAX(score) FROM epss WHERE cve `+in+`) WHERE id = $1`, args...)
	return err
}
