package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Triaged is a finding as a decision about it reads it: its decision key
// (asset, vulnerability, package), its states and when its clock stopped.
type Triaged struct {
	ID        int64
	AssetID   int64
	VulnID    string
	Key       string
	State     string
	Status    string
	ClosedAt  time.Time
	Exception int64 // the approved exception its decision carries, 0 for none
}

// triagedCols select a Triaged from findings f left-joined with its
// decision d.
const triagedCols = `f.id, f.asset_id, f.vuln_id, f.pkey, f.state, f.status, f.closed_at, COALESCE(d.exception_id, 0)`

const triagedFrom = `findings f LEFT JOIN decisions d ON d.asset_id = f.asset_id AND d.vuln_id = f.vuln_id AND d.pkey = f.pkey`

func scanTriaged(row rowScanner) (Triaged, error) {
	var f Triaged
	var closed sql.NullTime
	err := row.Scan(&f.ID, &f.AssetID, &f.VulnID, &f.Key, &f.State, &f.Status, &closed, &f.Exception)
	f.ClosedAt = timeOf(closed)
	return f, err
}

// TriagedFindings reads the findings with the given IDs, locking them
// (on PostgreSQL) until the transaction ends; a missing ID is
// ErrNotFound naming it.
func (t *Tx) TriagedFindings(ctx context.Context, ids []int64) ([]Triaged, error) {
	var out []Triaged
	for part, args := range idChunks(ids, 500) {
		lock := ""
		if t.dialect == Postgres {
			lock = " FOR NO KEY UPDATE OF f"
		}
		got, err := queryAll(ctx, t.tx, scanTriaged, `SELECT `+triagedCols+` FROM `+triagedFrom+
			` WHERE f.id IN (`+rowPlaceholders(t.dialect, 1, len(part))+`) ORDER BY f.id`+lock, args...)
		if err != nil {
			return nil, fmt.Errorf("reading findings to triage: %w", err)
		}
		out = append(out, got...)
	}
	if len(out) != len(ids) {
		found := make(map[int64]bool, len(out))
		for _, f := range out {
			found[f.ID] = true
		}
		for _, id := range ids {
			if !found[id] {
				return nil, fmt.Errorf("finding %d: %w", id, ErrNotFound)
			}
		}
	}
	return out, nil
}

// Decision is one change of what is decided about findings.
type Decision struct {
	State, Justification, Reason string
	Actor                        string
	At                           time.Time
	// Exception is the approved exception that sets risk_accepted; 0
	// otherwise (which clears the one a decision had).
	Exception int64
	// Kind is the history entry's kind: "state" for a person's decision,
	// "exception" for one an exception makes or ends.
	Kind string
	// VEX is the VEX statement the decision comes from; nil for a
	// person's (which clears what a statement had recorded).
	VEX *VEXSource
}

