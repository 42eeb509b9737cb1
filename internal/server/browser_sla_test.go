package server_test

import (
	"strings"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserSLAPolicy drives /sla of the real binary in headless
// Chromium as an admin: the policy in force is version 1; a refused form
// says why in words; a changed one makes version 2, shown in force and in
// the versions; the SLA charts are drawn; no console error or CSP
// violation on the way. Screenshots go to artefactDir.
func TestBrowserSLAPolicy(t *testing.T) {
	b := startAdminBrowser(t, servertest.Options{DataDir: t.TempDir()})
	p, dir, console, run := b.p, b.dir, b.console, b.run
	var before, refused, after, versions string
	var charts int
	critical := `#sla-form input[name="days.critical.internet-facing"]`
	run("reading the policy",
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/sla"),
		b.signIn(),
		chromedp.WaitVisible(`#sla-form`),
		chromedp.Text(`#policy h2`, &before),
		chromedp.Evaluate(`document.querySelectorAll('figure.plot svg').length`, &charts),
		screenshot(dir, "sla.png"),
	)
	if !strings.Contains(before, "version 1") || charts != 3 {
		t.Errorf("before: %q, %d charts; want version 1 and 3 charts", before, charts)
	}
	run("a refused change",
		chromedp.SetValue(critical, "0"),
		submitAndWait(critical),
		chromedp.WaitVisible(`p.error`),
		chromedp.Text(`p.error`, &refused),
	)
	if !strings.Contains(refused, "rules.critical.internet-facing: 0 days") {
		t.Errorf("a refused change says %q", refused)
	}
	run("changing the policy",
		chromedp.SetValue(critical, "2"),
		chromedp.SetValue(`#sla-form select[name=unknown_as]`, "critical"),
		submitAndWait(critical),
		chromedp.WaitVisible(`#sla-form`),
		chromedp.Text(`#policy h2`, &after),
		chromedp.Text(`table.sla-versions tbody`, &versions),
		screenshot(dir, "sla-version-2.png"),
	)
	if !strings.Contains(after, "version 2") {
		t.Errorf("after the change: %q; want version 2", after)
	}
	if !strings.Contains(versions, "critical 2 / 14 / 14") || !strings.Contains(versions, "critical 3 / 14 / 14") {
		t.Errorf("versions after the change: %q", versions)
	}
	console.checkExcept(t, "status of 400") // the refused form's answer
	t.Logf("screenshots in %s", dir)
}

// checkExcept fails the test when an error other than one mentioning
// allowed was collected.
func (c *consoleLog) checkExcept(t *testing.T, allowed string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.errors {
		if !strings.Contains(e, allowed) {
			t.Errorf("console error (CSP?): %s", e)
		}
	}
}
