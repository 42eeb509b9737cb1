package store_test

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// scoreSeed is one finding seedScored makes: a CVSS score, and the rating
// its advisory states (which may disagree with the score, so that one
// score has findings of several ranks).
type scoreSeed struct {
	score  float64
	rating model.Rating
}

// scoreSeeds tie often: on whole runs of one score, and on one score with
// different ratings; 0 is a finding without a score.
var scoreSeeds = []scoreSeed{
	{9.8, model.RatingCritical}, {7.5, model.RatingHigh}, {0, model.RatingUnknown}, {7.5, model.RatingHigh},
	{5.3, model.RatingMedium}, {7.5, model.RatingCritical}, {0, model.RatingHigh}, {10, model.RatingCritical},
	{4.3, model.RatingMedium}, {7.5, model.RatingMedium}, {0.1, model.RatingLow}, {9.8, model.RatingCritical},
	{6.1, model.RatingMedium}, {0, model.RatingUnknown}, {7.5, model.RatingHigh},
}

// seedScored stores findings of three assets (web, api, batch) in two
// ecosystems, with their advisories (each aliased by a CVE that several
// share, and an EUVD ID), KEV marking those of CVE-2024-0003, and some of
// batch's resolved. It returns every finding.
func seedScored(t *testing.T, s *store.Store, perAsset int) []model.AssetFinding {
	t.Helper()
	fd, err := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://example.org/all.zip"})
	if err != nil {
		t.Fatal(err)
	}
	var advs []store.Advisory
	var results []store.MatchResult
	n := 0
	for _, name := range []string{"web", "api", "batch"} {
		cs, keys := comps(perAsset)
		a, snap, err := storetest.Ingest(ctx, s, model.Asset{Name: name}, true, store.NewSnapshot{SHA256: name, Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		res := store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Resolution: model.ResolvedByUpgrade}
		for i := range perAsset {
			sd := scoreSeeds[n%len(scoreSeeds)]
			eco, pkg := "PyPI", fmt.Sprintf("pkg%d", i)
			if i%4 == 3 {
				eco, pkg = "Go", fmt.Sprintf("example.com/mod%d", i)
			}
			id := fmt.Sprintf("PYSEC-%s-%d", name, i)
			aliases := []string{fmt.Sprintf("CVE-2024-%04d", n%9), fmt.Sprintf("EUVD-2024-%05d", n)}
			res.Findings = append(res.Findings, finding.Detected{Key: eco + "|" + pkg, Ecosystem: eco, Package: pkg, Version: "1.0.0",
				VulnID: id, Aliases: aliases, Severity: string(sd.rating), SeverityRank: sd.rating.Rank(), Score: sd.score, Evidence: "[]"})
			adv := advisory(id, eco+"|"+pkg, aliases...)
			adv.Severity, adv.Score = string(sd.rating), sd.score
			advs = append(advs, adv)
			n++
		}
		results = append(results, res)
	}
	if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: fd.ID}, advs); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.ApplyFindings(ctx, s, results...); err != nil {
		t.Fatal(err)
	}
	// A match of batch's snapshot that no longer finds a third of them.
	batch := results[2]
	batch.Findings = nil
	for i, d := range results[2].Findings {
		if i%3 != 0 {
			batch.Findings = append(batch.Findings, d)
		}
	}
	if st, err := storetest.ApplyFindings(ctx, s, batch); err != nil || st.Resolved == 0 {
		t.Fatalf("resolving some of batch's findings: %+v %v", st, err)
	}
	kev, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "kev", Kind: model.FeedKEV, URL: "https://example.org/kev.json"})
	if _, err := storetest.ApplyKEV(ctx, s, store.FeedResult{FeedID: kev.ID}, []store.KEVEntry{{CVE: "CVE-2024-0003"}}); err != nil {
		t.Fatal(err)
	}
	all := readAll(t, s, store.FindingFilter{Status: "all"}, store.MaxPageSize)
	if len(all) != 3*perAsset {
		t.Fatalf("seeded %d findings, read %d", 3*perAsset, len(all))
	}
	return all
}

