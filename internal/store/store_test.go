package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

var ctx = context.Background()

func TestUsersSessionsTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u, err := storetest.CreateUser(ctx, s, "alice", "hash1", "admin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.CreateUser(ctx, s, "alice", "x", "admin"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate user: %v", err)
		}
		got, err := s.UserByName(ctx, "alice")
		if err != nil || got.ID != u.ID || got.PasswordHash != "hash1" || got.Role != "admin" {
			t.Fatalf("UserByName = %+v, %v", got, err)
		}
		if err := storetest.CreateSession(ctx, s, "sess", u.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := storetest.CreateSession(ctx, s, "old", u.ID, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if su, err := s.SessionUser(ctx, "sess"); err != nil || su.Username != "alice" {
			t.Fatalf("live session: %+v %v", su, err)
		}
		if _, err := s.SessionUser(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session accepted: %v", err)
		}
		if err := storetest.SetPassword(ctx, s, u.ID, "hash2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, "sess"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session survived a password change: %v", err)
		}

		tok, err := storetest.CreateToken(ctx, s, model.Token{Name: "ci", Role: "uploader", CreatedBy: "alice"}, "th")
		if err != nil {
			t.Fatal(err)
		}
		got2, err := s.TokenByHash(ctx, "th")
		if err != nil || got2.ID != tok.ID || got2.Role != "uploader" || got2.LastUsedAt.IsZero() {
			t.Fatalf("TokenByHash = %+v, %v", got2, err)
		}
		if err := storetest.RevokeToken(ctx, s, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenByHash(ctx, "th"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked token accepted: %v", err)
		}
		if err := storetest.RevokeToken(ctx, s, tok.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking twice: %v", err)
		}
		list, _ := s.Tokens(ctx)
		if len(list) != 1 || list[0].RevokedAt.IsZero() {
			t.Fatalf("Tokens = %+v", list)
		}
	})
}

func TestAssets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := model.Asset{Name: "pacs-gateway", Kind: "network-device", Criticality: 1,
			Exposure: "internet-facing", Tags: []string{"radiology"},
			CPEs: []string{"cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"}}
		if err := a.Normalize(); err != nil {
			t.Fatal(err)
		}
		a, err := storetest.CreateAsset(ctx, s, a)
		if err != nil || a.ID == 0 {
			t.Fatalf("created: %+v, %v", a, err)
		}
		if _, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "pacs-gateway", Kind: "application", Criticality: 3, Exposure: "internal", Lifecycle: "active"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate asset: %v", err)
		}
		a.Owner, a.Lifecycle = "imaging team", "legacy"
		up, err := storetest.UpdateAsset(ctx, s, a)
		if err != nil || up.Owner != "imaging team" || up.Lifecycle != "legacy" || len(up.CPEs) != 1 {
			t.Fatalf("update: %+v %v", up, err)
		}
		for i := range 5 {
			if _, err := storetest.CreateAsset(ctx, s, model.Asset{Name: fmt.Sprintf("svc-%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		page, err := s.Assets(ctx, store.AssetFilter{Limit: 4})
		if err != nil || len(page) != 4 {
			t.Fatalf("page 1: %d %v", len(page), err)
		}
		page2, _ := s.Assets(ctx, store.AssetFilter{Limit: 4, After: page[3].ID})
		if len(page2) != 2 {
			t.Fatalf("page 2: %d", len(page2))
		}
		hits, _ := s.Assets(ctx, store.AssetFilter{Text: "SVC-"})
		if len(hits) != 5 {
			t.Fatalf("text filter: %d", len(hits))
		}
		if hits, _ := s.Assets(ctx, store.AssetFilter{Text: "%"}); len(hits) != 0 {
			t.Fatalf("%% is not a wildcard: %d", len(hits))
		}
		if err := storetest.DeleteAsset(ctx, s, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Asset(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted asset: %v", err)
		}
	})
}

func comps(n int) ([]model.Component, []string) {
	var cs []model.Component
	var keys []string
	for i := range n {
		cs = append(cs, model.Component{Name: fmt.Sprintf("pkg%d", i), Version: "1.0.0",
			PURL: fmt.Sprintf("pkg:pypi/pkg%d@1.0.0", i), Ecosystem: "PyPI", Package: fmt.Sprintf("pkg%d", i),
			Licenses: []string{"MIT"}})
		keys = append(keys, fmt.Sprintf("PyPI|pkg%d", i))
	}
	return cs, keys
}

func TestIngestSnapshotIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(450) // more than one insert batch
		a, snap, err := storetest.Ingest(ctx, s, model.Asset{Name: "web"}, true, store.NewSnapshot{
			Format: "CycloneDX 1.6 JSON", SHA256: "abc", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		if a.CurrentSnapshotID != snap.ID || snap.Components != 450 {
			t.Fatalf("asset %+v snapshot %+v", a, snap)
		}
		got, err := s.Components(ctx, snap.ID, nil)
		if err != nil || len(got) != 450 || got[7].Name != "pkg7" || got[7].Licenses[0] != "MIT" || got[7].Key != keys[7] {
			t.Fatalf("components: %d %v %+v", len(got), err, got[7])
		}
		some, _ := s.Components(ctx, snap.ID, []string{keys[3], "nope"})
		if len(some) != 1 || some[0].Name != "pkg3" {
			t.Fatalf("by key: %+v", some)
		}
		many, _ := s.Components(ctx, snap.ID, keys[100:400]) // the read-and-filter path
		if len(many) != 300 || many[0].Name != "pkg100" {
			t.Fatalf("by many keys: %d", len(many))
		}

		// Unknown asset without create: nothing stored.
		if _, _, err := storetest.Ingest(ctx, s, model.Asset{Name: "ghost"}, false, store.NewSnapshot{SHA256: "x", Components: cs, Keys: keys}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown asset: %v", err)
		}
		// A failure after the components went in rolls everything back.
		ctx2, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := storetest.Ingest(ctx2, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "y", Components: cs, Keys: keys}); err == nil {
			t.Fatal("cancelled ingest succeeded")
		}
		snaps, _ := s.Snapshots(ctx, a.ID)
		if len(snaps) != 1 {
			t.Fatalf("snapshots after failed ingests: %d", len(snaps))
		}
		var n int
		s.DB().QueryRow(`SELECT COUNT(*) FROM components`).Scan(&n)
		if n != 450 {
			t.Fatalf("components after failed ingests: %d", n)
		}
	})
}

func TestJobQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id1, created, err := s.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed, DedupeKey: "feed:1"})
		if err != nil || !created {
			t.Fatal(err, created)
		}
		id2, created, err := s.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed, DedupeKey: "feed:1"})
		if err != nil || created || id2 != id1 {
			t.Fatalf("dedupe: %d %v %v", id2, created, err)
		}
		j, ok, err := s.Claim(ctx, "w1", time.Minute)
		if err != nil || !ok || j.ID != id1 || j.Attempts != 1 {
			t.Fatalf("claim: %+v %v %v", j, ok, err)
		}
		if _, ok, _ := s.Claim(ctx, "w2", time.Minute); ok {
			t.Fatal("claimed a running job twice")
		}
		// Still deduplicated while running.
		if _, created, _ := s.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed, DedupeKey: "feed:1"}); created {
			t.Fatal("queued beside a running job with the same key")
		}
		if err := s.Renew(ctx, j.ID, "w2", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("renew by another worker: %v", err)
		}
		if err := s.Finish(ctx, j.ID, "w1", nil, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// Done: the key is free again.
		if _, created, _ := s.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed, DedupeKey: "feed:1"}); !created {
			t.Fatal("key not freed by a finished job")
		}
		// A worker that dies: its lease runs out and the job is queued again.
		j2, ok, _ := s.Claim(ctx, "w1", -time.Second)
		if !ok {
			t.Fatal("no job")
		}
		if n, err := s.Reap(ctx); err != nil || n != 1 {
			t.Fatalf("reap: %d %v", n, err)
		}
		j3, ok, _ := s.Claim(ctx, "w2", time.Minute)
		if !ok || j3.ID != j2.ID || j3.Attempts != 2 {
			t.Fatalf("reclaim: %+v", j3)
		}
		if err := s.Release(ctx, j3.ID, "w2"); err != nil {
			t.Fatal(err)
		}
		j4, ok, _ := s.Claim(ctx, "w3", time.Minute)
		if !ok || j4.ID != j2.ID || j4.Attempts != 2 {
			t.Fatalf("after release: %+v", j4)
		}
		if err := s.Finish(ctx, j4.ID, "w3", errors.New("boom"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		jobs, _ := s.Jobs(ctx, "", 10)
		if jobs[0].State != model.JobFailed || jobs[0].Error != "boom" {
			t.Fatalf("failed job: %+v", jobs[0])
		}
		counts, _ := s.JobCounts(ctx)
		if counts["done"] != 1 || counts["failed"] != 1 {
			t.Fatalf("counts %v", counts)
		}
	})
}

