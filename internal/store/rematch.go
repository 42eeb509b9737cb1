package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"

	"github.com/vulndesk/vulndesk/internal/model"
)

// AssetComponent is a component of an asset's current snapshot.
type AssetComponent struct {
	AssetID, SnapshotID int64
	model.SnapshotComponent
}

// CurrentComponentsWithKeys returns the components with one of the keys
// of every asset's current snapshot, ordered by asset and then upload
// order: what a re-match after advisories changed reads, in one query per
// 500 keys instead of one per asset.
func (s *Store) CurrentComponentsWithKeys(ctx context.Context, keys []string) ([]AssetComponent, error) {
	// Two readers, each with half the keys: reading the rows is most of
	// the time, and the engines read on two connections at once.
	half := (len(keys) + 1) / 2
	var other []AssetComponent
	errc := make(chan error, 1)
	go func() {
		var err error
		other, err = s.componentsWithKeys(ctx, keys[half:])
		errc <- err
	}()
	out, err := s.componentsWithKeys(ctx, keys[:half])
	if err2 := <-errc; err == nil {
		err = err2
	}
	if err != nil {
		return nil, err
	}
	out = append(out, other...)
	slices.SortFunc(out, func(a, b AssetComponent) int {
		if a.AssetID != b.AssetID {
			return cmpInt64(a.AssetID, b.AssetID)
		}
		return cmpInt64(a.ID, b.ID)
	})
	return out, nil
}

func (s *Store) componentsWithKeys(ctx context.Context, keys []string) ([]AssetComponent, error) {
	var out []AssetComponent
	err := eachChunk(keys, 500, func(args []any) error {
		// The components of the keys, kept when their snapshot is an
		// asset's current one: a set test ("+" keeps SQLite from seeking
		// every key in every snapshot; joining assets on their current
		// snapshot scanned all assets for each component).
		return queryRows(ctx, s.db, `SELECT a.asset_id, c.snapshot_id, c.id, c.pkey, c.ref, c.name, c.version, c.purl,
			c.ecosystem, c.package, c.scope, c.unmatchable, c.extra
			FROM components c JOIN snapshots a ON a.id = c.snapshot_id
			WHERE c.pkey IN (`+rowPlaceholders(s.dialect, 1, len(args))+`)
			AND +c.snapshot_id IN (SELECT current_snapshot_id FROM assets)`, args, func(rows *sql.Rows) error {
			var c AssetComponent
			var scope, extra string
			if err := rows.Scan(&c.AssetID, &c.SnapshotID, &c.ID, &c.Key, &c.Ref, &c.Name, &c.Version, &c.PURL,
				&c.Ecosystem, &c.Package, &scope, &c.Unmatchable, &extra); err != nil {
				return err
			}
			c.Scope = model.Scope(scope)
			if extra != "{}" {
				var x componentExtra
				if err := json.Unmarshal([]byte(extra), &x); err != nil {
					return err
				}
				c.CPEs, c.Hashes, c.Licenses = x.CPEs, x.Hashes, x.Licenses
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
