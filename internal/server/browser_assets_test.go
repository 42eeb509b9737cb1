package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// TestBrowserAssets drives the asset pages of the real binary in headless
// Chromium: sign in, create an asset with the form (its owner holding
// HTML), upload the example SBOM through the file input, see the page say
// what was stored, upload the next release, and open the diff of the two
// from the asset page; no console error or CSP violation on the way.
// Screenshots (also 400 px wide) go to artefactDir.
func TestBrowserAssets(t *testing.T) {
	bin := chromium(t)
	p, pw, api := startSeeded(t)
	dir := artefactDir(t)
	files := t.TempDir()
	v1, v2 := filepath.Join(files, "webshop.cdx.json"), filepath.Join(files, "webshop-3.5.cdx.json")
	if err := os.WriteFile(v1, mustRead(t, "../../examples/sbom/webshop.cdx.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v2, webshopV2(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, console := newBrowser(t, bin)
	shot := func(name string) chromedp.Action { return screenshot(dir, name) }
	narrow := func(name string) chromedp.Tasks {
		return chromedp.Tasks{chromedp.EmulateViewport(400, 900), shot(name), chromedp.EmulateViewport(1200, 900)}
	}
	var loc, notice, h1 string
	err := chromedp.Run(ctx,
		signInAt(p.URL+"/assets", pw),
		shot("assets.png"),
		narrow("assets-400px.png"),
		chromedp.Click(`a[href="/assets/new"]`),
		chromedp.WaitVisible(`#asset-form`),
		chromedp.SendKeys(`#asset-name`, "browser-shop"),
		chromedp.SendKeys(`#asset-owner`, `<script>alert(1)</script>`),
		chromedp.SetValue(`#asset-kind`, "service"),
		chromedp.SetValue(`#asset-exposure`, "internet-facing"),
		chromedp.SendKeys(`#asset-tags`, "pci, web"),
		shot("asset-new.png"),
		chromedp.Submit(`#asset-name`),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.Location(&loc),
		chromedp.SetUploadFiles(`#sbom-file`, []string{v1}),
		chromedp.Submit(`#sbom-file`),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &notice),
		chromedp.Text(`h1`, &h1),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	var one int64
	if _, err := fmt.Sscanf(notice, "Uploaded snapshot %d: 9 components;", &one); err != nil || !strings.Contains(h1, "browser-shop") {
		t.Fatalf("after the upload, the page says %q (heading %q)", notice, h1)
	}
	waitMatched(t, api, one)
	var owner, diffURL string
	var added, upgraded, opened, resolved string
	err = chromedp.Run(ctx,
		chromedp.Navigate(loc),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.Text(`dl.facts dd`, &owner),
		chromedp.SetUploadFiles(`#sbom-file`, []string{v2}),
		chromedp.Submit(`#sbom-file`),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &notice),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if owner != `<script>alert(1)</script>` {
		t.Errorf("the owner shows as %q", owner)
	}
	var two int64
	if _, err := fmt.Sscanf(notice, "Uploaded snapshot %d: 9 components;", &two); err != nil {
		t.Fatalf("after the second upload, the page says %q", notice)
	}
	waitMatched(t, api, two)
	err = chromedp.Run(ctx,
		chromedp.Navigate(loc),
		chromedp.WaitVisible(`#inventory`),
		shot("asset.png"),
		narrow("asset-400px.png"),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}),
		shot("asset-dark.png"),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}),
		chromedp.Click(`a[href$="/diff"]`),
		chromedp.WaitVisible(`#upgraded`),
		chromedp.Location(&diffURL),
		chromedp.Text(`#added`, &added),
		chromedp.Text(`#upgraded`, &upgraded),
		chromedp.Text(`#opened`, &opened),
		chromedp.Text(`#resolved`, &resolved),
		shot("asset-diff.png"),
		narrow("asset-diff-400px.png"),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	for _, c := range []struct{ what, got, want string }{
		{"added", added, xssComponent},
		{"upgraded", upgraded, "2.14.1 → 2.17.1"},
		{"upgraded", upgraded, "2.31.0 → 2.30.0"},
		{"opened", opened, "VDX-2023-0004"},
		{"resolved", resolved, "VDX-2021-0001"},
		{"resolved", resolved, "VDX-2024-0003"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("the diff page's %s section does not show %q: %q", c.what, c.want, c.got)
		}
	}
	if !strings.HasSuffix(diffURL, "/diff") {
		t.Errorf("the asset page's diff link went to %s", diffURL)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}

// signInAt opens url (the assets list), which sends the browser to sign
// in first, and signs in as admin with pw.
func signInAt(url, pw string) chromedp.Tasks {
	return chromedp.Tasks{
		cdplog.Enable(),
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(url),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, pw),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`table.assets`),
	}
}