func advisory(id, key string, aliases ...string) store.Advisory {
	return store.Advisory{ID: id, Summary: "s " + id, Severity: "high", Aliases: aliases,
		Info: `{"id":"` + id + `"}`, ContentHash: "h-" + id,
		Records: []store.AdvisoryRecord{{Key: key, JSON: `{"id":"` + id + `"}`}}}
}

func TestAdvisoriesAndGeneration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f, err := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv-pypi", Kind: model.FeedOSV, URL: "https://example.org/PyPI/all.zip"})
		if err != nil {
			t.Fatal(err)
		}
		g0, _ := s.Generation(ctx)
		keys, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: f.ID, ContentHash: "c1", Items: 2},
			[]store.Advisory{advisory("A-1", "PyPI|a"), advisory("A-2", "PyPI|b")})
		if err != nil || !slices.Equal(keys, []string{"PyPI|a", "PyPI|b"}) {
			t.Fatalf("apply: keys %v, %v", keys, err)
		}
		g1, _ := s.Generation(ctx)
		if g1 != g0+1 {
			t.Fatalf("generation %d → %d", g0, g1)
		}
		recs, _ := s.RecordsByKey(ctx, "PyPI|a")
		if len(recs) != 1 {
			t.Fatalf("records: %v", recs)
		}
		many, err := s.RecordsByKeys(ctx, []string{"PyPI|a", "PyPI|b", "PyPI|none"})
		if err != nil || len(many) != 2 || len(many["PyPI|a"]) != 1 || many["PyPI|a"][0] != recs[0] || len(many["PyPI|b"]) != 1 {
			t.Fatalf("records of several keys: %v %v", many, err)
		}
		// A-1 moves to another package: both keys need re-matching.
		moved := advisory("A-1", "PyPI|c")
		moved.ContentHash = "h2"
		keys, err = storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: f.ID, ContentHash: "c2", Items: 2}, []store.Advisory{moved})
		if err != nil || !slices.Equal(keys, []string{"PyPI|a", "PyPI|c"}) {
			t.Fatalf("re-apply: keys %v, %v", keys, err)
		}
		if recs, _ := s.RecordsByKey(ctx, "PyPI|a"); len(recs) != 0 {
			t.Fatalf("old record kept: %v", recs)
		}
		hashes, _ := s.AdvisoryHashes(ctx)
		if hashes["A-1"] != "h2" || hashes["A-2"] != "h-A-2" {
			t.Fatalf("hashes %v", hashes)
		}
		got, _ := s.Feed(ctx, f.ID)
		if got.ContentHash != "c2" || got.Items != 2 || got.Changed != 1 || got.Syncs != 2 || got.LastSuccessAt.IsZero() {
			t.Fatalf("feed health: %+v", got)
		}
	})
}

func detected(key, version, id string, aliases ...string) finding.Detected {
	return finding.Detected{Key: key, Ecosystem: "PyPI", Package: strings.Split(key, "|")[1], Version: version,
		VulnID: id, Aliases: aliases, Severity: "high", SeverityRank: 4, Evidence: "[]"}
}

func TestFindingLifeCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(3)
		a, s1, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		// The findings' advisories are stored (KEV and EPSS data reach a
		// finding later through its advisory's IDs).
		osvFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: osvFeed.ID}, []store.Advisory{
			advisory("GHSA-1", keys[0], "CVE-2024-1"), advisory("GHSA-2", keys[1])}); err != nil {
			t.Fatal(err)
		}
		kevFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: "https://example.org/kev.json"})
		if _, err := storetest.ApplyKEV(ctx, s, store.FeedResult{FeedID: kevFeed.ID}, []store.KEVEntry{{CVE: "CVE-2024-1"}}); err != nil {
			t.Fatal(err)
		}
		st, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1", "CVE-2024-1"), detected(keys[1], "1.0.0", "GHSA-2"),
				detected(keys[1], "1.0.0", "GHSA-2")}})
		if err != nil || st.New != 2 {
			t.Fatalf("first match: %+v %v", st, err)
		}
		open, _, _ := s.Findings(ctx, store.FindingFilter{})
		if len(open) != 2 {
			t.Fatalf("open: %d", len(open))
		}
		kev, _, _ := s.Findings(ctx, store.FindingFilter{KEV: true})
		if len(kev) != 1 || kev[0].VulnID != "GHSA-1" || kev[0].AssetName != "app" {
			t.Fatalf("kev: %+v", kev)
		}
		// EPSS arrives later and attaches by alias.
		epssFeed, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "epss", Kind: model.FeedEPSS, URL: "https://example.org/e.csv.gz"})
		if _, err := storetest.ApplyEPSS(ctx, s, store.FeedResult{FeedID: epssFeed.ID}, time.Now(), []store.EPSSScore{{CVE: "CVE-2024-1", Score: 0.9, Percentile: 0.99}}); err != nil {
			t.Fatal(err)
		}
		one, _ := s.Finding(ctx, kev[0].ID)
		if one.EPSS == nil || *one.EPSS != 0.9 {
			t.Fatalf("epss: %+v", one.EPSS)
		}

		// A new snapshot upgrades pkg0: its finding resolves, naming the snapshot.
		cs[0].Version = "2.0.0"
		_, s2, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs, Keys: keys})
		if st, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s1.ID}); err != nil || st != (store.MatchStats{Stale: 1}) {
			t.Fatalf("stale match applied: %+v %v", st, err)
		}
		st, err = storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s2.ID, Resolution: model.ResolvedByUpgrade,
			Findings: []finding.Detected{detected(keys[1], "1.0.0", "GHSA-2")}})
		if err != nil || st.Resolved != 1 || st.Updated != 1 {
			t.Fatalf("second match: %+v %v", st, err)
		}
		res, _, _ := s.Findings(ctx, store.FindingFilter{Status: "resolved"})
		if len(res) != 1 || res[0].ResolvedBy != s2.ID || res[0].Resolution != "upgrade" || res[0].ResolvedAt.IsZero() {
			t.Fatalf("resolved: %+v", res)
		}
		// A re-match limited to one key leaves other keys' findings alone,
		// and re-opens a resolved one that matches again.
		st, err = storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: s2.ID, Keys: []string{keys[0]},
			Resolution: model.ResolvedByAdvisory, Findings: []finding.Detected{detected(keys[0], "1.0.0", "GHSA-1", "CVE-2024-1")}})
		if err != nil || st.Reopened != 1 || st.Resolved != 0 {
			t.Fatalf("keyed match: %+v %v", st, err)
		}
		all, _, _ := s.Findings(ctx, store.FindingFilter{Status: "all"})
		if len(all) != 2 {
			t.Fatalf("all: %d", len(all))
		}
		sum, err := s.Summary(ctx)
		if err != nil || sum.Open != 2 || sum.BySeverity["high"] != 2 || sum.KEV != 1 || sum.Assets != 1 {
			t.Fatalf("summary %+v %v", sum, err)
		}
	})
}

func TestFindingsKeysetPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(40)
		a, snap, _ := storetest.Ingest(ctx, s, model.Asset{Name: "big"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		var fs []finding.Detected
		sev := []string{"low", "medium", "high", "critical"}
		for i, k := range keys {
			f := detected(k, "1.0.0", fmt.Sprintf("PYSEC-%d", i))
			f.Severity, f.SeverityRank = sev[i%4], i%4+2
			fs = append(fs, f)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Findings: fs}); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		cursor, lastRank := "", 99
		for pages := 0; ; pages++ {
			page, next, err := s.Findings(ctx, store.FindingFilter{Limit: 7, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page {
				if seen[f.ID] {
					t.Fatalf("finding %d twice", f.ID)
				}
				seen[f.ID] = true
				r := map[string]int{"low": 2, "medium": 3, "high": 4, "critical": 5}[f.Severity]
				if r > lastRank {
					t.Fatalf("order broken at %d", f.ID)
				}
				lastRank = r
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 40 {
			t.Fatalf("paged %d of 40", len(seen))
		}
		crit, _, _ := s.Findings(ctx, store.FindingFilter{Severity: []string{"critical", "high"}})
		if len(crit) != 20 {
			t.Fatalf("severity filter: %d", len(crit))
		}
		// Text search finds findings through the advisories' IDs and
		// aliases, package names and asset names.
		fd, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "f", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: fd.ID}, []store.Advisory{
			advisory("PYSEC-12", keys[12], "CVE-2024-0012"), advisory("PYSEC-13", keys[13])}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"pysec-12": 1, "cve-2024-0012": 1 /* an alias of the advisory */, "PKG13": 1, "pkg1": 11, "BIG": 40, "nothing": 0, "%": 0} {
			txt, _, err := s.Findings(ctx, store.FindingFilter{Text: q})
			if err != nil || len(txt) != want {
				t.Errorf("text %q: %d findings, want %d (%v)", q, len(txt), want, err)
			}
		}
		if _, _, err := s.Findings(ctx, store.FindingFilter{Cursor: "junk"}); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestStaleMatchResultRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(1)
		a, snap, _ := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		g, _ := s.Generation(ctx)
		f, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "f", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		// Advisories change while the match is computed.
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: f.ID}, []store.Advisory{advisory("A-1", keys[0])}); err != nil {
			t.Fatal(err)
		}
		res := store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Generation: g, CheckGeneration: true,
			Findings: []finding.Detected{detected(keys[0], "1.0.0", "A-0")}}
		if _, err := storetest.ApplyFindings(ctx, s, res); !errors.Is(err, store.ErrOutdated) {
			t.Fatalf("stale result: %v", err)
		}
		res.Generation, _ = s.Generation(ctx)
		if st, err := storetest.ApplyFindings(ctx, s, res); err != nil || st.New != 1 {
			t.Fatalf("current result: %+v %v", st, err)
		}
	})
}

// textWays are the ways text search takes, as SetTextTuning's bounds
// force them.
var textWays = []struct {
	name                              string
	maxTerms, dense, window, walkRows int
}{
	{"lookup", 5000, 1 << 30, 1000, 32000},
	{"windows", 5000, 0, 1000, 32000},
	{"small windows", 5000, 0, 1, 32000},
	{"windows cut short, then lookup", 5000, 0, 1, 6},
	{"walk", 0, 0, 1000, 32000},
}

// TestTextSearchBothWays: the candidate lookup and the walk used for
// common terms give the same pages.
func TestTextSearchBothWays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		cs, keys := comps(60)
		a, snap, _ := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		var fs []finding.Detected
		var advs []store.Advisory
		sev := []string{"low", "medium", "high", "critical"}
		for i, k := range keys {
			f := detected(k, "1.0.0", fmt.Sprintf("PYSEC-%d", i), fmt.Sprintf("CVE-2024-%d", i%7))
			f.Severity, f.SeverityRank = sev[i%4], i%4+2
			fs = append(fs, f)
			advs = append(advs, advisory(f.VulnID, k, f.Aliases...))
		}
		fd, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "f", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: fd.ID}, advs); err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Findings: fs}); err != nil {
			t.Fatal(err)
		}
		all := func(q string, sevs ...string) []string {
			var ids []string
			cur := ""
			for {
				page, next, err := s.Findings(ctx, store.FindingFilter{Text: q, Severity: sevs, Limit: 4, Cursor: cur})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range page {
					ids = append(ids, f.VulnID)
				}
				if next == "" {
					return ids
				}
				cur = next
			}
		}
		ways := textWays
		for _, q := range []string{"cve-2024-3", "pkg1", "PYSEC", "app", "zzz"} {
			for _, sevs := range [][]string{nil, {"high", "critical"}} {
				var first []string
				for i, w := range ways {
					restore := store.SetTextTuning(w.maxTerms, w.dense, w.window, w.walkRows)
					got := all(q, sevs...)
					restore()
					if i == 0 {
						first = got
						if q != "zzz" && len(got) == 0 {
							t.Errorf("q=%q found nothing", q)
						}
					} else if fmt.Sprint(got) != fmt.Sprint(first) {
						t.Errorf("q=%q %v: %s %v, %s %v", q, sevs, ways[0].name, first, w.name, got)
					}
				}
			}
		}
	})
}

// TestMaintain: the housekeeping runs on both engines (on the test
// PostgreSQL autovacuum is off, so it vacuums).
func TestMaintain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		off, err := s.AutovacuumOff(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("autovacuum off: %v", off)
		for range 2 {
			if err := s.Maintain(ctx); err != nil {
				t.Fatal(err)
			}
			if err := s.AnalyzeAfterWrites(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
}
