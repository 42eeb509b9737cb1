package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FindingFilter selects findings. Zero fields do not filter; Status ""
// means open, "all" means every status.
type FindingFilter struct {
	AssetID   int64
	Severity  []string
	Status    string
	KEV       bool
	Ecosystem string
	Text      string
	// MinScore and MaxScore, when set, keep the findings whose CVSS base
	// score is within them (0–10). A finding without a score has score 0:
	// a MinScore above 0 leaves it out, a MaxScore keeps it.
	MinScore, MaxScore *float64
	// State keeps the findings in these triage states (model.TriageStates);
	// Priority those of these SSVC decisions; Assignee those assigned to
	// this name ("none": to nobody).
	State    []string
	Priority []string
	Assignee string
	// SLAState keeps the findings whose remediation clock is in this
	// state (sla.States) at Now (the store's clock when zero).
	SLAState string
	Now      time.Time
	// Kind keeps the findings of this kind (model.FindingKinds).
	Kind string
	// Sort is the order: SortSeverity (also "") or SortScore.
	Sort string
	// Cursor is the opaque keyset cursor of the previous page's last row,
	// valid only with the Sort that gave it.
	Cursor string
	Limit  int
}

const findingColumns = `f.id, f.asset_id, a.name, f.pkey, f.ecosystem, f.package, f.version, f.purl, f.vuln_id, f.aliases,
	f.summary, f.severity, f.severity_rank, f.score, f.fix, f.evidence, f.kev, f.epss, f.status, f.snapshot_id,
	f.first_seen, f.last_seen, f.resolved_at, f.resolution, f.resolved_by_snapshot, f.severity_info, f.severity_since, f.kind,
	f.state, f.assignee, f.reopened_at, f.closed_at, f.sla_due_at, f.sla_soon_at,
	CASE WHEN f.sla_clock = '' THEN '' ELSE '-' END, f.priority`

// findingColumnsFull are findingColumns for a single finding's read: the
// whole clock and the priority with its inputs and outcome (JSON), which
// lists leave out — a list item carries the deadline and SLA state and the
// SSVC decision, read from their columns, which kept a list page's answer
// small and quick (decoding each clock and priority cost more than
// reading them).
var findingColumnsFull = strings.Replace(strings.TrimSuffix(findingColumns, "f.priority")+"f.priority_inputs",
	"CASE WHEN f.sla_clock = '' THEN '' ELSE '-' END", "f.sla_clock", 1)

// scanFinding reads a finding of findingColumns; now is when its SLA
// state is read.
func scanFinding(row interface{ Scan(...any) error }, now time.Time) (model.AssetFinding, int, error) {
	var f model.AssetFinding
	var rank int
	var aliases, evidence, sevInfo, clock, prio string
	var epss sql.NullFloat64
	var resolved, sevSince, reopened, closed, due, soon sql.NullTime
	var by sql.NullInt64
	err := row.Scan(&f.ID, &f.AssetID, &f.AssetName, &f.Key, &f.Ecosystem, &f.Package, &f.Version, &f.PURL, &f.VulnID,
		&aliases, &f.Summary, &f.Severity, &rank, &f.Score, &f.Fix, &evidence, &f.KEV, &epss, &f.Status,
		&f.SnapshotID, &f.FirstSeen, &f.LastSeen, &resolved, &f.Resolution, &by, &sevInfo, &sevSince, &f.Kind,
		&f.State, &f.Assignee, &reopened, &closed, &due, &soon, &clock, &prio)
	if errors.Is(err, sql.ErrNoRows) {
		return model.AssetFinding{}, 0, ErrNotFound
	}
	if err != nil {
		return model.AssetFinding{}, 0, err
	}
	if epss.Valid {
		f.EPSS = &epss.Float64
	}
	f.FirstSeen, f.LastSeen, f.ResolvedAt, f.ResolvedBy = f.FirstSeen.UTC(), f.LastSeen.UTC(), timeOf(resolved), by.Int64
	f.Evidence = json.RawMessage(evidence)
	if err := readSeverityInfo(&f, sevInfo, sevSince); err != nil {
		return model.AssetFinding{}, 0, err
	}
	f.ReopenedAt = timeOf(reopened)
	if err := readTriage(&f, clock, prio, timeOf(closed), now, timeOf(due), timeOf(soon)); err != nil {
		return model.AssetFinding{}, 0, err
	}
	return f, rank, json.Unmarshal([]byte(aliases), &f.Aliases)
}

