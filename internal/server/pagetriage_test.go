package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The triage pages' test strings, with markup in them.
const (
	xssTriageReason = `<script>alert("reason")</script> checked by hand`
	xssComment      = `<img src=x onerror=alert("comment")> looked again`
	xssAssignee     = `team <b>sec</b>`
	xssExcReason    = `<i>legacy</i> payment host, isolated`
)

// triagePages serves storeXSSFindings' findings with the people of the
// triage pages' tests: the admin "admin", ana the analyst, boss a second
// admin and audrey the auditor, each with pagesPW. It returns the server,
// the high finding's ID and the sessions of admin, ana and audrey.
func triagePages(t *testing.T, e storetest.Engine) (p *inproc, high int64, admin, ana, audrey map[string]string) {
	t.Helper()
	p = startInproc(t, e, inprocOptions{adminPassword: pagesPW})
	high = storeXSSFindings(t, p)
	for name, role := range map[string]string{"ana": "analyst", "boss": "admin", "audrey": "auditor"} {
		if _, _, err := p.Svc.CreateUser(context.Background(), service.NewUser{Name: name, Role: role, Password: pagesPW}, service.ActorFirstStart); err != nil {
			t.Fatal(err)
		}
	}
	return p, high, signIn(t, p.URL, "admin", pagesPW), signIn(t, p.URL, "ana", pagesPW), signIn(t, p.URL, "audrey", pagesPW)
}

// expiresIn is the exception form's date days from now.
func expiresIn(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }

// TestFindingTriagePage checks the finding page's triage on both engines:
// the state, clock, priority and history show; each form (triage,
// assignment, comment, ticket, exception request) records what it is sent
// and goes back to the finding saying so, or answers its error in words
// with the form filled again; what people wrote renders escaped; an
// auditor sees no form and is refused them; a cross-origin form changes
// nothing.
func TestFindingTriagePage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			findingTriagePage(t, e)
		})
	}
}

func findingTriagePage(t *testing.T, e storetest.Engine) {
	p, id, _, ana, audrey := triagePages(t, e)
	get := pageGetter(t, p.URL)
	post := func(path string, form url.Values, hdr map[string]string) httpAnswer {
		return postForm(t, p.URL, path, form, hdr)
	}
	path := fmt.Sprintf("/findings/%d", id)

	// A new finding: its state, clock, priority and detection.
	page := get(path, ana, 200)
	wantPage(t, "GET "+path, httpAnswer{status: 200, body: []byte(page)}, 200,
		`<span class="tstate tstate-new">new</span>`, "Remediation clock", "Policy", "version 1", "SSVC decision", "Exploitation",
		"Technical impact", "Mission & well-being", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "criticality", "detected:",
		`id="triage-form"`, `id="assign-form"`, `id="comment-form"`, `id="ticket-form"`, `id="exception-form"`)

	// Triage: not_affected needs a justification, said in words, the form
	// filled again; with one it is recorded.
	triage := url.Values{"state": {"not_affected"}, "justification": {""}, "reason": {xssTriageReason}}
	a := post(path+"/triage", triage, ana)
	wantPage(t, "not_affected without a justification", a, 400, "justification: required for not_affected", `class="error"`,
		`<option value="not_affected" selected>`)
	wantEscaped(t, "the refilled triage form", a.body, xssTriageReason)
	triage.Set("justification", "vulnerable_code_not_in_execute_path")
	a = post(path+"/triage", triage, ana)
	if a.status != 303 || a.header.Get("Location") != path+"?done=triaged#triage" {
		t.Fatalf("triaging: %s (Location %q)", a, a.header.Get("Location"))
	}
	wantPage(t, "state new", post(path+"/triage", url.Values{"state": {"new"}, "reason": {"x"}}, ana), 400, "state new")
	wantPage(t, "state risk_accepted", post(path+"/triage", url.Values{"state": {"risk_accepted"}, "reason": {"x"}}, ana), 400, "only an approved exception")

	// Assignment, comment and ticket, each with its error in words.
	for _, c := range []struct {
		to   string
		form url.Values
		want int
		says string
	}{
		{"/assign", url.Values{"assignee": {xssAssignee}}, 303, ""},
		{"/assign", url.Values{"assignee": {"two\nlines"}}, 400, "assignee: one line"},
		{"/comments", url.Values{"comment": {xssComment}}, 303, ""},
		{"/comments", url.Values{"comment": {"  "}}, 400, "body: required"},
		{"/ticket", url.Values{"ticket_url": {"https://tracker.example/browse/SEC-1"}, "ticket_key": {"SEC-1"}}, 303, ""},
		{"/ticket", url.Values{"ticket_url": {"javascript:alert(1)"}, "ticket_key": {"SEC-2"}}, 400, "an https URL of the ticket"},
	} {
		a := post(path+c.to, c.form, ana)
		if c.want == 303 {
			if a.status != 303 || !strings.HasPrefix(a.header.Get("Location"), path+"?done=") {
				t.Errorf("POST %s: %s; want 303 back to the finding", c.to, a)
			}
			continue
		}
		wantPage(t, "POST "+c.to, a, c.want, c.says, `class="error"`, `id="triage-form"`)
	}

	// What was recorded, escaped, and the history.
	a = rawCall(t, p.URL, "GET", path+"?done=triaged", nil, ana)
	wantPage(t, "the triaged finding", a, 200, "Triage recorded.", `<span class="tstate tstate-not_affected">not_affected</span>`,
		"vulnerable_code_not_in_execute_path", "by ana", `href="https://tracker.example/browse/SEC-1" rel="noopener noreferrer">SEC-1</a>`,
		"assigned to "+xssAssignee, "https://tracker.example/browse/SEC-1")
	wantEscaped(t, "the triaged finding", a.body, xssTriageReason, xssComment, xssAssignee)
	history := string(a.body)[strings.Index(string(a.body), `id="history"`):]
	for _, w := range []string{`tstate-new">new</span> → <span class="tstate tstate-not_affected">`, "<td>ana</td>", "comment", "assignment", "ticket"} {
		if !strings.Contains(history, w) {
			t.Errorf("the history does not show %q", w)
		}
	}
	if strings.Contains(string(a.body), "javascript:alert") {
		t.Errorf("the refused ticket URL is on the page")
	}

	// An exception request for the finding: its date required and ahead.
	exc := func(expires string) url.Values {
		return url.Values{"exception_reason": {xssExcReason}, "compensating_controls": {"network isolation"}, "expires": {expires}}
	}
	wantPage(t, "an exception without expiry", post(path+"/exception", exc(""), ana), 400, "expires: required", `id="exception-form"`)
	wantPage(t, "an exception with a bad date", post(path+"/exception", exc("soon"), ana), 400, `expires "soon": a date, YYYY-MM-DD`)
	wantPage(t, "an exception in the past", post(path+"/exception", exc(expiresIn(-2)), ana), 400, "in the past")
	wantPage(t, "an exception too far ahead", post(path+"/exception", exc(expiresIn(800)), ana), 400, "at most 365 days ahead")
	a = post(path+"/exception", exc(expiresIn(30)), ana)
	if a.status != 303 || a.header.Get("Location") != path+"?done=exception#triage" {
		t.Fatalf("requesting an exception: %s", a)
	}
	wantPage(t, "after the request", rawCall(t, p.URL, "GET", path+"?done=exception", nil, ana), 200, "Exception requested",
		`xstate-requested">requested</span>`, "requested by ana") // the pending request shows on the finding
	wantPage(t, "the exceptions list", rawCall(t, p.URL, "GET", "/exceptions", nil, ana), 200, "requested", "by ana", xssExcReason,
		fmt.Sprintf(`href="/findings/%d"`, id))

	// A finding that does not exist, and a bad ID.
	wantPage(t, "triaging a missing finding", post("/findings/987654321/triage", triage, ana), 404, "finding 987654321: there is no finding with this ID")
	wantPage(t, "triaging a bad ID", post("/findings/abc/triage", triage, ana), 400, `id "abc"`)

	// The auditor reads and changes nothing.
	page = get(path, audrey, 200)
	for _, f := range []string{`id="triage-form"`, `id="assign-form"`, `id="comment-form"`, `id="ticket-form"`, `id="exception-form"`} {
		if strings.Contains(page, f) {
			t.Errorf("the auditor sees %s", f)
		}
	}
	before, err := p.Svc.FindingHistory(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"/triage", "/assign", "/comments", "/ticket", "/exception"} {
		wantPage(t, "POST "+to+" as an auditor", post(path+to, url.Values{"state": {"affected"}, "comment": {"no"}}, audrey), 403, "role auditor may not")
	}
	// From another site, even the analyst's forms do nothing.
	for _, h := range []map[string]string{crossOrigin(ana, formType), {"Cookie": ana["Cookie"], "Origin": "https://evil.example"}} {
		if a := post(path+"/comments", url.Values{"comment": {"csrf"}}, h); a.status != 403 {
			t.Errorf("a cross-origin comment (%v): %s; want 403", h, a)
		}
	}
	if after, _ := p.Svc.FindingHistory(context.Background(), id); len(after) != len(before) {
		t.Errorf("refused forms changed the history: %d entries before, %d after", len(before), len(after))
	}
}