// Decide records d for the findings fs (as TriagedFindings read them):
// the decision of each of their keys, the state of each finding (and the
// time its clock stops or runs again), and one history entry per finding.
// Findings already in d's state with the same justification get an entry
// too: a decision restated with a new reason is still a decision.
func (t *Tx) Decide(ctx context.Context, fs []Triaged, d Decision) error {
	if len(fs) == 0 {
		return nil
	}
	at := d.At.UTC().Truncate(time.Microsecond)
	exc := sql.NullInt64{Int64: d.Exception, Valid: d.Exception != 0}
	keys := map[[3]string]bool{}
	var rows [][]any
	for _, f := range fs {
		k := [3]string{fmt.Sprint(f.AssetID), f.VulnID, f.Key}
		if keys[k] {
			continue
		}
		keys[k] = true
		rows = append(rows, append([]any{f.AssetID, f.VulnID, f.Key, d.State, d.Justification, d.Reason, d.Actor, at, exc}, d.VEX.columns()...))
	}
	if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO decisions (asset_id, vuln_id, pkey, state, justification, reason,
		decided_by, decided_at, exception_id, vex_document_id, vex_author, vex_at, vex_native, statement) VALUES `, rows, `ON CONFLICT (asset_id, vuln_id, pkey) DO UPDATE SET
		prior_state = CASE WHEN excluded.state = 'risk_accepted' AND decisions.state <> 'risk_accepted' THEN decisions.state ELSE decisions.prior_state END,
		state = excluded.state, justification = excluded.justification, reason = excluded.reason, decided_by = excluded.decided_by,
		decided_at = excluded.decided_at, exception_id = excluded.exception_id, vex_document_id = excluded.vex_document_id,
		vex_author = excluded.vex_author, vex_at = excluded.vex_at, vex_native = excluded.vex_native, statement = excluded.statement`); err != nil {
		return fmt.Errorf("recording decisions: %w", err)
	}
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	slices.Sort(ids)
	// The clock stops at a closing state (when it has not stopped already)
	// and runs again otherwise, unless detection resolved the finding.
	closed := `CASE WHEN status = '` + model.FindingResolved + `' THEN COALESCE(closed_at, resolved_at) ELSE NULL END`
	args := []any{d.State}
	if model.Closes(d.State) {
		closed, args = `COALESCE(closed_at, ?)`, append(args, at)
	}
	if err := updateByID(ctx, t.tx, t.dialect, `UPDATE findings SET state = ?, closed_at = `+closed, args, ids); err != nil {
		return fmt.Errorf("setting the findings' state: %w", err)
	}
	kind := d.Kind
	if kind == "" {
		kind = "state"
	}
	hist := make([]History, len(fs))
	for i, f := range fs {
		hist[i] = History{AssetID: f.AssetID, VulnID: f.VulnID, Key: f.Key, FindingID: f.ID, At: at, Actor: d.Actor, Kind: kind,
			From: f.State, To: d.State, Reason: d.Reason, Justification: d.Justification}
	}
	return t.AddHistory(ctx, hist)
}

// History is one entry to add to a decision key's history.
type History struct {
	AssetID               int64
	VulnID, Key           string
	FindingID             int64
	At                    time.Time
	Actor, Kind           string
	From, To              string
	Reason, Justification string
	Detail                string
}

// AddHistory appends history entries.
func (t *Tx) AddHistory(ctx context.Context, hs []History) error {
	rows := make([][]any, len(hs))
	for i, h := range hs {
		rows[i] = []any{h.AssetID, h.VulnID, h.Key, sql.NullInt64{Int64: h.FindingID, Valid: h.FindingID != 0},
			h.At.UTC().Truncate(time.Microsecond), h.Actor, h.Kind, h.From, h.To, h.Reason, h.Justification, h.Detail}
	}
	if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO decision_history (asset_id, vuln_id, pkey, finding_id, at, actor, kind,
		from_state, to_state, reason, justification, detail) VALUES `, rows, ""); err != nil {
		return fmt.Errorf("recording finding history: %w", err)
	}
	return nil
}

// insertMany inserts rows (all of the same width) with head (ending in
// "VALUES ") and tail (e.g. an ON CONFLICT clause), as many rows to a
// statement as keep it under 2,000 parameters.
func insertMany(ctx context.Context, tx *sql.Tx, d Dialect, head string, rows [][]any, tail string) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	batch := max(1, 2000/width)
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, len(part)*width)
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + rowPlaceholders(d, len(args)+1, width) + ")")
			args = append(args, r...)
		}
		q.WriteString(" " + tail)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// FindingDecision returns the decision that applies to a finding, or
