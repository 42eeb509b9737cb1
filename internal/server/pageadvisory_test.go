package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The stored strings of the advisory page's test, each with HTML in it.
const (
	xssAdvSummary = `<script>alert("summary")</script>`
	xssAdvDetails = "line one\n<script>alert(\"details\")</script>"
	xssAdvRef     = `https://example.org/advisory?a=1&b=<x>`
	otherAdvID    = "GHSA-zzzz-othr-0003" // also names CVE-2099-0001; xssAdvID comes first
)

// TestAdvisoryPage checks /advisories/{id} on both engines: the stored
// advisory with its aliases, its CVSS vectors (its own and NVD's, each
// with its source) and the asset and component of its open finding; a
// CVE alias answers the primary advisory and links the other one;
// stored HTML renders escaped; an unknown ID 404 and a too long one 400
// in words; a person or token without the read scope 403.
func TestAdvisoryPage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			advisoryPage(t, e)
		})
	}
}

// storeXSSAdvisories stores xssAdvID, whose summary, details and a
// reference hold HTML, otherAdvID naming the same CVE, and an NVD record
// of that CVE with NVD's and a CNA's vectors.
func storeXSSAdvisories(t *testing.T, p *inproc) {
	t.Helper()
	ctx := context.Background()
	osv, err := storetest.CreateFeed(ctx, p.Store, model.Feed{Name: "advisory-page-osv", Kind: model.FeedOSV, URL: "https://osv.example/npm/all.zip"})
	if err != nil {
		t.Fatal(err)
	}
	adv := func(id, summary, details string, refs []string, sev model.Severity) store.Advisory {
		info, err := json.Marshal(model.AdvisoryInfo{ID: id, Aliases: []string{"CVE-2099-0001"}, Summary: summary, Details: details,
			Published: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC), References: refs, Severity: sev})
		if err != nil {
			t.Fatal(err)
		}
		return store.Advisory{ID: id, Summary: summary, Severity: string(sev.Rating), Score: sev.Score, Aliases: []string{"CVE-2099-0001"},
			Info: string(info), ContentHash: "h-" + id, Records: []store.AdvisoryRecord{{Key: "npm/" + xssPackage, JSON: `{"id":"` + id + `"}`}}}
	}
	if _, err := storetest.ApplyAdvisories(ctx, p.Store, store.FeedResult{FeedID: osv.ID}, []store.Advisory{
		adv(xssAdvID, xssAdvSummary, xssAdvDetails, []string{xssAdvRef},
			model.Severity{Rating: "high", Score: 7.5, Type: "CVSS_V3", Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}),
		adv(otherAdvID, "the other one", "", nil, model.Severity{Rating: "unknown"}),
	}); err != nil {
		t.Fatal(err)
	}
	feed, err := storetest.CreateFeed(ctx, p.Store, model.Feed{Name: "advisory-page-nvd", Kind: model.FeedNVD, URL: "https://services.nvd.nist.gov/rest/json/cves/2.0"})
	if err != nil {
		t.Fatal(err)
	}
	metrics := `[{"source":"nvd@nist.gov","type":"Primary","version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","base_score":9.8},
		{"source":"cna@example.com","type":"Secondary","version":"3.1","vector":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N","base_score":5.9}]`
	if _, err := storetest.ApplyNVD(ctx, p.Store, feed.ID, []store.NVDRecord{{ID: "CVE-2099-0001", VulnStatus: "Analyzed",
		LastModified: time.Date(2099, 1, 3, 0, 0, 0, 0, time.UTC), Metrics: metrics, Record: `{"id":"CVE-2099-0001"}`, ContentHash: "h-nvd"}}); err != nil {
		t.Fatal(err)
	}
}

func advisoryPage(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{adminPassword: pagesPW})
	storeXSSAdvisories(t, p)
	id := storeXSSFindings(t, p)
	admin := signIn(t, p.URL, "admin", pagesPW)
	get := pageGetter(t, p.URL)

	page := get("/advisories/"+xssAdvID, admin, 200)
	wantEscaped(t, "GET /advisories/{id}", []byte(page), xssAdvSummary, xssAdvDetails, xssAsset, xssPackage+"@"+xssVersion)
	for _, s := range []string{"<h1>" + xssAdvID + "</h1>", `<a href="/advisories/CVE-2099-0001">CVE-2099-0001</a>`,
		"2099-01-02", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
		"<td>advisory</td>", "<td>NVD CVE-2099-0001</td>", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"<td>CNA cna@example.com via NVD CVE-2099-0001</td>", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
		`href="/findings/` + fmt.Sprint(id) + `"`, `href="/findings?asset=`, "2.0.0", "1 open finding.",
		`rel="noopener noreferrer"`, html.EscapeString(xssAdvRef)} {
		if !strings.Contains(page, s) {
			t.Errorf("GET /advisories/%s does not show %q", xssAdvID, s)
		}
	}
	if strings.Contains(page, "plain@0.1.0") || strings.Contains(page, "GHSA-plai-nnnn-0002") {
		t.Errorf("the advisory page lists another advisory's finding")
	}

	// An alias answers the primary advisory and links the other one.
	alias := get("/advisories/CVE-2099-0001", admin, 200)
	for _, s := range []string{"<h1>" + xssAdvID + "</h1>", "CVE-2099-0001 is an alias of " + xssAdvID,
		`<a href="/advisories/` + otherAdvID + `">` + otherAdvID + `</a>`, `href="/findings/` + fmt.Sprint(id) + `"`} {
		if !strings.Contains(alias, s) {
			t.Errorf("GET /advisories/CVE-2099-0001 does not show %q", s)
		}
	}
	other := get("/advisories/"+otherAdvID, admin, 200)
	if !strings.Contains(other, "No open finding names this advisory") || !strings.Contains(other, "<td>NVD CVE-2099-0001</td>") {
		t.Errorf("the advisory without findings does not say so or lacks its CVE's NVD vectors")
	}

	// The findings pages link the advisory.
	if !strings.Contains(get("/findings/"+fmt.Sprint(id), admin, 200), `<a href="/advisories/`+xssAdvID+`">`) {
		t.Errorf("the finding page does not link its advisory")
	}
	if !strings.Contains(get("/findings", admin, 200), `href="/advisories/`+xssAdvID+`"`) {
		t.Errorf("the findings list does not link the advisories")
	}

	// Unknown and too long IDs: a page in words.
	if body := get("/advisories/GHSA-none-none-none", admin, 404); !strings.Contains(body, "GHSA-none-none-none: no stored advisory has this ID or alias") ||
		!strings.Contains(body, `class="error"`) {
		t.Errorf("an unknown advisory's page does not say so")
	}
	if body := get("/advisories/"+strings.Repeat("x", 201), admin, 400); !strings.Contains(body, "advisory id: 1–200 characters") {
		t.Errorf("a too long advisory ID's page does not say so")
	}

	// Without the read scope: 403, for a token and a person alike.
	if _, _, err := p.Svc.CreateUser(context.Background(), service.NewUser{Name: "only-uploads", Role: "uploader", Password: pagesPW}, service.ActorFirstStart); err != nil {
		t.Fatal(err)
	}
	path := "/advisories/" + xssAdvID
	get(path, signIn(t, p.URL, "only-uploads", pagesPW), 403)
	get(path, bearerHdr(p.client(t, "uploader").Token), 403)
	get(path, bearerHdr(p.client(t, "auditor").Token), 200)
	if a := rawCall(t, p.URL, "GET", path, nil, nil); a.status != http.StatusSeeOther {
		t.Errorf("GET %s signed out: %d; want 303 to /login", path, a.status)
	}
}
