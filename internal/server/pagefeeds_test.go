package server_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

const formType = "application/x-www-form-urlencoded"

// postForm posts a form as a browser on the same site would.
func postForm(t *testing.T, base, path string, form url.Values, hdr map[string]string) httpAnswer {
	t.Helper()
	h := map[string]string{"Content-Type": formType}
	for k, v := range hdr {
		h[k] = v
	}
	return rawCall(t, base, "POST", path, strings.NewReader(form.Encode()), h)
}

// wantPage fails the test unless an answer has the status and shows
// every text (compared unescaped).
func wantPage(t *testing.T, what string, a httpAnswer, status int, texts ...string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: %s; want %d", what, a, status)
		return
	}
	body := html.UnescapeString(string(a.body))
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s does not show %q", what, s)
		}
	}
}

// TestFeedsPages checks /feeds and /feeds/{id} on both engines: a local
// OSV feed configured with the form syncs and shows its health, and a
// sync asked for on the page is listed with its progress; bad forms are
// answered in words, re-filled; an API key is never shown; deletion
// needs its confirmation; an auditor sees no forms and is refused; a
// cross-origin post changes nothing.
func TestFeedsPages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			feedsPages(t, e)
		})
	}
}

func feedsPages(t *testing.T, e storetest.Engine) {
	advDir, err := filepath.Abs("../../examples/advisories")
	if err != nil {
		t.Fatal(err)
	}
	p := startInproc(t, e, inprocOptions{jobs: true, adminPassword: pagesPW, feedDirs: []string{advDir}})
	admin := signIn(t, p.URL, "admin", pagesPW)
	get := pageGetter(t, p.URL)
	post := func(path string, form url.Values, hdr map[string]string) httpAnswer {
		return postForm(t, p.URL, path, form, hdr)
	}
	ctx := context.Background()

	// A first start configures the public feeds, disabled.
	seeded, err := p.Store.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantPage(t, "GET /feeds", rawCall(t, p.URL, "GET", "/feeds", nil, admin), 200, `href="/feeds/new"`, "cisa-kev", `state-disabled">disabled`)
	wantPage(t, "GET /feeds/new", rawCall(t, p.URL, "GET", "/feeds/new", nil, admin), 200, `id="feed-form"`, "API key (NVD only)")

	// Bad forms: the error in words, the form filled again.
	feedForm := func(kv ...string) url.Values {
		v := url.Values{"name": {"local-osv"}, "kind": {"osv"}, "url": {advDir}, "interval_seconds": {"3600"}, "enabled": {"true"}, "api_key": {""}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, c := range []struct {
		form   url.Values
		status int
		want   []string
	}{
		{feedForm("name", ""), 400, []string{"name", `value="` + advDir + `"`}},
		{feedForm("interval_seconds", "soon"), 400, []string{`interval "soon": a whole number of seconds`, `value="local-osv"`}},
		{feedForm("interval_seconds", "5"), 400, []string{"interval_seconds 5: between 60 and 604800"}},
		{feedForm("kind", "rss"), 400, []string{`kind "rss": one of osv, kev, epss, nvd`}},
		{feedForm("url", "/nowhere/<script>alert(1)</script>"), 400, []string{"url"}},
		{feedForm("api_key", "k-123"), 400, []string{"API key: only an http(s) source"}},
	} {
		a := post("/feeds", c.form, admin)
		wantPage(t, fmt.Sprintf("POST /feeds %v", c.form), a, c.status, append(c.want, `id="feed-form"`, `class="error"`)...)
		if strings.Contains(string(a.body), "<script>alert(1)") || strings.Contains(string(a.body), "k-123") {
			t.Errorf("POST /feeds %v: the answer echoes a script or the key", c.form)
		}
	}
	if fs, _ := p.Store.Feeds(ctx); len(fs) != len(seeded) {
		t.Fatalf("bad forms stored feeds: %+v", fs)
	}

	// A local OSV feed: created, synced, healthy.
	a := post("/feeds", feedForm(), admin)
	if a.status != 303 || a.header.Get("Location") != "/feeds" {
		t.Fatalf("POST /feeds: %s", a)
	}
	wantPage(t, "POST /feeds again", post("/feeds", feedForm(), admin), 409, "local-osv", `id="feed-form"`)
	id := feedID(t, p.admin, "local-osv")
	waitJobsDone(t, p.admin, model.JobSyncFeed)
	f, err := p.Store.Feed(ctx, id)
	if err != nil || f.Items == 0 || f.LastSuccessAt.IsZero() {
		t.Fatalf("the feed after its first sync: %+v, %v", f, err)
	}
	list := get("/feeds", admin, 200)
	wantPage(t, "GET /feeds", httpAnswer{status: 200, body: []byte(list)}, 200, "local-osv", `state-ok">ok`, advDir,
		"syncing feeds", fmt.Sprintf(`<td class="num">%d</td>`, f.Items), "Sync now", fmt.Sprintf(`href="/feeds/%d">Configure`, id),
		"files read")

	// Sync now: queued, named on the page, then listed with its progress.
	a = post(fmt.Sprintf("/feeds/%d/sync", id), url.Values{"force": {"true"}}, admin)
	loc := a.header.Get("Location")
	m := regexp.MustCompile(`^/feeds\?queued=(\d+)$`).FindStringSubmatch(loc)
	if a.status != 303 || m == nil {
		t.Fatalf("POST /feeds/%d/sync: %s (Location %q)", id, a, loc)
	}
	job, _ := strconv.ParseInt(m[1], 10, 64)
	wantPage(t, "GET "+loc, rawCall(t, p.URL, "GET", loc, nil, admin), 200, fmt.Sprintf("Sync of local-osv queued (job %d).", job))
	waitJob(t, p.admin, model.JobSyncFeed, job)
	n := countFiles(t, advDir)
	row := jobRowOf(t, get("/feeds", admin, 200), job)
	for _, w := range []string{fmt.Sprintf(`<progress max="%d" value="%d">`, n, n), fmt.Sprintf("%d of %d files read", n, n), "done", "local-osv"} {
		if !strings.Contains(row, w) {
			t.Errorf("the row of job %d does not show %q: %s", job, w, row)
		}
	}
	if !strings.Contains(jobRowOf(t, get(fmt.Sprintf("/feeds/%d", id), admin, 200), job), "files read") {
		t.Errorf("the feed's page does not list job %d with its progress", job)
	}

	// Edit: the interval changes; a bad interval changes nothing.
	wantPage(t, "POST /feeds/{id} bad", post(fmt.Sprintf("/feeds/%d", id), feedForm("interval_seconds", "-3", "name", "renamed"), admin), 400,
		`interval "-3"`, `value="renamed"`)
	a = post(fmt.Sprintf("/feeds/%d", id), feedForm("interval_seconds", "7200"), admin)
	if a.status != 303 || a.header.Get("Location") != fmt.Sprintf("/feeds/%d", id) {
		t.Fatalf("POST /feeds/%d: %s", id, a)
	}
	if f, _ := p.Store.Feed(ctx, id); f.Interval != 7200 || f.Name != "local-osv" {
		t.Errorf("after the edit: %+v", f)
	}
	wantPage(t, "GET /feeds/{id}", rawCall(t, p.URL, "GET", fmt.Sprintf("/feeds/%d", id), nil, admin), 200, "7200 seconds", `value="7200"`, "Recent syncs")

	// An NVD feed with an API key: kept, never shown; an empty key keeps
	// it, a new one replaces it.
	const key1, key2 = "nvd-key-0123456789abcdef", "nvd-key-fedcba9876543210"
	nvdURL := "https://nvd.example.invalid/rest/json/cves/2.0"
	a = post("/feeds", feedForm("name", "nvd-api", "kind", "nvd", "url", nvdURL, "api_key", key1, "enabled", ""), admin)
	if a.status != 303 {
		t.Fatalf("POST /feeds (nvd): %s", a)
	}
	nvdID := feedID(t, p.admin, "nvd-api")
	nf, _ := p.Store.Feed(ctx, nvdID)
	if !strings.Contains(nf.SecretURL, key1) || strings.Contains(nf.URL, key1) {
		t.Fatalf("the NVD feed's key is not kept apart: %q", nf.URL)
	}
	page := get(fmt.Sprintf("/feeds/%d", nvdID), admin, 200)
	if !strings.Contains(page, "Leave empty to keep the current key") || !strings.Contains(page, "REDACTED") {
		t.Errorf("the NVD feed's page does not say how its key is kept")
	}
	a = post(fmt.Sprintf("/feeds/%d", nvdID), feedForm("name", "nvd-api", "kind", "nvd", "url", nf.URL, "interval_seconds", "86400", "enabled", ""), admin)
	if nf, _ = p.Store.Feed(ctx, nvdID); a.status != 303 || !strings.Contains(nf.SecretURL, key1) || nf.Interval != 86400 {
		t.Errorf("an edit with the key left empty: %s; secret kept %v, interval %d", a, strings.Contains(nf.SecretURL, key1), nf.Interval)
	}
	a = post(fmt.Sprintf("/feeds/%d", nvdID), feedForm("name", "nvd-api", "kind", "nvd", "url", nf.URL, "api_key", key2, "enabled", ""), admin)
	if nf, _ = p.Store.Feed(ctx, nvdID); a.status != 303 || !strings.Contains(nf.SecretURL, key2) || strings.Contains(nf.SecretURL, key1) {
		t.Errorf("an edit with a new key: %s; the new key is not the one kept", a)
	}
	// A failing form with a key typed into the URL does not echo it.
	a = post("/feeds", feedForm("name", "leaky", "kind", "nvd", "url", nvdURL+"?apiKey="+key1, "interval_seconds", "1"), admin)
	wantPage(t, "POST /feeds with a key in the URL", a, 400, "interval_seconds 1", "REDACTED")
	for _, path := range []string{"/feeds", fmt.Sprintf("/feeds/%d", nvdID), fmt.Sprintf("/feeds/%d", id)} {
		noSecret(t, "GET "+path, []byte(get(path, admin, 200)), key1, key2)
	}
	noSecret(t, "POST /feeds with a key in the URL", a.body, key1, key2)

	// An auditor reads, without forms, and is refused every change.
	if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: "reader", Role: "auditor", Password: pagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	reader := signIn(t, p.URL, "reader", pagesPW)
	for _, path := range []string{"/feeds", fmt.Sprintf("/feeds/%d", id)} {
		body := get(path, reader, 200)
		if strings.Contains(body, "<form method") || strings.Contains(body, `id="feed-form"`) || strings.Contains(body, "Sync now") ||
			strings.Contains(body, "Configure") {
			t.Errorf("GET %s as an auditor shows a form", path)
		}
	}
	get("/feeds/new", reader, 403)
	for path, form := range map[string]url.Values{
		"/feeds":                              feedForm("name", "by-reader"),
		fmt.Sprintf("/feeds/%d", id):          feedForm("interval_seconds", "600"),
		fmt.Sprintf("/feeds/%d/sync", id):     {},
		fmt.Sprintf("/feeds/%d/delete", id):   {"confirm": {"yes"}},
		fmt.Sprintf("/feeds/%d/delete", 9999): {"confirm": {"yes"}},
	} {
		wantPage(t, "POST "+path+" as an auditor", post(path, form, reader), 403, "role auditor may not", `class="error"`)
	}

	// Deletion: refused unconfirmed, and from another site; then done.
	del := fmt.Sprintf("/feeds/%d/delete", id)
	wantPage(t, "POST "+del+" unconfirmed", post(del, url.Values{}, admin), 400, "the feed was not deleted")
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		hdr := map[string]string{"Cookie": admin["Cookie"]}
		for k, v := range h {
			hdr[k] = v
		}
		if a := post(del, url.Values{"confirm": {"yes"}}, hdr); a.status != 403 {
			t.Errorf("a cross-origin delete (%v): %s; want 403", h, a)
		}
	}
	if f, _ := p.Store.Feed(ctx, id); f.Interval != 7200 {
		t.Fatalf("the feed is gone or changed after refused posts: %+v", f)
	}
	a = post(del, url.Values{"confirm": {"yes"}}, admin)
	if a.status != 303 || a.header.Get("Location") != "/feeds" {
		t.Fatalf("POST %s: %s", del, a)
	}
	if _, err := p.Store.Feed(ctx, id); err == nil {
		t.Errorf("the feed is still there after its deletion")
	}
	if body := get("/feeds", admin, 200); strings.Contains(body, ">local-osv<") {
		t.Errorf("the deleted feed is still listed")
	}
	get(fmt.Sprintf("/feeds/%d", id), admin, 404)
}

// jobRowOf is the table row of a job on a page.
func jobRowOf(t *testing.T, page string, job int64) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr>\s*<td class="num">` + strconv.FormatInt(job, 10) + `</td>.*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("job %d is not listed", job)
	}
	return m
}

// countFiles counts the JSON files of a directory of advisories.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}
