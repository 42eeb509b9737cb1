package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/examples"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// flowAsset is the name the browser flow gives its asset: markup, to show
// that every page escapes it (an inline script would also break the CSP,
// which the console log would catch, and open a dialog, which fails).
const flowAsset = `<script>alert(1)</script>`

// flowComponent is a component whose name and version are markup.
const flowComponent = `<img src=x onerror=alert(2)>`

// TestBrowserFlow is a security team's first hour, in headless Chromium
// against the real binary: sign in, create an asset, upload its SBOM
// through the form, see and filter its findings, open one and read why it
// matched, configure a feed and sync it, upload the next SBOM and read the
// snapshot diff, create an API token and revoke it, sign out. Every step
// asserts what the page shows; no page logs a console error (a CSP
// violation shows up there) or opens a dialog. Screenshots of each page go
// to artefactDir.
func TestBrowserFlow(t *testing.T) {
	bin := chromium(t)
	feedDir := t.TempDir()
	o := servertest.Options{DataDir: t.TempDir(), Args: []string{"--feed-dir", feedDir}}
	p := servertest.Start(t, o)
	pw := p.AdminPassword()
	api := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}
	// The seeded examples feed holds the advisories the first SBOM meets.
	servertest.Eventually(t, 30*time.Second, "the examples feed synced", func() bool {
		var feeds struct{ Items []model.Feed }
		api.JSON(t, "GET", "/api/v1/feeds", nil, 200, &feeds)
		for _, f := range feeds.Items {
			if f.Name == "examples" && !f.LastSuccessAt.IsZero() {
				return true
			}
		}
		return false
	})
	// The feed the flow configures: one advisory for a package the second
	// SBOM brings in.
	writeJSON(t, filepath.Join(feedDir, "FLOW-2026-0001.json"), map[string]any{
		"schema_version": "1.6.0", "id": "FLOW-2026-0001", "modified": "2026-11-30T00:00:00Z",
		"summary": "left-pad drops characters",
		"affected": []any{map[string]any{"package": map[string]any{"ecosystem": "npm", "name": "left-pad"},
			"ranges": []any{map[string]any{"type": "SEMVER", "events": []any{map[string]any{"introduced": "0"}, map[string]any{"fixed": "1.3.1"}}}}}},
	})
	sbomDir := t.TempDir()
	v1, v2 := flowSBOMs(t, sbomDir)

	dir := artefactDir(t)
	ctx, console := newBrowser(t, bin)
	shot := func(name string) chromedp.Action { return screenshot(dir, "flow-"+name+".png") }
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", step, err, p.Stderr())
		}
	}
	// noInjected counts elements the markup in names would have made.
	var injected int
	noInjected := func(page string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			if err := chromedp.Evaluate(`document.querySelectorAll('img[src=x], main script').length`, &injected).Do(ctx); err != nil {
				return err
			}
			if injected != 0 {
				t.Errorf("%s: %d elements made from names (not escaped)", page, injected)
			}
			return nil
		})
	}

	// Sign in.
	var title string
	run("sign in", cdplog.Enable(), chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(p.URL+"/"),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, pw),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`header.top nav`),
		chromedp.Title(&title), shot("dashboard"),
		colourScheme("dark"), shot("dashboard-dark"), colourScheme("light"))
	if !strings.Contains(title, "Dashboard") && !strings.Contains(title, "Overview") {
		t.Errorf("after sign-in the title is %q", title)
	}

	// Create the asset.
	var h1, loc string
	run("create an asset",
		chromedp.Navigate(p.URL+"/assets/new"),
		chromedp.WaitVisible(`#asset-form`),
		chromedp.SendKeys(`#asset-form input[name=name]`, flowAsset),
		chromedp.SetValue(`#asset-form select[name=exposure]`, "internet-facing"),
		chromedp.SendKeys(`#asset-form input[name=owner]`, "web team"),
		submitAndWait(`#asset-form input[name=name]`),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.Location(&loc), chromedp.Text(`h1`, &h1), noInjected("asset page"))
	if !strings.Contains(h1, flowAsset) {
		t.Errorf("the new asset's page is headed %q, want the name %q as text", h1, flowAsset)
	}
	asset := assetNamed(t, api, flowAsset)
	if !strings.HasSuffix(loc, fmt.Sprintf("/assets/%d", asset.ID)) {
		t.Errorf("creating the asset went to %s, want /assets/%d", loc, asset.ID)
	}

	// Upload the first SBOM through the form and wait for its findings.
	run("upload the first SBOM",
		chromedp.SetUploadFiles(`#upload-form input[name=sbom]`, []string{v1}),
		submitAndWait(`#upload-form input[name=sbom]`),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.Location(&loc))
	if !strings.Contains(loc, "uploaded=") {
		t.Errorf("after the upload the page is %s, want ?uploaded=", loc)
	}
	first := waitOpen(t, api, asset.ID, func(fs []model.AssetFinding) bool { return hasVuln(fs, "VDX-2021-0001") })
	run("the asset page after matching",
		chromedp.Navigate(fmt.Sprintf("%s/assets/%d", p.URL, asset.ID)),
		chromedp.WaitVisible(`#upload-form`), noInjected("asset page with inventory"), shot("asset"),
		chromedp.EmulateViewport(400, 900), shot("asset-400px"), chromedp.EmulateViewport(1200, 900))
	var inventory string
	run("read the inventory", chromedp.Text(`main`, &inventory))
	for _, want := range []string{"log4j-core", "2.14.1", flowComponent, "pkg:npm/lodash@4.17.20"} {
		if !strings.Contains(inventory, want) {
			t.Errorf("the asset page does not show %q in its inventory", want)
		}
	}

	// See its findings and filter them.
	var rows, count string
	var sevs []string
	run("the asset's findings",
		chromedp.Navigate(fmt.Sprintf("%s/findings?asset=%d", p.URL, asset.ID)),
		chromedp.WaitVisible(`table.findings`),
		chromedp.Text(`table.findings tbody`, &rows), noInjected("findings"), shot("findings"))
	for _, f := range first {
		if !strings.Contains(rows, f.VulnID) {
			t.Errorf("the asset's findings page does not list %s", f.VulnID)
		}
	}
	run("filter by severity",
		chromedp.Click(`input[name=severity][value=critical]`),
		submitAndWait(`input[name=q]`),
		chromedp.WaitVisible(`p.count`),
		chromedp.Location(&loc), chromedp.Text(`p.count`, &count),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('table.findings tbody .sev'), e => e.textContent)`, &sevs))
	if !strings.Contains(loc, "severity=critical") || !strings.Contains(loc, fmt.Sprintf("asset=%d", asset.ID)) {
		t.Errorf("the filter went to %s", loc)
	}
	if len(sevs) == 0 {
		t.Errorf("no critical finding shown (count: %q); the log4j advisory is critical", count)
	}
	for _, s := range sevs {
		if s != "critical" {
			t.Errorf("the critical filter shows a %s finding", s)
		}
	}

	// Open the log4j finding and read why it matched.
	log4j := findingOf(first, "VDX-2021-0001")
	var evidence string
	run("open a finding",
		chromedp.Navigate(fmt.Sprintf("%s/findings/%d", p.URL, log4j.ID)),
		chromedp.WaitVisible(`table.evidence`),
		chromedp.Text(`h1`, &h1), chromedp.Text(`table.evidence`, &evidence), shot("finding"))
	if !strings.Contains(h1, "VDX-2021-0001") || !strings.Contains(evidence, "2.15.0") {
		t.Errorf("the finding page (%q) does not explain the match with its fix 2.15.0: %q", h1, evidence)
	}

	// Configure a feed and sync it.
	run("configure a feed",
		chromedp.Navigate(p.URL+"/feeds/new"),
		chromedp.WaitVisible(`#feed-form`),
		chromedp.SendKeys(`#feed-form input[name=name]`, "flow-osv"),
		chromedp.SetValue(`#feed-form select[name=kind]`, "osv"),
		chromedp.SendKeys(`#feed-form input[name=url]`, feedDir),
		submitAndWait(`#feed-form input[name=name]`),
		chromedp.WaitVisible(`main table`),
		chromedp.Location(&loc))
	feed := feedNamed(t, api, "flow-osv")
	run("sync it now",
		chromedp.Navigate(p.URL+"/feeds"),
		chromedp.WaitVisible(fmt.Sprintf(`form[action="/feeds/%d/sync"] button`, feed.ID)),
		clickAndWait(fmt.Sprintf(`form[action="/feeds/%d/sync"] button`, feed.ID)),
		chromedp.WaitVisible(`main table`),
		chromedp.Location(&loc))
	if !strings.Contains(loc, "/feeds") {
		t.Errorf("sync now went to %s", loc)
	}
	servertest.Eventually(t, 30*time.Second, "the flow feed synced", func() bool {
		return !feedNamed(t, api, "flow-osv").LastSuccessAt.IsZero()
	})
	var feedsText string
	run("the feed is healthy",
		chromedp.Navigate(p.URL+"/feeds"), chromedp.WaitVisible(`main table`),
		chromedp.Text(`main`, &feedsText), shot("feeds"))
	if !strings.Contains(feedsText, "flow-osv") {
		t.Errorf("the feeds page does not list flow-osv")
	}

	// The second SBOM, and the diff between the two.
	run("upload the second SBOM",
		chromedp.Navigate(fmt.Sprintf("%s/assets/%d", p.URL, asset.ID)),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.SetUploadFiles(`#upload-form input[name=sbom]`, []string{v2}),
		submitAndWait(`#upload-form input[name=sbom]`),
		chromedp.WaitVisible(`#upload-form`))
	waitOpen(t, api, asset.ID, func(fs []model.AssetFinding) bool {
		return hasVuln(fs, "FLOW-2026-0001") && !hasVuln(fs, "VDX-2021-0001")
	})
	var added, removed, upgraded, opened, resolved string
	run("the snapshot diff",
		chromedp.Navigate(fmt.Sprintf("%s/assets/%d/diff", p.URL, asset.ID)),
		chromedp.WaitVisible(`#added`),
		chromedp.Text(`#added`, &added), chromedp.Text(`#removed`, &removed), chromedp.Text(`#upgraded`, &upgraded),
		chromedp.Text(`#opened`, &opened), chromedp.Text(`#resolved`, &resolved),
		noInjected("diff"), shot("diff"))
	for _, c := range []struct{ what, text, want string }{
		{"added", added, "left-pad"}, {"removed", removed, "lodash"},
		{"upgraded", upgraded, "2.14.1"}, {"upgraded", upgraded, "2.17.1"},
		{"opened", opened, "FLOW-2026-0001"},
		{"resolved", resolved, "VDX-2021-0001"}, {"resolved", resolved, "VDX-2021-0002"},
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("the diff's %s section does not show %s: %q", c.what, c.want, c.text)
		}
	}
	if strings.Contains(added, "log4j") || strings.Contains(removed, "log4j") {
		t.Errorf("the upgraded log4j-core shows as added or removed: added %q removed %q", added, removed)
	}

	// Create an API token, use it, revoke it.
	var secret string
	run("create a token",
		chromedp.Navigate(p.URL+"/access"),
		chromedp.WaitVisible(`#token-form`),
		chromedp.SendKeys(`#token-form input[name=name]`, "flow-ci"),
		chromedp.SetValue(`#token-form select[name=role]`, "auditor"),
		submitAndWait(`#token-form input[name=name]`),
		chromedp.WaitVisible(`#new-token`),
		chromedp.Text(`#new-token code`, &secret), shot("access"))
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, "vdk_") {
		t.Fatalf("the new token shown is %q", secret)
	}
	tok := &servertest.Client{URL: p.URL, Token: secret}
	if st, b := tok.Do(t, "GET", "/api/v1/me", nil); st != 200 {
		t.Errorf("the new token does not work: %d %s", st, b)
	}
	var tokens struct{ Items []model.Token }
	api.JSON(t, "GET", "/api/v1/tokens", nil, 200, &tokens)
	var tokID int64
	for _, k := range tokens.Items {
		if k.Name == "flow-ci" {
			tokID = k.ID
		}
	}
	var again string
	run("revoke it",
		chromedp.Navigate(p.URL+"/access"),
		chromedp.WaitVisible(fmt.Sprintf(`form[action="/access/tokens/%d/revoke"] button`, tokID)),
		chromedp.Text(`main`, &again),
		clickAndWait(fmt.Sprintf(`form[action="/access/tokens/%d/revoke"] button`, tokID)),
		chromedp.WaitVisible(`#token-form`))
	if strings.Contains(again, secret) {
		t.Errorf("the access page shows the token again after it was created")
	}
	if st, _ := tok.Do(t, "GET", "/api/v1/me", nil); st != 401 {
		t.Errorf("the revoked token still answers %d", st)
	}

	// Sign out.
	run("sign out",
		clickAndWait(`form.who button`),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.Location(&loc))
	if !strings.HasSuffix(loc, "/login") {
		t.Errorf("after signing out at %s", loc)
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}

