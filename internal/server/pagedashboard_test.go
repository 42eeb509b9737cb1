package server_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestDashboardPage checks / on both engines against the real server: the
// tiles, the top assets, the newest findings and the three charts, whose
// numbers tables hold what the store counts; stored strings with HTML
// (an asset renamed in the database, a package, an ecosystem) render
// escaped, in the tables and inside the SVG; an empty store renders too.
func TestDashboardPage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			dashboardPage(t, e)
		})
	}
}

const (
	xssEcosystem  = `Py<em>PI</em>`
	xssScriptPkg  = `<script>alert(1)</script>`
	dashboardPass = "dashboard-pages-2026!"
)

func dashboardPage(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{adminPassword: dashboardPass})
	admin := signIn(t, p.URL, "admin", dashboardPass)
	get := pageGetter(t, p.URL)
	ctx := context.Background()

	// Empty: every section renders, with zeros and empty states.
	empty := get("/", admin, 200)
	for _, s := range []string{`<span class="n">0</span> open findings`, "No open findings", `id="history"`, `id="ecosystems"`,
		`id="inventories"`, "<summary>Numbers</summary>", `href="/feeds"`} {
		if !strings.Contains(empty, s) {
			t.Errorf("empty dashboard does not show %q", s)
		}
	}
	if rows := numbers(t, empty, "history"); len(rows) != 90 || rows[89][1] != "0" || rows[89][2] != "0" {
		t.Errorf("empty dashboard: history of %d days, last %v", len(rows), rows[len(rows)-1])
	}

	// Two assets: one renamed to HTML in the database with a finding of a
	// package named as a script, and one with a finding resolved.
	cs := []model.Component{{Name: xssScriptPkg, Version: "1.0.0", Ecosystem: "npm", Package: xssScriptPkg},
		{Name: "plain", Version: "0.1.0", Ecosystem: xssEcosystem, Package: "plain"}, {Name: "other", Version: "2.0.0", Ecosystem: "npm", Package: "other"}}
	keys := []string{"npm/" + xssScriptPkg, "pypi/plain", "npm/other"}
	a, snap, err := storetest.Ingest(ctx, p.Store, model.Asset{Name: "dash-one"}, true, store.NewSnapshot{SHA256: strings.Repeat("a", 64), Components: cs, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	a.Name = xssAsset
	if _, err := storetest.UpdateAsset(ctx, p.Store, a); err != nil {
		t.Fatal(err)
	}
	det := func(i int, id, sev string, rank int) finding.Detected {
		return finding.Detected{Key: keys[i], Ecosystem: cs[i].Ecosystem, Package: cs[i].Package, Version: cs[i].Version,
			VulnID: id, Severity: sev, SeverityRank: rank, Evidence: "[]"}
	}
	apply := func(assetID, snapID int64, fs ...finding.Detected) {
		t.Helper()
		if _, err := storetest.ApplyFindings(ctx, p.Store, store.MatchResult{AssetID: assetID, SnapshotID: snapID,
			Resolution: model.ResolvedByUpgrade, Findings: fs}); err != nil {
			t.Fatal(err)
		}
	}
	apply(a.ID, snap.ID, det(0, "GHSA-dash-0001", "critical", 5), det(1, "GHSA-dash-0002", "low", 2))
	b, sb, err := storetest.Ingest(ctx, p.Store, model.Asset{Name: "dash-two"}, true, store.NewSnapshot{SHA256: strings.Repeat("b", 64), Components: cs[2:], Keys: keys[2:]})
	if err != nil {
		t.Fatal(err)
	}
	apply(b.ID, sb.ID, det(2, "GHSA-dash-0003", "high", 4))
	_, sb2, _ := storetest.Ingest(ctx, p.Store, model.Asset{ID: b.ID}, false, store.NewSnapshot{SHA256: strings.Repeat("c", 64), Components: cs[2:], Keys: keys[2:]})
	apply(b.ID, sb2.ID)

	page := get("/", admin, 200)
	if strings.Contains(page, "<script") || strings.Contains(page, "<em>") {
		t.Errorf("the dashboard holds stored HTML unescaped")
	}
	wantEscaped(t, "GET /", []byte(page), xssAsset, xssScriptPkg, xssEcosystem)
	for _, s := range []string{`<span class="n">2</span> open findings`, `<span class="n">2</span> assets`,
		`href="/findings?kev=true"`, fmt.Sprintf(`href="/assets/%d"`, a.ID), fmt.Sprintf(`href="/findings?asset=%d"`, a.ID),
		"GHSA-dash-0001", "GHSA-dash-0002"} {
		if !strings.Contains(page, s) {
			t.Errorf("GET / does not show %q", s)
		}
	}
	if strings.Contains(page, "GHSA-dash-0003") {
		t.Errorf("the resolved finding is among the newest open findings")
	}
	newest, _, _ := p.Store.Findings(ctx, store.FindingFilter{})
	for _, f := range newest {
		if !strings.Contains(page, fmt.Sprintf(`href="/findings/%d"`, f.ID)) {
			t.Errorf("GET / does not link finding %d", f.ID)
		}
	}

	// The charts' numbers are the store's.
	d, err := p.Store.Dashboard(ctx, time.Now(), 90)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for _, h := range d.History {
		want = append(want, []string{h.Day.Format(time.DateOnly), fmt.Sprint(h.Open), fmt.Sprint(h.Resolved)})
	}
	if got := numbers(t, page, "history"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history numbers:\n got %v\nwant %v", got, want)
	}
	if last := want[89]; last[1] != "2" || last[2] != "1" {
		t.Errorf("today: %v, want 2 open and 1 resolved", last)
	}
	if got := fmt.Sprint(numbers(t, page, "ecosystems")); got != fmt.Sprint([][]string{{xssEcosystem, "1"}, {"npm", "1"}}) {
		t.Errorf("ecosystem numbers %s", got)
	}
	if got := fmt.Sprint(numbers(t, page, "inventories")); got != fmt.Sprint([][]string{{xssAsset, "3"}, {"dash-two", "1"}}) {
		t.Errorf("inventory numbers %s", got)
	}
	// The findings page counts what its filter selects.
	if list := get("/findings", admin, 200); !strings.Contains(list, "2 findings match.") {
		t.Errorf("GET /findings does not count its 2 open findings")
	}
	if list := get("/findings?status=all", admin, 200); !strings.Contains(list, "3 findings match.") {
		t.Errorf("GET /findings?status=all does not count its 3 findings")
	}
	// Each chart draws a bar a row of its table.
	for id, n := range map[string]int{"history": 90, "ecosystems": 2, "inventories": 2} {
		fig := figure(t, page, id)
		if got := strings.Count(fig, "<rect "); got != n {
			t.Errorf("chart %s: %d bars, want %d", id, got, n)
		}
		if !strings.Contains(fig, "<title") || !strings.Contains(fig, "<figcaption>") || strings.Contains(fig, "fill=") {
			t.Errorf("chart %s: no title or caption, or a colour written into the SVG", id)
		}
	}
}

// figure is the chart with id on a page.
func figure(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<figure class="plot" id="` + id + `">.*?</figure>`).FindString(page)
	if m == "" {
		t.Fatalf("no chart %q on the page", id)
	}
	return m
}

// numbers is the numbers table of the chart with id, unescaped, a row a
// slice.
func numbers(t *testing.T, page, id string) [][]string {
	t.Helper()
	body := regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindStringSubmatch(figure(t, page, id))
	var out [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(body[1], -1) {
		var row []string
		for _, c := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr[1], -1) {
			row = append(row, strings.ReplaceAll(html.UnescapeString(c[1]), ",", ""))
		}
		out = append(out, row)
	}
	return out
}
