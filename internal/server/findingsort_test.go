package server_test

// The findings list by CVSS score and with a score range, and EUVD IDs
// as aliases, through the API on both engines: advisories written here
// (an OSV feed on a directory), SBOMs uploaded, the feed synced.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// scoreSeverities are the severities of the score test's advisories, in
// turn: CVSS vectors of scores that repeat, none at all, and a
// database_specific rating without a vector (no score, a rank).
var scoreSeverities = []string{
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]`, // 9.8
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]`, // 7.5
	`"database_specific": {"severity": "HIGH"}`,
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"}]`, // 5.4
	`"summary": "no severity"`,
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]`, // 10.0
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]`, // 7.5
	`"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N"}]`, // 3.3
	`"database_specific": {"severity": "LOW"}`,
}

// The EUVD IDs the test's advisories name: two advisories of one package
// share euvdShared (and nothing else); another package's advisory names
// euvdOther.
const (
	euvdShared = "EUVD-2025-12345"
	euvdOther  = "EUVD-2025-12399"
)

// writeScoreAdvisories writes n OSV advisories, one for each PyPI package
// score-i, with scoreSeverities in turn, and the EUVD-aliased ones: for
// euvd-pkg, PYSEC-2025-77 (aliases CVE-2025-27777 and euvdShared) and
// GHSA-e2vd-77q5-x9p3 (alias euvdShared only); for euvd-other,
// PYSEC-2025-78 (alias euvdOther).
func writeScoreAdvisories(t *testing.T, dir string, n int) {
	t.Helper()
	write := func(id, pkg, aliases, severity string) {
		doc := fmt.Sprintf(`{"schema_version": "1.6.0", "id": %q, "modified": "2025-06-01T00:00:00Z", "aliases": [%s], %s,
			"affected": [{"package": {"ecosystem": "PyPI", "name": %q},
				"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]}`, id, aliases, severity, pkg)
		if err := os.WriteFile(filepath.Join(dir, id+".json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		write(fmt.Sprintf("PYSEC-2025-%d", 1000+i), fmt.Sprintf("score-%d", i), fmt.Sprintf(`"CVE-2025-%d"`, 41000+i), scoreSeverities[i%len(scoreSeverities)])
	}
	write("PYSEC-2025-77", "euvd-pkg", `"CVE-2025-27777", "`+euvdShared+`"`, scoreSeverities[0])
	write("GHSA-e2vd-77q5-x9p3", "euvd-pkg", `"`+euvdShared+`"`, scoreSeverities[1])
	write("PYSEC-2025-78", "euvd-other", `"`+euvdOther+`"`, scoreSeverities[3])
}

// scoreSBOM is a CycloneDX SBOM of score-0…score-(n-1), euvd-pkg and
// euvd-other, each at 1.0.0.
func scoreSBOM(n int) []byte {
	var comps []string
	names := []string{"euvd-pkg", "euvd-other"}
	for i := range n {
		names = append(names, fmt.Sprintf("score-%d", i))
	}
	for _, name := range names {
		comps = append(comps, fmt.Sprintf(`{"type": "library", "name": %q, "version": "1.0.0", "purl": "pkg:pypi/%s@1.0.0"}`, name, name))
	}
	return []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [` + strings.Join(comps, ",") + `]}`)
}

// byScore orders findings as sort=score lists them.
func byScore(a, b model.AssetFinding) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]), cmp.Compare(b.ID, a.ID))
}

func findingIDs(fs []model.AssetFinding) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// TestFindingsByScoreAndEUVD: on a server whose OSV feed names EUVD IDs
// and scores findings with ties, sort=score pages through every open
// finding once, in score order, in pages of any size; min_score and
// max_score keep what they say; q finds a finding by its EUVD ID, which
// the finding shows among its aliases and by which the advisory is read;
// bad scores, sorts and cursors are 400s naming the parameter.
func TestFindingsByScoreAndEUVD(t *testing.T) {
	t.Parallel()
	const n = 36
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeScoreAdvisories(t, dir, n)
			p := startInproc(t, e, inprocOptions{jobs: true, feedDirs: []string{dir}})
			admin := p.admin
			c := admin.API()
			ctx := servertest.Ctx(t)
			sbom := scoreSBOM(n)
			for _, asset := range []string{"score-a", "score-b"} {
				r := must(c.UploadByName(ctx, asset, sbom, client.UploadOptions{Create: true}))(t)
				waitMatched(t, admin, r.Snapshot.ID)
			}
			feed := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("score-osv"), Kind: ptr(model.FeedOSV), URL: ptr(dir)}))(t)
			waitJob(t, admin, model.JobSyncFeed, feedJob(t, admin, feed.ID))
			want := 2 * (n + 2) // each asset: a finding per score-i, one of euvd-pkg's two advisories, one of euvd-other
			servertest.Eventually(t, e2eWait, fmt.Sprintf("%d findings", want), func() bool {
				return len(findingPages(t, admin, client.FindingFilter{}, 500)) == want
			})
			waitJobsDone(t, admin, model.JobRematch)

			checkScoreOrder(t, admin, want)
			checkScoreFilters(t, admin)
			checkEUVD(t, p)
			checkScoreRefusals(t, admin)
		})
	}
}

// checkScoreOrder: sort=score lists every open finding once, in score
// order, alike in pages of 1, 3, 7 and 500; the data has what makes
// paging by score hard (ties of score across ranks, runs of one score,
// unscored findings of several ranks).
func checkScoreOrder(t *testing.T, c *servertest.Client, want int) {
	t.Helper()
	all := findingPages(t, c, client.FindingFilter{Sort: "score"}, 500)
	if len(all) != want {
		t.Fatalf("sort=score: %d findings, want %d", len(all), want)
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, byScore)
	if !slices.Equal(findingIDs(all), findingIDs(sorted)) {
		t.Fatalf("sort=score is not in score order:\n got %v\nwant %v", findingIDs(all), findingIDs(sorted))
	}
	ranks := map[float64]map[string]bool{}
	for _, f := range all {
		if ranks[f.Score] == nil {
			ranks[f.Score] = map[string]bool{}
		}
		ranks[f.Score][f.Severity] = true
	}
	if len(ranks[0]) < 2 || len(ranks[7.5]) == 0 || len(ranks[9.8]) == 0 || len(ranks[10]) == 0 {
		t.Fatalf("the scores and ratings the test needs are not all there: %v", ranks)
	}
	for _, size := range []int{1, 3, 7} {
		if got := findingPages(t, c, client.FindingFilter{Sort: "score"}, size); !slices.Equal(findingIDs(got), findingIDs(all)) {
			t.Errorf("sort=score in pages of %d:\n got %v\nwant %v", size, findingIDs(got), findingIDs(all))
		}
	}
	bySeverity := findingPages(t, c, client.FindingFilter{Sort: "severity"}, 7)
	if got, def := findingIDs(bySeverity), findingIDs(findingPages(t, c, client.FindingFilter{}, 500)); !slices.Equal(got, def) {
		t.Errorf("sort=severity differs from the default order")
	}
	a, b := findingIDs(bySeverity), findingIDs(all)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("sort=severity and sort=score list different findings")
	}
}

// checkScoreFilters: min_score and max_score, alone and together, by
// either sort and with q, keep exactly the findings their bounds hold;
// unscored findings count as 0.
func checkScoreFilters(t *testing.T, c *servertest.Client) {
	t.Helper()
	all := findingPages(t, c, client.FindingFilter{Sort: "score"}, 500)
	cases := []struct {
		f    client.FindingFilter
		keep func(model.AssetFinding) bool
	}{
		{client.FindingFilter{MinScore: ptr(7.5)}, func(f model.AssetFinding) bool { return f.Score >= 7.5 }},
		{client.FindingFilter{MinScore: ptr(0.1)}, func(f model.AssetFinding) bool { return f.Score > 0 }},
		{client.FindingFilter{MinScore: ptr(0.0)}, func(model.AssetFinding) bool { return true }},
		{client.FindingFilter{MaxScore: ptr(0.0)}, func(f model.AssetFinding) bool { return f.Score == 0 }},
		{client.FindingFilter{MaxScore: ptr(5.4)}, func(f model.AssetFinding) bool { return f.Score <= 5.4 }},
		{client.FindingFilter{MinScore: ptr(5.4), MaxScore: ptr(9.8)}, func(f model.AssetFinding) bool { return f.Score >= 5.4 && f.Score <= 9.8 }},
		{client.FindingFilter{MinScore: ptr(7.0), Text: "score-1"}, func(f model.AssetFinding) bool {
			return f.Score >= 7 && strings.HasPrefix(f.Package, "score-1")
		}},
		{client.FindingFilter{MinScore: ptr(9.0), Severity: []string{"critical"}, Asset: "score-b"}, func(f model.AssetFinding) bool {
			return f.Score >= 9 && f.Severity == "critical" && f.AssetName == "score-b"
		}},
	}
	for _, tc := range cases {
		var want []model.AssetFinding
		for _, f := range all {
			if tc.keep(f) {
				want = append(want, f)
			}
		}
		for _, sort := range []string{"score", "severity"} {
			f := tc.f
			f.Sort = sort
			wantIDs := slices.Clone(want)
			if sort == "severity" {
				slices.SortFunc(wantIDs, func(a, b model.AssetFinding) int {
					return cmp.Or(cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]), cmp.Compare(b.ID, a.ID))
				})
			}
			got := findingPages(t, c, f, 4)
			if len(want) == 0 || !slices.Equal(findingIDs(got), findingIDs(wantIDs)) {
				t.Errorf("findings?%s: got %v, want %v", f.Query().Encode(), findingIDs(got), findingIDs(wantIDs))
			}
		}
	}
}

// checkEUVD: q finds the findings whose advisories name an EUVD ID, in
// any case and by a part of it; the finding shows the EUVD ID among its
// aliases (two advisories that share only that ID are one finding); the
// advisory is read by it.
func checkEUVD(t *testing.T, p *inproc) {
	t.Helper()
	c := p.admin
	for _, tc := range []struct {
		q    string
		pkgs []string
	}{
		{euvdShared, []string{"euvd-pkg"}},
		{strings.ToLower(euvdShared), []string{"euvd-pkg"}},
		{euvdOther, []string{"euvd-other"}},
		{"EUVD-2025-123", []string{"euvd-other", "euvd-pkg"}},
	} {
		for _, sort := range []string{"severity", "score"} {
			got := findingPages(t, c, client.FindingFilter{Text: tc.q, Sort: sort}, 1)
			var pkgs []string
			for _, f := range got {
				if !slices.Contains(pkgs, f.Package) {
					pkgs = append(pkgs, f.Package)
				}
			}
			slices.Sort(pkgs)
			if len(got) != 2*len(tc.pkgs) || !slices.Equal(pkgs, tc.pkgs) {
				t.Errorf("q=%s&sort=%s: %d findings of %v, want one on each asset of %v", tc.q, sort, len(got), pkgs, tc.pkgs)
			}
		}
	}
	shared := findingPages(t, c, client.FindingFilter{Text: euvdShared}, 500)
	for _, f := range shared {
		one := servertest.Must(c.API().Finding(servertest.Ctx(t), f.ID))(t)
		if one.VulnID != "PYSEC-2025-77" || !slices.Equal(one.Aliases, []string{"CVE-2025-27777", euvdShared, "GHSA-e2vd-77q5-x9p3"}) {
			t.Errorf("finding %d: advisory %s, aliases %v; want PYSEC-2025-77 with CVE-2025-27777, %s and GHSA-e2vd-77q5-x9p3", f.ID, one.VulnID, one.Aliases, euvdShared)
		}
	}
	a := rawCall(t, p.URL, "GET", "/api/v1/advisories/"+url.PathEscape(euvdShared), nil, bearerHdr(c.Token))
	var adv model.AdvisoryInfo
	if err := json.Unmarshal(a.body, &adv); err != nil || a.status != 200 {
		t.Fatalf("GET /api/v1/advisories/%s: %d %s (%v)", euvdShared, a.status, a.body, err)
	}
	if adv.ID != "PYSEC-2025-77" || !slices.Contains(adv.Aliases, euvdShared) ||
		!strings.Contains(a.header.Get("Link"), "/api/v1/advisories/GHSA-e2vd-77q5-x9p3") {
		t.Errorf("GET /api/v1/advisories/%s: %s with aliases %v, Link %q; want PYSEC-2025-77 naming it, linking the GHSA",
			euvdShared, adv.ID, adv.Aliases, a.header.Get("Link"))
	}
	if other := servertest.Must(c.API().Advisory(servertest.Ctx(t), euvdOther))(t); other.ID != "PYSEC-2025-78" {
		t.Errorf("advisory %s answered %s, want PYSEC-2025-78", euvdOther, other.ID)
	}
}

// checkScoreRefusals: a score that is no CVSS score, an empty range, an
// unknown sort and a cursor of the other sort are 400s naming what was
// wrong.
func checkScoreRefusals(t *testing.T, c *servertest.Client) {
	t.Helper()
	for query, name := range map[string]string{
		"min_score=high": "min_score", "min_score=11": "min_score", "max_score=-1": "max_score", "min_score=NaN": "min_score",
		"max_score=Inf": "max_score", "min_score=": "", "min_score=8&max_score=7.9": "min_score 8 is above max_score 7.9",
		"sort=newest": "sort", "sort=Score": "sort", "sort=score&cursor=4.100": "cursor", "sort=severity&cursor=score:7.5:4:100": "cursor",
	} {
		st, body := c.Do(t, "GET", "/api/v1/findings?"+query, nil)
		if name == "" { // an empty value is no filter
			if st != 200 {
				t.Errorf("findings?%s: %d %s", query, st, body)
			}
			continue
		}
		wantAPIError(t, "findings?"+query, st, body, 400, name)
	}
	// A real cursor of each sort is refused by the other.
	for _, sort := range []string{"severity", "score"} {
		page := servertest.Must(c.API().Findings(servertest.Ctx(t), client.FindingFilter{Sort: sort, PageQuery: client.PageQuery{Limit: 1}}))(t)
		other := map[string]string{"severity": "score", "score": "severity"}[sort]
		st, body := c.Do(t, "GET", "/api/v1/findings?limit=1&sort="+other+"&cursor="+url.QueryEscape(page.NextCursor), nil)
		wantAPIError(t, "a cursor of sort="+sort+" with sort="+other, st, body, 400, "cursor", page.NextCursor)
	}
}
