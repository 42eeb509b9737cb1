package store

import (
	"context"

	"github.com/vulndesk/vulndesk/internal/model"
)

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
