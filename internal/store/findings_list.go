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
	// Cursor is the opaque keyset cursor of the previous page's last row.
	Cursor string
	Limit  int
}

const findingColumns = `f.id, f.asset_id, a.name, f.pkey, f.ecosystem, f.package, f.version, f.purl, f.vuln_id, f.aliases,
	f.summary, f.severity, f.severity_rank, f.score, f.fix, f.evidence, f.kev, f.epss, f.status, f.snapshot_id,
	f.first_seen, f.last_seen, f.resolved_at, f.resolution, f.resolved_by_snapshot, f.severity_info, f.severity_since`

func scanFinding(row interface{ Scan(...any) error }) (model.AssetFinding, int, error) {
	var f model.AssetFinding
	var rank int
	var aliases, evidence, sevInfo string
	var epss sql.NullFloat64
	var resolved, sevSince sql.NullTime
	var by sql.NullInt64
	err := row.Scan(&f.ID, &f.AssetID, &f.AssetName, &f.Key, &f.Ecosystem, &f.Package, &f.Version, &f.PURL, &f.VulnID,
		&aliases, &f.Summary, &f.Severity, &rank, &f.Score, &f.Fix, &evidence, &f.KEV, &epss, &f.Status,
		&f.SnapshotID, &f.FirstSeen, &f.LastSeen, &resolved, &f.Resolution, &by, &sevInfo, &sevSince)
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

// Findings returns one page of findings, most severe first, and the cursor
// of the next page ("" on the last page). Paging is by keyset (severity,
// id), so a deep page costs the same as the first.
func (s *Store) Findings(ctx context.Context, f FindingFilter) ([]model.AssetFinding, string, error) {
	lq := &listQuery{limit: PageSize(f.Limit)}
	status := ""
	switch f.Status {
	case "", model.FindingOpen:
		status = model.FindingOpen
	case model.FindingResolved:
		status = model.FindingResolved
	case "all":
	default:
		return nil, "", invalidf("status %q: open, resolved or all", f.Status)
	}
	switch {
	case f.Ecosystem != "" && status != "":
		// One condition on (ecosystem, status) as one key, so that the
		// only index giving the list order is findings_ecosystem_list.
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
	if len(f.Severity) > 0 {
		var ph []string
		lo, hi := 5, 0
		for _, sv := range f.Severity {
			ph = append(ph, lq.arg(sv))
			r := model.Rating(sv).Rank()
			lo, hi = min(lo, r), max(hi, r)
		}
		// The rank range the severities imply (severity_rank is the
		// severity's rank) lets the list index seek to them.
		lq.where = append(lq.where, "f.severity IN ("+strings.Join(ph, ", ")+")",
			fmt.Sprintf("f.severity_rank BETWEEN %d AND %d", lo, hi))
	}
	if f.KEV {
		lq.where = append(lq.where, "f.kev = TRUE") // a bare "f.kev" does not use findings_kev on SQLite
	}
	if f.Cursor != "" {
		rank, id, ok := parseCursor(f.Cursor)
		if !ok {
			return nil, "", ErrBadCursor
		}
		lq.cursor, lq.rank, lq.id = true, rank, id
	}
	if f.Text != "" {
		return s.textPage(ctx, f, lq)
	}
	return s.readPage(ctx, lq.ordered(findingColumns, findingsFrom, lq.limit+1), lq.args, lq.limit)
}

const findingsFrom = "findings f JOIN assets a ON a.id = f.asset_id"

// listQuery is a findings list being written: its conditions, their
// parameters, the page size and the cursor's parameters.
type listQuery struct {
	where  []string
	args   []any
	limit  int
	cursor bool // false on the first page
	rank   int  // the cursor: the page starts after (rank, id)
	id     int64
}

func (lq *listQuery) arg(v any) string {
	lq.args = append(lq.args, v)
	return "$" + strconv.Itoa(len(lq.args))
}

// ordered selects cols from the list in its order (severity rank, then id,
// both descending), after the cursor, n rows at most.
func (lq *listQuery) ordered(cols, from string, n int) string {
	sel := func(extra ...string) string {
		q := `SELECT ` + cols + ` FROM ` + from
		if w := append(slices.Clone(lq.where), extra...); len(w) > 0 {
			q += " WHERE " + strings.Join(w, " AND ")
		}
		return q + fmt.Sprintf(" ORDER BY f.severity_rank DESC, f.id DESC LIMIT %d", n)
	}
	if !lq.cursor {
		return sel()
	}
	// The rest of the cursor's rank, then the lower ranks: two index
	// ranges. "rank < r OR (rank = r AND id < i)" bounds no index column
	// but the first (nor do SQLite's row values), so a deep page scanned
	// every row above it.
	r, i := lq.arg(lq.rank), lq.arg(lq.id)
	return `SELECT * FROM (` + sel("f.severity_rank = "+r, "f.id < "+i) + `) AS same_rank UNION ALL SELECT * FROM (` +
		sel("f.severity_rank < "+r) + fmt.Sprintf(`) AS lower_rank ORDER BY severity_rank DESC, id DESC LIMIT %d`, n)
}

// readPage runs a findings query of up to limit+1 rows in list order.
func (s *Store) readPage(ctx context.Context, q string, args []any, limit int) ([]model.AssetFinding, string, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []model.AssetFinding{}
	var next string
	lastRank := 0
	for rows.Next() {
		fd, rank, err := scanFinding(rows)
		if err != nil {
			return nil, "", err
		}
		if len(out) == limit {
			next = cursor(lastRank, out[len(out)-1].ID)
			break
		}
		out = append(out, fd)
		lastRank = rank
	}
	return out, next, rows.Err()
}

func cursor(rank int, id int64) string { return fmt.Sprintf("%d.%d", rank, id) }

func parseCursor(c string) (int, int64, bool) {
	r, i, ok := strings.Cut(c, ".")
	if !ok {
		return 0, 0, false
	}
	rank, err1 := strconv.Atoi(r)
	id, err2 := strconv.ParseInt(i, 10, 64)
	return rank, id, err1 == nil && err2 == nil && rank >= 0 && rank <= 5 && id > 0
}

// Finding returns one finding.
func (s *Store) Finding(ctx context.Context, id int64) (model.AssetFinding, error) {
	f, _, err := scanFinding(s.db.QueryRowContext(ctx, `SELECT `+findingColumns+`
		FROM findings f JOIN assets a ON a.id = f.asset_id WHERE f.id = $1`, id))
	return f, err
}
