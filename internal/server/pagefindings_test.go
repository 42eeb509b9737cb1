package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The stored strings of the findings pages' test, each with HTML in it.
const (
	xssAsset   = `<script>alert(1)</script>`
	xssPackage = `<b>left-pad</b>`
	xssVersion = `1.0<img src=x onerror=alert(2)>`
	xssSummary = `<i>prototype pollution</i>`
	xssReason  = `1.0<img src=x onerror=alert(2)> >= introduced 0 and < fixed 2.0.0`
	xssAdvID   = "GHSA-xss0-test-0001"
	pagesPW    = "findings-pages-2026!"
)

// TestFindingsPages checks /findings and /findings/{id} on both engines:
// stored strings with HTML render escaped, the filters filter and page,
// bad filters answer 400 in words, a missing finding 404, and a person or
// token without the read scope 403.
func TestFindingsPages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			findingsPages(t, e)
		})
	}
}

// storeXSSFindings stores an asset named xssAsset with two findings: one
// of a component whose name and version hold HTML, rated high by NVD, and
// a plain one rated low by its advisory. It returns the first's ID.
func storeXSSFindings(t *testing.T, p *inproc) int64 {
	t.Helper()
	ctx := context.Background()
	a, err := storetest.CreateAsset(ctx, p.Store, model.Asset{Name: "xss-asset"})
	if err != nil {
		t.Fatal(err)
	}
	a, snap, err := storetest.Ingest(ctx, p.Store, a, false, store.NewSnapshot{Format: "cyclonedx", Source: "xss.cdx.json",
		SHA256:     strings.Repeat("ab", 32),
		Components: []model.Component{{Name: xssPackage, Version: xssVersion, Ecosystem: "npm", Package: xssPackage}, {Name: "plain", Version: "0.1.0", Ecosystem: "npm", Package: "plain"}},
		Keys:       []string{"npm/" + xssPackage, "npm/plain"}})
	if err != nil {
		t.Fatal(err)
	}
	// Asset names cannot hold HTML through the API; one renamed in the
	// database must still render escaped.
	a.Name = xssAsset
	if _, err := storetest.UpdateAsset(ctx, p.Store, a); err != nil {
		t.Fatal(err)
	}
	st, err := storetest.ApplyFindings(ctx, p.Store, store.MatchResult{AssetID: a.ID, SnapshotID: snap.ID, Resolution: model.ResolvedByUpgrade,
		Findings: []finding.Detected{{Key: "npm/" + xssPackage, Ecosystem: "npm", Package: xssPackage, Version: xssVersion,
			VulnID: xssAdvID, Aliases: []string{"CVE-2099-0001"}, Summary: xssSummary, Severity: "high", SeverityRank: 4, Score: 8.1,
			SeverityInfo: `{"severity": {"rating": "high", "score": 8.1, "type": "CVSS_V3", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
				"version": "3.1", "from": "nvd", "record": "CVE-2099-0001", "source": "nvd@nist.gov", "source_type": "Primary"},
				"conflicts": [{"rating": "critical", "score": 9.8, "from": "nvd", "record": "CVE-2099-0001", "source": "cna@example.com", "source_type": "Secondary"}]}`,
			Fix: "2.0.0",
			Evidence: fmt.Sprintf(`[{"advisory": %q, "ecosystem": "npm", "package": %q, "range_type": "SEMVER", "introduced": "0", "fixed": "2.0.0", "reason": %q}]`,
				xssAdvID, xssPackage, xssReason)},
			{Key: "npm/plain", Ecosystem: "npm", Package: "plain", Version: "0.1.0", VulnID: "GHSA-plai-nnnn-0002", Severity: "low", SeverityRank: 2,
				SeverityInfo: `{"severity": {"rating": "low", "from": "advisory", "record": "GHSA-plai-nnnn-0002"}}`, Evidence: `[]`},
		}})
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := p.Store.Findings(ctx, store.FindingFilter{Severity: []string{"high"}})
	if err != nil || len(fs) != 1 {
		t.Fatalf("the stored finding: %v, %v (%+v)", fs, err, st)
	}
	return fs[0].ID
}

