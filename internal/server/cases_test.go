package server_test

// Disclosure cases through the real server over loopback (issue 14, part
// cases): the researcher's journey, and what abuse of the public form and
// tracking link meets.

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

var (
	trackLinkRE = regexp.MustCompile(`id="track-link" href="(/security/track/[A-Za-z0-9_-]{43})"`)
	caseIDRE    = regexp.MustCompile(`id="case-id">(VD-\d{4}-\d{4,})<`)
)

// fileReport posts the report form (multipart) as a stranger and returns
// the answer.
func fileReport(t *testing.T, base string, vals url.Values, files []file) httpAnswer {
	t.Helper()
	if vals.Get("stamp") == "" {
		vals.Set("stamp", formStampOf(t, base))
	}
	body, ctype := multipartOf(t, vals, files)
	return rawCall(t, base, "POST", "/security/report", strings.NewReader(body), map[string]string{"Content-Type": ctype})
}

// filed reads the case ID and tracking link of a filed report's page.
func filed(t *testing.T, a httpAnswer) (publicID, link string) {
	t.Helper()
	id, l := caseIDRE.FindSubmatch(a.body), trackLinkRE.FindSubmatch(a.body)
	if a.status != 201 || id == nil || l == nil {
		t.Fatalf("filing a report: %s", a)
	}
	return string(id[1]), string(l[1])
}

// caseByPublicID finds a case in the API's list.
func caseByPublicID(t *testing.T, p *inproc, publicID string) model.Case {
	t.Helper()
	var cs struct{ Items []model.Case }
	p.admin.JSON(t, "GET", "/api/v1/cases", nil, 200, &cs)
	for _, c := range cs.Items {
		if c.PublicID == publicID {
			return c
		}
	}
	t.Fatalf("case %s is not listed", publicID)
	return model.Case{}
}

