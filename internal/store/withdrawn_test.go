package store_test

import (
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// A finding whose advisory has been withdrawn resolves as "withdrawn",
// whichever writer notices first: the re-match its withdrawal queued, a
// re-match of another change, or the match of a new snapshot. (With the
// reason carried by the re-match job alone, a match that ran first wrote
// "advisory-changed" or "upgrade".)
func TestWithdrawnWhicheverWriter(t *testing.T) {
	for _, writer := range []string{"rematch", "snapshot match"} {
		t.Run(writer, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				cs, keys := comps(2)
				f, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://osv.example/all.zip"})
				if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: f.ID}, []store.Advisory{advisory("ADV-1", keys[0])}); err != nil {
					t.Fatal(err)
				}
				a, snap, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "x", Components: cs, Keys: keys})
				if err != nil {
					t.Fatal(err)
				}
				found := []finding.Detected{detected(keys[0], cs[0].Version, "ADV-1")}
				if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Findings: found, Resolution: model.ResolvedByUpgrade}); err != nil {
					t.Fatal(err)
				}
				if _, _, err := storetest.DeleteFeed(ctx, s, f.ID); err != nil {
					t.Fatal(err)
				}
				// The writer sees ADV-1 no longer.
				switch writer {
				case "rematch":
					_, err = storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Keys: keys[:1],
						Resolution: model.ResolvedByAdvisory})
				default:
					_, err = storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Resolution: model.ResolvedByUpgrade})
				}
				if err != nil {
					t.Fatal(err)
				}
				fs, _, err := s.Findings(ctx, store.FindingFilter{Status: "all"})
				if err != nil || len(fs) != 1 || fs[0].Status != model.FindingResolved || fs[0].Resolution != model.ResolvedByWithdrawal {
					t.Fatalf("after the withdrawal: %+v %v; want one finding resolved as withdrawn", fs, err)
				}
			})
		})
	}
}
