package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserCRA drives the CRA pages of the real binary in headless
// Chromium as an admin: the seeded asset is marked as a product on
// /products, one of its findings flagged actively exploited on /cra,
// and the clock page shows the countdowns, kept current by
// /static/cra.js under the site's CSP (it titles each with its deadline);
// the early warning's draft is saved and its submission recorded. No
// console error or CSP violation on the way. Screenshots of /products,
// /cra and the clock go to artefactDir.
func TestBrowserCRA(t *testing.T) {
	o := servertest.Options{DataDir: t.TempDir()}
	b := startAdminBrowser(t, o)
	p, dir, console, run := b.p, b.dir, b.console, b.run
	api := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "auditor")}
	var list struct{ Items []model.AssetFinding }
	servertest.Eventually(t, 30*time.Second, "seeded findings", func() bool {
		api.JSON(t, "GET", "/api/v1/findings", nil, 200, &list)
		return len(list.Items) > 0
	})
	f := list.Items[0]
	var products, countdown, title, states, after string
	run("marking the product",
		cdplog.Enable(),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(p.URL+"/products"),
		b.signIn(),
		chromedp.WaitVisible(`#product-form`),
		chromedp.SetValue(`#product-form input[name=asset]`, f.AssetName),
		chromedp.SetValue(`#product-form input[name=name]`, "Webshop"),
		chromedp.SetValue(`#product-form input[name=support_end]`, time.Now().AddDate(5, 0, 0).Format(time.DateOnly)),
		chromedp.SetValue(`#product-form input[name=member_states]`, "DE, NL, FR"),
		chromedp.Click(`#product-form input[name=published]`),
		submitAndWait(`#product-form input[name=asset]`),
		chromedp.WaitVisible(`table.products`),
		chromedp.Text(`table.products tbody`, &products),
		screenshot(dir, "cra-products.png"),
	)
	if !strings.Contains(products, "Webshop") || !strings.Contains(products, "supported") || !strings.Contains(products, "DE FR NL") {
		t.Errorf("the products table: %q", products)
	}
	run("starting the clock",
		chromedp.Navigate(p.URL+"/cra"),
		chromedp.WaitVisible(`#start-clock`),
		chromedp.SetValue(`#start-clock input[name=finding_id]`, fmt.Sprint(f.ID)),
		chromedp.SetValue(`#start-clock textarea[name=note]`, "exploitation seen in our WAF logs"),
		submitAndWait(`#start-clock input[name=finding_id]`),
		chromedp.WaitVisible(`ul.cra-deadlines`),
		chromedp.Text(`ul.cra-deadlines li:first-child .countdown`, &countdown),
		chromedp.AttributeValue(`ul.cra-deadlines li:first-child .countdown`, "title", &title, nil),
		screenshot(dir, "cra-clock.png"),
	)
	if !strings.HasPrefix(countdown, "due in 23 h") && !strings.HasPrefix(countdown, "due in 24 h") {
		t.Errorf("the early warning's countdown: %q", countdown)
	}
	if !strings.HasPrefix(title, "due ") || !strings.HasSuffix(title, " UTC") {
		t.Errorf("the countdown script did not run (title %q)", title)
	}
	run("saving the early warning and recording its submission",
		chromedp.SetValue(`form.cra-draft select[name=malicious_act]`, "yes"),
		submitAndWait(`form.cra-draft select[name=malicious_act]`),
		chromedp.WaitVisible(`p.notice`),
		chromedp.SetValue(`input[name=reference]`, "SRP-2026-0001"),
		submitAndWait(`input[name=reference]`),
		chromedp.WaitVisible(`table.cra-submissions`),
		chromedp.Text(`ul.cra-deadlines`, &after),
		chromedp.Navigate(p.URL+"/cra"),
		chromedp.WaitVisible(`table.cra-clocks`),
		chromedp.Text(`table.cra-clocks tbody`, &states),
		screenshot(dir, "cra.png"),
	)
	if !strings.Contains(after, "submitted in time") {
		t.Errorf("the deadlines after the submission: %q", after)
	}
	if !strings.Contains(states, "Webshop") || !strings.Contains(states, "met") || !strings.Contains(states, "due in") {
		t.Errorf("the clocks on /cra: %q", states)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