// TestCaseJourney: a stranger reports a vulnerability, follows it by the
// tracking link and messages the team; staff acknowledge it, answer (and
// note internally), take it through triage and fix with a CVE, draft the
// advisory from the case, credit the reporter in it and publish it as
// signed CSAF, then disclose; the reporter, who opted in, is credited on
// the acknowledgements page once, and only once, the case is disclosed.
func TestCaseJourney(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			form := rawCall(t, p.URL, "GET", "/security/report", nil, nil)
			if form.status != 200 || strings.Contains(string(form.body), "<nav>") || !strings.Contains(string(form.body), `name="website"`) {
				t.Fatalf("the report form, for a stranger: %s", form)
			}
			a := fileReport(t, p.URL, url.Values{"title": {"SQL injection in login"}, "description": {"The user field is concatenated."},
				"product": {"webshop 2.1"}, "severity": {"critical"}, "poc": {"' OR 1=1 --"}, "contact": {"ada@example.org"},
				"credit_name": {"Ada L."}, "credit": {"yes"}}, []file{{"poc.txt", "text/plain", []byte("username=' OR 1=1 --")}})
			publicID, link := filed(t, a)
			if a.header.Get("Referrer-Policy") != "no-referrer" || a.header.Get("Cache-Control") != "no-store" {
				t.Errorf("the page with the tracking link: Referrer-Policy %q, Cache-Control %q", a.header.Get("Referrer-Policy"), a.header.Get("Cache-Control"))
			}

			track := func() string {
				t.Helper()
				a := rawCall(t, p.URL, "GET", link, nil, nil)
				if a.status != 200 || a.header.Get("Referrer-Policy") != "no-referrer" {
					t.Fatalf("the tracking page: %s", a)
				}
				return string(a.body)
			}
			if b := track(); !strings.Contains(b, publicID) || !strings.Contains(b, `id="case-state">received<`) {
				t.Errorf("the tracking page after filing: %s", b)
			}
			// The reporter sees the dates the policy sets: acknowledgement,
			// the decision and disclosure (the fix's once the case is valid).
			if b := track(); !strings.Contains(b, `id="case-expect"`) || !strings.Contains(b, "We acknowledge your report") ||
				!strings.Contains(b, "Public disclosure") || strings.Contains(b, "A fix is available") {
				t.Errorf("the tracking page's expected dates: %s", b)
			}
			msg := rawCall(t, p.URL, "POST", link, strings.NewReader("message=Any+news%3F"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if msg.status != 303 || msg.header.Get("Location") != link+"#messages" {
				t.Errorf("the reporter's message: %s (Location %s)", msg, msg.header.Get("Location"))
			}

			// Staff see it all and acknowledge it from the page.
			c := caseByPublicID(t, p, publicID)
			var d model.CaseDetail
			p.admin.JSON(t, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil, 200, &d)
			if d.Title != "SQL injection in login" || d.ProofOfConcept != "' OR 1=1 --" || d.SeverityGuess != "critical" || !d.CreditOptIn ||
				len(d.Attachments) != 1 || len(d.Messages) != 1 || d.Messages[0].Body != "Any news?" {
				t.Errorf("the case as staff read it: %+v", d)
			}
			hdr := map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": "application/x-www-form-urlencoded"}
			casePath := fmt.Sprintf("/cases/%d", c.ID)
			if a := rawCall(t, p.URL, "POST", casePath+"/state", strings.NewReader("state=acknowledged"), hdr); a.status != 303 {
				t.Fatalf("acknowledging on the page: %s", a)
			}
			if a := rawCall(t, p.URL, "POST", casePath+"/messages", strings.NewReader("body=Thanks%2C+we+are+on+it."), hdr); a.status != 303 {
				t.Fatalf("answering on the page: %s", a)
			}
			p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cases/%d/messages", c.ID), strings.NewReader(`{"body": "internal: ask the shop team", "internal": true}`), 201, nil)
			b := track()
			if !strings.Contains(b, `id="case-state">acknowledged<`) || !strings.Contains(b, "Thanks, we are on it.") || strings.Contains(b, "ask the shop team") {
				t.Errorf("the tracking page after the answer (the internal note must not show): %s", b)
			}

			for _, st := range []string{"triaging", "valid", "fixing", "fixed"} {
				p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cases/%d/state", c.ID), strings.NewReader(`{"state": "`+st+`"}`), 200, nil)
			}
			p.admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/cases/%d", c.ID), strings.NewReader(`{"cve": "CVE-2026-31337", "euvd": "EUVD-2026-777"}`), 200, nil)
			publishCaseAdvisory(t, p, c.ID, hdr)
			if a := rawCall(t, p.URL, "GET", "/security/acknowledgements", nil, nil); a.status != 200 || strings.Contains(string(a.body), "Ada L.") {
				t.Errorf("credited before disclosure: %s", a)
			}
			p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cases/%d/state", c.ID), strings.NewReader(`{"state": "disclosed"}`), 200, nil)
			ack := rawCall(t, p.URL, "GET", "/security/acknowledgements", nil, nil)
			if ack.status != 200 || !strings.Contains(string(ack.body), "Ada L.") || !strings.Contains(string(ack.body), "CVE-2026-31337") {
				t.Errorf("the acknowledgements once disclosed: %s", ack)
			}
			b = track()
			for _, want := range []string{`id="case-state">disclosed<`, "CVE-2026-31337", ">fixed<", ">acknowledged<"} {
				if !strings.Contains(b, want) {
					t.Errorf("the tracking page once disclosed lacks %q", want)
				}
			}
			p.admin.JSON(t, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil, 200, &d)
			for _, tm := range d.Timers {
				if tm.State != "met" {
					t.Errorf("timer %s once disclosed: %+v", tm.Name, tm)
				}
			}
		})
	}
}

