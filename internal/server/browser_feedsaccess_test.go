package server_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserFeedsAndAccess drives the feeds and access pages of the real
// binary in headless Chromium: configure a local OSV feed with the form,
// sync it now and watch its job end with its progress shown; create an
// API token (shown once, working), revoke it (refused from then on); no
// console error or CSP violation on the way. Screenshots (also 400 px
// wide) go to artefactDir.
func TestBrowserFeedsAndAccess(t *testing.T) {
	bin := chromium(t)
	advDir, err := filepath.Abs("../../examples/advisories")
	if err != nil {
		t.Fatal(err)
	}
	p := servertest.Start(t, servertest.Options{DataDir: t.TempDir(), Args: []string{"--feed-dir", advDir}})
	pw := p.AdminPassword()
	if pw == "" {
		t.Fatalf("no admin password printed:\n%s", p.Stderr())
	}
	dir := artefactDir(t)
	ctx, console := newBrowser(t, bin)
	shot := func(name string) chromedp.Action { return screenshot(dir, name) }
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("browser, %s: %v\n%s", what, err, p.Stderr())
		}
	}

	// Configure a feed with the form; it is listed.
	var notice, loc string
	run("configuring a feed",
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/feeds/new"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, pw),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#feed-form`),
		shot("feed-new.png"),
		chromedp.SendKeys(`#feed-form input[name=name]`, "browser-osv"),
		chromedp.SetValue(`#feed-form select[name=kind]`, "osv"),
		chromedp.SendKeys(`#feed-form input[name=url]`, advDir),
		chromedp.Submit(`#feed-form input[name=name]`),
		chromedp.WaitVisible(`//table[contains(@class,"feeds")]//a[.="browser-osv"]`, chromedp.BySearch),
		// Sync it now.
		chromedp.Click(`//tr[td/a[.="browser-osv"]]//button[.="Sync now"]`, chromedp.BySearch),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &notice),
		chromedp.Location(&loc),
	)
	m := regexp.MustCompile(`queued=(\d+)`).FindStringSubmatch(loc)
	if m == nil || !strings.Contains(notice, "Sync of browser-osv queued (job "+m[1]+")") {
		t.Fatalf("after Sync now: at %s, the notice says %q", loc, notice)
	}
	// The job ends; its row shows its progress.
	job := m[1]
	var row string
	servertest.Eventually(t, 60*time.Second, "sync job "+job+" to end", func() bool {
		run("reading the jobs",
			chromedp.Navigate(p.URL+"/feeds"),
			chromedp.WaitVisible(`table.jobs`),
			chromedp.Text(`//table[contains(@class,"jobs")]//tr[td[1][.="`+job+`"]]`, &row, chromedp.BySearch),
		)
		return strings.Contains(row, "done") || strings.Contains(row, "failed")
	})
	if !strings.Contains(row, "done") || !strings.Contains(row, "files read") || !strings.Contains(row, "browser-osv") {
		t.Errorf("the row of job %s: %q; want done, browser-osv and its files read", job, row)
	}
	var state string
	run("the feeds page",
		chromedp.Text(`//tr[td/a[.="browser-osv"]]/td[2]`, &state, chromedp.BySearch),
		shot("feeds.png"),
		chromedp.EmulateViewport(400, 900),
		shot("feeds-400px.png"),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Click(`//a[.="browser-osv"]`, chromedp.BySearch),
		chromedp.WaitVisible(`#feed-form`),
		shot("feed.png"),
	)
	if strings.TrimSpace(state) != "ok" {
		t.Errorf("browser-osv's state after its sync: %q; want ok", state)
	}

	// A token: shown once, works; revoked, refused.
	var secret string
	run("creating a token",
		chromedp.Navigate(p.URL+"/access"),
		chromedp.WaitVisible(`#token-form`),
		chromedp.SendKeys(`#token-form input[name=name]`, "browser-ci"),
		chromedp.SetValue(`#token-form select[name=role]`, "auditor"),
		chromedp.Submit(`#token-form input[name=name]`),
		chromedp.WaitVisible(`#new-token code`),
		chromedp.Text(`#new-token code`, &secret),
		shot("access.png"),
		chromedp.EmulateViewport(400, 900),
		shot("access-400px.png"),
		chromedp.EmulateViewport(1200, 900),
	)
	me := func() int {
		req, _ := http.NewRequest("GET", p.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if !strings.HasPrefix(secret, "vdk_") || me() != 200 {
		t.Fatalf("the token shown (%q) does not work", secret)
	}
	var msg string
	run("revoking the token",
		chromedp.Navigate(p.URL+"/access"),
		chromedp.WaitVisible(`#token-form`),
		chromedp.Click(`//tr[td[1][starts-with(normalize-space(.),"browser-ci")]]//button[.="Revoke"]`, chromedp.BySearch),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &msg),
	)
	if !strings.Contains(msg, "Token revoked") || me() != 401 {
		t.Errorf("after Revoke: %q, and the token answers %d; want 401", msg, me())
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
