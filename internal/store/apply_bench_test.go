package store_test

import (
	"fmt"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// BenchmarkApplySnapshot: one new asset's snapshot of 200 components with
// 40 findings stored and matched, as the steady load of bench-serve makes
// them (go test -bench ApplySnapshot -cpuprofile … ./internal/store).
func BenchmarkApplySnapshot(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store.Store) {
		cs, keys := comps(200)
		var advs []store.Advisory
		for i := range 40 {
			advs = append(advs, advisory(fmt.Sprintf("GHSA-%d", i), keys[i*5], fmt.Sprintf("CVE-2024-%d", i)))
		}
		feed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: feed.ID}, advs); err != nil {
			b.Fatal(err)
		}
		var found []finding.Detected
		for i := range 40 {
			found = append(found, detected(keys[i*5], "1.0.0", fmt.Sprintf("GHSA-%d", i), fmt.Sprintf("CVE-2024-%d", i)))
		}
		b.ResetTimer()
		for i := range b.N {
			a, sn, err := storetest.Ingest(ctx, s, model.Asset{Name: fmt.Sprintf("app-%d", i)}, true,
				store.NewSnapshot{SHA256: fmt.Sprint(i), Components: cs, Keys: keys})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: sn.ID,
				Resolution: model.ResolvedByUpgrade, Findings: found}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchEngines runs fn on a fresh store of each engine.
func benchEngines(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s, err := store.Open(ctx, e.Config(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			fn(b, s)
		})
	}
}