// colourScheme makes the page's prefers-color-scheme the given one.
func colourScheme(v string) chromedp.Action {
	return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}})
}

// flowSBOMs writes the flow's two SBOMs: the examples' webshop with a
// component whose name and version are markup, and its next release —
// log4j-core upgraded, lodash gone, left-pad new.
func flowSBOMs(t *testing.T, dir string) (v1, v2 string) {
	raw, err := examples.FS.ReadFile("sbom/webshop.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	comps := doc["components"].([]any)
	comps = append(comps, map[string]any{"type": "library", "name": flowComponent, "version": `<b>1</b>`})
	doc["components"] = comps
	v1 = filepath.Join(dir, "webshop-1.cdx.json")
	writeJSON(t, v1, doc)

	var next []any
	for _, c := range comps {
		m := c.(map[string]any)
		switch m["name"] {
		case "lodash":
			continue
		case "log4j-core":
			m = map[string]any{"type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.17.1",
				"purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"}
		}
		next = append(next, m)
	}
	next = append(next, map[string]any{"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"})
	doc["components"] = next
	doc["serialNumber"] = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b7a"
	v2 = filepath.Join(dir, "webshop-2.cdx.json")
	writeJSON(t, v2, doc)
	return v1, v2
}

func assetNamed(t *testing.T, api *servertest.Client, name string) model.Asset {
	t.Helper()
	var list struct{ Items []model.Asset }
	api.JSON(t, "GET", "/api/v1/assets?limit=500", nil, 200, &list)
	for _, a := range list.Items {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no asset named %q", name)
	return model.Asset{}
}

// waitOpen waits until the asset's open findings satisfy ok, and returns
// them.
func waitOpen(t *testing.T, api *servertest.Client, asset int64, ok func([]model.AssetFinding) bool) []model.AssetFinding {
	t.Helper()
	var list struct{ Items []model.AssetFinding }
	servertest.Eventually(t, 30*time.Second, "the asset's findings", func() bool {
		api.JSON(t, "GET", fmt.Sprintf("/api/v1/findings?asset=%d&limit=500", asset), nil, 200, &list)
		return ok(list.Items)
	})
	return list.Items
}

func hasVuln(fs []model.AssetFinding, id string) bool { return findingOf(fs, id).ID != 0 }

func findingOf(fs []model.AssetFinding, id string) model.AssetFinding {
	for _, f := range fs {
		if f.VulnID == id {
			return f
		}
	}
	return model.AssetFinding{}
}
