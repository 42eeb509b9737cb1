package store_test

import (
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/store"
)

// BenchmarkAssetRows reads the first page of the assets list, and a page
// filtered by kind and text, with its count, from 10,000 assets with
// 100 open findings each (1,000,000 findings), on each engine.
func BenchmarkAssetRows(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store.Store) {
		seedAssetPortfolio(b, s, 10000, 100)
		for _, c := range []struct {
			name string
			f    store.AssetFilter
		}{{"first-page", store.AssetFilter{Limit: 50}}, {"filtered", store.AssetFilter{Limit: 50, Kind: "host", Text: "team-7"}}} {
			b.Run(c.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.CountAssetRows(ctx, c.f); err != nil {
						b.Fatal(err)
					}
					rows, err := s.AssetRows(ctx, c.f, "")
					if err != nil || len(rows) != 50 {
						b.Fatalf("%d rows, %v", len(rows), err)
					}
				}
			})
		}
	})
}

// seedAssetPortfolio writes assets, each with a current snapshot and open
// findings, straight into the tables.
func seedAssetPortfolio(b *testing.B, s *store.Store, assets, findings int) {
	b.Helper()
	db, at := s.DB(), time.Now().UTC()
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO assets (name, kind, owner, criticality, exposure, lifecycle, created_at, updated_at)
		SELECT 'asset-' || i, CASE WHEN i % 3 = 0 THEN 'host' ELSE 'application' END, 'team-' || (i % 50), 1 + i % 4,
			'internal', 'active', $2, $2 FROM n`, []any{assets, at}},
		{`INSERT INTO snapshots (asset_id, format, sha256, components, created_at) SELECT id, 'test', '', $1, $2 FROM assets`, []any{findings, at}},
		{`UPDATE assets SET current_snapshot_id = (SELECT MAX(sn.id) FROM snapshots sn WHERE sn.asset_id = assets.id)`, nil},
	} {
		if _, err := db.ExecContext(ctx, st.q, st.args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)
		INSERT INTO findings (asset_id, pkey, ecosystem, package, version, vuln_id, severity, severity_rank, status, snapshot_id, first_seen, last_seen)
		SELECT 1 + i % $2, 'npm/p' || (i / $2), 'npm', 'p' || (i / $2), '1.0', 'VDX-' || i,
			CASE i % 5 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' ELSE 'low' END, CASE i % 5 WHEN 0 THEN 5 WHEN 1 THEN 4 ELSE 2 END,
			'open', 1 + i % $2, $3, $3 FROM n`, assets*findings, assets, at); err != nil {
		b.Fatal(err)
	}
	if err := s.Maintain(ctx); err != nil {
		b.Fatal(err)
	}
}