// readSeverityInfo fills the severity's detail from severity_info, and
// from the rating alone for a finding stored before it was kept; a
// finding never re-rated has had its rating since it was first seen.
func readSeverityInfo(f *model.AssetFinding, raw string, since sql.NullTime) error {
	var info model.SeverityInfo
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return fmt.Errorf("finding %d: severity_info: %w", f.ID, err)
	}
	if info.Severity.Rating == "" {
		info.Severity = model.Severity{Rating: model.Rating(f.Severity), Score: f.Score}
	}
	f.SeverityDetail, f.Conflicts = info.Severity, info.Conflicts
	f.SeveritySince = f.FirstSeen
	if since.Valid {
		f.SeveritySince = since.Time.UTC()
	}
	return nil
}

// ErrBadCursor is returned for a cursor this store did not write.
var ErrBadCursor = errors.New("invalid cursor")

// Findings returns one page of findings in f.Sort's order (most severe
// first by default) and the cursor of the next page ("" on the last page).
// Paging is by keyset (the order's columns, then id), so a deep page costs
// the same as the first.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]model.AssetFinding, string, error) {
	if f.Now.IsZero() {
		f.Now = s.Now()
	}
	lq, err := newListQuery(f, s.dialect)
	if err != nil {
		return nil, "", err
	}
	if f.Text != "" {
		return s.textPage(ctx, f, lq)
	}
	return s.readPage(ctx, lq.ordered(findingColumns, findingsFrom, lq.limit+1), lq.args, lq.limit, lq.order)
}

// newListQuery is the list f selects on an engine of dialect d, before
// its text condition: the order, the conditions and the cursor, each
// checked.
func newListQuery(f FindingFilter, d Dialect) (*listQuery, error) {
	order, err := orderOf(f.Sort)
	if err != nil {
		return nil, err
	}
	lq := &listQuery{limit: PageSize(f.Limit), order: order, dialect: d, testOnly: map[int]string{}}
	status := ""
	switch f.Status {
	case "", model.FindingOpen:
		status = model.FindingOpen
	case model.FindingResolved:
		status = model.FindingResolved
	case "all":
	default:
		return nil, invalidf("status %q: open, resolved or all", f.Status)
	}
	switch {
	case f.Ecosystem != "" && status != "":
		// One condition on (ecosystem, status) as one key, so that the
		// only index giving the list order is findings_ecosystem_list
		// (findings_ecosystem_score by score).
		// With "ecosystem = ? AND status = ?" PostgreSQL read the general
		// list index and filtered it, which for an ecosystem whose
		// findings all sort low (Go's advisories carry no severity)
		// meant reading every finding above them.
		lq.where = append(lq.where, ecosystemStatus+" = "+lq.arg(f.Ecosystem+" "+status))
	case f.Ecosystem != "":
		lq.where = append(lq.where, ecosystemStatus+" IN ("+lq.arg(f.Ecosystem+" "+model.FindingOpen)+", "+lq.arg(f.Ecosystem+" "+model.FindingResolved)+")")
	case status != "":
		lq.where = append(lq.where, "f.status = '"+status+"'") // a constant of this code
	}
	if f.AssetID != 0 {
		lq.where = append(lq.where, "f.asset_id = "+lq.arg(f.AssetID))
	}
	switch f.Kind {
	case "":
	case model.KindDependency, model.KindCode:
		lq.where = append(lq.where, "f.kind = '"+f.Kind+"'") // a constant of this code
	default:
		return nil, invalidf("kind %q: dependency or code", f.Kind)
	}
	if len(f.Severity) > 0 {
		var ph []string
		lo, hi := 5, 0
		for _, sv := range f.Severity {
			ph = append(ph, lq.arg(sv))
			r := model.Rating(sv).Rank()
			lo, hi = min(lo, r), max(hi, r)
		}
		// The rank range the severities imply (severity_rank is the
		// severity's rank) lets the list index seek to them (by
		// severity; see filterOn).
		lq.where = append(lq.where, "f.severity IN ("+strings.Join(ph, ", ")+")",
			fmt.Sprintf("%s BETWEEN %d AND %d", lq.filterOn("f.severity_rank"), lo, hi))
	}
	if f.KEV {
		lq.where = append(lq.where, "f.kev = TRUE") // a bare "f.kev" does not use findings_kev on SQLite
	}
	if err := lq.triage(f); err != nil {
		return nil, err
	}
	if err := lq.scoreRange(f.MinScore, f.MaxScore); err != nil {
		return nil, err
	}
	if f.Cursor != "" {
		if lq.after, err = order.parseCursor(f.Cursor); err != nil {
			return nil, err
		}
		lq.cursor = true
	}
	return lq, nil
}

