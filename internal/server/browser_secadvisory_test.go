package server_test

import (
	"strings"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserPublishAdvisory drives the security advisory pages of the
// real binary in headless Chromium as an admin (issue 14, csaf): a new
// draft, its form filled in (a product chosen from the assets, a
// vulnerability with a CVSS vector), a refused vector named, submitted,
// published; the public list links its CSAF document. Screenshots go to
// artefactDir.
func TestBrowserPublishAdvisory(t *testing.T) {
	b := startAdminBrowser(t, servertest.Options{DataDir: t.TempDir()})
	p, dir, console, run := b.p, b.dir, b.console, b.run
	var refused, state, version, public, preview string
	run("a new draft",
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/security-advisories"),
		b.signIn(),
		chromedp.WaitVisible(`#secadv-new-form`),
		chromedp.SendKeys(`#secadv-new-title`, "Stored XSS in the webshop"),
		submitAndWait(`#secadv-new-title`),
		chromedp.WaitVisible(`#secadv-form`),
	)
	// The first asset of the select (the seeded example) is the product.
	var firstAsset string
	run("filling in the draft",
		chromedp.Evaluate(`document.querySelector('#p0_asset').options[1].value`, &firstAsset),
	)
	run("a refused CVSS vector",
		chromedp.SetValue(`#p0_asset`, firstAsset),
		chromedp.SendKeys(`#p0_affected`, ">=1.0, <1.4.2"),
		chromedp.SendKeys(`#p0_fixed`, "1.4.2"),
		chromedp.SendKeys(`#secadv-summary`, "A review's text is shown unescaped to administrators."),
		chromedp.SendKeys(`#v0_title`, "Stored XSS in product reviews"),
		chromedp.SendKeys(`#v0_cve`, "CVE-2026-10001"),
		chromedp.SendKeys(`#v0_description`, "An attacker runs script in an administrator's browser."),
		chromedp.SendKeys(`#v0_remediation`, "Update to 1.4.2."),
		chromedp.SendKeys(`#v0_acks`, "Jane Researcher"),
		chromedp.SendKeys(`#v0_cvss`, "CVSS:3.1/AV:N"),
		submitAndWait(`#secadv-title`),
		chromedp.WaitVisible(`p.error`),
		chromedp.Text(`p.error`, &refused),
	)
	if !strings.Contains(refused, "cvss") {
		t.Errorf("a refused vector says %q", refused)
	}
	run("saving, submitting and publishing",
		chromedp.SetValue(`#v0_cvss`, "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:N"),
		submitAndWait(`#secadv-title`),
		chromedp.WaitVisible(`#secadv-submit`),
		screenshot(dir, "security-advisory-draft.png"),
		clickAndWait(`#secadv-submit`),
		chromedp.WaitVisible(`#secadv-publish`),
		clickAndWait(`#secadv-publish`),
		chromedp.WaitVisible(`#secadv-public`),
		chromedp.Text(`#secadv-state`, &state),
		chromedp.Text(`#secadv-version`, &version),
		chromedp.Text(`#secadv-preview pre`, &preview),
		screenshot(dir, "security-advisory-published.png"),
		chromedp.Navigate(p.URL+"/security/advisories"),
		chromedp.WaitVisible(`#public-advisories`),
		chromedp.Text(`#public-advisories tbody`, &public),
		screenshot(dir, "security-advisories-public.png"),
	)
	if state != "published" || version != "1" {
		t.Errorf("after publishing: state %q, version %q", state, version)
	}
	if !strings.Contains(preview, `"status": "final"`) || !strings.Contains(preview, "Jane Researcher") || !strings.Contains(preview, `"baseScore": 8.7`) {
		t.Errorf("the published document shown:\n%s", preview)
	}
	if !strings.Contains(public, "Stored XSS in the webshop") || !strings.Contains(public, "CSAF JSON") {
		t.Errorf("the public list: %q", public)
	}
	console.checkExcept(t, "status of 400") // the refused form's answer
	t.Logf("screenshots in %s", dir)
}
