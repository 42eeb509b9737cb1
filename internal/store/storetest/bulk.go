package storetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/store"
)

// Bulk is the shape of a store BulkFill makes for benchmarks.
type Bulk struct {
	Assets     int // each with one snapshot, current
	Findings   int // spread evenly over the assets
	Advisories int // the findings' advisories, each with a CVE alias
	Packages   int // distinct package names among the findings
	Days       int // first_seen spread over the last Days days
}

// DefaultBulk is the benchmark's store: 2,000 assets with 20–400
// components each, 1,000,000 findings over 90 days of first sightings,
// about 30% resolved, 1% in KEV, seven ecosystems, 20,000 advisories.
func DefaultBulk(findings int) Bulk {
	return Bulk{Assets: 2000, Findings: findings, Advisories: 20000, Packages: 5000, Days: 90}
}

// The words package names are made of: "lodash-17", "requests-3" … A
// text search for a word matches a hundred package names; for a name,
// one.
var bulkWords = []string{"lodash", "express", "requests", "django", "serde", "tokio", "spring", "jackson", "rails", "nokogiri",
	"react", "axios", "flask", "numpy", "pillow", "urllib3", "log4j", "guava", "netty", "gin",
	"echo", "cobra", "viper", "yaml", "json", "xml", "http", "crypto", "jwt", "oauth",
	"minimist", "moment", "chalk", "debug", "qs", "ws", "tar", "glob", "semver", "uuid",
	"rack", "puma", "sinatra", "devise", "rspec", "newtonsoft", "npgsql", "serilog", "polly", "dapper"}

var bulkEcosystems = []string{"npm", "PyPI", "Go", "Maven", "crates.io", "RubyGems", "NuGet"}

