package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// Markup an attacker can put in what the pages show: an asset's name and
// owner (anyone with triage), an SBOM's components (anyone with upload),
// an advisory's package, summary, details and references (a feed).
const (
	hostileAsset     = `<script>alert(1)</script>`
	hostileOwner     = `<b onmouseover=alert(6)>owner</b>`
	hostileComponent = `<img src=x onerror=alert(2)>`
	hostileVersion   = `<b>1</b>`
	hostilePackage   = `<svg onload=alert(3)>`
	hostileSummary   = `<script>alert(4)</script> in the summary`
	hostileDetails   = `<iframe src=javascript:alert(5)></iframe> in the details`
	hostileRef       = `javascript:alert(7)`
)

// TestPagesEscapeEverything walks every page of the route table that a
// GET reaches, on both engines, with an asset, components and an advisory
// full of markup, and reads each page's HTML: the markup is shown as text
// (escaped), never as markup, and no link goes to javascript:. A page
// route the walk does not know how to reach fails the test, so a new page
// cannot skip it.
func TestPagesEscapeEverything(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			pageWalk(t, e)
		})
	}
}

func pageWalk(t *testing.T, e storetest.Engine) {
	feedDir := t.TempDir()
	writeJSON(t, filepath.Join(feedDir, "HTML-2026-0001.json"), map[string]any{
		"schema_version": "1.6.0", "id": "HTML-2026-0001", "modified": "2026-11-30T00:00:00Z",
		"aliases": []string{"CVE-2026-99991"}, "summary": hostileSummary, "details": hostileDetails,
		"references": []any{map[string]any{"type": "WEB", "url": hostileRef}},
		"affected": []any{map[string]any{"package": map[string]any{"ecosystem": "npm", "name": hostilePackage},
			"ranges": []any{map[string]any{"type": "SEMVER", "events": []any{map[string]any{"introduced": "0"}, map[string]any{"fixed": "2.0.0"}}}}}},
	})
	s := startInproc(t, e, inprocOptions{seed: true, jobs: true, feedDirs: []string{feedDir}, adminPassword: walkAdminPassword})
	admin := s.admin

	var feed model.Feed
	admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name":"hostile","kind":"osv","url":%q}`, feedDir)), 201, &feed)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync", feed.ID), nil, 202, nil)
	servertest.Eventually(t, 30*time.Second, "the hostile feed synced", func() bool {
		var f model.Feed
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", feed.ID), nil, 200, &f)
		return !f.LastSuccessAt.IsZero()
	})

	var asset model.Asset
	admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(fmt.Sprintf(`{"name":%q,"owner":%q,"environment":%q}`,
		hostileAsset, hostileOwner, hostileVersion)), 201, &asset)
	if asset.Name != hostileAsset {
		t.Fatalf("the asset is named %q, want %q", asset.Name, hostileAsset)
	}
	pkgPURL := "pkg:npm/" + url.PathEscape(hostilePackage)
	upload := func(version string) int64 {
		doc := fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
			{"type":"library","name":%q,"version":%q,"purl":%q},
			{"type":"library","name":%q,"version":%q}]}`,
			hostilePackage, version, pkgPURL+"@"+version, hostileComponent, hostileVersion)
		var in struct {
			Snapshot model.Snapshot `json:"snapshot"`
		}
		admin.JSON(t, "POST", fmt.Sprintf("/api/v1/assets/%d/sboms", asset.ID), bytes.NewReader([]byte(doc)), 201, &in)
		waitMatched(t, admin, in.Snapshot.ID)
		return in.Snapshot.ID
	}
	upload("1.0.0")
	upload("1.5.0")
	var fs struct{ Items []model.AssetFinding }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings?asset=%d", asset.ID), nil, 200, &fs)
	if len(fs.Items) != 1 || fs.Items[0].VulnID != "HTML-2026-0001" {
		t.Fatalf("the hostile asset's findings: %+v", fs.Items)
	}
	fnd := fs.Items[0]
	triageTexts, exc := hostileTriage(t, admin, fnd.ID)

	// A notification rule naming the hostile asset and owner.
	var hostileChannel api.CreatedChannel
	admin.JSON(t, "POST", "/api/v1/notifications/channels", strings.NewReader(`{"name": "walk", "kind": "email", "address": "sec@example.com"}`), 201, &hostileChannel)
	rule, _ := json.Marshal(api.NewRule{ChannelID: hostileChannel.Channel.ID, Events: []string{"finding.new"}, Assets: []string{hostileAsset}, Owners: []string{hostileOwner}})
	admin.JSON(t, "POST", "/api/v1/notifications/rules", strings.NewReader(string(rule)), 201, nil)

	// A disclosure case full of markup, disclosed with credit (issue 14,
	// part cases).
	hostileCase, hostileToken, caseTexts := hostileDisclosedCase(t, s)
	// CSAF advisories (issue 14, csaf): a published advisory about the
	// hostile asset, with markup in its texts.
	var secAdv model.SecurityAdvisory
	admin.JSON(t, "POST", "/api/v1/security-advisories", strings.NewReader(fmt.Sprintf(`{"title": %q, "summary": %q,
		"products": [{"asset_id": %d, "affected": %q}], "vulnerabilities": [{"title": %q, "description": %q, "remediation": %q}]}`,
		hostileSummary, hostileDetails, asset.ID, hostileVersion, hostilePackage, hostileDetails, hostileComponent)), 201, &secAdv)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/submit", secAdv.ID), nil, 200, nil)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/publish", secAdv.ID), nil, 200, &secAdv)
	secAdvYear := secAdv.InitialReleaseAt.Year()
	// CRA (issue 14, part cra): the hostile asset as a product (its name
	// the asset's), a clock on its finding (the drafts hold the hostile
	// summary) and an outbound report with hostile texts.
	admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", asset.ID), strings.NewReader(fmt.Sprintf(
		`{"support_end": "2030-01-01", "support_policy": %q, "published": true}`, hostileOwner)), 200, nil)
	var hostileClock model.CRAClock
	admin.JSON(t, "POST", "/api/v1/cra", strings.NewReader(fmt.Sprintf(`{"finding_id": %d, "note": %q}`, fnd.ID, hostileDetails)), 201, &hostileClock)
	outbound, _ := json.Marshal(api.NewOutboundReport{Kind: "upstream", FindingID: fnd.ID, Recipient: hostileOwner, Upstream: hostileComponent,
		Channel: hostileVersion, Reference: hostilePackage, Summary: hostileSummary})
	admin.JSON(t, "POST", "/api/v1/outbound-reports", strings.NewReader(string(outbound)), 201, nil)

	// Where each page route is reached, and whether it shows the asset.
	id := func(n int64) string { return fmt.Sprint(n) }
	reach := map[string]struct {
		path       string
		namesAsset bool
	}{
		"GET /{$}":              {"/", true},
		"GET /login":            {"/login", false},
		"GET /findings":         {"/findings", true},
		"GET /findings/{id}":    {"/findings/" + id(fnd.ID), true},
		"GET /advisories/{id}":  {"/advisories/" + fnd.VulnID, true},
		"GET /assets":           {"/assets", true},
		"GET /assets/new":       {"/assets/new", false},
		"GET /assets/{id}":      {"/assets/" + id(asset.ID), true},
		"GET /assets/{id}/edit": {"/assets/" + id(asset.ID) + "/edit", true},
		"GET /assets/{id}/diff": {"/assets/" + id(asset.ID) + "/diff", true},
		"GET /feeds":            {"/feeds", false},
		"GET /feeds/new":        {"/feeds/new", false},
		"GET /feeds/{id}":       {"/feeds/" + id(feed.ID), false},
		"GET /access":           {"/access", false},
		"GET /audit":            {"/audit?verify=1", false}, // events hold the names as JSON, which escapes < > &
		"GET /static/{file}":    {"", false},                // files, not pages
		"GET /exceptions":       {"/exceptions", false},
		"GET /exceptions/{id}":  {"/exceptions/" + id(exc), false},
		"GET /sla":              {"/sla", false},
		"GET /scans":            {"/scans", false},
		"GET /notifications":    {"/notifications", true},
		"GET /vex":              {"/vex", false}, // its import result: TestVEXPage

		// Disclosure (issue 14, sectxt): its hostile texts are TestDisclosureEscaped's.
		"GET /.well-known/security.txt": {"", false}, // text, not a page
		"GET /security.txt":             {"", false}, // a redirect
		"GET /security/policy":          {"/security/policy", false},
		"GET /settings/disclosure":      {"/settings/disclosure", false},
		// Disclosure cases (issue 14, part cases).
		"GET /security/report":              {"/security/report", false},
		"GET /security/track/":              {"/security/track/" + hostileToken, false},
		"GET /security/acknowledgements":    {"/security/acknowledgements", false},
		"GET /cases":                        {"/cases", false},
		"GET /cases/{id}":                   {"/cases/" + id(hostileCase), false},
		"GET /cases/{id}/attachments/{aid}": {"", false}, // downloads, not pages: TestCaseAbuse
		// CSAF advisories (issue 14, csaf); the provider's files are JSON
		// and text, not pages.
		"GET /security-advisories":                     {"/security-advisories", false},
		"GET /security-advisories/{id}":                {"/security-advisories/" + id(secAdv.ID), true},
		"GET /security/advisories":                     {"/security/advisories", false},
		"GET /.well-known/csaf/provider-metadata.json": {"", false},
		"GET /.well-known/csaf/white/index.txt":        {"", false},
		"GET /.well-known/csaf/white/changes.csv":      {"", false},
		"GET /.well-known/csaf/white/{year}/{file}":    {"", false},
		"GET /.well-known/csaf/openpgp/{file}":         {"", false},
		"GET /.well-known/csaf/white/{$}":              {"/.well-known/csaf/white/", false},
		"GET /.well-known/csaf/white/{year}/{$}":       {fmt.Sprintf("/.well-known/csaf/white/%d/", secAdvYear), false},
		// CRA (issue 14, part cra).
		"GET /products": {"/products?edit=" + id(asset.ID), true},
		"GET /cra":      {"/cra", true},
		"GET /cra/{id}": {"/cra/" + id(hostileClock.ID), true},
	}
	hostile := []string{hostileAsset, hostileOwner, hostileComponent, hostileVersion, hostilePackage, hostileSummary, hostileDetails}
	hostile = append(hostile, triageTexts...)
	hostile = append(hostile, caseTexts...)
	walked := 0
	for _, r := range server.Routes() {
		if !r.Page || r.Method != "GET" {
			continue
		}
		k := r.Method + " " + r.Pattern
		where, ok := reach[k]
		if !ok {
			t.Errorf("page route %s: the escaping walk does not know how to reach it; add it to reach", k)
			continue
		}
		if where.path == "" {
			continue
		}
		ans := rawCall(t, s.URL, "GET", where.path, nil, map[string]string{"Authorization": "Bearer " + admin.Token})
		if ans.status != 200 {
			t.Errorf("GET %s: %d", where.path, ans.status)
			continue
		}
		walked++
		body := string(ans.body)
		for _, h := range hostile {
			if strings.Contains(body, h) {
				t.Errorf("GET %s shows %q as markup", where.path, h)
			}
		}
		if strings.Contains(body, `href="javascript:`) || strings.Contains(body, `src="javascript:`) {
			t.Errorf("GET %s links to javascript:", where.path)
		}
		if where.namesAsset && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s does not show the asset's name as escaped text", where.path)
		}
	}
	t.Logf("%s: %d pages walked", e.Name, walked)
}
