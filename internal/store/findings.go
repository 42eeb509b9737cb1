package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// resolutionOr is the resolution a finding that is no longer found gets:
// withdrawn when its advisory has been withdrawn (by its publisher, or
// because the feeds that supplied it were deleted), whichever writer —
// a snapshot's match or a re-match — notices first; else the writer's
// own reason, the parameter.
const resolutionOr = `CASE WHEN EXISTS (SELECT 1 FROM advisories w WHERE w.id = findings.vuln_id AND w.withdrawn)
	THEN 'withdrawn' ELSE ? END`

// NewFinding is one match result to record.
type NewFinding struct {
	Key, Ecosystem, Package, Version, PURL, VulnID string
	Aliases                                        []string
	Summary, Severity                              string
	SeverityRank                                   int
	Score                                          float64
	Fix                                            string
	Evidence                                       string
}

// MatchResult is the outcome of matching (part of) one snapshot.
type MatchResult struct {
	AssetID, SnapshotID int64
	// Keys limits the result to these package keys (a re-match after
	// advisories changed); nil means the whole snapshot.
	Keys       []string
	Findings   []NewFinding
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

// ErrStale is returned when a match result is for a snapshot that is no
// longer its asset's current one: the newer snapshot's match wins.
var ErrStale = errors.New("snapshot is no longer current")

// MatchStats says what applying a match result did.
type MatchStats struct{ New, Updated, Reopened, Resolved int }

type existing struct {
	id      int64
	status  string
	aliases string
	hash    string // content_hash
	seen    bool
}

// unchanged reports whether updating e with f would change nothing but
// its snapshot and last-seen time: it is open (so its resolution fields
// are clear) and every field an update writes is equal.
func (e *existing) unchanged(f *NewFinding, aliasesJSON string) bool {
	return e.status == model.FindingOpen && e.aliases == aliasesJSON && e.hash == contentHash(f)
}

// contentHash digests what a match writes into a finding besides its
// aliases (content_hash): comparing it spares reading every summary and
// evidence of the findings a re-match meets again.
func contentHash(f *NewFinding) string {
	h := sha256.New()
	for _, v := range []string{f.Summary, f.Severity, strconv.Itoa(f.SeverityRank),
		strconv.FormatFloat(f.Score, 'g', -1, 64), f.Fix, f.Evidence} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// sortedFindings is how one asset's match result meets its stored
// findings.
type sortedFindings struct {
	fresh   []freshFinding   // not stored yet
	same    []int64          // stored and unchanged: only seen again
	changed []changedFinding // stored, to be updated (or re-opened)
	gone    []int64          // open, and no longer found: to resolve (sorted)
}

type changedFinding struct {
	e           *existing
	f           *NewFinding
	aliasesJSON string
}

// sortFindings sorts a match result against the asset's stored findings
// (old, keyed by key, version and advisory; marked seen as it goes) and
// counts the outcome into st. ApplyMatch and ApplyRematch both write what
// it sorts, one asset or many at a time.
func sortFindings(m *MatchResult, old map[string]*existing, st *MatchStats) sortedFindings {
	var out sortedFindings
	for i := range m.Findings {
		f := &m.Findings[i]
		id := f.Key + "\x00" + f.Version + "\x00" + f.VulnID
		e, ok := old[id]
		if ok && e.seen {
			continue // the same version listed twice in one SBOM
		}
		if !ok {
			out.fresh = append(out.fresh, freshFinding{m.AssetID, m.SnapshotID, f})
			old[id] = &existing{seen: true}
			st.New++
			continue
		}
		e.seen = true
		if e.status == model.FindingResolved {
			st.Reopened++
		} else {
			st.Updated++
		}
		aj := mustJSON(nonNil(f.Aliases))
		if e.unchanged(f, aj) {
			out.same = append(out.same, e.id)
			continue
		}
		out.changed = append(out.changed, changedFinding{e, f, aj})
	}
	for _, e := range old {
		if !e.seen && e.status == model.FindingOpen {
			out.gone = append(out.gone, e.id)
		}
	}
	slices.Sort(out.gone)
	st.Resolved += len(out.gone)
	return out
}

// ApplyMatch records a match result in one transaction: new findings are
// opened, seen ones updated (and re-opened when they had been resolved),
// and open ones no longer found are resolved, naming the snapshot.
func (s *Store) ApplyMatch(ctx context.Context, m MatchResult) (MatchStats, error) {
	var st MatchStats
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st = MatchStats{}
		// The asset's row lock serialises match results of one asset on
		// PostgreSQL (SQLite has one writer anyway).
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT current_snapshot_id FROM assets WHERE id = $1`+lock, m.AssetID).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrStale // the asset was deleted
			}
			return err
		}
		if cur.Int64 != m.SnapshotID {
			return ErrStale
		}
		if m.CheckGeneration {
			var g int64
			if err := tx.QueryRowContext(ctx, `SELECT value FROM generations WHERE name = 'advisories'`).Scan(&g); err != nil {
				return err
			}
			if g != m.Generation {
				return ErrOutdated
			}
		}
		old, err := loadExisting(ctx, tx, m.AssetID, m.Keys)
		if err != nil {
			return err
		}
		t := now()
		// New findings are inserted, and unchanged ones touched, in
		// batches: one statement per row made a 500-component snapshot
		// hundreds of statements (round trips on PostgreSQL).
		sorted := sortFindings(&m, old, &st)
		for _, c := range sorted.changed {
			if err := updateFinding(ctx, tx, m.SnapshotID, c.e, c.f, t); err != nil {
				return err
			}
		}
		if err := insertFindings(ctx, tx, s.dialect, sorted.fresh, t); err != nil {
			return err
		}
		if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET snapshot_id = ?, last_seen = ?`, []any{m.SnapshotID, t}, sorted.same); err != nil {
			return err
		}
		if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET status = 'resolved', resolved_at = ?, resolution = `+resolutionOr+`,
			resolved_by_snapshot = ?`, []any{t, m.Resolution, m.SnapshotID}, sorted.gone); err != nil {
			return err
		}
		if m.Keys == nil {
			_, err = tx.ExecContext(ctx, `UPDATE snapshots SET matched_at = $1 WHERE id = $2`, t, m.SnapshotID)
		}
		return err
	})
	if err == nil {
		s.written.Add(int64(st.New + st.Resolved + st.Reopened))
	}
	return st, err
}

func loadExisting(ctx context.Context, tx *sql.Tx, assetID int64, keys []string) (map[string]*existing, error) {
	out := map[string]*existing{}
	scan := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v, vid string
			e := &existing{}
			if err := rows.Scan(&e.id, &k, &v, &vid, &e.status, &e.aliases, &e.hash); err != nil {
				return err
			}
			out[k+"\x00"+v+"\x00"+vid] = e
		}
		return rows.Err()
	}
	const q = `SELECT id, pkey, version, vuln_id, status, aliases, content_hash FROM findings WHERE asset_id = $1`
	if keys == nil {
		return out, scan(q, assetID)
	}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := []any{assetID}
		for _, k := range part {
			args = append(args, k)
		}
		if err := scan(q+` AND pkey IN (`+placeholders(2, len(part))+`)`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// freshFinding is a new finding of one asset's snapshot.
type freshFinding struct {
	assetID, snapID int64
	f               *NewFinding
}

// freshKey identifies a finding among those of one INSERT.
func freshKey(assetID int64, key, version, vulnID string) string {
	return strconv.FormatInt(assetID, 10) + "\x00" + key + "\x00" + version + "\x00" + vulnID
}

// insertFindings opens new findings (of one asset or of several), a batch
// per statement, with their KEV and EPSS marks: a finding is in KEV when
// one of its IDs is, and has the highest EPSS score of its IDs (as
// rescoreExploit computes). Their package names go in finding_packages.
func insertFindings(ctx context.Context, tx *sql.Tx, d Dialect, fs []freshFinding, t time.Time) error {
	if len(fs) == 0 {
		return nil
	}
	var ids []string
	for _, ff := range fs {
		ids = append(append(ids, ff.f.VulnID), ff.f.Aliases...)
	}
	kev, epss, err := exploitData(ctx, tx, d, ids)
	if err != nil {
		return err
	}
	if err := notePackages(ctx, tx, d, fs); err != nil {
		return err
	}
	exploit := func(f *NewFinding) (bool, sql.NullFloat64) {
		inKEV, score := false, sql.NullFloat64{}
		for _, id := range append([]string{f.VulnID}, f.Aliases...) {
			inKEV = inKEV || kev[id]
			if e, ok := epss[id]; ok && (!score.Valid || e > score.Float64) {
				score = sql.NullFloat64{Float64: e, Valid: true}
			}
		}
		return inKEV, score
	}
	insert, batch := insertFindingRows, findingBatch
	if d == Postgres {
		insert, batch = insertFindingRowsPG, findingBatchPG
	}
	for start := 0; start < len(fs); start += batch {
		part := fs[start:min(start+batch, len(fs))]
		rowIDs, err := insert(ctx, tx, d, part, t, exploit)
		if err != nil {
			return fmt.Errorf("storing %d findings of asset %d: %w", len(part), part[0].assetID, err)
		}
		if len(rowIDs) != len(part) {
			return fmt.Errorf("storing %d findings of asset %d: %d IDs returned", len(part), part[0].assetID, len(rowIDs))
		}
	}
	return nil
}

// Findings go in one INSERT by findingBatch (19 values each) on SQLite, by
// findingBatchPG (as 19 arrays) on PostgreSQL.
const (
	findingBatch   = 100
	findingBatchPG = 2000
)

// insertFindingRows stores a batch of findings with one multi-row INSERT
// and returns their IDs by freshKey.
func insertFindingRows(ctx context.Context, tx *sql.Tx, d Dialect, part []freshFinding, t time.Time,
	exploit func(*NewFinding) (bool, sql.NullFloat64)) (map[string]int64, error) {
	const cols = 20
	var q strings.Builder
	q.WriteString(`INSERT INTO findings (asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
		severity, severity_rank, score, fix, evidence, snapshot_id, first_seen, last_seen, kev, epss, content_hash, status) VALUES `)
	args := make([]any, 0, len(part)*cols)
	for i, ff := range part {
		f := ff.f
		if i > 0 {
			q.WriteString(", ")
		}
		inKEV, score := exploit(f)
		fmt.Fprintf(&q, "(%s, 'open')", rowPlaceholders(d, len(args)+1, cols))
		args = append(args, ff.assetID, f.Key, f.Ecosystem, f.Package, f.Version, f.PURL, f.VulnID,
			mustJSON(nonNil(f.Aliases)), f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence,
			ff.snapID, t, t, inKEV, score, contentHash(f))
	}
	return insertedIDs(ctx, tx, q.String()+` RETURNING id, asset_id, pkey, version, vuln_id`, args)
}

// insertFindingRowsPG is insertFindingRows for PostgreSQL: one array a
// column, unnested, so the statement is the same at any batch size (pgx
// prepares it once) and takes 19 parameters instead of thousands.
func insertFindingRowsPG(ctx context.Context, tx *sql.Tx, _ Dialect, part []freshFinding, t time.Time,
	exploit func(*NewFinding) (bool, sql.NullFloat64)) (map[string]int64, error) {
	n := len(part)
	asset, snap, rank := make([]int64, n), make([]int64, n), make([]int64, n)
	score := make([]float64, n)
	inKEV := make([]bool, n)
	epss := make([]*float64, n)
	text := make([][]string, 12) // pkey, ecosystem, package, version, purl, vuln_id, aliases, summary, severity, fix, evidence, content_hash
	for i := range text {
		text[i] = make([]string, n)
	}
	for i, ff := range part {
		f := ff.f
		asset[i], snap[i], rank[i], score[i] = ff.assetID, ff.snapID, int64(f.SeverityRank), f.Score
		var e sql.NullFloat64
		inKEV[i], e = exploit(f)
		if e.Valid {
			epss[i] = &e.Float64
		}
		for c, v := range []string{f.Key, f.Ecosystem, f.Package, f.Version, f.PURL, f.VulnID, mustJSON(nonNil(f.Aliases)),
			f.Summary, f.Severity, f.Fix, f.Evidence, contentHash(f)} {
			text[c][i] = v
		}
	}
	q := `INSERT INTO findings (asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
		severity, severity_rank, score, fix, evidence, snapshot_id, first_seen, last_seen, kev, epss, content_hash, status)
		SELECT asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
			severity, severity_rank, score, fix, evidence, snapshot_id, $1, $1, kev, epss, content_hash, 'open'
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::bigint[], $13::float8[], $14::text[], $15::text[], $16::bigint[],
			$17::boolean[], $18::float8[], $19::text[])
		AS u(asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
			severity, severity_rank, score, fix, evidence, snapshot_id, kev, epss, content_hash)
		RETURNING id, asset_id, pkey, version, vuln_id`
	args := []any{t, asset, text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], rank, score,
		text[9], text[10], snap, inKEV, epss, text[11]}
	return insertedIDs(ctx, tx, q, args)
}

// insertedIDs runs an INSERT … RETURNING id, asset_id, pkey, version,
// vuln_id and maps the IDs by freshKey.
func insertedIDs(ctx context.Context, tx *sql.Tx, q string, args []any) (map[string]int64, error) {
	ids := map[string]int64{}
	err := queryRows(ctx, tx, q, args, func(rows *sql.Rows) error {
		var id, asset int64
		var k, v, vid string
		err := rows.Scan(&id, &asset, &k, &v, &vid)
		ids[freshKey(asset, k, v, vid)] = id
		return err
	})
	return ids, err
}

// notePackages keeps finding_packages, the distinct lower-case package
// names findings have, which text search looks candidates up in.
func notePackages(ctx context.Context, tx *sql.Tx, d Dialect, fs []freshFinding) error {
	seen := map[string]bool{}
	var names []string
	for _, ff := range fs {
		if !seen[ff.f.Package] {
			seen[ff.f.Package] = true
			names = append(names, ff.f.Package)
		}
	}
	if d == Postgres {
		_, err := tx.ExecContext(ctx, `INSERT INTO finding_packages (name_lc)
			SELECT DISTINCT LOWER(n) FROM unnest($1::text[]) AS n ON CONFLICT DO NOTHING`, names)
		return err
	}
	return eachChunk(names, 500, func(args []any) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO finding_packages (name_lc) VALUES `+
			strings.TrimSuffix(strings.Repeat("(LOWER(?)), ", len(args)), ", ")+` ON CONFLICT DO NOTHING`, args...)
		return err
	})
}

