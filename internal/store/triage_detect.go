package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// What detection does to decisions, after a match is written
// (ApplyFindings): a finding resolved by an upgrade is fixed; a finding
// detected again after it was fixed (its own row reopened, or a new row of
// the same vulnerability in the same package of the asset) is reopened as
// affected and says so; a new finding whose key someone decided about
// takes the decision. Each transition is a history entry by "system". Then
// the clocks and priorities of new, reopened and re-rated findings are
// set (Assess).

// detectedRow is a new or reopened finding with its key's decision.
type detectedRow struct {
	Triaged
	decision, decidedBy string
	decidedAt           time.Time
	exceptionActive     bool
	fixedBefore         bool // another finding of its key was fixed before this match
}

// afterDetection applies w's detection to the findings' triage.
func (t *Tx) afterDetection(ctx context.Context, w *findingWrites) (AssessStats, error) {
	at := w.at
	if err := t.resolvedByDetection(ctx, w, at); err != nil {
		return AssessStats{}, err
	}
	// reopened are the resolved findings detected again; regressed those
	// of them, and the new findings, that come back after a fix: their
	// clocks start again (a finding resolved because its advisory changed
	// and detected again was never fixed, and keeps its clock).
	reopened, regressed := map[int64]bool{}, map[int64]bool{}
	var reIDs []int64
	for _, g := range w.reopened {
		for _, id := range g.ids {
			reopened[id] = true
			reIDs = append(reIDs, id)
		}
	}
	ids := append(slices.Clone(w.freshIDs), reIDs...)
	rows, err := t.detectedRows(ctx, ids, at)
	if err != nil {
		return AssessStats{}, err
	}
	// The findings written alike: their state, whether they reopened,
	// whether their clock stops.
	type write struct {
		state          string
		reopen, closed bool
	}
	groups := map[write][]int64{}
	var hist []History
	var accepted [][]any
	for _, r := range rows {
		state, reason := model.StateNew, ""
		back := (reopened[r.ID] && r.State == model.StateFixed) || r.fixedBefore
		if reopened[r.ID] && !back {
			state = r.State // resolved for another reason than a fix: as it was
		}
		switch {
		case r.decision == model.StateRiskAccepted && !r.exceptionActive:
			state, reason = model.StateAffected, "detected again; its exception is no longer in force"
		case model.Closes(r.decision):
			state, reason = r.decision, fmt.Sprintf("detected again; the decision %s of %s by %s applies", r.decision,
				r.decidedAt.Format(time.DateOnly), r.decidedBy)
			if r.decision == model.StateRiskAccepted {
				accepted = append(accepted, []any{r.Exception, r.ID})
			}
		case back || r.decision == model.StateFixed:
			state, reason = model.StateAffected, "reopened: detected again after it was fixed"
			back = true
		case r.decision != "" && r.decision != model.StateNew:
			state, reason = r.decision, fmt.Sprintf("the decision %s of %s by %s applies", r.decision,
				r.decidedAt.Format(time.DateOnly), r.decidedBy)
		}
		k := write{state: state, reopen: back, closed: model.Closes(state)}
		groups[k] = append(groups[k], r.ID)
		if reason != "" {
			hist = append(hist, History{AssetID: r.AssetID, VulnID: r.VulnID, Key: r.Key, FindingID: r.ID, At: at, Actor: "system",
				Kind: "detected", From: r.State, To: state, Reason: reason})
		}
		if back {
			regressed[r.ID] = true
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(groups), func(a, b write) int {
		return cmp.Or(strings.Compare(a.state, b.state), compareBool(a.reopen, b.reopen), compareBool(a.closed, b.closed))
	}) {
		set, args := `UPDATE findings SET state = ?, closed_at = NULL`, []any{k.state}
		if k.closed {
			set, args = `UPDATE findings SET state = ?, closed_at = ?`, append(args, at)
		}
		if k.reopen {
			set, args = set+`, reopened_at = ?`, append(args, at)
		}
		ids := groups[k]
		slices.Sort(ids)
		if err := updateByID(ctx, t.tx, t.dialect, set, args, ids); err != nil {
			return AssessStats{}, fmt.Errorf("applying decisions to detected findings: %w", err)
		}
	}
	if err := t.AddHistory(ctx, hist); err != nil {
		return AssessStats{}, err
	}
	// The assignee of the key follows to its new findings.
	for _, args := range idChunks(ids, 500) {
		if _, err := t.tx.ExecContext(ctx, numbered(t.dialect, `UPDATE findings SET assignee = (SELECT d.assignee FROM decisions d
			WHERE d.asset_id = findings.asset_id AND d.vuln_id = findings.vuln_id AND d.pkey = findings.pkey)
			WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`) AND EXISTS (SELECT 1 FROM decisions d
			WHERE d.asset_id = findings.asset_id AND d.vuln_id = findings.vuln_id AND d.pkey = findings.pkey AND d.assignee <> '')`), args...); err != nil {
			return AssessStats{}, fmt.Errorf("assigning detected findings: %w", err)
		}
	}
	if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO exception_findings (exception_id, finding_id) VALUES `, accepted,
		`ON CONFLICT DO NOTHING`); err != nil {
		return AssessStats{}, fmt.Errorf("extending exceptions to findings detected again: %w", err)
	}
	// New findings were assessed before they were stored (assessFresh): a
	// regressed one among them starts its clock now, when it was first
	// seen, as it did.
	again := slices.Clone(reIDs)
	for _, u := range w.rerated {
		again = append(again, u.ID)
	}
	slices.Sort(again)
	return t.Assess(ctx, slices.Compact(again), regressed, at)
}

// resolvedByDetection stops the clocks of the findings w resolves, and
// marks those an upgrade resolved fixed (unless someone decided they are
// not affected, a false positive or an accepted risk), each with its
// history entry.
func (t *Tx) resolvedByDetection(ctx context.Context, w *findingWrites, at time.Time) error {
	for _, reason := range slices.Sorted(maps.Keys(w.resolved)) {
		ids := w.resolved[reason]
		fs, err := t.TriagedFindings(ctx, ids)
		if err != nil {
			return err
		}
		var hist []History
		for _, f := range fs {
			to := f.State
			if reason == model.ResolvedByUpgrade && !model.Closes(f.State) {
				to = model.StateFixed
			}
			hist = append(hist, History{AssetID: f.AssetID, VulnID: f.VulnID, Key: f.Key, FindingID: f.ID, At: at, Actor: "system",
				Kind: "detected", From: f.State, To: to, Reason: "resolved: " + resolutionWords[reason]})
		}
		set := `UPDATE findings SET closed_at = COALESCE(closed_at, resolved_at)`
		if reason == model.ResolvedByUpgrade {
			set += `, state = CASE WHEN state IN ('` + strings.Join(model.ClosingStates, "', '") + `') THEN state ELSE '` + model.StateFixed + `' END`
		}
		if err := updateByID(ctx, t.tx, t.dialect, set, nil, ids); err != nil {
			return fmt.Errorf("closing resolved findings: %w", err)
		}
		if err := t.AddHistory(ctx, hist); err != nil {
			return err
		}
	}
	return nil
}

var resolutionWords = map[string]string{
	model.ResolvedByUpgrade:    "the current snapshot no longer has the affected version",
	model.ResolvedByAdvisory:   "the corrected advisory no longer covers the version",
	model.ResolvedByWithdrawal: "the advisory was withdrawn",
	model.ResolvedByScan:       "the latest SARIF log of its tool on its branch no longer has it",
}

// detectedRows reads new or reopened findings with what was decided about
// their key, and whether another finding of the key was fixed before at.
func (t *Tx) detectedRows(ctx context.Context, ids []int64, at time.Time) ([]detectedRow, error) {
	var out []detectedRow
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := []any{at}
		for _, id := range part {
			args = append(args, id)
		}
		got, err := queryAll(ctx, t.tx, func(row rowScanner) (detectedRow, error) {
			var r detectedRow
			var closed, decided sql.NullTime
			var decision, by sql.NullString
			err := row.Scan(&r.ID, &r.AssetID, &r.VulnID, &r.Key, &r.State, &r.Status, &closed, &r.Exception,
				&decision, &by, &decided, &r.exceptionActive, &r.fixedBefore)
			r.ClosedAt, r.decision, r.decidedBy, r.decidedAt = timeOf(closed), decision.String, by.String, timeOf(decided)
			return r, err
		}, numbered(t.dialect, `SELECT `+triagedCols+`, d.state, d.decided_by, d.decided_at,
			EXISTS (SELECT 1 FROM exceptions x WHERE x.id = d.exception_id AND x.state = 'approved'),
			EXISTS (SELECT 1 FROM findings s WHERE s.asset_id = f.asset_id AND s.pkey = f.pkey AND s.vuln_id = f.vuln_id
				AND s.id <> f.id AND s.state = '`+model.StateFixed+`' AND s.status = '`+model.FindingResolved+`' AND s.resolved_at < ?)
			FROM `+triagedFrom+` WHERE f.id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("reading the decisions of detected findings: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
