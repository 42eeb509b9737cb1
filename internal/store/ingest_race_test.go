package store_test

import (
	"sync"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// Uploads that all ask to create the same new asset land on one asset,
// every one of them: create-if-missing is idempotent. On PostgreSQL the
// second of two concurrent creators used to fail on the unique name.
func TestConcurrentCreateIfMissing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 50
		cs, keys := comps(20)
		var wg sync.WaitGroup
		errs := make([]error, n)
		ids := make([]int64, n)
		for i := range n {
			wg.Go(func() {
				a, _, err := storetest.Ingest(ctx, s, model.Asset{Name: "new-service"}, true,
					store.NewSnapshot{Format: "CycloneDX 1.6 JSON", SHA256: "abc", Components: cs, Keys: keys})
				errs[i], ids[i] = err, a.ID
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("upload %d: %v", i, err)
			}
		}
		for i := range ids {
			if ids[i] != ids[0] {
				t.Fatalf("uploads landed on assets %d and %d", ids[0], ids[i])
			}
		}
		snaps, err := s.Snapshots(ctx, ids[0])
		if err != nil || len(snaps) != n {
			t.Fatalf("snapshots: %d, %v; want %d", len(snaps), err, n)
		}
	})
}
