package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// Priority is a finding's SSVC priority as stored: the outcome and every
// input it was derived from, so that ssvc.Decide re-derives it.
type Priority struct {
	Inputs  ssvc.Inputs  `json:"inputs"`
	Outcome ssvc.Outcome `json:"outcome"`
}

// assessed is what a finding's clock and priority are computed from.
type assessed struct {
	id, asset       int64
	vuln, severity  string
	info            string
	since, reopened time.Time
	clock, priority string
	exposure        string
	criticality     int
}

// AssessStats says what Assess changed.
type AssessStats struct {
	Clocks, Priorities int
	// Reprioritized are the findings whose SSVC decision changed (not
	// counting the first one a finding gets), with the before and after.
	Reprioritized []Reprioritized
}

// Reprioritized is one finding whose SSVC decision changed, with the
// priority before and after (each with its inputs, so that both decisions
// can be re-derived from the audit log).
type Reprioritized struct {
	ID            int64
	From, To      string
	Before, After json.RawMessage
}

// Assess sets the remediation clock and the SSVC priority of the findings
// with the given IDs, at time at, from their severity, their asset and
// what is known of their exploitation (KEV, EPSS) now. A finding keeps
// its clock and the policy version that set it (sla.Apply) unless its
// severity changed or it reopened (reopened holds those IDs); its stored
// priority inputs are rewritten only when the outcome changes, so that
// they stay the inputs of the decision shown.
func (t *Tx) Assess(ctx context.Context, ids []int64, reopened map[int64]bool, at time.Time) (AssessStats, error) {
	var st AssessStats
	if len(ids) == 0 {
		return st, nil
	}
	p, err := t.SLAPolicy(ctx)
	if err != nil {
		return st, err
	}
	rows, err := t.assessRows(ctx, ids)
	if err != nil {
		return st, err
	}
	ex, err := t.exploitOf(ctx, rows)
	if err != nil {
		return st, err
	}
	if err := t.recordEPSSUsed(ctx, ex, at); err != nil {
		return st, err
	}
	var writes [][]any
	for _, r := range rows {
		w, changed, err := assessOne(p, r, ex, reopened[r.id], at, &st)
		if err != nil {
			return st, fmt.Errorf("finding %d: %w", r.id, err)
		}
		if changed {
			writes = append(writes, w)
		}
	}
	if err := updateRows(ctx, t.tx, t.dialect, "findings", []string{"sla_clock", "sla_due_at", "sla_soon_at", "priority", "priority_rank", "priority_inputs"},
		[]string{"text", "timestamptz", "timestamptz", "text", "integer", "text"}, writes); err != nil {
		return st, fmt.Errorf("writing clocks and priorities: %w", err)
	}
	return st, nil
}