// TestCaseAbuse: what the public form and tracking link refuse, on both
// engines: bodies and attachments over their limits, the honeypot, a form
// not served by the site, a type the sniffing refuses — each with a clear
// message and nothing stored; markup in every field stored verbatim and
// shown escaped to the reporter, to staff and on the acknowledgements;
// attachments only as downloads to signed-in staff; a wrong or malformed
// tracking token answered exactly as a missing case; 100 reports a minute
// from one address rate-limited.
func TestCaseAbuse(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{configure: func(s *server.Server) { s.SetReportLimit(1000, 60e9) }})
			count := func() int {
				cs, err := p.Store.Cases(t.Context(), store.CaseFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			}
			ok := url.Values{"title": {"t"}, "description": {"d"}}
			for _, c := range []struct {
				name   string
				vals   url.Values
				files  []file
				status int
				word   string
			}{
				{"an oversized body", url.Values{"title": {"t"}, "description": {"d"}, "filler": {strings.Repeat("x", server.MaxReportBody)}}, nil, 413, "larger than"},
				{"an oversized attachment", ok, []file{{"big.txt", "text/plain", []byte(strings.Repeat("a", model.MaxAttachmentBytes+1))}}, 413, `attachment "big.txt": larger than 2097152 bytes`},
				{"too many attachments", ok, []file{{"1.txt", "text/plain", []byte("1")}, {"2.txt", "text/plain", []byte("2")}, {"3.txt", "text/plain", []byte("3")}, {"4.txt", "text/plain", []byte("4")}}, 413, "at most 3"},
				{"an oversized description", url.Values{"title": {"t"}, "description": {strings.Repeat("d", model.MaxCaseText+1)}}, nil, 413, "description: longer than 20000 bytes"},
				{"an HTML attachment", ok, []file{{"poc.txt", "text/plain", []byte("<!DOCTYPE html><script>alert(1)</script>")}}, 400, "text/html, which is not accepted"},
				{"the honeypot", url.Values{"title": {"t"}, "description": {"d"}, "website": {"http://spam.example"}}, nil, 400, "not accepted"},
				{"a forged stamp", url.Values{"title": {"t"}, "description": {"d"}, "stamp": {"1765155600.00"}}, nil, 400, "expired or did not come from this site"},
				{"no title", url.Values{"description": {"d"}}, nil, 400, "title: required"},
			} {
				a := fileReport(t, p.URL, c.vals, c.files)
				if a.status != c.status || !strings.Contains(html.UnescapeString(string(a.body)), c.word) {
					t.Errorf("%s: %d; want %d saying %q: %.400s", c.name, a.status, c.status, c.word, a.body)
				}
			}
			if n := count(); n != 0 {
				t.Errorf("refused reports stored %d cases", n)
			}

			// Markup in every field: stored verbatim, shown escaped.
			h := caseHostile
			a := fileReport(t, p.URL, url.Values{"title": {h["title"]}, "description": {h["description"]}, "product": {h["product"]},
				"poc": {h["poc"]}, "contact": {h["contact"]}, "credit_name": {h["credit_name"]}, "credit": {"yes"}},
				[]file{{`<img src=x onerror=alert(1)>.txt`, "text/html", []byte("just text")}})
			publicID, link := filed(t, a)
			if m := rawCall(t, p.URL, "POST", link, strings.NewReader(url.Values{"message": {h["message"]}}.Encode()),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); m.status != 303 {
				t.Fatalf("the reporter's message: %s", m)
			}
			c := caseByPublicID(t, p, publicID)
			var d model.CaseDetail
			p.admin.JSON(t, "GET", fmt.Sprintf("/api/v1/cases/%d", c.ID), nil, 200, &d)
			if d.Title != h["title"] || d.Description != h["description"] || d.Product != h["product"] || d.ProofOfConcept != h["poc"] ||
				d.Contact != h["contact"] || d.CreditName != h["credit_name"] || d.Messages[0].Body != h["message"] {
				t.Errorf("not stored verbatim: %+v", d)
			}
			if n := d.Attachments[0].Name; n != "_img src_x onerror_alert_1__.txt" {
				t.Errorf("the attachment's name kept as %q", n)
			}
			for _, st := range []string{"acknowledged", "triaging", "valid", "fixing", "fixed", "disclosed"} {
				p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cases/%d/state", c.ID), strings.NewReader(`{"state": "`+st+`"}`), 200, nil)
			}
			for _, page := range []struct {
				path   string
				hdr    map[string]string
				fields []string
			}{
				{link, nil, []string{"title", "message"}},
				{"/cases", bearerHdr(p.admin.Token), []string{"title"}},
				{fmt.Sprintf("/cases/%d", c.ID), bearerHdr(p.admin.Token), []string{"title", "description", "product", "poc", "contact", "credit_name", "message"}},
				{"/security/acknowledgements", nil, []string{"credit_name"}},
			} {
				a := rawCall(t, p.URL, "GET", page.path, nil, page.hdr)
				body := string(a.body)
				for _, f := range page.fields {
					if strings.Contains(body, h[f]) || !strings.Contains(html.UnescapeString(body), h[f]) {
						t.Errorf("GET %s: the %s is not shown escaped (%d)", page.path, f, a.status)
					}
				}
				if strings.Contains(body, "<img src=x") {
					t.Errorf("GET %s shows the attachment's name as markup", page.path)
				}
			}

			// Attachments: downloads, for staff only.
			att := fmt.Sprintf("/cases/%d/attachments/%d", c.ID, d.Attachments[0].ID)
			for _, path := range []string{att, fmt.Sprintf("/api/v1/attachments/%d", d.Attachments[0].ID)} {
				a := rawCall(t, p.URL, "GET", path, nil, bearerHdr(p.admin.Token))
				if a.status != 200 || string(a.body) != "just text" || a.header.Get("Content-Type") != "application/octet-stream" ||
					!strings.HasPrefix(a.header.Get("Content-Disposition"), "attachment;") || a.header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("GET %s: %s %v", path, a, a.header)
				}
			}
			if a := rawCall(t, p.URL, "GET", att, nil, nil); a.status != 303 || !strings.HasPrefix(a.header.Get("Location"), "/login") {
				t.Errorf("an attachment without signing in: %s", a)
			}

			// A move the state machine refuses, on the page: 409 in words.
			refused := rawCall(t, p.URL, "POST", fmt.Sprintf("/cases/%d/state", c.ID), strings.NewReader("state=fixing"),
				map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": "application/x-www-form-urlencoded"})
			if refused.status != 409 || !strings.Contains(string(refused.body), "a disclosed case cannot become fixing") {
				t.Errorf("disclosed → fixing on the page: %s", refused)
			}

			// Wrong, malformed and missing tokens: one answer.
			random := make([]byte, 32)
			rand.Read(random)
			want := rawCall(t, p.URL, "GET", "/security/track/"+base64.RawURLEncoding.EncodeToString(random), nil, nil)
			if want.status != 404 {
				t.Fatalf("a random token: %s", want)
			}
			good := strings.TrimPrefix(link, "/security/track/")
			for _, path := range []string{"/security/track/", "/security/track/x", "/security/track/" + good[:42], "/security/track/" + good + "x",
				"/security/track/" + strings.ToUpper(good), "/security/track/%ff%00", "/security/track/" + good + "/more", "/security/track/..%2f"} {
				for _, m := range []string{"GET", "POST"} {
					a := rawCall(t, p.URL, m, path, strings.NewReader("message=hi"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
					if a.status != want.status || string(a.body) != string(want.body) || a.header.Get("Content-Type") != want.header.Get("Content-Type") {
						t.Errorf("%s %s: %d %q; want the same as a missing case: %d %q", m, path, a.status, a.body, want.status, want.body)
					}
				}
			}
		})
	}
}

