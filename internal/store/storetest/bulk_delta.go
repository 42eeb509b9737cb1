package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// BulkDelta is the re-match of a store BulkFill made after a feed delta
// revised the advisories GHSA-bench-<n> for n in advisories: what
// matching their package keys again finds, as the re-match job applies
// it (store.Tx.ApplyFindings), one result per asset limited to the keys.
// Each revision re-rates its advisory (critical 9.1, with new details), so
// that every finding it touches gets its clock and priority again; of
// its findings, the open ones are found again, the resolved ones again
// too (reopened: detection found them after they were fixed), and one in
// three in a new version of its package instead (its finding resolved,
// a new one opened that takes its key's decision, if any). Each
// advisory of the bulk store has about 50 findings, on as many assets.
func BulkDelta(ctx context.Context, s *store.Store, advisories []int) ([]store.MatchResult, error) {
	if len(advisories) == 0 {
		return nil, nil
	}
	var ids []string
	var args []any
	for i, n := range advisories {
		ids = append(ids, fmt.Sprintf("$%d", i+1))
		args = append(args, fmt.Sprintf("GHSA-bench-%d", n))
	}
	rows, err := s.DB().QueryContext(ctx, `SELECT f.id, f.asset_id, a.current_snapshot_id, f.pkey, f.ecosystem, f.package, f.version,
		f.vuln_id, f.aliases FROM findings f JOIN assets a ON a.id = f.asset_id
		WHERE f.vuln_id IN (`+strings.Join(ids, ", ")+`) ORDER BY f.asset_id, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("bulk delta: %w", err)
	}
	defer rows.Close()
	byAsset := map[int64]*store.MatchResult{}
	var order []int64
	for rows.Next() {
		var id, asset, snap int64
		var d finding.Detected
		var aliases string
		if err := rows.Scan(&id, &asset, &snap, &d.Key, &d.Ecosystem, &d.Package, &d.Version, &d.VulnID, &aliases); err != nil {
			return nil, fmt.Errorf("bulk delta: %w", err)
		}
		d.Aliases = []string{strings.Trim(aliases, `["]`)}
		d.Summary, d.Severity, d.SeverityRank, d.Score = "Benchmark advisory "+d.VulnID+", revised", string(model.RatingCritical), 5, 9.1
		d.SeverityInfo, d.Evidence = "{}", "[]"
		if id%3 == 0 {
			d.Version += "-1"
		}
		m := byAsset[asset]
		if m == nil {
			m = &store.MatchResult{AssetID: asset, SnapshotID: snap, Resolution: model.ResolvedByAdvisory}
			byAsset[asset] = m
			order = append(order, asset)
		}
		if !slices.Contains(m.Keys, d.Key) {
			m.Keys = append(m.Keys, d.Key)
		}
		m.Findings = append(m.Findings, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulk delta: %w", err)
	}
	out := make([]store.MatchResult, len(order))
	for i, a := range order {
		out[i] = *byAsset[a]
	}
	return out, nil
}
