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
// The number open at the end of a day is computed backwards from the
// number open now: open now − opened after that day + resolved after that
// day, from the counts of findings first seen and resolved each day (two
// index ranges; see migration 00011) instead of testing every finding
// against every day. Findings of deleted assets are gone with them.
func (s *Store) Dashboard(ctx context.Context, now time.Time, days int) (model.Dashboard, error) {
	d := model.Dashboard{ByEcosystem: []model.NameCount{}, Inventories: []model.AssetComponents{}, Newest: []model.AssetFinding{}}
	today := now.UTC().Truncate(24 * time.Hour)
	start := today.AddDate(0, 0, -(days - 1))
	var err error
	if d.History, err = s.history(ctx, start, days); err != nil {
		return d, fmt.Errorf("findings history: %w", err)
	}
	err = queryRows(ctx, kept{s}, `SELECT ecosystem, COUNT(*) FROM findings WHERE status = 'open'
		GROUP BY ecosystem ORDER BY 2 DESC, 1`, nil, func(rows *sql.Rows) error {
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
	err = queryRows(ctx, kept{s}, `SELECT `+findingColumns+` FROM `+findingsFrom+` WHERE f.status = 'open'
		ORDER BY f.first_seen DESC, f.id DESC LIMIT 10`, nil, func(rows *sql.Rows) error {
		f, _, err := scanFinding(rows)
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
	// The day of a time as text, YYYY-MM-DD (UTC): SQLite keeps times as
	// text in UTC, "2006-01-02 15:04:05…".
	day := func(col string) string { return "substr(" + col + ", 1, 10)" }
	if s.dialect == Postgres {
		day = func(col string) string { return "CAST(CAST(" + col + " AT TIME ZONE 'UTC' AS date) AS TEXT)" }
	}
	opened, resolved := make([]int, days+1), make([]int, days+1) // [days]: after the last day
	index := func(d string) (int, error) {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return 0, err
		}
		return min(max(0, int(t.Sub(start)/(24*time.Hour))), days), nil
	}
	var openNow int
	err := queryRows(ctx, kept{s}, `SELECT 'o', `+day("first_seen")+`, COUNT(*) FROM findings WHERE first_seen >= $1 GROUP BY 2
		UNION ALL SELECT 'r', `+day("resolved_at")+`, COUNT(*) FROM findings WHERE resolved_at >= $1 GROUP BY 2
		UNION ALL SELECT 'n', '', COUNT(*) FROM findings WHERE status = 'open'`, []any{start}, func(rows *sql.Rows) error {
		var kind, d string
		var n int
		if err := rows.Scan(&kind, &d, &n); err != nil {
			return err
		}
		if kind == "n" {
			openNow = n
			return nil
		}
		i, err := index(d)
		if kind == "o" {
			opened[i] += n
		} else {
			resolved[i] += n
		}
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
