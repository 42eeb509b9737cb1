package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Dashboard reads what the dashboard draws: the findings history of the
// days days ending on now's day (UTC), the open findings by ecosystem, the
// 20 largest current inventories and the 10 newest open findings.
//
// The counts come from the tables the findings triggers keep (migration
// 00011; on PostgreSQL in shards, summed here): a pass over a million
// findings for each took seconds. The
// number open at the end of a day is computed backwards from the number
// open now: open now − first seen after that day + resolved after that day.
// Findings of deleted assets are gone with them.
func (s *Store) Dashboard(ctx context.Context, now time.Time, days int) (model.Dashboard, error) {
	d := model.Dashboard{ByEcosystem: []model.NameCount{}, Inventories: []model.AssetComponents{}, Newest: []model.AssetFinding{}}
	today := now.UTC().Truncate(24 * time.Hour)
	start := today.AddDate(0, 0, -(days - 1))
	var err error
	if d.History, err = s.history(ctx, start, days); err != nil {
		return d, fmt.Errorf("findings history: %w", err)
	}
	err = queryRows(ctx, kept{s}, `SELECT ecosystem, SUM(n) FROM finding_open_by_ecosystem
		GROUP BY ecosystem HAVING SUM(n) > 0 ORDER BY 2 DESC, 1`, nil,
		func(rows *sql.Rows) error {
			var c model.NameCount
			err := rows.Scan(&c.Name, &c.Count)
			d.ByEcosystem = append(d.ByEcosystem, c)
			return err
		})
	if err != nil {
		return d, fmt.Errorf("open findings by ecosystem: %w", err)
	}
	err = queryRows(ctx, kept{s}, `SELECT a.id, a.name, s.components FROM assets a JOIN snapshots s ON s.id = a.current_snapshot_id
		ORDER BY s.components DESC, a.id LIMIT 20`, nil, func(rows *sql.Rows) error {
		var c model.AssetComponents
		err := rows.Scan(&c.ID, &c.Name, &c.Components)
		d.Inventories = append(d.Inventories, c)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("largest inventories: %w", err)
	}
	// The newest by ID: findings are numbered as they are found. The
	// status is tested on each row read backwards by ID ("|| ''" keeps
	// SQLite from reading the open findings by findings_list and sorting
	// them all); most findings are open, so ten are found soon.
	err = queryRows(ctx, kept{s}, `SELECT `+findingColumns+` FROM `+findingsFrom+` WHERE f.status || '' = 'open'
		ORDER BY f.id DESC LIMIT 10`, nil, func(rows *sql.Rows) error {
		f, _, err := scanFinding(rows, s.Now())
		d.Newest = append(d.Newest, f)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("newest findings: %w", err)
	}
	return d, nil
}

// history is the open and resolved findings of each of the days days
// from start (a UTC midnight).
func (s *Store) history(ctx context.Context, start time.Time, days int) ([]model.DayCount, error) {
	q := `SELECT day, opened, resolved FROM finding_days WHERE day >= $1
		UNION ALL SELECT 'now', COALESCE(SUM(n), 0), 0 FROM finding_open_by_asset`
	if s.dialect == Postgres {
		q = `SELECT CAST(day AS TEXT), opened, resolved FROM finding_days WHERE day >= CAST($1 AS date)
			UNION ALL SELECT 'now', COALESCE(SUM(n), 0), 0 FROM finding_open_by_asset`
	}
	opened, resolved := make([]int, days+1), make([]int, days+1) // [days]: after the last day
	var openNow int
	err := queryRows(ctx, kept{s}, q, []any{start.Format(time.DateOnly)}, func(rows *sql.Rows) error {
		var day string
		var o, r int
		if err := rows.Scan(&day, &o, &r); err != nil {
			return err
		}
		if day == "now" {
			openNow = o
			return nil
		}
		t, err := time.Parse(time.DateOnly, day)
		i := min(max(0, int(t.Sub(start)/(24*time.Hour))), days)
		opened[i] += o
		resolved[i] += r
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]model.DayCount, days)
	openedAfter, resolvedAfter := opened[days], resolved[days]
	for i := days - 1; i >= 0; i-- {
		out[i] = model.DayCount{Day: start.AddDate(0, 0, i), Open: openNow - openedAfter + resolvedAfter, Resolved: resolved[i]}
		openedAfter += opened[i]
		resolvedAfter += resolved[i]
	}
	return out, nil
}

// foldTallies folds the count shards of PostgreSQL server processes that
// have ended into shard 0 (see migration 00011), so the counts keep a row
// or so a key; all folds every shard, for tests with no writer running.
// A no-op on SQLite, whose counts have no shards.
func (s *Store) foldTallies(ctx context.Context, all bool) error {
	if s.dialect != Postgres {
		return nil
	}
	ended := `shard <> 0 AND shard NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)`
	if all {
		ended = `shard <> 0`
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`WITH gone AS (DELETE FROM finding_days WHERE ` + ended + ` RETURNING day, opened, resolved)
		INSERT INTO finding_days (shard, day, opened, resolved) SELECT 0, day, SUM(opened), SUM(resolved) FROM gone GROUP BY day ORDER BY day
		ON CONFLICT (shard, day) DO UPDATE SET opened = finding_days.opened + excluded.opened, resolved = finding_days.resolved + excluded.resolved`,
			`WITH gone AS (DELETE FROM finding_open_by_asset WHERE ` + ended + ` RETURNING asset_id, severity_rank, n)
		INSERT INTO finding_open_by_asset (shard, asset_id, severity_rank, n) SELECT 0, asset_id, severity_rank, SUM(n) FROM gone
		GROUP BY asset_id, severity_rank ORDER BY asset_id, severity_rank
		ON CONFLICT (shard, asset_id, severity_rank) DO UPDATE SET n = finding_open_by_asset.n + excluded.n`,
			`WITH gone AS (DELETE FROM finding_open_by_ecosystem WHERE ` + ended + ` RETURNING ecosystem, n)
		INSERT INTO finding_open_by_ecosystem (shard, ecosystem, n) SELECT 0, ecosystem, SUM(n) FROM gone GROUP BY ecosystem ORDER BY ecosystem
		ON CONFLICT (shard, ecosystem) DO UPDATE SET n = finding_open_by_ecosystem.n + excluded.n`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("folding the dashboard's counts: %w", err)
			}
		}
		return nil
	})
}