// exploitData looks the given vulnerability IDs up in the KEV catalogue
// and the EPSS scores, by primary key. (Joining through per-finding alias
// rows instead let PostgreSQL without planner statistics scan the whole
// KEV table for every finding: 5 ms each.)
func exploitData(ctx context.Context, tx *sql.Tx, d Dialect, ids []string) (map[string]bool, map[string]float64, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	kev, epss := map[string]bool{}, map[string]float64{}
	read := func(in string, args []any) error {
		listed, err := queryStrings(ctx, tx, `SELECT cve FROM kev WHERE cve`+in, args...)
		if err != nil {
			return err
		}
		for _, c := range listed {
			kev[c] = true
		}
		return queryRows(ctx, tx, `SELECT cve, score FROM epss WHERE cve`+in, args, func(rows *sql.Rows) error {
			var c string
			var sc float64
			err := rows.Scan(&c, &sc)
			epss[c] = sc
			return err
		})
	}
	if d == Postgres {
		return kev, epss, read(` = ANY($1)`, []any{ids})
	}
	err := eachChunk(ids, 500, func(args []any) error {
		return read(` IN (`+rowPlaceholders(d, 1, len(args))+`)`, args)
	})
	return kev, epss, err
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

func updateFinding(ctx context.Context, tx *sql.Tx, snapID int64, e *existing, f *NewFinding, t time.Time) error {
	aliases := f.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	aj := mustJSON(aliases)
	_, err := tx.ExecContext(ctx, `UPDATE findings SET aliases = $1, summary = $2, severity = $3, severity_rank = $4,
		score = $5, fix = $6, evidence = $7, status = 'open', snapshot_id = $8, last_seen = $9, resolved_at = NULL,
		resolution = '', resolved_by_snapshot = NULL, content_hash = $11 WHERE id = $10`,
		aj, f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence, snapID, t, e.id, contentHash(f))
	if err != nil || aj == e.aliases {
		return err
	}
	return rescoreExploit(ctx, tx, e.id, f.VulnID, aliases)
}

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
	f.first_seen, f.last_seen, f.resolved_at, f.resolution, f.resolved_by_snapshot`

func scanFinding(row interface{ Scan(...any) error }) (model.AssetFinding, int, error) {
	var f model.AssetFinding
	var rank int
	var aliases, evidence string
	var epss sql.NullFloat64
	var resolved sql.NullTime
	var by sql.NullInt64
	err := row.Scan(&f.ID, &f.AssetID, &f.AssetName, &f.Key, &f.Ecosystem, &f.Package, &f.Version, &f.PURL, &f.VulnID,
		&aliases, &f.Summary, &f.Severity, &rank, &f.Score, &f.Fix, &evidence, &f.KEV, &epss, &f.Status,
		&f.SnapshotID, &f.FirstSeen, &f.LastSeen, &resolved, &f.Resolution, &by)
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
	return f, rank, json.Unmarshal([]byte(aliases), &f.Aliases)
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

// Text search: what a term matches is looked up first (textTerms). A
// term that matches much is then looked for by walking the list from the
// page's start, a window at a time, in findings_list alone (it holds what
// a term can match), until the page is full; a rarer term, or one whose
// matches the walk did not reach in textWalkRows, has each of its matches
// read from the index that leads with it.
var (
	textWindow   = 1000  // the first window; each next is four times larger
	textWalkRows = 32000 // rows walked at most before the lookup
	// A term is taken to match much with this many advisories, package
	// names or assets.
	denseAdvisories, densePackages, denseAssets = 200, 50, 20
)

func (s *Store) textPage(ctx context.Context, f FindingFilter, lq *listQuery) ([]model.AssetFinding, string, error) {
	t, ok, err := s.textTerms(ctx, f.Text)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return s.textWalk(ctx, f)
	}
	if t.none() {
		return []model.AssetFinding{}, "", nil
	}
	var pkgs, advs, assets string
	if len(t.packages) > 0 {
		pkgs = lq.arg(s.listParam(t.packages))
	}
	if len(t.advisories) > 0 {
		advs = lq.arg(s.listParam(t.advisories))
	}
	if len(t.assets) > 0 {
		assets = lq.arg(s.listParam(t.assets))
	}
	// match is the text condition on findings f, one per kind of match,
	// as index conditions; test is the same as a test of each row.
	var match, test []string
	if pkgs != "" {
		match = append(match, s.inList("LOWER(f.package)", pkgs))
		test = append(test, s.inSet("LOWER(f.package)", pkgs, "text"))
	}
	if advs != "" {
		match = append(match, s.inList("f.vuln_id", advs))
		test = append(test, s.inSet("f.vuln_id", advs, "text"))
	}
	if assets != "" {
		match = append(match, s.inList("f.asset_id", assets))
		test = append(test, s.inSet("f.asset_id", assets, "bigint"))
	}
	if len(t.advisories) >= denseAdvisories || len(t.packages) >= densePackages || len(t.assets) >= denseAssets {
		ids, ok, err := s.textWindows(ctx, lq, strings.Join(test, " OR "))
		if err != nil || ok {
			if err != nil || len(ids) == 0 {
				return []model.AssetFinding{}, "", err
			}
			return s.findingsByID(ctx, ids, lq.limit)
		}
	}
	cond := slices.Clone(lq.where)
	if lq.cursor {
		cond = append(cond, fmt.Sprintf("(f.severity_rank < %s OR (f.severity_rank = %[1]s AND f.id < %s))", lq.arg(lq.rank), lq.arg(lq.id)))
	}
	// Each match's own first page, read from the index that leads with
	// it: the page is among them, and the union sorts a few rows instead
	// of deduplicating every candidate. They order by an expression no
	// index offers, so no plan walks findings_list for its order and
	// filters it (PostgreSQL did, and read every finding when the matches
	// ranked low; so did SQLite without statistics).
	var branches []string
	for i, m := range match {
		branches = append(branches, fmt.Sprintf("SELECT * FROM (SELECT f.severity_rank, f.id FROM findings f WHERE %s "+
			"ORDER BY f.severity_rank + 0 DESC, f.id + 0 DESC LIMIT %d) AS b%d", strings.Join(append(slices.Clone(cond), m), " AND "), lq.limit+1, i))
	}
	q := `SELECT ` + findingColumns + ` FROM ` + findingsFrom + ` WHERE f.id IN (SELECT id FROM (` + strings.Join(branches, " UNION ") +
		fmt.Sprintf(`) AS candidates ORDER BY severity_rank DESC, id DESC LIMIT %d)`, lq.limit+1) + ` ORDER BY f.severity_rank DESC, f.id DESC`
	return s.readPage(ctx, q, lq.args, lq.limit)
}

// textWindows walks the list from lq's cursor in growing windows and
// returns the IDs of the first limit+1 findings that match (fewer at the
// end of the list); ok is false when textWalkRows rows did not fill the
// page. Each window is one index range (the rest of a rank, or the ranks
// below it) read in index order and left as soon as the page is full; the
// columns read are findings_list's, so the walk reads the index alone.
func (s *Store) textWindows(ctx context.Context, lq *listQuery, match string) (ids []int64, ok bool, err error) {
	cursor, rank, id := lq.cursor, lq.rank, lq.id
	sameRank := cursor // the window reads the rest of rank; else the ranks below it
	window := textWindow
	for walked := 0; walked < textWalkRows; {
		window = min(window, textWalkRows-walked)
		args := slices.Clone(lq.args)
		where := slices.Clone(lq.where)
		switch {
		case !cursor:
		case sameRank:
			args = append(args, rank, id)
			where = append(where, fmt.Sprintf("f.severity_rank = $%d AND f.id < $%d", len(args)-1, len(args)))
		default:
			args = append(args, rank)
			where = append(where, fmt.Sprintf("f.severity_rank < $%d", len(args)))
		}
		q := "SELECT f.severity_rank, f.id, CASE WHEN " + match + " THEN 1 ELSE 0 END FROM findings f"
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += fmt.Sprintf(" ORDER BY f.severity_rank DESC, f.id DESC LIMIT %d", window)
		n := 0
		err := queryRows(ctx, kept{s}, q, args, func(rows *sql.Rows) error {
			var hit int
			if err := rows.Scan(&rank, &id, &hit); err != nil {
				return err
			}
			n++
			if hit == 1 {
				if ids = append(ids, id); len(ids) > lq.limit {
					return errPageFull
				}
			}
			return nil
		})
		walked += n
		switch {
		case errors.Is(err, errPageFull):
			return ids, true, nil
		case err != nil:
			return nil, false, err
		case n == window:
			cursor, sameRank = true, true
			window *= 2
		case sameRank:
			sameRank = false // the rank is done; on to the ones below
		default:
			return ids, true, nil // the end of the list
		}
	}
	return nil, false, nil
}

// errPageFull stops reading rows once a page is full.
var errPageFull = errors.New("page full")

// findingsByID reads the findings of IDs in list order.
func (s *Store) findingsByID(ctx context.Context, ids []int64, limit int) ([]model.AssetFinding, string, error) {
	q := `SELECT ` + findingColumns + ` FROM ` + findingsFrom + ` WHERE ` + s.inList("f.id", "$1") + ` ORDER BY f.severity_rank DESC, f.id DESC`
	return s.readPage(ctx, q, []any{s.listParam(ids)}, limit)
}

// ecosystemStatus is the expression findings_ecosystem_list leads with.
const ecosystemStatus = "(f.ecosystem || ' ' || f.status)"

// inList is "expr is one of the list in parameter p", p written by
// listParam: an array on PostgreSQL, a JSON array SQLite reads with
// json_each. Either is one parameter however long the list, and the
// statement text stays short (SQLite parsed a list of thousands of
// literals anew on every search).
func (s *Store) inList(expr, p string) string {
	if s.dialect == Postgres {
		return expr + " = ANY(" + p + ")"
	}
	return expr + " IN (SELECT value FROM json_each(" + p + "))"
}

// inSet is inList as a test of each row: PostgreSQL hashes the set of an
// IN (subquery) once, where "= ANY($1)" compares each element in turn
// unless the plan was made for the array's value.
func (s *Store) inSet(expr, p, elem string) string {
	if s.dialect == Postgres {
		return expr + " IN (SELECT unnest(" + p + "::" + elem + "[]))"
	}
	return s.inList(expr, p)
}

func (s *Store) listParam(v any) any {
	if s.dialect == Postgres {
		return v
	}
	return mustJSON(v)
}

// textWalk serves a text search too common for the candidate lookup: it
// walks the list in its order (by index, in growing chunks) and keeps the
// findings whose package, advisory ID, aliases or asset name contain the
// text, until the page is full. A common term fills a page within the
// first chunk or two; a condition in SQL instead let PostgreSQL's planner
// read and sort every open finding.
func (s *Store) textWalk(ctx context.Context, f FindingFilter) ([]model.AssetFinding, string, error) {
	q := strings.ToLower(f.Text)
	limit := PageSize(f.Limit)
	inner := f
	inner.Text, inner.Limit = "", 200
	var out []model.AssetFinding
	for {
		chunk, next, err := s.Findings(ctx, inner)
		if err != nil {
			return nil, "", err
		}
		for _, fd := range chunk {
			if !textMatch(fd, q) {
				continue
			}
			if len(out) == limit {
				last := out[len(out)-1]
				return out, cursor(model.Rating(last.Severity).Rank(), last.ID), nil
			}
			out = append(out, fd)
		}
		if next == "" {
			return out, "", nil
		}
		inner.Cursor, inner.Limit = next, 500
	}
}

// textMatch is the text filter on one finding; q is lower case.
func textMatch(f model.AssetFinding, q string) bool {
	if strings.Contains(strings.ToLower(f.Package), q) || strings.Contains(strings.ToLower(f.VulnID), q) ||
		strings.Contains(strings.ToLower(f.AssetName), q) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.Contains(strings.ToLower(a), q) {
			return true
		}
	}
	return false
}

// maxTextTerms bounds the candidate lookup: a text in the names of more
// packages or advisories than this is served by textWalk.
var maxTextTerms = 5000

// textTerms are what a text search matches: package names (lower case),
// advisories (by ID) and assets.
type textTerms struct {
	packages, advisories []string
	assets               []int64
}

func (t textTerms) none() bool { return len(t.packages)+len(t.advisories)+len(t.assets) == 0 }

// textTerms finds what the text is part of, through small tables rather
// than by reading every finding: the package names findings have
// (finding_packages), the advisories one of whose IDs or aliases holds it
// (in memory) and the asset names. A finding matches when its package,
// its advisory or its asset does. ok is false when the text is too common
// for a lookup to pay.
func (s *Store) textTerms(ctx context.Context, text string) (t textTerms, ok bool, err error) {
	lower := strings.ToLower(text)
	// One query: the package names, the asset names and the advisory
	// generation (which says whether the in-memory IDs are current).
	var gen int64
	err = queryRows(ctx, kept{s}, fmt.Sprintf(`SELECT 'p', name_lc FROM (SELECT name_lc FROM finding_packages
		WHERE name_lc LIKE $1 ESCAPE '\' LIMIT %d) AS p
		UNION ALL SELECT 'a', CAST(id AS TEXT) FROM assets WHERE LOWER(name) LIKE $1 ESCAPE '\'
		UNION ALL SELECT 'g', CAST(value AS TEXT) FROM generations WHERE name = 'advisories'`, maxTextTerms+1),
		[]any{"%" + likeEscape(lower) + "%"}, func(rows *sql.Rows) error {
			var kind, v string
			if err := rows.Scan(&kind, &v); err != nil {
				return err
			}
			var err error
			switch kind {
			case "p":
				t.packages = append(t.packages, v)
			case "a":
				var id int64
				id, err = strconv.ParseInt(v, 10, 64)
				t.assets = append(t.assets, id)
			case "g":
				gen, err = strconv.ParseInt(v, 10, 64)
			}
			return err
		})
	if err != nil || len(t.packages) > maxTextTerms {
		return t, false, err
	}
	t.advisories, ok, err = s.advisoryIDs.search(ctx, s, gen, lower)
	return t, ok && err == nil, err
}

// idIndex holds every advisory's IDs (its own and its aliases) in memory
// for text search: scanning twenty thousand short strings takes well under
// a millisecond, where LIKE over the advisories table took ten. It is
// reloaded when the advisory generation moves.
type idIndex struct {
	mu      sync.Mutex
	gen     int64
	entries []idEntry
}

type idEntry struct {
	lower string // all IDs, lower case, joined by "\n"
	id    string // the advisory's own, as written
}

// search returns the advisories (their own IDs) one of whose IDs or
// aliases contains q, reloading the IDs when the advisory generation is
// no longer gen; ok is false when more than maxTextTerms match.
func (x *idIndex) search(ctx context.Context, s *Store, gen int64, q string) ([]string, bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.entries == nil || x.gen != gen {
		if err := x.load(ctx, s); err != nil {
			return nil, false, err
		}
		x.gen = gen
	}
	var out []string
	n := 0
	for _, e := range x.entries {
		if strings.Contains(e.lower, q) {
			if n++; n > maxTextTerms {
				return nil, false, nil
			}
			out = append(out, e.id)
		}
	}
	return out, true, nil
}

func (x *idIndex) load(ctx context.Context, s *Store) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, aliases FROM advisories`)
	if err != nil {
		return err
	}
	defer rows.Close()
	entries := []idEntry{}
	for rows.Next() {
		var id, al string
		if err := rows.Scan(&id, &al); err != nil {
			return err
		}
		var list []string
		if err := json.Unmarshal([]byte(al), &list); err != nil {
			return fmt.Errorf("aliases of %s: %w", id, err)
		}
		entries = append(entries, idEntry{lower: strings.ToLower(id + "\n" + strings.Join(list, "\n")), id: id})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	x.entries = entries
	return nil
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

// Summary counts assets, findings by severity and KEV.
func (s *Store) Summary(ctx context.Context) (model.Summary, error) {
	sum := model.Summary{BySeverity: map[string]int{}}
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM assets), (SELECT COUNT(*) FROM snapshots),
		(SELECT COUNT(*) FROM advisories WHERE NOT withdrawn),
		(SELECT COUNT(*) FROM findings WHERE status = 'open' AND kev),
		(SELECT COALESCE(SUM(s.components), 0) FROM assets a JOIN snapshots s ON s.id = a.current_snapshot_id)`).
		Scan(&sum.Assets, &sum.Snapshots, &sum.Advisories, &sum.KEV, &sum.Components); err != nil {
		return sum, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT severity, COUNT(*) FROM findings WHERE status = 'open' GROUP BY severity`)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var sv string
		var n int
		if err := rows.Scan(&sv, &n); err != nil {
			rows.Close()
			return sum, err
		}
		sum.BySeverity[sv] = n
		sum.Open += n
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT a.id, a.name, COUNT(*),
		SUM(CASE WHEN f.severity = 'critical' THEN 1 ELSE 0 END), SUM(CASE WHEN f.severity = 'high' THEN 1 ELSE 0 END)
		FROM findings f JOIN assets a ON a.id = f.asset_id WHERE f.status = 'open'
		GROUP BY a.id, a.name ORDER BY 4 DESC, 5 DESC, 3 DESC, a.id LIMIT 10`)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	sum.TopAssets = []model.AssetCount{}
	for rows.Next() {
		var c model.AssetCount
		if err := rows.Scan(&c.ID, &c.Name, &c.Open, &c.Critical, &c.High); err != nil {
			return sum, err
		}
		sum.TopAssets = append(sum.TopAssets, c)
	}
	return sum, rows.Err()
}
