package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
)

// freshFinding is a new finding of one asset's snapshot.
type freshFinding struct {
	assetID, snapID int64
	f               *finding.Detected
	// triage is its remediation clock and SSVC priority, computed before
	// it is stored (assessFresh): sla_clock, sla_due_at, sla_soon_at,
	// priority, priority_rank, priority_inputs.
	triage []any
}

// freshKey identifies a finding among those of one INSERT.
func freshKey(assetID int64, key, version, vulnID string) string {
	return strconv.FormatInt(assetID, 10) + "\x00" + key + "\x00" + version + "\x00" + vulnID
}

// insertFindings opens new findings (of one asset or of several), a batch
// per statement, with their KEV and EPSS marks: a finding is in KEV when
// one of its IDs is, and has the highest EPSS score of its IDs (as
// rescoreExploit computes). Their package names go in finding_packages.
func insertFindings(ctx context.Context, tx *sql.Tx, d Dialect, fs []freshFinding, t time.Time) ([]int64, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	var ids []string
	for _, ff := range fs {
		ids = append(append(ids, ff.f.VulnID), ff.f.Aliases...)
	}
	kev, epss, err := exploitData(ctx, tx, d, ids)
	if err != nil {
		return nil, err
	}
	if err := notePackages(ctx, tx, d, fs); err != nil {
		return nil, err
	}
	exploit := func(f *finding.Detected) (bool, sql.NullFloat64) {
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
	var out []int64
	for start := 0; start < len(fs); start += batch {
		part := fs[start:min(start+batch, len(fs))]
		rowIDs, err := insert(ctx, tx, d, part, t, exploit)
		if err != nil {
			return nil, fmt.Errorf("storing %d findings of asset %d: %w", len(part), part[0].assetID, err)
		}
		if len(rowIDs) != len(part) {
			return nil, fmt.Errorf("storing %d findings of asset %d: %d IDs returned", len(part), part[0].assetID, len(rowIDs))
		}
		for _, id := range rowIDs {
			out = append(out, id)
		}
	}
	return out, nil
}

// Findings go in one INSERT by findingBatch (22 values each) on SQLite, by
// findingBatchPG (as 20 arrays) on PostgreSQL.
const (
	findingBatch   = 100
	findingBatchPG = 2000
)

// insertFindingRows stores a batch of findings with one multi-row INSERT
// and returns their IDs by freshKey.
func insertFindingRows(ctx context.Context, tx *sql.Tx, d Dialect, part []freshFinding, t time.Time,
	exploit func(*finding.Detected) (bool, sql.NullFloat64)) (map[string]int64, error) {
	const cols = 22 + triageCols
	var q strings.Builder
	q.WriteString(`INSERT INTO findings (asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
		severity, severity_rank, score, fix, evidence, snapshot_id, first_seen, last_seen, kev, epss, content_hash,
		severity_info, severity_since, sla_clock, sla_due_at, sla_soon_at, priority, priority_rank, priority_inputs, status) VALUES `)
	args := make([]any, 0, len(part)*cols)
	for i, ff := range part {
		f := ff.f
		if i > 0 {
			q.WriteString(", ")
		}
		inKEV, score := exploit(f)
		fmt.Fprintf(&q, "(%s, 'open')", rowPlaceholders(d, len(args)+1, cols))
		args = append(args, ff.assetID, f.Key, f.Ecosystem, f.Package, f.Version, f.PURL, f.VulnID,
			f.AliasesJSON(), f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence,
			ff.snapID, t, t, inKEV, score, f.Hash(), f.SeverityInfoJSON(), t)
		args = append(args, ff.triageValues()...)
	}
	return insertedIDs(ctx, tx, q.String()+` RETURNING id, asset_id, pkey, version, vuln_id`, args)
}

// insertFindingRowsPG is insertFindingRows for PostgreSQL: one array a
// column, unnested, so the statement is the same at any batch size (pgx
// prepares it once) and takes 20 parameters instead of thousands.
func insertFindingRowsPG(ctx context.Context, tx *sql.Tx, _ Dialect, part []freshFinding, t time.Time,
	exploit func(*finding.Detected) (bool, sql.NullFloat64)) (map[string]int64, error) {
	n := len(part)
	asset, snap, rank := make([]int64, n), make([]int64, n), make([]int64, n)
	score := make([]float64, n)
	inKEV := make([]bool, n)
	epss := make([]*float64, n)
	text := make([][]string, 13) // pkey, ecosystem, package, version, purl, vuln_id, aliases, summary, severity, fix, evidence, content_hash, severity_info
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
		for c, v := range []string{f.Key, f.Ecosystem, f.Package, f.Version, f.PURL, f.VulnID, f.AliasesJSON(),
			f.Summary, f.Severity, f.Fix, f.Evidence, f.Hash(), f.SeverityInfoJSON()} {
			text[c][i] = v
		}
	}
	// The clock's times as text ('' for none): one array a column.
	tri := make([][]string, 5) // sla_clock, sla_due_at, sla_soon_at, priority, priority_inputs
	for i := range tri {
		tri[i] = make([]string, n)
	}
	prank := make([]int64, n)
	for i, ff := range part {
		v := ff.triageValues()
		tri[0][i], tri[1][i], tri[2][i], tri[3][i], tri[4][i] = v[0].(string), timeText(v[1]), timeText(v[2]), v[3].(string), v[5].(string)
		prank[i] = int64(v[4].(int))
	}
	q := `INSERT INTO findings (asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
		severity, severity_rank, score, fix, evidence, snapshot_id, first_seen, last_seen, kev, epss, content_hash,
		severity_info, severity_since, sla_clock, sla_due_at, sla_soon_at, priority, priority_rank, priority_inputs, status)
		SELECT asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
			severity, severity_rank, score, fix, evidence, snapshot_id, $1, $1, kev, epss, content_hash,
			severity_info, $1, sla_clock, NULLIF(sla_due_at, '')::timestamptz, NULLIF(sla_soon_at, '')::timestamptz,
			priority, priority_rank, priority_inputs, 'open'
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::text[], $11::text[], $12::bigint[], $13::float8[], $14::text[], $15::text[], $16::bigint[],
			$17::boolean[], $18::float8[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[],
			$25::bigint[], $26::text[])
		AS u(asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary,
			severity, severity_rank, score, fix, evidence, snapshot_id, kev, epss, content_hash, severity_info,
			sla_clock, sla_due_at, sla_soon_at, priority, priority_rank, priority_inputs)
		RETURNING id, asset_id, pkey, version, vuln_id`
	args := []any{t, asset, text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], rank, score,
		text[9], text[10], snap, inKEV, epss, text[11], text[12], tri[0], tri[1], tri[2], tri[3], prank, tri[4]}
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
	return kev, epss, inIDs(ids, d, read)
}

// triageCols is how many columns freshFinding.triage fills.
const triageCols = 6

// triageValues is ff.triage, or for a finding not assessed before it is
// stored the values of none (the backlog sets them: Unassessed).
func (ff freshFinding) triageValues() []any {
	if len(ff.triage) == triageCols {
		return ff.triage
	}
	return []any{"", nil, nil, "", 0, ""}
}

// timeText is a nullable time value as RFC 3339 text, "" for NULL.
func timeText(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return ""
}