// scoreRange adds the conditions of a score range, each bound checked to
// be a CVSS base score and the range not to be empty.
func (lq *listQuery) scoreRange(lo, hi *float64) error {
	for _, b := range []struct {
		name, op string
		v        *float64
	}{{"min_score", ">=", lo}, {"max_score", "<=", hi}} {
		if b.v == nil {
			continue
		}
		if !(*b.v >= 0 && *b.v <= 10) { // NaN is neither
			return invalidf("%s %g: a CVSS base score from 0 to 10", b.name, *b.v)
		}
		v := lq.arg(*b.v)
		if lq.dialect == SQLite {
			lq.testOnly[len(lq.where)] = "f.score + 0 " + b.op + " " + v
		}
		lq.where = append(lq.where, lq.filterOn("f.score")+" "+b.op+" "+v)
	}
	if lo != nil && hi != nil && *lo > *hi {
		return invalidf("min_score %g is above max_score %g: no finding has such a score", *lo, *hi)
	}
	return nil
}

const findingsFrom = "findings f JOIN assets a ON a.id = f.asset_id"

// listQuery is a findings list being written: its conditions, their
// parameters, the page size, the order and the cursor.
type listQuery struct {
	where  []string
	args   []any
	limit  int
	order  listOrder
	cursor bool    // false on the first page
	after  listKey // the cursor: the page starts after this row
	// dialect is the engine's: see filterOn.
	dialect Dialect
	// testOnly holds, for conditions of where that an index in the
	// order's columns seeks on, their form as a test only: for the text
	// lookup, which reads its rows by its matches' indexes. SQLite, given
	// a score range by score, read the range by findings_score_list and
	// tested each row for the match, however few matched.
	testOnly map[int]string
}

// lookupWhere is where as the text lookup writes it (see testOnly).
func (lq *listQuery) lookupWhere() []string {
	out := slices.Clone(lq.where)
	for i, c := range lq.testOnly {
		out[i] = c
	}
	return out
}

// filterOn is col as a condition on it is written. On SQLite, a column
// other than the order's first is written "col + 0", which no index seeks
// on: SQLite plans without statistics, and given a range of such a column
// (a score filter by severity, severities by score) it sought to the range
// and sorted all of it, half the table for "high or critical by score",
// instead of walking the order's index and filtering. PostgreSQL weighs
// both with its statistics.
func (lq *listQuery) filterOn(col string) string {
	if lq.dialect == SQLite && col != "f."+lq.order.cols[0] {
		return col + " + 0"
	}
	return col
}

func (lq *listQuery) arg(v any) string {
	lq.args = append(lq.args, v)
	return "$" + strconv.Itoa(len(lq.args))
}

// ordered selects cols from the list in its order, after the cursor, n
// rows at most.
func (lq *listQuery) ordered(cols, from string, n int) string {
	sel := func(extra ...string) string {
		q := `SELECT ` + cols + ` FROM ` + from
		if w := append(slices.Clone(lq.where), extra...); len(w) > 0 {
			q += " WHERE " + strings.Join(w, " AND ")
		}
		return q + fmt.Sprintf(" ORDER BY %s LIMIT %d", lq.order.by("f."), n)
	}
	if !lq.cursor {
		return sel()
	}
	// Each index range after the cursor (see rangeAfter), n rows of each.
	var parts []string
	for j := range lq.order.cols {
		parts = append(parts, `SELECT * FROM (`+sel(lq.rangeAfter(lq.after, j)...)+fmt.Sprintf(`) AS after%d`, j))
	}
	return strings.Join(parts, " UNION ALL ") + fmt.Sprintf(` ORDER BY %s LIMIT %d`, lq.order.by(""), n)
}

// readPage runs a findings query of up to limit+1 rows in o's order.
func (s *Store) readPage(ctx context.Context, q string, args []any, limit int, o listOrder) ([]model.AssetFinding, string, error) {
	at := s.Now()
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []model.AssetFinding{}
	var next string
	lastRank := 0
	for rows.Next() {
		fd, rank, err := scanFinding(rows, at)
		if err != nil {
			return nil, "", err
		}
		if len(out) == limit {
			last := out[len(out)-1]
			next = o.cursor(listKey{score: last.Score, rank: lastRank, id: last.ID})
			break
		}
		out = append(out, fd)
		lastRank = rank
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows.Close()
	return out, next, s.fillCode(ctx, s.db, out)
}

// Finding returns one finding.
func (s *Store) Finding(ctx context.Context, id int64) (model.AssetFinding, error) {
	f, _, err := scanFinding(s.db.QueryRowContext(ctx, `SELECT `+findingColumnsFull+`
		FROM findings f JOIN assets a ON a.id = f.asset_id WHERE f.id = $1`, id), s.Now())
	if err != nil {
		return f, err
	}
	fs := []model.AssetFinding{f}
	err = s.fillCode(ctx, s.db, fs)
	return fs[0], err
}