// hostileTriage records on finding id, through the API, what people write
// in triage with markup in it — a reason, a comment, an assignee, a ticket
// key, an exception's reason, controls and rejection note — for the
// escaping walk to look for on the finding and exceptions pages; it
// returns those texts and the ID of the exception that was rejected.
func hostileTriage(t *testing.T, admin *servertest.Client, id int64) ([]string, int64) {
	t.Helper()
	const (
		reason   = `<script>alert("triage")</script>`
		comment  = `<img src=x onerror=alert("comment")>`
		assignee = `<b onclick=alert(8)>team</b>`
		key      = `<i>SEC-1</i>`
		controls = `<svg onload=alert(9)> firewall`
		note     = `<a href="javascript:alert(10)">no</a>`
	)
	base := fmt.Sprintf("/api/v1/findings/%d", id)
	for path, body := range map[string]any{
		"/triage":   map[string]string{"state": "not_affected", "justification": "component_not_present", "reason": reason},
		"/comments": map[string]string{"body": comment},
		"/assign":   map[string]string{"assignee": assignee},
		"/ticket":   map[string]string{"url": "https://tracker.example/browse/SEC-1", "key": key},
	} {
		admin.JSON(t, "POST", base+path, jsonBody(t, body), 200, nil)
	}
	exc := map[string]any{"finding_ids": []int64{id}, "reason": reason, "compensating_controls": controls,
		"expires_at": time.Now().UTC().AddDate(0, 1, 0).Format(time.RFC3339)}
	var rejected struct{ ID int64 }
	admin.JSON(t, "POST", "/api/v1/exceptions", jsonBody(t, exc), 201, &rejected)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/exceptions/%d/reject", rejected.ID), jsonBody(t, map[string]string{"reason": note}), 200, nil)
	admin.JSON(t, "POST", "/api/v1/exceptions", jsonBody(t, exc), 201, nil)
	return []string{reason, comment, assignee, key, controls, note}, rejected.ID
}

// jsonBody is v as a JSON request body.
func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