// BulkFill fills an empty store with b by bulk SQL, row values computed
// in the database from the row number (deterministic, no randomness), so
// that a million findings take seconds instead of the hours matching them
// would. It fills every table the findings list, its text search and the
// dashboard read: assets, snapshots, components, advisories and their
// aliases, findings and finding_packages, and what triage adds: the
// findings' states, assignees, clocks and priorities, their decisions with
// history, an exception (see bulkTriage). Findings are first seen over the
// b.Days days before now; about 30% are resolved since, 1% are in KEV;
// finding i (from 0) has ID i + 1.
// On PostgreSQL it then vacuums and analyzes, as autovacuum would; SQLite
// plans without statistics, as the server leaves it.
func BulkFill(ctx context.Context, s *store.Store, b Bulk, now time.Time) error {
	pg := s.Dialect() == store.Postgres
	start := now.UTC().Add(-time.Duration(b.Days) * 24 * time.Hour).Truncate(time.Second)
	span := b.Days * 86400
	// seq is a FROM of the numbers 0…n-1 as i; ts the time start + secs.
	seq := func(n int) string {
		if pg {
			return fmt.Sprintf("generate_series(CAST(0 AS BIGINT), %d) AS g(i)", n-1)
		}
		return fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) AS g", n-1)
	}
	ts := func(secs string) string {
		if pg {
			return fmt.Sprintf("to_timestamp(%d + (%s))", start.Unix(), secs)
		}
		return fmt.Sprintf("(strftime('%%Y-%%m-%%d %%H:%%M:%%S', %d + (%s), 'unixepoch') || '+00:00')", start.Unix(), secs)
	}
	text := func(expr string) string { return "CAST(" + expr + " AS TEXT)" }
	pick := func(list []string, idx string) string {
		var c strings.Builder
		c.WriteString("CASE " + idx)
		for k, w := range list {
			fmt.Fprintf(&c, " WHEN %d THEN '%s'", k, w)
		}
		return c.String() + " END"
	}
	nowTS := ts(fmt.Sprint(span))
	override := "" // PostgreSQL's identity columns take given IDs only when told
	if pg {
		override = "OVERRIDING SYSTEM VALUE"
	}
	// The columns of finding i: its asset a, its place j among the
	// asset's findings, its package p, its advisory v and five hashes.
	a := fmt.Sprintf("(i %% %d + 1)", b.Assets)
	j := fmt.Sprintf("(i / %d)", b.Assets)
	p := fmt.Sprintf("((%s * 7 + %s) %% %d)", a, j, b.Packages)
	v := fmt.Sprintf("((%s * 13 + %s * 31) %% %d)", a, j, b.Advisories)
	hx := func(x string, mul, mod int) string { return fmt.Sprintf("((%s * %d) %% 1000003 %% %d)", x, mul, mod) }
	h := func(mul, mod int) string { return hx("i", mul, mod) }
	// firstOf is when finding x was first seen, in seconds after the start,
	// spread over the whole span (a hash mod the span would stop at
	// 1000003 s, the first 11.6 days).
	firstOf := func(x string) string { return fmt.Sprintf("((%s * 2246822519) %% 1000003 * %d / 1000003)", x, span) }
	sev, kev, first, res, frac := h(2654435761, 100), h(40503, 1009), firstOf("i"), h(3266489917, 100), h(668265263, 100)
	pkgName := pick(bulkWords, p+" % 50") + " || '-' || " + text(p+" / 50")
	eco := pick(bulkEcosystems, p+" % 7")
	severity := fmt.Sprintf(`CASE WHEN %[1]s < 5 THEN 'critical' WHEN %[1]s < 30 THEN 'high' WHEN %[1]s < 70 THEN 'medium'
		WHEN %[1]s < 85 THEN 'low' WHEN %[1]s < 87 THEN 'none' ELSE 'unknown' END`, sev)
	rank := fmt.Sprintf(`CASE WHEN %[1]s < 5 THEN 5 WHEN %[1]s < 30 THEN 4 WHEN %[1]s < 70 THEN 3 WHEN %[1]s < 85 THEN 2 WHEN %[1]s < 87 THEN 1 ELSE 0 END`, sev)
	score := fmt.Sprintf(`CASE WHEN %[1]s < 5 THEN 9.8 WHEN %[1]s < 30 THEN 7.5 WHEN %[1]s < 70 THEN 5.3 WHEN %[1]s < 85 THEN 3.1 ELSE 0 END`, sev)
	resolvedAt := fmt.Sprintf("CASE WHEN %s < 30 THEN %s END", res, ts(fmt.Sprintf("%s + (%d - %s) * %s / 100", first, span, first, frac)))
	bt := bulkTriage{pg: pg, start: start, span: span, hx: hx, ts: ts}
	triCols, triVals := bt.columns("i", first, sev, severity, kev+" < 10", res+" < 30", resolvedAt)
	stmts := []string{
		fmt.Sprintf(`INSERT INTO assets (id, name, kind, owner, created_at, updated_at, current_snapshot_id)
			%s SELECT i + 1, 'bench-' || %s, 'service', 'team-' || %s, %s, %s, i + 1 FROM %s`,
			override, text("i + 1"), text("i % 20"), ts("0"), ts("0"), seq(b.Assets)),
		fmt.Sprintf(`INSERT INTO snapshots (id, asset_id, format, sha256, components, created_at, matched_at)
			%s SELECT i + 1, i + 1, 'CycloneDX 1.5 JSON', 'bench-' || %s, 20 + (i * 7919) %% 381, %s, %s FROM %s`,
			override, text("i"), ts("0"), ts("0"), seq(b.Assets)),
		// Component c of snapshot s, for every c below its count.
		fmt.Sprintf(`INSERT INTO components (snapshot_id, pkey, name, version, purl, ecosystem, package)
			SELECT s.id, 'bench|' || %[1]s, 'component-' || %[1]s, '1.0.0', 'pkg:generic/component-' || %[1]s || '@1.0.0', 'npm', 'component-' || %[1]s
			FROM snapshots s JOIN %[2]s ON g.i < s.components`, text("g.i"), seq(400)),
		fmt.Sprintf(`INSERT INTO advisories (id, summary, severity, score, aliases, info, content_hash, updated_at)
			SELECT 'GHSA-bench-' || %[1]s, 'Benchmark advisory ' || %[1]s, 'high', 7.5, '["CVE-2024-' || %[1]s || '"]', '{}', 'x', %[2]s FROM %[3]s`,
			text("i"), nowTS, seq(b.Advisories)),
		`INSERT INTO advisory_aliases (alias, advisory_id) SELECT id, id FROM advisories`,
		`INSERT INTO advisory_aliases (alias, advisory_id) SELECT 'CVE-2024-' || substr(id, 12), id FROM advisories`,
		fmt.Sprintf(`INSERT INTO findings (id, %[15]s, asset_id, pkey, ecosystem, package, version, purl, vuln_id, aliases, summary, severity,
			severity_rank, score, evidence, kev, status, snapshot_id, first_seen, last_seen, resolved_at, resolution, severity_info)
			%[17]s SELECT i + 1, %[16]s, %[1]s, %[2]s || '|' || %[3]s, %[2]s, %[3]s, '1.' || %[4]s || '.0', '', 'GHSA-bench-' || %[5]s,
				'["CVE-2024-' || %[5]s || '"]', 'Benchmark advisory ' || %[5]s, %[6]s, %[7]s, %[8]s, '[]', %[9]s < 10,
				CASE WHEN %[10]s < 30 THEN 'resolved' ELSE 'open' END, %[1]s, %[11]s, %[12]s, %[13]s,
				CASE WHEN %[10]s < 30 THEN 'upgrade' ELSE '' END, '{}'
			FROM %[14]s`,
			a, eco, pkgName, text(j+" % 20"), text(v), severity, rank, score, kev, res, ts(first), nowTS, resolvedAt, seq(b.Findings),
			strings.Join(triCols, ", "), strings.Join(triVals, ", "), override),
		`INSERT INTO finding_packages (name_lc) SELECT DISTINCT LOWER(package) FROM findings`,
	}
	stmts = append(stmts, bt.tables(firstOf, nowTS, override)...)
	if pg {
		// The sequences of the tables given explicit IDs.
		stmts = append(stmts, `SELECT setval(pg_get_serial_sequence('assets', 'id'), (SELECT MAX(id) FROM assets))`,
			`SELECT setval(pg_get_serial_sequence('snapshots', 'id'), (SELECT MAX(id) FROM snapshots))`,
			`SELECT setval(pg_get_serial_sequence('findings', 'id'), (SELECT MAX(id) FROM findings))`,
			`SELECT setval(pg_get_serial_sequence('exceptions', 'id'), (SELECT MAX(id) FROM exceptions))`)
	}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bulk fill: %w\n%s", err, q)
		}
	}
	if err := tx.Commit(); err != nil || !pg {
		return err
	}
	_, err = s.DB().ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}
