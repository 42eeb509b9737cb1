package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestBrowserScans drives the seeded binary in headless Chromium as an
// admin: an external scan recorded on the asset page with its report is
// listed beside the SBOM upload's scan, with its document to download;
// the scans page shows no asset overdue (the seeded SBOM was uploaded
// today) and saves a changed cadence. No console error or CSP violation
// on the way. Screenshots go to artefactDir.
func TestBrowserScans(t *testing.T) {
	bin := chromium(t)
	p, pw, api := startSeeded(t)
	var assets struct{ Items []model.Asset }
	api.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &assets)
	if len(assets.Items) != 1 {
		t.Fatalf("the seeded asset: %+v", assets.Items)
	}
	shop := assets.Items[0]
	report := filepath.Join(t.TempDir(), "zap-report.html")
	if err := os.WriteFile(report, []byte("<html><body>ZAP: 2 medium alerts</body></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := artefactDir(t)
	ctx, console := newBrowser(t, bin)
	day := time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)
	var notice, table, tiles, saved string
	err := chromedp.Run(ctx,
		signInAt(p.URL+"/assets", pw),
		chromedp.Navigate(fmt.Sprintf("%s/assets/%d#scans", p.URL, shop.ID)),
		chromedp.WaitVisible(`#scan-form`),
		chromedp.SendKeys(`#scan-form input[name=tool]`, "OWASP ZAP"),
		chromedp.SetValue(`#scan-form input[name=scanned_at]`, day),
		chromedp.SendKeys(`#scan-form textarea[name=summary]`, "2 medium alerts"),
		chromedp.SetUploadFiles(`#scan-form input[name=report]`, []string{report}),
		chromedp.Submit(`#scan-form input[name=tool]`),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &notice),
		chromedp.Text(`table.scans tbody`, &table),
		chromedp.ScrollIntoView(`#scans`),
		screenshot(dir, "asset-scans.png"),
		chromedp.Navigate(p.URL+"/scans"),
		chromedp.WaitVisible(`#cadence-form`),
		chromedp.Text(`section.tiles`, &tiles),
		screenshot(dir, "scans.png"),
		chromedp.SetValue(`#cadence-form input[name=internal]`, "60"),
		chromedp.Submit(`#cadence-form input[name=internal]`),
		chromedp.WaitVisible(`#cadence p.notice`),
		chromedp.Text(`section.tiles`, &saved),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(notice, "Recorded the OWASP ZAP scan of "+day) {
		t.Errorf("after recording, the page says %q", notice)
	}
	for _, want := range []string{"external", "OWASP ZAP", "zap-report.html", "2 medium alerts", "download", "sbom"} {
		if !strings.Contains(table, want) {
			t.Errorf("the scans table lacks %q: %q", want, table)
		}
	}
	tiles, saved = strings.Join(strings.Fields(tiles), " "), strings.Join(strings.Fields(saved), " ")
	if !strings.Contains(tiles, "0 assets overdue") || !strings.Contains(tiles, "90 days: internal") {
		t.Errorf("the scans page's tiles: %q", tiles)
	}
	if !strings.Contains(saved, "60 days: internal") {
		t.Errorf("after saving the cadence: %q", saved)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
