package store_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestDeleteFeedWithdraws: deleting a feed withdraws, in one
// transaction, the advisories no other feed supplies — no longer matched,
// kept for the findings they explain — and returns their keys for the
// caller to re-match (returned for the caller to re-match); an advisory another feed holds stays.
// The last KEV feed takes the catalogue and its marks with it.
func TestDeleteFeedWithdraws(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, keys := comps(3)
		a, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "a", Kind: model.FeedOSV, URL: "https://a.example/all.zip"})
		b, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "b", Kind: model.FeedOSV, URL: "https://b.example/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: a.ID},
			[]store.Advisory{advisory("ADV-1", keys[0], "CVE-2024-1"), advisory("ADV-2", keys[1])}); err != nil {
			t.Fatal(err)
		}
		// B holds ADV-2 unchanged (already stored) and brings ADV-3.
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: b.ID, Held: []string{"ADV-2"}},
			[]store.Advisory{advisory("ADV-3", keys[2])}); err != nil {
			t.Fatal(err)
		}
		for feed, want := range map[int64][]string{a.ID: {"ADV-1", "ADV-2"}, b.ID: {"ADV-2", "ADV-3"}} {
			got, err := s.FeedAdvisories(ctx, feed)
			if err != nil || len(got) != len(want) || !got[want[0]] || !got[want[1]] {
				t.Fatalf("feed %d supplies %v (%v), want %v", feed, got, err, want)
			}
		}
		kev, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: "https://kev.example/kev.json"})
		if _, err := storetest.ApplyKEV(ctx, s, store.FeedResult{FeedID: kev.ID}, []store.KEVEntry{{CVE: "CVE-2024-1"}}); err != nil {
			t.Fatal(err)
		}
		g0, _ := s.Generation(ctx)

		rematch, n, err := storetest.DeleteFeed(ctx, s, a.ID)
		if err != nil || n != 1 {
			t.Fatalf("delete a: %d advisories withdrawn, %v; want 1", n, err)
		}
		if !slices.Equal(rematch, keys[:1]) {
			t.Errorf("keys to re-match: %v, want %v", rematch, keys[:1])
		}
		if _, err := s.Feed(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("feed a after its deletion: %v", err)
		}
		if recs, _ := s.RecordsByKey(ctx, keys[0]); len(recs) != 0 {
			t.Errorf("ADV-1 is still matched: %v", recs)
		}
		if recs, _ := s.RecordsByKey(ctx, keys[1]); len(recs) != 1 {
			t.Errorf("ADV-2, which b holds too, lost its records: %v", recs)
		}
		if info, ok, _ := s.AdvisoryInfo(ctx, "ADV-1"); !ok || info == "" {
			t.Errorf("ADV-1 is gone; its findings would lose their explanation")
		}
		if hashes, _ := s.AdvisoryHashes(ctx); hashes["ADV-1"] != "" || hashes["ADV-2"] == "" {
			t.Errorf("hashes after the withdrawal: %v", hashes)
		}
		if n, _, _ := s.AdvisoryStats(ctx); n != 2 {
			t.Errorf("%d advisories counted, want 2 (ADV-1 withdrawn)", n)
		}
		if g1, _ := s.Generation(ctx); g1 <= g0 {
			t.Errorf("generation %d → %d: caches would keep ADV-1", g0, g1)
		}

		// A feed that brings ADV-1 again stores it anew.
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: b.ID}, []store.Advisory{advisory("ADV-1", keys[0])}); err != nil {
			t.Fatal(err)
		}
		if recs, _ := s.RecordsByKey(ctx, keys[0]); len(recs) != 1 {
			t.Errorf("ADV-1 brought again: records %v", recs)
		}
		if n, _, _ := s.AdvisoryStats(ctx); n != 3 {
			t.Errorf("%d advisories counted, want 3", n)
		}

		// The last KEV feed takes the catalogue with it.
		if _, n, err := storetest.DeleteFeed(ctx, s, kev.ID); err != nil || n != 0 {
			t.Fatalf("delete kev: %d, %v", n, err)
		}
		var listed int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM kev`).Scan(&listed); err != nil || listed != 0 {
			t.Errorf("%d KEV entries left (%v)", listed, err)
		}
		if _, _, err := storetest.DeleteFeed(ctx, s, kev.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting it again: %v", err)
		}
	})
}

// TestFeedSecretURL: the URL with credentials is stored apart from the
// one shown, and only the one shown is in the feed's JSON.
func TestFeedSecretURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const secret = "https://me:pa55@feeds.example/kev.json?token=abc"
		f, err := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV,
			URL: "https://REDACTED@feeds.example/kev.json?token=REDACTED", SecretURL: secret})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Feed(ctx, f.ID)
		if got.Source() != secret || got.URL == secret {
			t.Errorf("stored: url %q, source %q", got.URL, got.Source())
		}
		b, _ := json.Marshal(got)
		if strings.Contains(string(b), "pa55") || strings.Contains(string(b), "abc") {
			t.Errorf("the feed's JSON shows a credential: %s", b)
		}
		got.SecretURL = ""
		got.URL = "https://feeds.example/kev.json"
		if got, err = storetest.UpdateFeed(ctx, s, got); err != nil || got.Source() != "https://feeds.example/kev.json" {
			t.Errorf("updated: %+v, %v", got, err)
		}
	})
}
