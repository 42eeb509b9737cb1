package store

// The assets list of the web UI: assets by name, each with the size of its
// current inventory and its open findings.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// AssetRows lists the assets f selects by name, after the name afterName
// (the keyset cursor: the last name of the previous page), at most
// PageSize(f.Limit) of them; f.After is not used. Each row holds the
// asset's current component count, last upload and open findings.
func (s *Store) AssetRows(ctx context.Context, f AssetFilter, afterName string) ([]model.AssetRow, error) {
	cond, args := f.where(2)
	q := `SELECT ` + prefixed("a.", assetColumns) + `, COALESCE(sn.components, 0), sn.created_at
		FROM assets a LEFT JOIN snapshots sn ON sn.id = a.current_snapshot_id
		WHERE a.name > $1` + cond + fmt.Sprintf(` ORDER BY a.name LIMIT %d`, PageSize(f.Limit))
	rows, err := queryAll(ctx, s.db, func(row rowScanner) (model.AssetRow, error) {
		var r model.AssetRow
		var last sql.NullTime
		a, err := scanAsset(scanTail{row, []any{&r.Components, &last}})
		r.Asset, r.LastUpload = a, timeOf(last)
		return r, err
	}, q, append([]any{afterName}, args...)...)
	if err != nil || len(rows) == 0 {
		return rows, err
	}
	at := make(map[int64]*model.AssetRow, len(rows))
	ids := make([]any, len(rows))
	for i := range rows {
		at[rows[i].ID], ids[i] = &rows[i], rows[i].ID
	}
	err = s.openCounts(ctx, ids, func(id int64, sev string, n int) {
		r := at[id]
		r.Open += n
		switch sev {
		case "critical":
			r.Critical = n
		case "high":
			r.High = n
		}
	})
	return rows, err
}

// OpenFindingCounts counts an asset's open findings by severity.
func (s *Store) OpenFindingCounts(ctx context.Context, assetID int64) (map[string]int, error) {
	out := map[string]int{}
	err := s.openCounts(ctx, []any{assetID}, func(_ int64, sev string, n int) { out[sev] = n })
	return out, err
}

// openCounts calls each with the number of open findings of each severity
// of each of the assets. It counts by severity rank, which the asset list
// index (asset_id, status, severity_rank, id) holds, so that no finding
// row is read.
func (s *Store) openCounts(ctx context.Context, assetIDs []any, each func(id int64, sev string, n int)) error {
	byRank := map[int]string{}
	for _, r := range model.Ratings {
		byRank[r.Rank()] = string(r)
	}
	return queryRows(ctx, s.db, `SELECT asset_id, severity_rank, COUNT(*) FROM findings
		WHERE asset_id IN (`+rowPlaceholders(s.dialect, 1, len(assetIDs))+`) AND status = 'open'
		GROUP BY asset_id, severity_rank`, assetIDs, func(rs *sql.Rows) error {
		var id int64
		var rank, n int
		if err := rs.Scan(&id, &rank, &n); err != nil {
			return err
		}
		each(id, byRank[rank], n)
		return nil
	})
}

// CountAssetRows counts the assets f selects (ignoring its cursor).
func (s *Store) CountAssetRows(ctx context.Context, f AssetFilter) (int, error) {
	cond, args := f.where(1)
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM assets a WHERE 1 = 1`+cond, args...).Scan(&n)
	return n, err
}

// scanTail scans a row whose leading columns a scanner of its own reads,
// and its trailing ones into tail.
type scanTail struct {
	row  rowScanner
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

// prefixed qualifies each of a comma-separated list of columns.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