// signIn signs a person in with the form and returns the session cookie.
func signIn(t *testing.T, base, user, pw string) map[string]string {
	t.Helper()
	a := rawCall(t, base, "POST", "/login", strings.NewReader(url.Values{"username": {user}, "password": {pw}, "next": {"/"}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == "vulndesk_session" && c.Value != "" {
			return map[string]string{"Cookie": c.Name + "=" + c.Value}
		}
	}
	t.Fatalf("signing in as %s: %s", user, a)
	return nil
}

// pageGetter returns a GET of a path on base with headers that fails the
// test unless the answer has the status want, and returns its body.
func pageGetter(t *testing.T, base string) func(path string, hdr map[string]string, want int) string {
	return func(path string, hdr map[string]string, want int) string {
		t.Helper()
		a := rawCall(t, base, "GET", path, nil, hdr)
		if a.status != want {
			t.Fatalf("GET %s: %s; want %d", path, a, want)
		}
		return string(a.body)
	}
}

// wantEscaped checks that a page shows each stored string escaped and
// never raw.
func wantEscaped(t *testing.T, what string, body []byte, stored ...string) {
	t.Helper()
	for _, s := range stored {
		if strings.Contains(string(body), s) {
			t.Errorf("%s: %q appears unescaped", what, s)
		}
		if !strings.Contains(string(body), html.EscapeString(s)) && !strings.Contains(string(body), templateEscape(s)) {
			t.Errorf("%s: %q is not shown (escaped)", what, s)
		}
	}
}

// templateEscape escapes as html/template does in text: quotes as &#34;
// and &#39;, + as &#43;.
func templateEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func findingsPages(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{adminPassword: pagesPW})
	id := storeXSSFindings(t, p)
	admin := signIn(t, p.URL, "admin", pagesPW)
	get := pageGetter(t, p.URL)

	list := get("/findings", admin, 200)
	wantEscaped(t, "GET /findings", []byte(list), xssAsset, xssPackage+"@"+xssVersion)
	for _, s := range []string{xssAdvID, "CVE-2099-0001", "from NVD CVE-2099-0001", "from advisory", "8.1", "2.0.0", "2 findings shown"} {
		if !strings.Contains(list, s) {
			t.Errorf("GET /findings does not show %q", s)
		}
	}

	page := get(fmt.Sprintf("/findings/%d", id), admin, 200)
	wantEscaped(t, "GET /findings/{id}", []byte(page), xssAsset, xssPackage, xssVersion, xssSummary, xssReason)
	for _, s := range []string{"from NVD CVE-2099-0001", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		"CNA cna@example.com via NVD CVE-2099-0001", "SEMVER", "upgrade to 2.0.0", "not in CISA KEV", "is no longer stored"} {
		if !strings.Contains(page, s) {
			t.Errorf("GET /findings/%d does not show %q", id, s)
		}
	}

	// Filters, as the form sends them: every field, empty ones included.
	form := func(kv ...string) string {
		v := url.Values{"q": {""}, "asset": {""}, "ecosystem": {""}, "status": {"open"}, "min_score": {""}, "max_score": {""}, "sort": {"severity"}}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return "/findings?" + v.Encode()
	}
	for path, want := range map[string][]string{
		form("severity", "high"):                               {xssAdvID},
		form("severity", "high", "severity", "low"):            {xssAdvID, "GHSA-plai-nnnn-0002"},
		form("q", xssPackage):                                  {xssAdvID},
		form("min_score", "8"):                                 {xssAdvID},
		form("max_score", "5"):                                 {"GHSA-plai-nnnn-0002"},
		form("ecosystem", "npm", "asset", "1", "kev", ""):      {xssAdvID, "GHSA-plai-nnnn-0002"},
		form("severity", "critical"):                           {"No findings match these filters"},
		form("kev", "true"):                                    {"No findings match these filters"},
		"/findings?status=resolved":                            {"No findings match these filters"},
		"/findings?sort=score&status=all&ecosystem=pypi":       {"No findings match these filters"},
		"/findings?q=" + url.QueryEscape("<b>none</b>"):        {"No findings match these filters", "&lt;b&gt;none&lt;/b&gt;"},
		form("q", "plain", "severity", "low", "sort", "score"): {"GHSA-plai-nnnn-0002", "1 finding shown"},
	} {
		body := get(path, admin, 200)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s does not show %q", path, w)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("GET %s: unescaped <script>", path)
		}
		if len(want) == 1 && want[0] == xssAdvID && strings.Contains(body, "GHSA-plai-nnnn-0002") {
			t.Errorf("GET %s shows the low finding", path)
		}
		if len(want) == 1 && want[0] == "GHSA-plai-nnnn-0002" && strings.Contains(body, xssAdvID) {
			t.Errorf("GET %s shows the high finding", path)
		}
	}

	// With no findings at all, the blank form's answer says how to get some.
	empty := startInproc(t, e, inprocOptions{adminPassword: pagesPW})
	if a := rawCall(t, empty.URL, "GET", form(), nil, signIn(t, empty.URL, "admin", pagesPW)); a.status != 200 ||
		!strings.Contains(string(a.body), "No open findings. Upload an SBOM") {
		t.Errorf("the empty findings page: %s", a)
	}

	// Keyset paging: a next-page link carrying the cursor and the filters.
	first := get("/findings?limit=1&status=all", admin, 200)
	m := regexp.MustCompile(`<a rel="next" href="([^"]+)"`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("no next-page link on a page of 1 of 2 findings")
	}
	next := html.UnescapeString(m[1])
	if !strings.Contains(next, "cursor=") || !strings.Contains(next, "status=all") {
		t.Errorf("next-page link %q does not carry the cursor and the filters", next)
	}
	second := get(next, admin, 200)
	if strings.Contains(second, `rel="next"`) || !strings.Contains(second, "GHSA-plai-nnnn-0002") || strings.Contains(second, xssAdvID) {
		t.Errorf("the second page of 1 should hold the low finding and be the last")
	}

	// Bad filters: 400 (an unknown asset 404) naming the problem, on the page.
	for path, want := range map[string]string{
		"/findings?severity=urgent":               "critical, high, medium, low, none or unknown",
		"/findings?min_score=11":                  "a CVSS base score, a number from 0 to 10",
		"/findings?kev=maybe":                     "true or false",
		"/findings?ecosystem=cobol":               "not an OSV ecosystem",
		"/findings?sort=bogus":                    "bogus",
		"/findings?status=closed":                 "closed",
		"/findings?cursor=not-a-real":             "cursor",
		"/findings?q=" + strings.Repeat("x", 201): "at most 200 characters",
	} {
		body := get(path, admin, 400)
		if !strings.Contains(html.UnescapeString(body), want) || !strings.Contains(body, `class="error"`) {
			t.Errorf("GET %s: the page does not say %q", path, want)
		}
	}
	if body := get("/findings?asset=no-such-asset", admin, 404); !strings.Contains(body, "no asset has this ID or name") {
		t.Errorf("GET /findings?asset=no-such-asset does not say why")
	}
	if body := get("/findings/987654321", admin, 404); !strings.Contains(body, "finding 987654321: there is no finding with this ID") {
		t.Errorf("a missing finding's page does not say so")
	}
	if body := get("/findings/abc", admin, 400); !strings.Contains(html.UnescapeString(body), `id "abc": not a positive integer`) {
		t.Errorf("a bad finding ID's page does not say so")
	}

	// Without the read scope: 403, for a token and a person alike; an
	// auditor reads.
	ctx := context.Background()
	if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: "only-uploads", Role: "uploader", Password: pagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	uploaderSession := signIn(t, p.URL, "only-uploads", pagesPW)
	uploaderToken := bearerHdr(p.client(t, "uploader").Token)
	auditor := bearerHdr(p.client(t, "auditor").Token)
	for _, path := range []string{"/findings", fmt.Sprintf("/findings/%d", id)} {
		get(path, uploaderSession, 403)
		get(path, uploaderToken, 403)
		get(path, auditor, 200)
		if a := rawCall(t, p.URL, "GET", path, nil, nil); a.status != http.StatusSeeOther {
			t.Errorf("GET %s signed out: %d; want 303 to /login", path, a.status)
		}
	}
}
