package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// HTML in a component's name and version, for the escaping checks.
const (
	xssComponent = `<img src=x onerror=alert(1)>`
	xssCompVer   = `1.0<script>alert(2)</script>`
)

// TestAssetPageUploadAndDiff uploads SBOMs through the asset page's
// multipart form on both engines, against the example advisories: the
// page says what was stored and whether it is matched; a second upload
// (log4j-core upgraded, requests downgraded, jinja2 removed, a component
// with HTML in its name added) gives a diff page with exactly those
// changes and the findings opened and resolved; refused files (not an
// SBOM, too large, empty) store nothing and say why in words; stored HTML
// renders escaped on every asset page.
func TestAssetPageUploadAndDiff(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			assetUploadAndDiff(t, e)
		})
	}
}

// webshopV2 is the example web shop's SBOM a release later.
func webshopV2(t *testing.T) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(mustRead(t, "../../examples/sbom/webshop.cdx.json"), &doc); err != nil {
		t.Fatal(err)
	}
	var comps []any
	for _, c := range doc["components"].([]any) {
		c := c.(map[string]any)
		switch c["name"] {
		case "jinja2":
			continue
		case "log4j-core":
			c["version"], c["purl"] = "2.17.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
		case "requests":
			c["version"], c["purl"] = "2.30.0", "pkg:pypi/requests@2.30.0"
		}
		comps = append(comps, c)
	}
	doc["components"] = append(comps, map[string]any{"bom-ref": "evil", "type": "library", "name": xssComponent, "version": xssCompVer})
	doc["dependencies"] = []any{}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// section is the HTML of a page's <section id="id">.
func section(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<section id="` + id + `">(.*?)</section>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no section %q", id)
	}
	return m[1]
}