// assessOne computes one finding's clock and priority; changed says
// whether either differs from what is stored.
func assessOne(p sla.Policy, r assessed, ex map[string]exploit, reopened bool, at time.Time, st *AssessStats) ([]any, bool, error) {
	e := ex[r.vuln]
	in := sla.Inputs{Severity: model.Rating(r.severity), Exposure: r.exposure, Criticality: r.criticality, Start: r.since}
	if reopened && !r.reopened.IsZero() {
		in.Start = r.reopened
	}
	if e.kev != nil {
		in.KEVDue = e.kev.DueDate
	}
	var c sla.Clock
	var err error
	if r.clock == "" {
		c, err = sla.Due(p, in)
	} else {
		if err = json.Unmarshal([]byte(r.clock), &c); err != nil {
			return nil, false, fmt.Errorf("stored clock: %w", err)
		}
		c, _, err = sla.Apply(p, c, in, reopened)
	}
	if err != nil {
		return nil, false, err
	}
	clock := mustJSON(c)
	var info model.SeverityInfo
	_ = json.Unmarshal([]byte(r.info), &info) // {} or a stored SeverityInfo; a bad one reads as no vector
	pin := ssvc.Inputs{At: at, KEV: e.kev, EPSS: e.epss, EPSSThreshold: ssvc.DefaultEPSSThreshold,
		Asset: ssvc.Asset{ID: r.asset, Criticality: r.criticality, Exposure: r.exposure}}
	if v := info.Severity.Vector; v != "" && (strings.HasPrefix(v, "CVSS:3") || strings.HasPrefix(v, "CVSS:4")) {
		pin.CVSS = &ssvc.CVSS{Vector: v, Source: strings.TrimSpace(info.Severity.Provenance() + " " + info.Severity.Record)}
	}
	out, err := ssvc.Decide(pin)
	if err != nil {
		pin.CVSS = nil // a vector no rule reads counts as none: the cautious values
		if out, err = ssvc.Decide(pin); err != nil {
			return nil, false, err
		}
	}
	prio := r.priority
	var old Priority
	if r.priority != "" {
		_ = json.Unmarshal([]byte(r.priority), &old)
	}
	if r.priority == "" || old.Outcome.String() != out.String() {
		prio = mustJSON(Priority{Inputs: pin, Outcome: out})
		st.Priorities++
		if r.priority != "" && old.Outcome.Decision != out.Decision {
			st.Reprioritized = append(st.Reprioritized, Reprioritized{ID: r.id, From: string(old.Outcome.Decision), To: string(out.Decision),
				Before: json.RawMessage(r.priority), After: json.RawMessage(prio)})
		}
	}
	if clock != r.clock {
		st.Clocks++
	}
	if clock == r.clock && prio == r.priority {
		return nil, false, nil
	}
	var soon time.Time
	if !c.DueAt.IsZero() {
		soon = c.DueAt.Add(-sla.DefaultWindow(c))
	}
	return []any{r.id, clock, nullTime(c.DueAt), nullTime(soon), string(out.Decision), out.Decision.Rank(), prio}, true, nil
}

