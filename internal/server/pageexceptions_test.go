package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestExceptionsPage checks /exceptions on both engines: requests made on
// findings' pages are listed, requested ones first; an admin approves
// one someone else requested (its finding becomes risk_accepted) but is
// shown no Approve for their own and is refused it in words (four eyes);
// rejects; revokes with a reason (required); the state filter filters and
// a bad one is answered in words; analysts and auditors see no decision
// form and are refused them; a cross-origin approval changes nothing.
func TestExceptionsPage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			exceptionsPage(t, e)
		})
	}
}

// requestOn requests an exception for finding id on its page and returns
// the new exception's ID, the newest of the list.
func requestOn(t *testing.T, p *inproc, session map[string]string, id int64) string {
	t.Helper()
	a := postForm(t, p.URL, fmt.Sprintf("/findings/%d/exception", id),
		url.Values{"exception_reason": {xssExcReason}, "compensating_controls": {""}, "expires": {expiresIn(60)}}, session)
	if a.status != 303 {
		t.Fatalf("requesting an exception for finding %d: %s", id, a)
	}
	es, err := p.Store.Exceptions(context.Background(), "")
	if err != nil || len(es) == 0 {
		t.Fatalf("the exceptions: %v, %v", es, err)
	}
	return fmt.Sprint(es[0].ID)
}