func assetUploadAndDiff(t *testing.T, e storetest.Engine) {
	const limit = 64 << 10
	p := startInproc(t, e, inprocOptions{seed: true, jobs: true, adminPassword: assetPagesPW,
		configure: func(s *server.Server) { s.MaxUploadBytes = limit }})
	ctx := context.Background()
	admin := signIn(t, p.URL, "admin", assetPagesPW)
	get := pageGetter(t, p.URL)
	a := rawCall(t, p.URL, "POST", "/assets", strings.NewReader(assetForm("name", "shop", "owner", `<script>alert(1)</script>`)),
		sameOrigin(p.URL, admin, formType))
	if a.status != http.StatusSeeOther {
		t.Fatalf("POST /assets: %s", a)
	}
	asset := a.header.Get("Location")
	upload := func(name string, data []byte, allowEmpty bool) httpAnswer {
		t.Helper()
		body, ctype := multipartUpload(t, name, data, allowEmpty)
		return rawCall(t, p.URL, "POST", asset+"/sboms", bytes.NewReader(body), sameOrigin(p.URL, admin, ctype))
	}
	uploaded := func(a httpAnswer) int64 {
		t.Helper()
		var id, sn int64
		if a.status != http.StatusSeeOther {
			t.Fatalf("upload: %s; want 303", a)
		}
		if _, err := fmt.Sscanf(a.header.Get("Location"), "/assets/%d?uploaded=%d", &id, &sn); err != nil || asset != fmt.Sprintf("/assets/%d", id) {
			t.Fatalf("upload: Location %q", a.header.Get("Location"))
		}
		return sn
	}

	one := uploaded(upload("webshop.cdx.json", mustRead(t, "../../examples/sbom/webshop.cdx.json"), false))
	page := get(fmt.Sprintf("%s?uploaded=%d", asset, one), admin, 200)
	if !strings.Contains(page, fmt.Sprintf("Uploaded snapshot %d: 9 components;", one)) {
		t.Errorf("the page after the upload does not say what was stored")
	}
	waitMatched(t, p.admin, one)
	page = get(fmt.Sprintf("%s?uploaded=%d", asset, one), admin, 200)
	for _, s := range []string{"matched ", "webshop.cdx.json", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "no package URL (purl)",
		`href="/findings?asset=`, "CycloneDX 1.6"} {
		if !strings.Contains(page, s) {
			t.Errorf("the asset page after matching does not show %q", s)
		}
	}
	if strings.Contains(page, "What the last upload changed") {
		t.Errorf("with one snapshot, the page offers a diff")
	}

	// Refused files: nothing stored, the reason in words on the page.
	for _, c := range []struct {
		name       string
		data       []byte
		allowEmpty bool
		status     int
		says       string
	}{
		{"notes.txt", []byte("these are my notes, not an SBOM"), false, http.StatusBadRequest, "not an SBOM"},
		{"huge.cdx.json", bytes.Repeat([]byte(" "), limit+1), false, http.StatusRequestEntityTooLarge, fmt.Sprintf("SBOM larger than %d bytes", limit)},
		{"empty.cdx.json", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}`), false, http.StatusBadRequest, "the SBOM has no components"},
	} {
		a := upload(c.name, c.data, c.allowEmpty)
		body := html.UnescapeString(string(a.body))
		if a.status != c.status || !strings.Contains(body, "Nothing was stored: ") || !strings.Contains(body, c.says) || !strings.Contains(body, `id="upload-form"`) {
			t.Errorf("uploading %s: %d; want %d with %q on the asset page: %s", c.name, a.status, c.status, c.says, body)
		}
	}
	var id int64
	fmt.Sscanf(asset, "/assets/%d", &id)
	if snaps, err := p.Store.Snapshots(ctx, id); err != nil || len(snaps) != 1 {
		t.Errorf("refused uploads stored snapshots: %d, %v", len(snaps), err)
	}

	two := uploaded(upload("webshop-3.5.cdx.json", webshopV2(t), false))
	waitMatched(t, p.admin, two)
	page = get(asset, admin, 200)
	wantEscaped(t, "GET "+asset, []byte(page), `<script>alert(1)</script>`, xssComponent, xssCompVer)
	if !strings.Contains(page, "What the last upload changed") {
		t.Errorf("with two snapshots, the page offers no diff")
	}

	diff := get(asset+"/diff", admin, 200)
	wantEscaped(t, "GET "+asset+"/diff", []byte(diff), xssComponent, xssCompVer)
	for id, want := range map[string][]string{
		"added":    {"Added: 1", templateEscape(xssComponent)},
		"removed":  {"Removed: 1", "jinja2", "3.1.2"},
		"upgraded": {"Upgraded or downgraded: 2", "1 upgraded, 1 downgraded", "2.14.1 → 2.17.1</td><td>upgraded", "2.31.0 → 2.30.0</td><td>downgraded"},
		"opened":   {"Findings opened: 1", "VDX-2023-0004", "requests@2.30.0"},
		"resolved": {"Findings resolved: 2", "VDX-2021-0001", "VDX-2024-0003", "log4j-core@2.14.1", "jinja2@3.1.2"},
	} {
		sec := section(t, diff, id)
		for _, w := range want {
			if !strings.Contains(sec, w) {
				t.Errorf("the diff's %s section does not show %q:\n%s", id, w, sec)
			}
		}
	}
	if !strings.Contains(diff, fmt.Sprintf("snapshot %d → %d", one, two)) || !strings.Contains(diff, "6 unchanged") {
		t.Errorf("the default diff is not the last upload's (%d → %d, 6 unchanged)", one, two)
	}
	// The other way round, what was resolved is opened.
	back := get(fmt.Sprintf("%s/diff?from=%d&to=%d", asset, two, one), admin, 200)
	if sec := section(t, back, "opened"); !strings.Contains(sec, "Findings opened: 2") || !strings.Contains(sec, "VDX-2021-0001") {
		t.Errorf("the diff backwards does not open what the upgrade resolved: %s", sec)
	}
	// Snapshots of another asset, or none, are refused in words.
	var shop struct{ Items []model.Asset }
	p.admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &shop)
	for path, want := range map[string]int{
		fmt.Sprintf("%s/diff?from=%d&to=%d", asset, shop.Items[0].CurrentSnapshotID, two): 404,
		fmt.Sprintf("%s/diff?from=%d&to=987654", asset, one):                              404,
		asset + "/diff?from=abc": 400,
		"/assets/987654/diff":    404,
	} {
		body := html.UnescapeString(get(path, admin, want))
		if !strings.Contains(body, `class="error"`) || !(strings.Contains(body, "snapshot") || strings.Contains(body, "asset 987654")) {
			t.Errorf("GET %s: the page does not say why", path)
		}
	}
	if body := get(asset+"/diff?from=abc", admin, 400); !strings.Contains(html.UnescapeString(body), `from "abc": not a snapshot ID`) {
		t.Errorf("a bad from= is not explained")
	}

	// An empty SBOM is stored when the checkbox says so.
	three := uploaded(upload("empty.cdx.json", []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}`), true))
	if page := get(fmt.Sprintf("%s?uploaded=%d", asset, three), admin, 200); !strings.Contains(page, fmt.Sprintf("Uploaded snapshot %d: 0 components;", three)) {
		t.Errorf("an empty SBOM with allow_empty: the page does not say it was stored")
	}

	// A person who uploads and does not read gets a receipt, not the asset.
	if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: "pusher", Role: "uploader", Password: assetPagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	body, ctype := multipartUpload(t, "webshop.cdx.json", mustRead(t, "../../examples/sbom/webshop.cdx.json"), false)
	a = rawCall(t, p.URL, "POST", asset+"/sboms", bytes.NewReader(body), sameOrigin(p.URL, signIn(t, p.URL, "pusher", assetPagesPW), ctype))
	if a.status != http.StatusCreated || !regexp.MustCompile(`Uploaded snapshot \d+ to asset shop: 9 components; matching`).Match(a.body) ||
		strings.Contains(string(a.body), "alert(1)") {
		t.Errorf("an uploader's upload with the form: %s", a)
	}
}

