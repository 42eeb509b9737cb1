package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestCRAPages walks /products, /cra and /cra/{id} on both engines as an
// analyst: an asset marked as a product on the form (a bad date answered
// in words, the form refilled); a finding of an asset that is not a
// product refused in words; a clock started from the form with the
// drafts prefilled and a countdown the page script moves on; a draft
// saved (shown escaped), a submission and a measure recorded; the
// deadlines breached on a pinned clock; outbound reports recorded and
// updated. An auditor sees no forms and is refused them; a cross-origin
// post changes nothing.
func TestCRAPages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			craPages(t, e)
		})
	}
}

func craPages(t *testing.T, e storetest.Engine) {
	p, high, _, ana, audrey := triagePages(t, e)
	ctx := context.Background()
	// The clock stands still on a minute, so the countdowns read exactly.
	now := time.Now().UTC().Truncate(time.Minute)
	p.Store.SetClock(func() time.Time { return now })
	get := pageGetter(t, p.URL)
	f, err := p.Store.Finding(ctx, high)
	if err != nil {
		t.Fatal(err)
	}
	asset := fmt.Sprint(f.AssetID)

	// Not a product yet: refused, naming it.
	a := postForm(t, p.URL, "/cra", url.Values{"finding_id": {fmt.Sprint(high)}}, ana)
	wantPage(t, "a finding of a non-product", a, 400, "is not a product the organisation makes", xssAsset)
	// A bad date keeps what was typed.
	a = postForm(t, p.URL, "/products", url.Values{"asset": {asset}, "support_end": {"2031-13-01"}, "support_policy": {"<b>five years</b>"}}, ana)
	wantPage(t, "a bad date", a, 400, "support_end", "<b>five years</b>")
	if strings.Contains(string(a.body), "<b>five years</b>") {
		t.Error("the refilled form shows the policy as markup")
	}
	a = postForm(t, p.URL, "/products", url.Values{"asset": {asset}, "support_end": {"2031-12-31"}, "member_states": {"de gr"},
		"support_policy": {"<b>five years</b>"}, "security_contact": {"mailto:psirt@example.org"}, "published": {"1"}}, ana)
	if a.status != 303 {
		t.Fatalf("marking a product: %s", a)
	}
	page := get("/products", ana, 200)
	wantPage(t, "/products", httpAnswer{status: 200, body: []byte(page)}, 200, xssAsset, "2031-12-31", "supported", "DE EL", "mailto:psirt@example.org")
	if strings.Contains(page, "<b>five years</b>") || strings.Contains(page, xssAsset) {
		t.Error("/products shows stored text as markup")
	}
	if edit := get("/products?edit="+asset, ana, 200); !strings.Contains(edit, `value="2031-12-31"`) || !strings.Contains(edit, "readonly") {
		t.Error("/products?edit does not fill the form with the product")
	}

	// The clock, from the form.
	aware := now.Add(-time.Hour).Format("2006-01-02T15:04")
	a = postForm(t, p.URL, "/cra", url.Values{"finding_id": {fmt.Sprint(high)}, "aware_at": {aware}, "note": {"<i>honeypot</i>"}}, ana)
	loc := a.header.Get("Location")
	if a.status != 303 || !regexp.MustCompile(`^/cra/\d+$`).MatchString(loc) {
		t.Fatalf("starting a clock: %s (Location %q)", a, loc)
	}
	clock := get(loc, ana, 200)
	wantPage(t, loc, httpAnswer{status: 200, body: []byte(clock)}, 200, "due in 23 h 0 min", "due in 2 d 23 h", "waits for a corrective or mitigating measure",
		xssSummary, "<i>honeypot</i>", "DE, EL", `src="/static/cra.js"`)
	if !strings.Contains(clock, `data-due="`) || strings.Contains(clock, "<i>honeypot</i>") || strings.Contains(clock, xssSummary) {
		t.Error("the clock page: no countdown, or stored text as markup")
	}
	if js := get("/static/cra.js", nil, 200); !strings.Contains(js, "data-due") {
		t.Error("/static/cra.js does not move the countdowns")
	}
	a = postForm(t, p.URL, "/cra", url.Values{"finding_id": {fmt.Sprint(high)}}, ana)
	wantPage(t, "a second clock", a, 409, "has a CRA clock already")

	// A draft, a submission, the measure.
	a = postForm(t, p.URL, loc+"/drafts", url.Values{"report": {"early_warning"}, "product": {"Shop 4.1"}, "malicious_act": {"yes"},
		"member_states": {"NL, FR"}, "details": {"<script>alert(9)</script>"}}, ana)
	if a.status != 303 {
		t.Fatalf("saving a draft: %s", a)
	}
	a = postForm(t, p.URL, loc+"/drafts", url.Values{"report": {"early_warning"}, "malicious_act": {"maybe"}}, ana)
	wantPage(t, "a bad answer", a, 400, `malicious_act "maybe"`)
	a = postForm(t, p.URL, loc+"/submissions", url.Values{"report": {"early_warning"}, "reference": {"SRP-7"}}, ana)
	if a.status != 303 {
		t.Fatalf("recording a submission: %s", a)
	}
	a = postForm(t, p.URL, loc+"/mitigation", url.Values{"description": {"release 4.2"}}, ana)
	if a.status != 303 {
		t.Fatalf("recording the measure: %s", a)
	}
	clock = get(loc, ana, 200)
	wantPage(t, loc+" after", httpAnswer{status: 200, body: []byte(clock)}, 200, "submitted in time", "SRP-7", model.DefaultCRAChannel,
		"<script>alert(9)</script>", "FR, NL", "available since", "release 4.2", "due in 14 d 0 h")
	if strings.Contains(clock, "<script>alert(9)</script>") {
		t.Error("the saved draft is shown as markup")
	}
	if !regexp.MustCompile(`<fieldset disabled><legend>Early warning`).MatchString(clock) {
		t.Error("the submitted early warning's draft is still editable")
	}

	// Three days on, the notification is breached.
	p.Store.SetClock(func() time.Time { return now.Add(72 * time.Hour) })
	list := get("/cra", ana, 200)
	wantPage(t, "/cra three days on", httpAnswer{status: 200, body: []byte(list)}, 200, "breached 1 h 0 min ago", "submitted in time", xssAsset)
	p.Store.SetClock(func() time.Time { return now })

	// Outbound reports.
	a = postForm(t, p.URL, "/outbound-reports", url.Values{"kind": {"csirt"}, "finding_id": {fmt.Sprint(high)}, "channel": {"email"}}, ana)
	wantPage(t, "an escalation without a CSIRT", a, 400, "no national CSIRT")
	a = postForm(t, p.URL, "/outbound-reports", url.Values{"kind": {"upstream"}, "finding_id": {fmt.Sprint(high)}, "recipient": {"<u>maintainers</u>"},
		"upstream_project": {"https://github.com/example/lib"}, "channel": {"GitHub private vulnerability report"}, "sent_at": {aware}}, ana)
	if a.status != 303 {
		t.Fatalf("recording an upstream report: %s", a)
	}
	os, err := p.Store.OutboundReports(ctx, store.OutboundFilter{FindingID: high})
	if err != nil || len(os) != 1 || os[0].Component != f.PURL && !strings.Contains(os[0].Component, f.Package) {
		t.Fatalf("the upstream report %+v, %v", os, err)
	}
	a = postForm(t, p.URL, fmt.Sprintf("/outbound-reports/%d", os[0].ID), url.Values{"status": {"fixed"}, "response": {"fixed in 2.0.0"},
		"reference": {"GHSA-aaaa-bbbb-cccc"}}, ana)
	if a.status != 303 {
		t.Fatalf("updating the report: %s", a)
	}
	list = get("/cra", ana, 200)
	wantPage(t, "/cra outbound", httpAnswer{status: 200, body: []byte(list)}, 200, "<u>maintainers</u>", "GHSA-aaaa-bbbb-cccc", "fixed in 2.0.0")
	if strings.Contains(list, "<u>maintainers</u>") {
		t.Error("/cra shows the recipient as markup")
	}

	// The auditor reads, without forms, and is refused them; a
	// cross-origin post changes nothing.
	for _, path := range []string{"/products", "/cra", loc} {
		if pg := get(path, audrey, 200); strings.Contains(pg, `method="post" action="/cra`) || strings.Contains(pg, `action="/products"`) ||
			strings.Contains(pg, `action="/outbound-reports"`) {
			t.Errorf("%s shows an auditor forms", path)
		}
	}
	if a := postForm(t, p.URL, "/products", url.Values{"asset": {asset}, "support_end": {"2040-01-01"}}, audrey); a.status != 403 {
		t.Errorf("an auditor marking a product: %s", a)
	}
	if a := postForm(t, p.URL, loc+"/submissions", url.Values{"report": {"notification"}}, crossOrigin(ana, formType)); a.status != 403 {
		t.Errorf("a cross-origin submission: %s", a)
	}
	c, err := p.Store.CRAClock(ctx, mustID(t, loc))
	if err != nil || len(c.Submissions) != 1 {
		t.Errorf("after the refused posts: %+v, %v", c.Submissions, err)
	}
	if prod, _ := p.Store.Product(ctx, f.AssetID); prod.SupportEnd != "2031-12-31" {
		t.Errorf("the product after the refused posts: %+v", prod)
	}
}

// mustID is the number at the end of a path.
func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path[strings.LastIndex(path, "/")+1:], "%d", &id); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return id
}