func (t *Tx) assessRows(ctx context.Context, ids []int64) ([]assessed, error) {
	var out []assessed
	for part, args := range idChunks(ids, 500) {
		got, err := queryAll(ctx, t.tx, func(row rowScanner) (assessed, error) {
			var r assessed
			var since, reopened sql.NullTime
			var first time.Time
			err := row.Scan(&r.id, &r.asset, &r.vuln, &r.severity, &r.info, &first, &since, &reopened, &r.clock, &r.priority,
				&r.exposure, &r.criticality)
			r.since, r.reopened = first.UTC(), timeOf(reopened)
			if since.Valid {
				r.since = since.Time.UTC()
			}
			return r, err
		}, `SELECT f.id, f.asset_id, f.vuln_id, f.severity, f.severity_info, f.first_seen, f.severity_since, f.reopened_at,
			f.sla_clock, f.priority_inputs, a.exposure, a.criticality
			FROM findings f JOIN assets a ON a.id = f.asset_id WHERE f.id IN (`+rowPlaceholders(t.dialect, 1, len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("reading findings to assess: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// exploit is what is known now of a vulnerability's exploitation.
type exploit struct {
	kev     *ssvc.KEV
	epss    *ssvc.EPSS
	epssCVE string // the CVE whose score epss is
}

// exploitOf reads the KEV entry and the highest EPSS score among the IDs
// of each finding's vulnerability (by its primary ID).
func (t *Tx) exploitOf(ctx context.Context, rows []assessed) (map[string]exploit, error) {
	seen := map[string]bool{}
	var ids []string
	for _, r := range rows {
		if !seen[r.vuln] {
			seen[r.vuln] = true
			ids = append(ids, r.vuln)
		}
	}
	out := map[string]exploit{}
	err := inIDs(ids, t.dialect, func(in string, args []any) error {
		err := queryRows(ctx, t.tx, `SELECT aa.advisory_id, k.date_added, k.due_date, k.ransomware,
			COALESCE((SELECT h.catalog FROM kev_history h WHERE h.cve = k.cve ORDER BY h.id DESC LIMIT 1), '')
			FROM advisory_aliases aa JOIN kev k ON k.cve = aa.alias WHERE k.date_added IS NOT NULL AND aa.advisory_id`+in, args, func(rows *sql.Rows) error {
			var id string
			var k ssvc.KEV
			var due sql.NullTime
			if err := rows.Scan(&id, &k.DateAdded, &due, &k.Ransomware, &k.CatalogVersion); err != nil {
				return err
			}
			k.DateAdded, k.DueDate = k.DateAdded.UTC(), timeOf(due)
			e := out[id]
			if e.kev == nil || k.DateAdded.Before(e.kev.DateAdded) {
				e.kev = &k
			}
			out[id] = e
			return nil
		})
		if err != nil {
			return err
		}
		return queryRows(ctx, t.tx, `SELECT aa.advisory_id, e.cve, e.score, e.percentile, e.score_date, e.model_version FROM advisory_aliases aa
			JOIN epss e ON e.cve = aa.alias WHERE e.score_date IS NOT NULL AND aa.advisory_id`+in, args, func(rows *sql.Rows) error {
			var id, cve string
			var s ssvc.EPSS
			if err := rows.Scan(&id, &cve, &s.Score, &s.Percentile, &s.Date, &s.Model); err != nil {
				return err
			}
			s.Date = s.Date.UTC()
			e := out[id]
			if e.epss == nil || s.Score > e.epss.Score {
				e.epss, e.epssCVE = &s, cve
			}
			out[id] = e
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading KEV and EPSS data: %w", err)
	}
	return out, nil
}

// updateRows writes per-row values: rows are (id, values of cols…), types
// the PostgreSQL types of cols. On PostgreSQL one statement per 200 rows
// joins the table with a VALUES list; on SQLite, in the process, one
// prepared statement runs per row — a statement of the batch's length was
// prepared anew each time, which cost more than running it.
func updateRows(ctx context.Context, tx *sql.Tx, d Dialect, table string, cols, types []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if d == SQLite {
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = c + " = ?"
		}
		st, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET "+strings.Join(set, ", ")+" WHERE id = ?")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rows {
			if _, err := st.ExecContext(ctx, append(slices.Clone(r[1:]), r[0])...); err != nil {
				return err
			}
		}
		return nil
	}
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var q strings.Builder
		q.WriteString("UPDATE " + table + " SET ")
		for i, c := range cols {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "%s = v.%s", c, c)
		}
		q.WriteString(" FROM (VALUES ")
		var args []any
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				ty := "bigint"
				if j > 0 {
					ty = types[j-1]
				}
				q.WriteString("$" + strconv.Itoa(len(args)+j+1) + "::" + ty)
			}
			q.WriteString(")")
			args = append(args, r...)
		}
		q.WriteString(") AS v (id, " + strings.Join(cols, ", ") + ") WHERE " + table + ".id = v.id")
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// ReprioritizedEvents records each change of a finding's SSVC decision.
func (t *Tx) ReprioritizedEvents(ctx context.Context, rs []Reprioritized, at time.Time) error {
	for _, r := range rs {
		e := model.Event{At: at, Actor: "system", Kind: "finding.reprioritized", ObjectType: "finding", ObjectID: strconv.FormatInt(r.ID, 10)}
		if err := t.AppendEvent(ctx, e, map[string]any{"priority": r.From, "ssvc": r.Before},
			map[string]any{"priority": r.To, "ssvc": r.After}); err != nil {
			return err
		}
	}
	return nil
}

// readTriage fills a finding's SLA and priority views from its stored
// clock and priority ("" until Assess set them), reading the clock at
// now. For a list, clock is "-" (the clock's deadline is due, its due_soon
// time soon) and prio the decision alone; else both are the stored JSON.
func readTriage(f *model.AssetFinding, clock, prio string, closed, now, due, soon time.Time) error {
	if clock == "-" { // a list's: the deadline and state from their columns
		f.SLA = &model.SLAView{DueAt: due, State: string(listState(due, soon, closed, now)), ClosedAt: closed}
	} else if clock != "" {
		var c sla.Clock
		if err := json.Unmarshal([]byte(clock), &c); err != nil {
			return fmt.Errorf("finding %d: sla_clock: %w", f.ID, err)
		}
		f.SLA = &model.SLAView{DueAt: c.DueAt, State: string(c.State(now, closed, sla.DefaultWindow(c))), Start: c.Start,
			PolicyVersion: c.PolicyVersion, Rule: c.Rule, KEVShortened: c.KEVShortened, ClosedAt: closed}
	}
	if prio != "" && !strings.HasPrefix(prio, "{") { // a list's: the decision alone
		f.Priority = &model.PriorityView{Decision: prio}
	} else if inputs, outcome, decision, ok := splitPriority(prio); ok {
		f.Priority = &model.PriorityView{Decision: decision, Inputs: json.RawMessage(inputs), Outcome: json.RawMessage(outcome)}
	} else if prio != "" {
		var p struct {
			Inputs  json.RawMessage `json:"inputs"`
			Outcome json.RawMessage `json:"outcome"`
		}
		if err := json.Unmarshal([]byte(prio), &p); err != nil {
			return fmt.Errorf("finding %d: priority_inputs: %w", f.ID, err)
		}
		var o ssvc.Outcome
		if err := json.Unmarshal(p.Outcome, &o); err != nil {
			return fmt.Errorf("finding %d: priority outcome: %w", f.ID, err)
		}
		f.Priority = &model.PriorityView{Decision: string(o.Decision), Inputs: p.Inputs, Outcome: p.Outcome}
	}
	return nil
}

// splitPriority cuts a stored priority, as Assess writes it
// ({"inputs":…,"outcome":{"decision":"…",…}}), into its inputs, its
// outcome and the outcome's decision without decoding them: a list page
// spent more time decoding its findings' priorities than reading them.
// The cut is exact: a quote inside a JSON string is escaped, so
// `,"outcome":` is the key of the outer object (ssvc.Inputs has no such
// key), and the outcome's first key is its decision. ok is false for any
// other text, which readTriage decodes in full; the page's encoding still
// checks that both parts are JSON.
func splitPriority(s string) (inputs, outcome, decision string, ok bool) {
	rest, ok1 := strings.CutPrefix(s, `{"inputs":`)
	body, ok2 := strings.CutSuffix(rest, "}")
	inputs, outcome, ok3 := strings.Cut(body, `,"outcome":`)
	d, ok4 := strings.CutPrefix(outcome, `{"decision":"`)
	decision, _, ok5 := strings.Cut(d, `"`)
	whole := strings.HasPrefix(inputs, "{") && strings.HasSuffix(inputs, "}") && strings.HasSuffix(outcome, "}")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !whole || strings.Contains(outcome, `,"outcome":`) {
		return "", "", "", false
	}
	return inputs, outcome, decision, true
}

// Unassessed returns up to n findings without a remediation clock yet
// (stored before clocks existed), lowest IDs first.
func (t *Tx) Unassessed(ctx context.Context, n int) ([]int64, error) {
	return queryAll(ctx, t.tx, scanID, fmt.Sprintf(`SELECT id FROM findings WHERE sla_clock = '' ORDER BY id LIMIT %d`, n))
}

// OpenFindingIDs returns the IDs of open findings after the ID after, up
// to n of them: of one asset (assetID not 0), or those in CISA KEV (kev),
// or those with an EPSS score (epss).
func (t *Tx) OpenFindingIDs(ctx context.Context, assetID int64, kev, epss bool, after int64, n int) ([]int64, error) {
	q, args := `SELECT id FROM findings WHERE status = 'open' AND id > $1`, []any{after}
	if assetID != 0 {
		q, args = q+` AND asset_id = $2`, append(args, assetID)
	}
	if kev {
		q += ` AND kev = TRUE`
	}
	if epss {
		q += ` AND epss IS NOT NULL`
	}
	return queryAll(ctx, t.tx, scanID, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, n), args...)
}

func scanID(row rowScanner) (int64, error) {
	var id int64
	return id, row.Scan(&id)
}

// recordEPSSUsed makes sure the EPSS scores a decision reads are in the
// dated history: the sync records only the CVEs findings named at the
// time, and a finding may name one later.
func (t *Tx) recordEPSSUsed(ctx context.Context, ex map[string]exploit, at time.Time) error {
	var cves []string
	for _, e := range ex {
		if e.epss != nil {
			cves = append(cves, e.epssCVE)
		}
	}
	slices.Sort(cves)
	cves = slices.Compact(cves)
	return inIDs(cves, t.dialect, func(in string, args []any) error {
		// The time is the decision's: ExploitAt then finds what it read.
		atArg := "?"
		if t.dialect == Postgres {
			atArg, args = "$2", append(args, at.UTC())
		} else {
			args = append([]any{at.UTC()}, args...)
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO epss_history (cve, score, percentile, score_date, model_version, recorded_at)
			SELECT e.cve, e.score, e.percentile, e.score_date, e.model_version, `+atArg+` FROM epss e
			WHERE e.cve`+in+` AND NOT EXISTS (SELECT 1 FROM epss_history h WHERE h.cve = e.cve
				AND h.id = (SELECT MAX(h2.id) FROM epss_history h2 WHERE h2.cve = e.cve)
				AND h.score = e.score AND h.percentile = e.percentile AND h.model_version = e.model_version)`, args...)
		if err != nil {
			return fmt.Errorf("recording the EPSS scores decisions read: %w", err)
		}
		return nil
	})
}

// listState is sla.Clock.State read from a finding's columns: the deadline
// (zero for none), the time it turns due_soon (the deadline less
// sla.DefaultWindow) and when the clock stopped.
func listState(due, soon, closed, now time.Time) sla.State {
	switch {
	case !closed.IsZero() && (due.IsZero() || !closed.After(due)):
		return sla.Met
	case !closed.IsZero():
		return sla.Missed
	case due.IsZero():
		return sla.OnTrack
	case now.After(due):
		return sla.Breached
	case !soon.IsZero() && !now.Before(soon):
		return sla.DueSoon
	}
	return sla.OnTrack
}

// assessFresh sets the clock and priority of the findings w stores new,
// before they are stored, so that they are written once: from their
// rating, their asset's exposure and criticality (risk, by asset) and
// what is known of their exploitation. A new finding's clock starts when
// it is first seen.
func (t *Tx) assessFresh(ctx context.Context, w *findingWrites, risk map[int64]ssvc.Asset) error {
	if len(w.fresh) == 0 {
		return nil
	}
	p, err := t.SLAPolicy(ctx)
	if err != nil {
		return err
	}
	rows := make([]assessed, len(w.fresh))
	for i, ff := range w.fresh {
		a := risk[ff.assetID]
		rows[i] = assessed{asset: ff.assetID, vuln: ff.f.VulnID, severity: ff.f.Severity, info: ff.f.SeverityInfoJSON(),
			since: w.at, exposure: a.Exposure, criticality: a.Criticality}
	}
	ex, err := t.exploitOf(ctx, rows)
	if err != nil {
		return err
	}
	if err := t.recordEPSSUsed(ctx, ex, w.at); err != nil {
		return err
	}
	var st AssessStats
	for i, r := range rows {
		vals, _, err := assessOne(p, r, ex, false, w.at, &st)
		if err != nil {
			return fmt.Errorf("new finding %s of asset %d: %w", r.vuln, r.asset, err)
		}
		w.fresh[i].triage = vals[1:]
	}
	return nil
}