// TestCaseRateLimit: 100 reports within a minute from one address: the
// first ReportsPerAddress are filed, the rest answered 429 with
// Retry-After, and only those are stored.
func TestCaseRateLimit(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			vals := url.Values{"title": {"flood"}, "description": {"d"}, "stamp": {formStampOf(t, p.URL)}}
			filedN, refused := 0, 0
			for i := range 100 {
				a := rawCall(t, p.URL, "POST", "/security/report", strings.NewReader(vals.Encode()),
					map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
				switch a.status {
				case 201:
					filedN++
				case 429:
					refused++
					if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 || !strings.Contains(string(a.body), "too many reports") {
						t.Errorf("report %d refused: Retry-After %q: %.200s", i, a.header.Get("Retry-After"), a.body)
					}
				default:
					t.Fatalf("report %d: %s", i, a)
				}
			}
			cs, err := p.Store.Cases(t.Context(), store.CaseFilter{})
			if filedN != server.ReportsPerAddress || refused != 100-server.ReportsPerAddress || err != nil || len(cs) != filedN {
				t.Errorf("%d filed, %d refused, %d stored (%v); want %d filed", filedN, refused, len(cs), err, server.ReportsPerAddress)
			}
		})
	}
}

// publishCaseAdvisory is the journey's advisory: staff draft it from the
// case's page, whose credit hint names the reporter; they complete it
// with the reporter's credit, submit and publish it; the case page lists
// it, and the CSAF provider serves it signed, with the CVE and the credit.
func publishCaseAdvisory(t *testing.T, p *inproc, caseID int64, hdr map[string]string) {
	t.Helper()
	var shop model.Asset
	p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "journey-shop"}`), 201, &shop)
	p.admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", shop.ID), strings.NewReader(`{"name": "Web Shop", "support_end": "2031-12-31", "published": true}`), 200, nil)
	a := rawCall(t, p.URL, "POST", "/security-advisories", strings.NewReader(fmt.Sprintf("title=SQL+injection+in+login&profile=security_advisory&case_id=%d", caseID)), hdr)
	var advID int64
	if _, err := fmt.Sscanf(a.header.Get("Location"), "/security-advisories/%d", &advID); a.status != 303 || err != nil {
		t.Fatalf("drafting the advisory from the case: %s (Location %q)", a, a.header.Get("Location"))
	}
	page := rawCall(t, p.URL, "GET", fmt.Sprintf("/security-advisories/%d", advID), nil, hdr)
	if !strings.Contains(string(page.body), `id="secadv-case-link" href="/cases/`) || !strings.Contains(string(page.body), "credited as <strong>Ada L.</strong>") {
		t.Errorf("the advisory's page does not name the case and the credit asked for: %s", page)
	}
	p.admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/security-advisories/%d", advID), strings.NewReader(fmt.Sprintf(`{
		"summary": "The login form builds SQL from the user name.",
		"products": [{"asset_id": %d, "affected": ">=1.0, <1.4.2", "fixed": "1.4.2"}],
		"vulnerabilities": [{"cve": "CVE-2026-31337", "title": "SQL injection in login", "description": "The user field is concatenated into SQL.",
			"remediation": "Update to 1.4.2.", "acknowledgements": ["Ada L."]}]}`, shop.ID)), 200, nil)
	p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/submit", advID), nil, 200, nil)
	var pub model.SecurityAdvisory
	p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/publish", advID), nil, 200, &pub)
	if pub.State != model.SecAdvPublished || pub.CaseID == nil || *pub.CaseID != caseID {
		t.Fatalf("published: %+v", pub)
	}
	if cp := rawCall(t, p.URL, "GET", fmt.Sprintf("/cases/%d", caseID), nil, hdr); !strings.Contains(string(cp.body), pub.TrackingID) ||
		!strings.Contains(string(cp.body), "secadv-published") {
		t.Errorf("the case page does not list its published advisory %s", pub.TrackingID)
	}
	index := rawCall(t, p.URL, "GET", "/.well-known/csaf/white/index.txt", nil, nil)
	path := strings.TrimSpace(string(index.body))
	doc := rawCall(t, p.URL, "GET", "/.well-known/csaf/white/"+path, nil, nil)
	asc := rawCall(t, p.URL, "GET", "/.well-known/csaf/white/"+path+".asc", nil, nil)
	if doc.status != 200 || !strings.Contains(string(doc.body), "CVE-2026-31337") || !strings.Contains(string(doc.body), `"Ada L."`) || asc.status != 200 {
		t.Errorf("the served advisory %q (%d, signature %d):\n%s", path, doc.status, asc.status, doc.body)
	}
}