// ErrNotFound when nobody decided about its key yet.
func (s *Store) FindingDecision(ctx context.Context, findingID int64) (model.Decision, error) {
	var d model.Decision
	var exc sql.NullInt64
	var url, key string
	err := s.db.QueryRowContext(ctx, `SELECT d.id, d.asset_id, d.vuln_id, d.pkey, d.state, d.justification, d.reason, d.assignee,
		d.ticket_url, d.ticket_key, d.exception_id, d.decided_by, d.decided_at
		FROM findings f JOIN decisions d ON d.asset_id = f.asset_id AND d.vuln_id = f.vuln_id AND d.pkey = f.pkey
		WHERE f.id = $1`, findingID).Scan(&d.ID, &d.AssetID, &d.VulnID, &d.PackageKey, &d.State, &d.Justification, &d.Reason,
		&d.Assignee, &url, &key, &exc, &d.DecidedBy, &d.DecidedAt)
	if err == sql.ErrNoRows {
		return d, ErrNotFound
	}
	if url != "" || key != "" {
		d.Ticket = &model.Ticket{URL: url, Key: key}
	}
	d.ExceptionID, d.DecidedAt = exc.Int64, d.DecidedAt.UTC()
	return d, err
}

// FindingHistory returns the history of a finding's decision key, oldest
// first: it spans the findings an upgrade made of the same vulnerability
// in the same package of the asset.
func (s *Store) FindingHistory(ctx context.Context, findingID int64) ([]model.HistoryEntry, error) {
	var asset int64
	var vuln, key string
	err := s.db.QueryRowContext(ctx, `SELECT asset_id, vuln_id, pkey FROM findings WHERE id = $1`, findingID).Scan(&asset, &vuln, &key)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("finding %d: %w", findingID, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, func(row rowScanner) (model.HistoryEntry, error) {
		var h model.HistoryEntry
		var fid sql.NullInt64
		err := row.Scan(&h.ID, &fid, &h.At, &h.Actor, &h.Kind, &h.From, &h.To, &h.Reason, &h.Justification, &h.Detail)
		h.FindingID, h.At = fid.Int64, h.At.UTC()
		return h, err
	}, `SELECT id, finding_id, at, actor, kind, from_state, to_state, reason, justification, detail FROM decision_history
		WHERE asset_id = $1 AND vuln_id = $2 AND pkey = $3 ORDER BY id`, asset, vuln, key)
}

