package server_test

import (
	"strings"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserDisclosure drives /settings/disclosure of the real binary in
// headless Chromium as an admin: without a contact the page warns that
// security.txt is not served; a refused form says why and keeps what was
// typed; a saved one shows the file served; the public policy page shows
// the edits, without staff navigation; no console error or CSP violation.
// Screenshots go to artefactDir.
func TestBrowserDisclosure(t *testing.T) {
	b := startAdminBrowser(t, servertest.Options{DataDir: t.TempDir()})
	p, dir, console, run := b.p, b.dir, b.console, b.run
	var warnings, refused, kept, served, policy string
	var navLinks int
	contacts := `#disclosure-form textarea[name=contacts]`
	run("reading the settings",
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/settings/disclosure"),
		b.signIn(),
		chromedp.WaitVisible(`#disclosure-form`),
		chromedp.Text(`#disclosure-warnings`, &warnings),
		screenshot(dir, "disclosure-unset.png"),
	)
	if !strings.Contains(warnings, "security.txt has no Contact, so it is invalid") {
		t.Errorf("warnings without a contact: %q", warnings)
	}
	run("a refused change",
		chromedp.SetValue(`#disclosure-form input[name=organisation]`, "Example <Org>"),
		chromedp.SetValue(contacts, "http://insecure.example.org/"),
		submitAndWait(contacts),
		chromedp.WaitVisible(`p.error`),
		chromedp.Text(`p.error`, &refused),
		chromedp.Value(`#disclosure-form input[name=organisation]`, &kept),
	)
	if !strings.Contains(refused, `contacts "http://insecure.example.org/": a URI beginning with mailto:, https:, tel:`) || kept != "Example <Org>" {
		t.Errorf("a refused change says %q and keeps %q", refused, kept)
	}
	run("saving",
		chromedp.SetValue(contacts, "mailto:security@example.org"),
		chromedp.SetValue(`#disclosure-form input[name=csirt_name]`, "NCSC-NL"),
		submitAndWait(contacts),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`#security-txt pre`, &served),
		screenshot(dir, "disclosure-saved.png"),
	)
	if !strings.Contains(served, "Contact: mailto:security@example.org") || !strings.Contains(served, "# The security contacts of Example <Org>") {
		t.Errorf("security.txt as served: %q", served)
	}
	run("the policy page",
		chromedp.Navigate(p.URL+"/security/policy"),
		chromedp.WaitVisible(`article.policy`),
		chromedp.Text(`article.policy`, &policy),
		chromedp.Evaluate(`document.querySelectorAll('header nav:not(.public) a').length`, &navLinks),
		screenshot(dir, "policy.png"),
	)
	for _, want := range []string{"Vulnerability disclosure policy of Example <Org>", "security@example.org", "NCSC-NL", "3 business days"} {
		if !strings.Contains(policy, want) {
			t.Errorf("the policy page lacks %q:\n%s", want, policy)
		}
	}
	if navLinks != 0 {
		t.Errorf("the public policy page shows %d staff navigation links", navLinks)
	}
	console.checkExcept(t, "status of 400") // the refused form's answer
	t.Logf("screenshots in %s", dir)
}