// TestAssetPageRealSBOMs uploads two real Go SBOMs (Argo CD, then
// Prometheus) through the form and reads the diff: the shared modules
// changed versions, and the example advisory on golang.org/x/net that the
// first had is resolved by the second.
func TestAssetPageRealSBOMs(t *testing.T) {
	argo := servertest.Shared(t, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json")
	prom := servertest.Shared(t, "sbom/real-go/gomod-prometheus-v0.48.0.cdx.json")
	t.Parallel()
	e := storetest.Engines(t)[0]
	p := startInproc(t, e, inprocOptions{seed: true, jobs: true, adminPassword: assetPagesPW})
	admin := signIn(t, p.URL, "admin", assetPagesPW)
	get := pageGetter(t, p.URL)
	a := rawCall(t, p.URL, "POST", "/assets", strings.NewReader(assetForm("name", "platform")), sameOrigin(p.URL, admin, formType))
	asset := a.header.Get("Location")
	var last int64
	for _, f := range []string{argo, prom} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body, ctype := multipartUpload(t, f, data, false)
		up := rawCall(t, p.URL, "POST", asset+"/sboms", bytes.NewReader(body), sameOrigin(p.URL, admin, ctype))
		var id int64
		if _, err := fmt.Sscanf(up.header.Get("Location"), asset+"?uploaded=%d", &id); err != nil || up.status != http.StatusSeeOther {
			t.Fatalf("uploading %s: %s", f, up)
		}
		waitMatched(t, p.admin, id)
		last = id
	}
	page := get(fmt.Sprintf("%s?uploaded=%d", asset, last), admin, 200)
	if !strings.Contains(page, fmt.Sprintf("Uploaded snapshot %d: 176 components;", last)) || !strings.Contains(page, "Next components") {
		t.Errorf("the page after the Prometheus upload does not say 176 components, or does not page them")
	}
	diff := get(asset+"/diff", admin, 200)
	if sec := section(t, diff, "upgraded"); !strings.Contains(sec, "golang.org/x/net</td><td>Go</td><td class=\"pkg\">v0.15.0 → v0.17.0</td><td>upgraded") ||
		!strings.Contains(sec, "v0.13.0 → v0.14.0") {
		t.Errorf("the diff does not show golang.org/x/net and x/crypto upgraded: %s", sec)
	}
	if sec := section(t, diff, "resolved"); !strings.Contains(sec, "VDX-2023-0005") || !strings.Contains(sec, "golang.org/x/net@v0.15.0") {
		t.Errorf("the diff does not resolve the x/net advisory: %s", sec)
	}
}