// exceptionArticle is the part of the list that shows exception id.
func exceptionArticle(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<article id="exception-` + id + `".*?</article>`).FindString(page)
	if m == "" {
		t.Fatalf("the list does not show exception %s", id)
	}
	return m
}

func exceptionsPage(t *testing.T, e storetest.Engine) {
	p, high, admin, ana, audrey := triagePages(t, e)
	get := pageGetter(t, p.URL)
	post := func(path string, form url.Values, hdr map[string]string) httpAnswer {
		return postForm(t, p.URL, path, form, hdr)
	}
	if body := get("/exceptions", admin, 200); !strings.Contains(body, "No exception was requested yet") {
		t.Errorf("the empty list does not say so")
	}
	anas := requestOn(t, p, ana, high)
	own := requestOn(t, p, admin, high)

	// The admin: Approve on ana's, none on their own, which says why.
	page := get("/exceptions", admin, 200)
	wantEscaped(t, "GET /exceptions", []byte(page), xssExcReason)
	theirs, mine := exceptionArticle(t, page, anas), exceptionArticle(t, page, own)
	if !strings.Contains(theirs, `action="/exceptions/`+anas+`/approve"`) || !strings.Contains(theirs, "by ana") {
		t.Errorf("ana's request has no Approve form: %s", theirs)
	}
	if strings.Contains(mine, "/approve") || !strings.Contains(mine, "you may not approve it: another administrator must (four eyes)") {
		t.Errorf("the admin's own request: an Approve form, or no word why not: %s", mine)
	}
	wantPage(t, "approving one's own", post("/exceptions/"+own+"/approve", nil, admin), 403, "the requester may not approve it", `class="error"`)

	// Cross-origin: refused, nothing approved.
	if a := post("/exceptions/"+anas+"/approve", nil, crossOrigin(admin, formType)); a.status != 403 {
		t.Errorf("a cross-origin approval: %s; want 403", a)
	}
	// Analysts and auditors: no forms, refused.
	for who, s := range map[string]map[string]string{"analyst": ana, "auditor": audrey} {
		page := get("/exceptions", s, 200)
		if strings.Contains(page, "/approve") || strings.Contains(page, "/reject") || strings.Contains(page, "/revoke") {
			t.Errorf("the %s sees decision forms", who)
		}
		for _, verb := range []string{"approve", "reject", "revoke"} {
			wantPage(t, verb+" as "+who, post("/exceptions/"+anas+"/"+verb, url.Values{"reason": {"x"}}, s), 403, "role "+who+" may not")
		}
	}
	if body := get("/exceptions?state=requested", admin, 200); strings.Count(body, "<article") != 2 {
		t.Errorf("two requested exceptions; the filtered list shows %d", strings.Count(body, "<article"))
	}

	// Approved by the admin: the finding is risk_accepted.
	a := post("/exceptions/"+anas+"/approve", url.Values{"reason": {"ok for now"}}, admin)
	if a.status != 303 || a.header.Get("Location") != "/exceptions?done=approve#exception-"+anas {
		t.Fatalf("approving: %s", a)
	}
	wantPage(t, "after approving", rawCall(t, p.URL, "GET", "/exceptions?done=approve", nil, admin), 200, "Exception approved", "by admin")
	wantPage(t, "the accepted finding", rawCall(t, p.URL, "GET", fmt.Sprintf("/findings/%d", high), nil, ana), 200,
		`<span class="tstate tstate-risk_accepted">risk_accepted</span>`, `href="/exceptions/`+anas+`"`)
	wantPage(t, "approving twice", post("/exceptions/"+anas+"/approve", nil, admin), 409, "not requested")

	// Rejected with a note; revoked only with a reason.
	if a := post("/exceptions/"+own+"/reject", url.Values{"reason": {"not needed"}}, admin); a.status != 303 {
		t.Errorf("rejecting: %s", a)
	}
	wantPage(t, "revoking without a reason", post("/exceptions/"+anas+"/revoke", url.Values{"reason": {""}}, admin), 400, "reason: required")
	if a := post("/exceptions/"+anas+"/revoke", url.Values{"reason": {"the host moves to the internet"}}, admin); a.status != 303 {
		t.Errorf("revoking: %s", a)
	}
	page = get("/exceptions", admin, 200)
	for id, w := range map[string]string{anas: "revoked", own: "rejected"} {
		if art := exceptionArticle(t, page, id); !strings.Contains(art, `xstate-`+w) {
			t.Errorf("exception %s is not shown %s: %s", id, w, art)
		}
	}
	if body := get("/findings/"+fmt.Sprint(high), ana, 200); strings.Contains(body, "tstate-risk_accepted\">risk_accepted</span></dd>") {
		t.Errorf("the finding is still risk_accepted after the revocation")
	}
	if body := get("/exceptions?state=revoked", admin, 200); strings.Count(body, "<article") != 1 || !strings.Contains(body, "the host moves to the internet") {
		t.Errorf("the revoked filter")
	}
	if body := get("/exceptions?state=approved", admin, 200); !strings.Contains(body, "No exception is approved") {
		t.Errorf("the approved filter with none does not say so")
	}
	wantPage(t, "a bad state filter", rawCall(t, p.URL, "GET", "/exceptions?state=bogus", nil, admin), 400, `state "bogus": one of requested`)
	wantPage(t, "a missing exception", post("/exceptions/987654321/reject", nil, admin), 404, "exception 987654321")

	// One exception's page: the same facts and forms as in the list.
	one := get("/exceptions/"+own, admin, 200)
	if art := exceptionArticle(t, one, own); !strings.Contains(art, "xstate-rejected") || !strings.Contains(art, "not needed") ||
		strings.Count(one, "<article") != 1 || strings.Contains(one, `name="state"`) {
		t.Errorf("GET /exceptions/%s: %s", own, one)
	}
	wantEscaped(t, "GET /exceptions/{id}", []byte(one), xssExcReason)
	wantPage(t, "a missing exception's page", rawCall(t, p.URL, "GET", "/exceptions/987654321", nil, audrey), 404,
		"No such exception", "exception 987654321: there is no exception with this ID")
	wantPage(t, "a bad exception ID", rawCall(t, p.URL, "GET", "/exceptions/x1", nil, audrey), 400, `id "x1"`)
	if one := get("/exceptions/"+anas, audrey, 200); strings.Contains(one, "<form class=\"inline") {
		t.Errorf("the auditor sees decision forms on an exception's page")
	}
}
