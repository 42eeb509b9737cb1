package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserCaseReport drives the real binary in headless Chromium
// (issue 14, part cases): a stranger, without signing in, files a report
// with an attachment through the form (its signed stamp and hidden
// honeypot under the site's CSP), gets the case ID and the tracking link,
// reads the tracking page and sends a message; staff sign in, find the
// case in the list, read the reporter's message and attachment, acknowledge
// it and answer; the stranger's tracking page shows the new state and the
// answer. No console error or CSP violation on the way. Screenshots go to
// artefactDir.
func TestBrowserCaseReport(t *testing.T) {
	b := startAdminBrowser(t, servertest.Options{DataDir: t.TempDir(), Args: []string{"--empty"}})
	p, dir, console, run := b.p, b.dir, b.console, b.run
	poc := filepath.Join(t.TempDir(), "poc.txt")
	if err := os.WriteFile(poc, []byte("GET /search?q=%3Cscript%3E HTTP/1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var nav int
	var caseID, link, state, messages string
	run("a stranger files a report",
		cdplog.Enable(),
		chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(p.URL+"/security/report"),
		chromedp.WaitVisible(`#report-form`),
		chromedp.Evaluate(`document.querySelectorAll('header nav:not(.public)').length`, &nav),
		chromedp.SendKeys(`#report-form input[name=title]`, "Reflected XSS in search"),
		chromedp.SendKeys(`#report-form textarea[name=description]`, "The q parameter is echoed <unescaped> into the results page."),
		chromedp.SendKeys(`#report-form input[name=product]`, "webshop 2.1"),
		chromedp.SetValue(`#report-form select[name=severity]`, "high"),
		chromedp.SendKeys(`#report-form textarea[name=poc]`, "/search?q=<script>alert(1)</script>"),
		chromedp.SendKeys(`#report-form input[name=credit_name]`, "Grace H."),
		chromedp.Click(`#report-form input[name=credit]`),
		chromedp.SetUploadFiles(`#report-form input[type=file]`, []string{poc}),
		screenshot(dir, "case-report-form.png"),
		submitAndWait(`#report-form input[name=title]`),
		chromedp.WaitVisible(`#track-link`),
		chromedp.Text(`#case-id`, &caseID),
		chromedp.AttributeValue(`#track-link`, "href", &link, nil),
		screenshot(dir, "case-report-filed.png"),
	)
	if nav != 0 || !strings.HasPrefix(caseID, "VD-") || !strings.HasPrefix(link, "/security/track/") || len(link) != len("/security/track/")+43 {
		t.Fatalf("filed: nav %d, case %q, link %q", nav, caseID, link)
	}
	run("the stranger reads the tracking page and writes",
		chromedp.Navigate(p.URL+link),
		chromedp.WaitVisible(`#case-state`),
		chromedp.Text(`#case-state`, &state),
		chromedp.SendKeys(`#message-form textarea[name=message]`, "Happy to test a fix."),
		submitAndWait(`#message-form textarea[name=message]`),
		chromedp.WaitVisible(`ol.case-messages`),
		chromedp.Text(`ol.case-messages`, &messages),
		screenshot(dir, "case-track.png"),
	)
	if state != "received" || !strings.Contains(messages, "Happy to test a fix.") {
		t.Errorf("the tracking page: state %q, messages %q", state, messages)
	}

	var listed, report, attachment, after string
	run("staff acknowledge it and answer",
		chromedp.Navigate(p.URL+"/login?next=/cases"),
		b.signIn(),
		chromedp.WaitVisible(`table.cases`),
		chromedp.Text(`table.cases tbody`, &listed),
		screenshot(dir, "cases.png"),
		clickAndWait(`table.cases tbody a`),
		chromedp.WaitVisible(`#state-form`),
		chromedp.Text(`section.case-report`, &report),
		chromedp.Text(`a.attachment`, &attachment),
		clickAndWait(`#move-acknowledged`),
		chromedp.WaitVisible(`p.notice`),
		chromedp.SendKeys(`#message-form textarea[name=body]`, "Thanks, Grace: confirmed, a fix is coming."),
		submitAndWait(`#message-form textarea[name=body]`),
		chromedp.WaitVisible(`#case-state`),
		chromedp.Text(`#case-state`, &after),
		screenshot(dir, "case-staff.png"),
	)
	if !strings.Contains(listed, caseID) || !strings.Contains(listed, "Reflected XSS in search") {
		t.Errorf("the case list: %q", listed)
	}
	if !strings.Contains(report, "echoed <unescaped> into") || !strings.Contains(report, "<script>alert(1)</script>") || attachment != "poc.txt" {
		t.Errorf("the case as staff see it: %q, attachment %q", report, attachment)
	}
	if after != "acknowledged" {
		t.Errorf("after acknowledging: %q", after)
	}
	run("the stranger sees the answer",
		chromedp.Navigate(p.URL+link),
		chromedp.WaitVisible(`#case-state`),
		chromedp.Text(`#case-state`, &state),
		chromedp.Text(`ol.case-messages`, &messages),
		screenshot(dir, "case-track-answered.png"),
	)
	if state != "acknowledged" || !strings.Contains(messages, "confirmed, a fix is coming") {
		t.Errorf("the tracking page after the answer: state %q, messages %q", state, messages)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