// idChunks yields ids n at a time, each chunk with its values as query
// arguments.
func idChunks(ids []int64, n int) iter.Seq2[[]int64, []any] {
	return func(yield func([]int64, []any) bool) {
		for start := 0; start < len(ids); start += n {
			part := ids[start:min(start+n, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			if !yield(part, args) {
				return
			}
		}
	}
}

// Note is a change to findings' decision keys other than a state: an
// assignment, a comment or a ticket reference.
type Note struct {
	Kind     string // assignment, comment or ticket
	Assignee string // for assignment ("" unassigns)
	Body     string // for comment
	Ticket   model.Ticket
	Actor    string
	At       time.Time
}

// Annotate records n on the decision keys of fs (an assignment or a
// ticket is kept on the decision, which is made when there is none yet,
// in the finding's current state; a comment is history only), with one
// history entry per finding.
func (t *Tx) Annotate(ctx context.Context, fs []Triaged, n Note) error {
	at := n.At.UTC().Truncate(time.Microsecond)
	var set, detail string
	var vals []any
	switch n.Kind {
	case "assignment":
		set, detail, vals = "assignee = excluded.assignee", n.Assignee, []any{n.Assignee, "", ""}
	case "ticket":
		set, detail, vals = "ticket_url = excluded.ticket_url, ticket_key = excluded.ticket_key",
			strings.TrimSpace(n.Ticket.Key+" "+n.Ticket.URL), []any{"", n.Ticket.URL, n.Ticket.Key}
	case "comment":
		detail = n.Body
	default:
		return fmt.Errorf("note kind %q: assignment, ticket or comment", n.Kind)
	}
	if set != "" {
		var rows [][]any
		seen := map[[3]string]bool{}
		for _, f := range fs {
			k := [3]string{fmt.Sprint(f.AssetID), f.VulnID, f.Key}
			if !seen[k] {
				seen[k] = true
				rows = append(rows, append([]any{f.AssetID, f.VulnID, f.Key, f.State, n.Actor, at}, vals...))
			}
		}
		if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO decisions (asset_id, vuln_id, pkey, state, decided_by, decided_at,
			assignee, ticket_url, ticket_key) VALUES `, rows, `ON CONFLICT (asset_id, vuln_id, pkey) DO UPDATE SET `+set); err != nil {
			return fmt.Errorf("recording the %s: %w", n.Kind, err)
		}
	}
	if n.Kind == "assignment" {
		// Every finding of the keys, so that lists filter on it.
		for _, f := range fs {
			if _, err := t.tx.ExecContext(ctx, `UPDATE findings SET assignee = $1 WHERE asset_id = $2 AND vuln_id = $3 AND pkey = $4`,
				n.Assignee, f.AssetID, f.VulnID, f.Key); err != nil {
				return fmt.Errorf("assigning findings: %w", err)
			}
		}
	}
	hist := make([]History, len(fs))
	for i, f := range fs {
		hist[i] = History{AssetID: f.AssetID, VulnID: f.VulnID, Key: f.Key, FindingID: f.ID, At: at, Actor: n.Actor, Kind: n.Kind, Detail: detail}
	}
	return t.AddHistory(ctx, hist)
}

// WithOpenSiblings adds to fs the other open findings of their decision
// keys (the same vulnerability in another version of the same package of
// the asset, both in one inventory): a decision is about the key, so they
// take it too.
func (t *Tx) WithOpenSiblings(ctx context.Context, fs []Triaged) ([]Triaged, error) {
	have := make(map[int64]bool, len(fs))
	for _, f := range fs {
		have[f.ID] = true
	}
	out := fs
	const chunk = 300
	for start := 0; start < len(fs); start += chunk {
		part := fs[start:min(start+chunk, len(fs))]
		var args []any
		for _, f := range part {
			args = append(args, f.AssetID, f.VulnID, f.Key)
		}
		got, err := queryAll(ctx, t.tx, scanTriaged, siblingsQuery(t.dialect, len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("reading the findings of the decisions' keys: %w", err)
		}
		for _, g := range got {
			if !have[g.ID] {
				have[g.ID] = true
				out = append(out, g)
			}
		}
	}
	return out, nil
}

// siblingsQuery reads the open findings of n decision keys, given as
// (asset, vulnerability, package key) parameters. The keys drive the
// join, each looked up in the findings' unique (asset, package, …) index.
// SQLite, without statistics, read findings_asset_list (asset, status) for
// each key, every open finding of the asset, minutes for a bulk triage of
// 10,000 findings on a million; told only to keep the keys outer (CROSS
// JOIN), it read each key's advisory's findings. So the vulnerability and
// the status are written "+col" there, which no index seeks on.
func siblingsQuery(d Dialect, n int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "(" + rowPlaceholders(d, 3*i+1, 3) + ")"
		if d == Postgres {
			// Typed, so that the row values compare with the columns.
			rows[i] = fmt.Sprintf("($%d::bigint, $%d::text, $%d::text)", 3*i+1, 3*i+2, 3*i+3)
		}
	}
	keys, join, vuln, status := `(VALUES `+strings.Join(rows, ", ")+`) AS k (a, v, p)`, "JOIN", "f.vuln_id", "f.status"
	if d == SQLite {
		keys = `(SELECT column1 AS a, column2 AS v, column3 AS p FROM (VALUES ` + strings.Join(rows, ", ") + `)) AS k`
		join, vuln, status = "CROSS JOIN", "+"+vuln, "+"+status
	}
	return `SELECT ` + triagedCols + ` FROM ` + keys + `
		` + join + ` findings f ON f.asset_id = k.a AND f.pkey = k.p AND ` + vuln + ` = k.v
		LEFT JOIN decisions d ON d.asset_id = f.asset_id AND d.vuln_id = f.vuln_id AND d.pkey = f.pkey
		WHERE ` + status + ` = '` + model.FindingOpen + `'`
}
