package server_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

const assetPagesPW = "asset-pages-2026-pw!"

// TestAssetsPages checks /assets and the asset form on both engines: the
// list searches, filters, counts and pages; creating and changing an
// asset goes through the form (a taken name is a 409, a bad kind a 400,
// both in words with the form filled in again); a role without triage
// gets 403 pages and no "New asset" link; a cross-origin form is refused
// and changes nothing; stored HTML renders escaped.
func TestAssetsPages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			assetsPages(t, e)
		})
	}
}

// sameOrigin are the headers a browser sends with a form of this site.
func sameOrigin(base string, session map[string]string, ctype string) map[string]string {
	return map[string]string{"Cookie": session["Cookie"], "Origin": base, "Sec-Fetch-Site": "same-origin", "Content-Type": ctype}
}

// crossOrigin are those of a form on another site.
func crossOrigin(session map[string]string, ctype string) map[string]string {
	return map[string]string{"Cookie": session["Cookie"], "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": ctype}
}

// assetForm is the asset form as a browser sends it: every field.
func assetForm(kv ...string) string {
	v := url.Values{"name": {""}, "kind": {"application"}, "owner": {""}, "criticality": {"3"}, "exposure": {"internal"},
		"environment": {""}, "lifecycle": {"active"}, "tags": {""}, "cpes": {""}}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

// multipartUpload is the upload form's body: the allow_empty checkbox
// when set, then the file.
func multipartUpload(t *testing.T, filename string, data []byte, allowEmpty bool) (body []byte, ctype string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if allowEmpty {
		mw.WriteField("allow_empty", "true")
	}
	fw, err := mw.CreateFormFile("sbom", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func assetsPages(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{adminPassword: assetPagesPW})
	ctx := context.Background()
	admin := signIn(t, p.URL, "admin", assetPagesPW)
	get := pageGetter(t, p.URL)
	post := func(path, body string, hdr map[string]string, want int) httpAnswer {
		t.Helper()
		a := rawCall(t, p.URL, "POST", path, strings.NewReader(body), hdr)
		if a.status != want {
			t.Fatalf("POST %s: %s; want %d", path, a, want)
		}
		return a
	}
	form := sameOrigin(p.URL, admin, formType)

	// Empty: the page says how to get assets.
	if body := get("/assets", admin, 200); !strings.Contains(body, "No assets yet") || !strings.Contains(body, `href="/assets/new"`) {
		t.Errorf("the empty assets page: %s", body)
	}

	// Create through the form; the new page shows what was sent.
	xss := `<script>alert(1)</script>`
	a := post("/assets", assetForm("name", "billing-api", "kind", "service", "owner", xss, "criticality", "1", "exposure", "internet-facing",
		"environment", `<b>prod</b>`, "tags", ` pci, <i>team</i> ,, `, "cpes", "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*\r\n\r\n"), form, 303)
	loc := a.header.Get("Location")
	if !regexp.MustCompile(`^/assets/\d+$`).MatchString(loc) {
		t.Fatalf("POST /assets: Location %q", loc)
	}
	created, err := p.Store.AssetByName(ctx, "billing-api")
	if err != nil {
		t.Fatal(err)
	}
	if created.Kind != "service" || created.Owner != xss || created.Criticality != 1 || created.Exposure != "internet-facing" ||
		fmt.Sprint(created.Tags) != "[pci <i>team</i>]" || len(created.CPEs) != 1 || loc != fmt.Sprintf("/assets/%d", created.ID) {
		t.Errorf("the created asset: %+v (Location %s)", created, loc)
	}
	page := get(loc, admin, 200)
	wantEscaped(t, "GET "+loc, []byte(page), xss, `<b>prod</b>`, `<i>team</i>`)
	for _, s := range []string{"billing-api", "1 – very high", "internet-facing", "cpe:2.3:o:debian:debian_linux:12", "No SBOM uploaded yet", `id="upload-form"`} {
		if !strings.Contains(page, s) {
			t.Errorf("GET %s does not show %q", loc, s)
		}
	}

	// Refused forms: shown again, filled in, with the reason in words.
	for _, c := range []struct {
		body   string
		status int
		says   string
	}{
		{assetForm("name", "billing-api", "owner", "someone"), http.StatusConflict, `asset "billing-api": already exists: another asset has this name`},
		{assetForm("name", "new-one", "kind", "spaceship", "owner", "someone"), http.StatusBadRequest, `kind "spaceship": one of application, service`},
		{assetForm("name", "bad\u202ename", "owner", "someone"), http.StatusBadRequest, "without control or invisible formatting characters"},
		{assetForm("name", "new-one", "criticality", "9", "owner", "someone"), http.StatusBadRequest, "criticality 9: 1 (highest) to 4 (lowest)"},
		{assetForm("name", "new-one", "cpes", "not-a-cpe", "owner", "someone"), http.StatusBadRequest, `cpe "not-a-cpe": not a CPE 2.3`},
	} {
		a := post("/assets", c.body, form, c.status)
		body := html.UnescapeString(string(a.body))
		if !strings.Contains(body, c.says) || !strings.Contains(string(a.body), `class="error"`) || !strings.Contains(string(a.body), `id="asset-form"`) ||
			!strings.Contains(body, `value="someone"`) {
			t.Errorf("POST /assets %s: %d, the form again with %q and the values kept? %s", c.body, a.status, c.says, a.body)
		}
	}
	if n, _ := p.Store.CountAssets(ctx); n != 1 {
		t.Errorf("%d assets after refused forms; want 1", n)
	}

	// Change through the form, filled in with the asset as stored.
	edit := get(loc+"/edit", admin, 200)
	for _, s := range []string{`id="asset-form"`, `action="` + loc + `"`, `value="billing-api"`, `<option value="service" selected>`,
		`<option value="1" selected>`, templateEscape(xss)} {
		if !strings.Contains(edit, s) {
			t.Errorf("GET %s/edit does not hold %q", loc, s)
		}
	}
	post(loc, assetForm("name", "billing-api-2", "kind", "host", "owner", "team-b", "criticality", "4", "lifecycle", "legacy", "tags", "a,b"), form, 303)
	changed, err := p.Store.Asset(ctx, created.ID)
	if err != nil || changed.Name != "billing-api-2" || changed.Kind != "host" || changed.Owner != "team-b" || changed.Criticality != 4 ||
		changed.Lifecycle != "legacy" || fmt.Sprint(changed.Tags) != "[a b]" || len(changed.CPEs) != 0 {
		t.Errorf("the changed asset: %+v, %v", changed, err)
	}
	if _, err := p.Svc.CreateAsset(ctx, model.Asset{Name: "taken"}, "test"); err != nil {
		t.Fatal(err)
	}
	if a := post(loc, assetForm("name", "taken", "owner", "kept"), form, http.StatusConflict); !strings.Contains(string(a.body), `value="kept"`) {
		t.Errorf("a rename to a taken name: the form is not shown again with the values sent")
	}
	get("/assets/987654321/edit", admin, 404)
	post("/assets/987654321", assetForm("name", "x"), form, 404)

	// Many assets: filters, search, a total count, 50 a page by name.
	for i := range 118 {
		a := model.Asset{Name: fmt.Sprintf("fleet-%03d", i), Owner: "fleet-team", Kind: "host"}
		if i%10 == 0 {
			a.Kind, a.Exposure, a.Criticality, a.Lifecycle = "firmware", "isolated", 2, "end-of-life"
		}
		if _, err := storetest.CreateAsset(ctx, p.Store, a); err != nil {
			t.Fatal(err)
		}
	}
	list := get("/assets", admin, 200)
	if !strings.Contains(list, "120 assets.") || strings.Count(list, `<a href="/assets/`) < 50 {
		t.Errorf("the assets list: no total of 120, or not 50 links")
	}
	rowRE := regexp.MustCompile(`<td><a href="/assets/\d+">([^<]+)</a></td>`)
	nextRE := regexp.MustCompile(`<a rel="next" href="([^"]+)"`)
	var names []string
	path := "/assets?kind=host&q=FLEET"
	for pages := 0; path != "" && pages < 5; pages++ {
		body := get(path, admin, 200)
		if !strings.Contains(body, "106 assets match") {
			t.Errorf("GET %s: no total of 106 matching assets", path)
		}
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			names = append(names, m[1])
		}
		path = ""
		if m := nextRE.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(path, "kind=host") || !strings.Contains(path, "after=") {
				t.Errorf("next-page link %q does not keep the filters", path)
			}
		}
	}
	if len(names) != 106 || names[0] != "fleet-001" || names[105] != "fleet-117" {
		t.Errorf("paging the hosts named fleet: %d names, from %v", len(names), names[:min(3, len(names))])
	}
	for q, want := range map[string]string{
		"/assets?kind=firmware&exposure=isolated&criticality=2&lifecycle=end-of-life": "12 assets match.",
		"/assets?q=team-b":                  "1 asset matches.",
		"/assets?q=" + url.QueryEscape(xss): "No assets match these filters",
		"/assets?kind=&q=&exposure=":        "120 assets.",
	} {
		if body := get(q, admin, 200); !strings.Contains(body, want) {
			t.Errorf("GET %s does not say %q", q, want)
		}
	}
	for q, want := range map[string]string{
		"/assets?kind=spaceship":  `kind "spaceship": one of application`,
		"/assets?criticality=0":   `criticality "0": 1 (highest) to 4 (lowest)`,
		"/assets?lifecycle=alive": `lifecycle "alive": one of active`,
	} {
		if body := get(q, admin, 400); !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("GET %s does not say %q", q, want)
		}
	}

	// An asset named with markup is stored as named, and shown as text.
	a = post("/assets", assetForm("name", xss, "owner", "x"), form, 303)
	wantEscaped(t, "GET "+a.header.Get("Location"), []byte(get(a.header.Get("Location"), admin, 200)), xss)
	wantEscaped(t, "GET /assets?q=script", []byte(get("/assets?q=script", admin, 200)), xss)
	if _, err := p.Store.AssetByName(ctx, xss); err != nil {
		t.Fatal(err)
	}

	// Stored HTML in the list renders escaped.
	created.Owner, created.Environment = xss, `<b>prod</b>`
	created.Name = "billing-api-2"
	if _, err := storetest.UpdateAsset(ctx, p.Store, created); err != nil {
		t.Fatal(err)
	}
	wantEscaped(t, "GET /assets?q=billing", []byte(get("/assets?q=billing", admin, 200)), xss, `<b>prod</b>`)

	// Another site's forms change nothing.
	before, _ := p.Store.CountAssets(ctx)
	for _, req := range []struct{ path, body string }{
		{"/assets", assetForm("name", "csrf-asset")},
		{loc, assetForm("name", "csrf-renamed")},
	} {
		if a := rawCall(t, p.URL, "POST", req.path, strings.NewReader(req.body), crossOrigin(admin, formType)); a.status != http.StatusForbidden {
			t.Errorf("cross-origin POST %s: %s; want 403", req.path, a)
		}
	}
	up, ctype := multipartUpload(t, "bom.cdx.json", mustRead(t, "../../examples/sbom/webshop.cdx.json"), false)
	if a := rawCall(t, p.URL, "POST", loc+"/sboms", bytes.NewReader(up), crossOrigin(admin, ctype)); a.status != http.StatusForbidden {
		t.Errorf("cross-origin upload: %s; want 403", a)
	}
	after, _ := p.Store.CountAssets(ctx)
	still, _ := p.Store.Asset(ctx, created.ID)
	snaps, _ := p.Store.Snapshots(ctx, created.ID)
	if after != before || still.Name != "billing-api-2" || len(snaps) != 0 {
		t.Errorf("refused cross-origin forms changed something: %d → %d assets, name %q, %d snapshots", before, after, still.Name, len(snaps))
	}

	// Without triage: no "New asset" link, and 403 pages for the forms.
	if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: "reader", Role: "auditor", Password: assetPagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: "pusher", Role: "uploader", Password: assetPagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	reader, pusher := signIn(t, p.URL, "reader", assetPagesPW), signIn(t, p.URL, "pusher", assetPagesPW)
	if body := get("/assets", reader, 200); strings.Contains(body, `href="/assets/new"`) || !strings.Contains(body, "121 assets.") {
		t.Errorf("an auditor's assets page offers to create assets, or lists none")
	}
	if body := get(loc, reader, 200); strings.Contains(body, `/edit"`) || strings.Contains(body, `id="upload-form"`) {
		t.Errorf("an auditor's asset page offers to change the asset or upload")
	}
	for _, path := range []string{"/assets/new", loc + "/edit"} {
		if body := get(path, reader, 403); !strings.Contains(body, "role auditor may not") {
			t.Errorf("GET %s as an auditor does not say why it is refused", path)
		}
	}
	post("/assets", assetForm("name", "by-auditor"), sameOrigin(p.URL, reader, formType), 403)
	post(loc, assetForm("name", "by-auditor"), sameOrigin(p.URL, reader, formType), 403)
	get("/assets", pusher, 403)
	get(loc, pusher, 403)
	if _, err := p.Store.AssetByName(ctx, "by-auditor"); err == nil {
		t.Errorf("an auditor's form created or renamed an asset")
	}
}