// readAll reads every page of f with the page size, failing on a finding
// met twice or a page past its size.
func readAll(t *testing.T, s *store.Store, f store.FindingFilter, limit int) []model.AssetFinding {
	t.Helper()
	f.Limit = limit
	var out []model.AssetFinding
	seen := map[int64]bool{}
	for pages := 0; ; pages++ {
		page, next, err := s.Findings(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", describe(f), err)
		}
		if len(page) > limit || (next != "" && len(page) < limit) || pages > 10000 {
			t.Fatalf("%s: page %d of %d findings, next %q", describe(f), pages, len(page), next)
		}
		for _, fd := range page {
			if seen[fd.ID] {
				t.Fatalf("%s: finding %d twice", describe(f), fd.ID)
			}
			seen[fd.ID] = true
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.Cursor = next
	}
}

// listed is what the list should answer: the findings keep selects, in
// the order sort names, as IDs.
func listed(all []model.AssetFinding, sort string, keep func(model.AssetFinding) bool) []int64 {
	var fs []model.AssetFinding
	for _, f := range all {
		if keep(f) {
			fs = append(fs, f)
		}
	}
	slices.SortFunc(fs, func(a, b model.AssetFinding) int {
		c := 0
		if sort == store.SortScore {
			c = cmp.Compare(b.Score, a.Score)
		}
		return cmp.Or(c, cmp.Compare(model.Rating(b.Severity).Rank(), model.Rating(a.Severity).Rank()), cmp.Compare(b.ID, a.ID))
	})
	return ids(fs)
}

func ids(fs []model.AssetFinding) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func ptr(v float64) *float64 { return &v }

// describe is f as a test's message shows it: its set fields, the score
// bounds by value.
func describe(f store.FindingFilter) string {
	bound := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	min, max := f.MinScore, f.MaxScore
	f.MinScore, f.MaxScore = nil, nil
	return fmt.Sprintf("%+v score %s..%s", f, bound(min), bound(max))
}

// TestFindingsSortAndScoreFilter: every filter, by severity and by score,
// read in pages of several sizes, gives exactly the findings it selects
// in the order's sequence — each once, none left out — on the list, on the
// text search's every way, and past ties of score and of rank.
func TestFindingsSortAndScoreFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		all := seedScored(t, s, 40)
		web := all[slices.IndexFunc(all, func(f model.AssetFinding) bool { return f.AssetName == "web" })].AssetID
		open := func(f model.AssetFinding) bool { return f.Status == model.FindingOpen }
		text := func(q string) func(model.AssetFinding) bool {
			return func(f model.AssetFinding) bool {
				hay := strings.ToLower(strings.Join(append([]string{f.Package, f.VulnID, f.AssetName}, f.Aliases...), "\n"))
				return open(f) && strings.Contains(hay, q)
			}
		}
		cases := []struct {
			name string
			f    store.FindingFilter
			keep func(model.AssetFinding) bool
		}{
			{"open", store.FindingFilter{}, open},
			{"all", store.FindingFilter{Status: "all"}, func(model.AssetFinding) bool { return true }},
			{"resolved", store.FindingFilter{Status: "resolved"}, func(f model.AssetFinding) bool { return !open(f) }},
			{"asset", store.FindingFilter{AssetID: web}, func(f model.AssetFinding) bool { return open(f) && f.AssetID == web }},
			{"ecosystem", store.FindingFilter{Ecosystem: "Go", Status: "all"}, func(f model.AssetFinding) bool { return f.Ecosystem == "Go" }},
			{"kev", store.FindingFilter{KEV: true}, func(f model.AssetFinding) bool { return open(f) && f.KEV }},
			{"severity", store.FindingFilter{Severity: []string{"high", "critical"}}, func(f model.AssetFinding) bool {
				return open(f) && (f.Severity == "high" || f.Severity == "critical")
			}},
			{"min_score", store.FindingFilter{MinScore: ptr(7)}, func(f model.AssetFinding) bool { return open(f) && f.Score >= 7 }},
			{"min_score 0 keeps the unscored", store.FindingFilter{MinScore: ptr(0)}, open},
			{"max_score keeps the unscored", store.FindingFilter{MaxScore: ptr(5.3)}, func(f model.AssetFinding) bool { return open(f) && f.Score <= 5.3 }},
			{"only the unscored", store.FindingFilter{MaxScore: ptr(0)}, func(f model.AssetFinding) bool { return open(f) && f.Score == 0 }},
			{"both bounds, inclusive", store.FindingFilter{MinScore: ptr(4.3), MaxScore: ptr(7.5), Status: "all"}, func(f model.AssetFinding) bool {
				return f.Score >= 4.3 && f.Score <= 7.5
			}},
			{"asset and min_score", store.FindingFilter{AssetID: web, MinScore: ptr(0.1)}, func(f model.AssetFinding) bool {
				return open(f) && f.AssetID == web && f.Score > 0
			}},
			{"severity by score range", store.FindingFilter{Severity: []string{"medium"}, MinScore: ptr(6)}, func(f model.AssetFinding) bool {
				return open(f) && f.Severity == "medium" && f.Score >= 6
			}},
		}
		for _, c := range cases {
			for _, sort := range []string{"", store.SortSeverity, store.SortScore} {
				want := listed(all, sort, c.keep)
				if len(want) == 0 && c.name != "kev" {
					t.Fatalf("%s: the seed has no such finding", c.name)
				}
				for _, limit := range []int{1, 4, store.MaxPageSize} {
					f := c.f
					f.Sort = sort
					if got := ids(readAll(t, s, f, limit)); !slices.Equal(got, want) {
						t.Errorf("%s, sort %q, pages of %d:\n got %v\nwant %v", c.name, sort, limit, got, want)
					}
				}
			}
		}

		// Text search, each of its ways (textWays), by score, with and
		// without a score filter.
		for _, q := range []string{"cve-2024-0003", "euvd-2024-0001", "pkg1", "web", "zzz"} {
			for _, minScore := range []*float64{nil, ptr(7)} {
				keep := text(q)
				if minScore != nil {
					keep = func(f model.AssetFinding) bool { return text(q)(f) && f.Score >= *minScore }
				}
				want := listed(all, store.SortScore, keep)
				for _, w := range textWays {
					restore := store.SetTextTuning(w.maxTerms, w.dense, w.window, w.walkRows)
					got := ids(readAll(t, s, store.FindingFilter{Text: q, Sort: store.SortScore, MinScore: minScore, Limit: 3}, 3))
					restore()
					if !slices.Equal(got, want) {
						t.Errorf("q=%q min_score %v by score, %s:\n got %v\nwant %v", q, minScore, w.name, got, want)
					}
				}
			}
		}
	})
}

