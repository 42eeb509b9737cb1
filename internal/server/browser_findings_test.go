package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// artefactDir is where browser tests write their screenshots: the
// directory VULNDESK_TEST_ARTEFACTS names (CI keeps it), else one that
// lives as long as the test.
func artefactDir(t *testing.T) string {
	d := os.Getenv("VULNDESK_TEST_ARTEFACTS")
	if d == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBrowserFindings drives the findings pages of the real binary in
// headless Chromium: sign in, filter the seeded findings by severity and
// text with the form, open one and read its advisory ID, where its
// severity came from and why it matched; no console error or CSP
// violation on the way; then follow the finding's advisory link to the
// advisory page, which lists the finding. Screenshots of the pages (the
// findings pages also 400 px wide) go to artefactDir.
func TestBrowserFindings(t *testing.T) {
	bin := chromium(t)
	p, pw, api := startSeeded(t)
	var list struct{ Items []model.AssetFinding }
	servertest.Eventually(t, 30*time.Second, "seeded findings", func() bool {
		api.JSON(t, "GET", "/api/v1/findings", nil, 200, &list)
		return len(list.Items) > 0
	})
	// The finding to look for: the first with a recorded match reason.
	var want model.AssetFinding
	var ev []model.Evidence
	for _, f := range list.Items {
		if json.Unmarshal(f.Evidence, &ev) == nil && len(ev) > 0 && ev[0].Reason != "" && f.SeverityDetail.Provenance() != "" {
			want = f
			break
		}
	}
	if want.ID == 0 {
		t.Fatalf("no seeded finding has evidence and a severity source: %+v", list.Items)
	}
	dir := artefactDir(t)
	ctx, console := newBrowser(t, bin)
	// shot writes a full-page screenshot into dir.
	shot := func(name string) chromedp.Action { return screenshot(dir, name) }
	rating := string(want.SeverityDetail.Rating)
	sevBox := fmt.Sprintf(`input[name=severity][value=%q]`, rating)

	var shown, rows, loc string
	var checked bool
	var links int
	var sevs []string
	err := chromedp.Run(ctx,
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/findings"),
		chromedp.WaitVisible(`input[name=username]`), // redirected to /login
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, pw),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`form.filters`),
		chromedp.Click(sevBox),
		chromedp.SendKeys(`input[name=q]`, want.Package),
		submitAndWait(`input[name=q]`),
		chromedp.WaitVisible(`table.findings`),
		chromedp.Location(&loc),
		chromedp.Text(`p.count`, &shown),
		chromedp.Text(`table.findings tbody`, &rows),
		chromedp.Evaluate(`document.querySelector('`+sevBox+`').checked`, &checked),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('table.findings a[href="/findings/%d"]').length`, want.ID), &links),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('table.findings tbody .sev'), e => e.textContent)`, &sevs),
		shot("findings.png"),
		chromedp.EmulateViewport(400, 900),
		shot("findings-400px.png"),
		chromedp.EmulateViewport(1200, 900),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(loc, "severity="+rating) || !strings.Contains(loc, "q=") {
		t.Errorf("the filter form went to %s; want severity=%s and q in the query", loc, rating)
	}
	if !checked {
		t.Errorf("the %s checkbox is not checked after filtering", rating)
	}
	if !strings.Contains(shown, "shown") {
		t.Errorf("count line %q", shown)
	}
	if links != 1 {
		t.Errorf("the filtered list links finding %d %d times; want once (rows: %s)", want.ID, links, rows)
	}
	for _, r := range sevs {
		if r != rating {
			t.Errorf("the list filtered by %s shows a %s finding", rating, r)
		}
	}

	var h1, reasons, sevText string
	err = chromedp.Run(ctx,
		chromedp.Click(fmt.Sprintf(`table.findings a[href="/findings/%d"]`, want.ID)),
		chromedp.WaitVisible(`table.evidence`),
		chromedp.Text(`h1`, &h1),
		chromedp.Text(`table.evidence tbody`, &reasons),
		chromedp.Text(`section.facts dd`, &sevText),
		shot("finding.png"),
		chromedp.EmulateViewport(400, 900),
		shot("finding-400px.png"),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(h1, want.VulnID) {
		t.Errorf("the finding page's heading %q does not name %s", h1, want.VulnID)
	}
	if !strings.Contains(reasons, ev[0].Reason) {
		t.Errorf("the match explanation %q does not give the reason %q", reasons, ev[0].Reason)
	}
	if !strings.Contains(sevText, "from "+want.SeverityDetail.Provenance()) || !strings.Contains(sevText, rating) {
		t.Errorf("the severity %q does not say %s from %s", sevText, rating, want.SeverityDetail.Provenance())
	}

	// The finding's advisory: its heading and the finding among what it affects.
	var advH1 string
	var advLinks int
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1200, 900),
		chromedp.Click(`h1 a`),
		chromedp.WaitVisible(`section.facts`),
		chromedp.Text(`h1`, &advH1),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('table.findings a[href="/findings/%d"]').length`, want.ID), &advLinks),
		shot("advisory.png"),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(advH1, want.VulnID) {
		t.Errorf("the advisory page's heading %q does not name %s", advH1, want.VulnID)
	}
	if advLinks != 1 {
		t.Errorf("the advisory page links finding %d %d times; want once", want.ID, advLinks)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
