package service

import (
	"context"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/version"
)

// SnapshotDiff says what changed from one snapshot of an asset to
// another (see store.SnapshotDiff), each version change told an upgrade
// or a downgrade where the ecosystem orders its versions.
func (s *Service) SnapshotDiff(ctx context.Context, assetID, fromID, toID int64) (model.SnapshotDiff, error) {
	d, err := s.Store.SnapshotDiff(ctx, assetID, fromID, toID)
	if err != nil {
		return d, err
	}
	for i := range d.Changed {
		d.Changed[i].Direction = direction(d.Changed[i])
	}
	return d, nil
}

func direction(c model.VersionChange) string {
	if c.Ecosystem == "" || !version.HasOrdering(c.Ecosystem) {
		return "changed"
	}
	switch n, err := version.Compare(c.Ecosystem, c.From, c.To); {
	case err != nil:
		return "changed"
	case n < 0:
		return "upgraded"
	case n > 0:
		return "downgraded"
	}
	return "changed" // equal as versions, written differently
}