// TestFindingsSortRefusals: an unknown sort, a score out of range or a
// range with nothing in it is ErrInvalid; a cursor of one order is
// ErrBadCursor in another.
func TestFindingsSortRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		seedScored(t, s, 3)
		for _, f := range []store.FindingFilter{
			{Sort: "newest"}, {Sort: "SCORE"}, {MinScore: ptr(-0.1)}, {MinScore: ptr(10.1)}, {MaxScore: ptr(math.NaN())},
			{MaxScore: ptr(math.Inf(1))}, {MinScore: ptr(7), MaxScore: ptr(6.9)},
		} {
			if _, _, err := s.Findings(ctx, f); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", describe(f), err)
			}
		}
		cursors := map[string]string{}
		for _, sort := range store.FindingSorts {
			_, next, err := s.Findings(ctx, store.FindingFilter{Sort: sort, Status: "all", Limit: 1})
			if err != nil || next == "" {
				t.Fatalf("sort %s: first page: next %q, %v", sort, next, err)
			}
			cursors[sort] = next
		}
		for from, c := range cursors {
			for _, sort := range store.FindingSorts {
				_, _, err := s.Findings(ctx, store.FindingFilter{Sort: sort, Status: "all", Limit: 1, Cursor: c})
				if sort == from && err != nil {
					t.Errorf("sort %s refused its own cursor %q: %v", sort, c, err)
				}
				if sort != from && (!errors.Is(err, store.ErrBadCursor) || !strings.Contains(err.Error(), c)) {
					t.Errorf("sort %s given a cursor of sort %s (%q): %v, want ErrBadCursor naming it", sort, from, c, err)
				}
			}
		}
		if _, _, err := s.Findings(ctx, store.FindingFilter{Sort: store.SortScore, Cursor: "score:11:5:1"}); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("a score past 10 in a cursor: %v", err)
		}
	})
}
