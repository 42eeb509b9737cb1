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
		(SELECT COUNT(*) FROM findings WHERE status = 'open' AND kev = TRUE),
		(SELECT COALESCE(SUM(s.components), 0) FROM assets a JOIN snapshots s ON s.id = a.current_snapshot_id)`).
		Scan(&sum.Assets, &sum.Snapshots, &sum.Advisories, &sum.KEV, &sum.Components); err != nil {
		return sum, err
	}
	// The open findings by severity and by asset, from the counts the
	// findings triggers keep (migration 00011), not from the findings.
	rows, err := s.db.QueryContext(ctx, `SELECT severity_rank, SUM(n) FROM finding_open_by_asset GROUP BY severity_rank`)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var rank, n int
		if err := rows.Scan(&rank, &n); err != nil {
			rows.Close()
			return sum, err
		}
		if n > 0 {
			sum.BySeverity[string(ratingOfRank(rank))] = n
			sum.Open += n
		}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT a.id, a.name, SUM(t.n),
		SUM(CASE WHEN t.severity_rank = 5 THEN t.n ELSE 0 END), SUM(CASE WHEN t.severity_rank = 4 THEN t.n ELSE 0 END)
		FROM finding_open_by_asset t JOIN assets a ON a.id = t.asset_id
		GROUP BY a.id, a.name HAVING SUM(t.n) > 0 ORDER BY 4 DESC, 5 DESC, 3 DESC, a.id LIMIT 10`)
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

// ratingOfRank is the rating whose rank (severity_rank) is r.
func ratingOfRank(r int) model.Rating {
	for _, rt := range model.Ratings {
		if rt.Rank() == r {
			return rt
		}
	}
	return model.RatingUnknown
}
