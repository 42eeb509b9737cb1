package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// browserAnalystPW is the password of the analyst the browser test creates.
const browserAnalystPW = "triage-in-the-browser-2026"

// TestBrowserTriage drives triage in headless Chromium against the real
// binary, as two people: (a) an analyst signs in, triages a finding
// not_affected with a justification (the field shows once that state is
// chosen) and a reason, comments on it and reads both in the finding's
// history; (b) the analyst requests an exception for another finding;
// the admin signs in, requests one of their own, sees on /exceptions
// that only the analyst's can be approved — their own says why not — and
// approves it, and the finding shows risk_accepted and links the
// exception's page; (c) the findings list
// is filtered by triage state and SLA state with its form. No page logs a
// console error (a CSP violation shows up there). Screenshots, some in
// the dark scheme, go to artefactDir.
func TestBrowserTriage(t *testing.T) {
	bin := chromium(t)
	o := servertest.Options{DataDir: t.TempDir()}
	p := servertest.Start(t, o)
	adminPW := p.AdminPassword()
	api := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}
	api.JSON(t, "POST", "/api/v1/users", strings.NewReader(`{"username": "ana", "role": "analyst", "password": "`+browserAnalystPW+`"}`), 201, nil)
	var list struct{ Items []model.AssetFinding }
	servertest.Eventually(t, 30*time.Second, "three seeded findings", func() bool {
		api.JSON(t, "GET", "/api/v1/findings", nil, 200, &list)
		return len(list.Items) >= 3
	})
	triaged, accepted, own := list.Items[0], list.Items[1], list.Items[2]

	dir := artefactDir(t)
	ctx, console := newBrowser(t, bin)
	shot := func(name string) chromedp.Action { return screenshot(dir, "triage-"+name+".png") }
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", step, err, p.Stderr())
		}
	}
	signInAs := func(user, pw, path, ready string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(p.URL + path),
			chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, pw),
			submitAndWait(`input[name=password]`),
			chromedp.WaitVisible(ready),
		}
	}
	findingPath := func(f model.AssetFinding) string { return fmt.Sprintf("/findings/%d", f.ID) }

	// (a) The analyst triages a finding and comments on it.
	var hiddenBefore, shownAfter bool
	var state, history string
	var narrowWidth int
	run("triage", cdplog.Enable(), chromedp.EmulateViewport(1200, 900),
		signInAs("ana", browserAnalystPW, findingPath(triaged), `#triage-form`),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('#triage-form label.justification')).display === 'none'`, &hiddenBefore),
		chromedp.SetValue(`#triage-form select[name=state]`, model.StateNotAffected),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('#triage-form label.justification')).display !== 'none'`, &shownAfter),
		chromedp.SetValue(`#triage-form select[name=justification]`, "vulnerable_code_not_in_execute_path"),
		chromedp.SendKeys(`#triage-form textarea[name=reason]`, "the vulnerable parser is never called"),
		submitAndWait(`#triage-form textarea[name=reason]`),
		chromedp.WaitVisible(`#triage p.notice`),
		chromedp.SendKeys(`#comment-form textarea[name=comment]`, "checked the call graph twice"),
		submitAndWait(`#comment-form textarea[name=comment]`),
		chromedp.WaitVisible(`table.history`),
		chromedp.Text(`#triage .tstate`, &state),
		chromedp.Text(`table.history tbody`, &history),
		shot("finding"),
		chromedp.EmulateViewport(400, 900),
		shot("finding-400px"),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &narrowWidth),
		chromedp.EmulateViewport(1200, 900),
	)
	if !hiddenBefore || !shownAfter {
		t.Errorf("the justification field: hidden before choosing not_affected %v, shown after %v; want both", hiddenBefore, shownAfter)
	}
	if narrowWidth > 400 {
		t.Errorf("the finding page is %d px wide in a 400 px window; its forms and tables must fit or scroll", narrowWidth)
	}
	if state != model.StateNotAffected {
		t.Errorf("the triaged finding's state %q; want not_affected", state)
	}
	for _, w := range []string{"new → not_affected", "the vulnerable parser is never called", "vulnerable_code_not_in_execute_path",
		"checked the call graph twice", "ana", "detected:"} {
		if !strings.Contains(history, w) {
			t.Errorf("the history does not show %q: %s", w, history)
		}
	}

	// (b) The analyst requests an exception; the admin approves it.
	expires := time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)
	requestException := func(f model.AssetFinding, reason string) chromedp.Tasks {
		return chromedp.Tasks{
			chromedp.Navigate(p.URL + findingPath(f)),
			chromedp.WaitVisible(`#exception-form`),
			chromedp.SendKeys(`#exception-form textarea[name=exception_reason]`, reason),
			chromedp.SendKeys(`#exception-form textarea[name=compensating_controls]`, "reachable from the office network only"),
			chromedp.SetValue(`#exception-form input[name=expires]`, expires),
			submitAndWait(`#exception-form textarea[name=exception_reason]`),
			chromedp.WaitVisible(`#triage p.notice`),
		}
	}
	run("the analyst's exception", requestException(accepted, "the library is replaced next quarter"),
		chromedp.Click(`form.who button`), chromedp.WaitVisible(`input[name=username]`))
	run("the admin's exception", signInAs("admin", adminPW, findingPath(own), `#exception-form`),
		requestException(own, "the admin's own request"))
	var excs struct{ Items []model.Exception }
	api.JSON(t, "GET", "/api/v1/exceptions?state=requested", nil, 200, &excs)
	ids := map[string]int64{}
	for _, e := range excs.Items {
		ids[e.RequestedBy] = e.ID
	}
	if ids["ana"] == 0 || ids["admin"] == 0 {
		t.Fatalf("requested exceptions: %+v", excs.Items)
	}
	anas, mine := fmt.Sprintf("#exception-%d", ids["ana"]), fmt.Sprintf("#exception-%d", ids["admin"])
	var anaApprove, ownApprove int
	var ownWhy, notice, acceptedState, excState, excURL string
	run("the exceptions page",
		chromedp.Navigate(p.URL+"/exceptions"),
		chromedp.WaitVisible(anas),
		chromedp.Evaluate(`document.querySelectorAll('`+anas+` form.approve button').length`, &anaApprove),
		chromedp.Evaluate(`document.querySelectorAll('`+mine+` form.approve button').length`, &ownApprove),
		chromedp.Text(mine+` .own`, &ownWhy),
		shot("exceptions"),
		chromedp.SendKeys(anas+` form.approve input[name=reason]`, "fine until the replacement"),
		clickAndWait(anas+` form.approve button`),
		chromedp.Text(`p.notice`, &notice),
		shot("exceptions-approved"),
		chromedp.Navigate(p.URL+findingPath(accepted)),
		chromedp.WaitVisible(`#triage .tstate`),
		chromedp.Text(`#triage .tstate`, &acceptedState),
		shot("accepted"),
		clickAndWait(`#triage a[href^="/exceptions/"]`),
		chromedp.Text(`article .xstate`, &excState),
		chromedp.Location(&excURL),
		chromedp.Navigate(p.URL+findingPath(accepted)),
		chromedp.WaitVisible(`#triage .tstate`),
		colourScheme("dark"),
		shot("accepted-dark"),
		chromedp.Navigate(p.URL+"/exceptions"),
		chromedp.WaitVisible(anas),
		shot("exceptions-dark"),
		colourScheme("light"),
	)
	if anaApprove != 1 || ownApprove != 0 {
		t.Errorf("Approve buttons: %d on the analyst's request, %d on the admin's own; want 1 and 0", anaApprove, ownApprove)
	}
	if !strings.Contains(ownWhy, "four eyes") {
		t.Errorf("the admin's own request does not say why it cannot be approved: %q", ownWhy)
	}
	if !strings.Contains(notice, "Exception approved") {
		t.Errorf("after approving, the page says %q", notice)
	}
	if acceptedState != model.StateRiskAccepted {
		t.Errorf("the finding of the approved exception is %q; want risk_accepted", acceptedState)
	}
	if want := fmt.Sprintf("/exceptions/%d", ids["ana"]); !strings.HasSuffix(excURL, want) || excState != model.ExceptionApproved {
		t.Errorf("the finding's exception link went to %s, which shows %q; want %s, approved", excURL, excState, want)
	}

	// (c) The findings list, filtered by triage state and SLA state.
	var f model.AssetFinding
	api.JSON(t, "GET", "/api/v1"+findingPath(triaged), nil, 200, &f)
	if f.SLA == nil {
		t.Fatalf("the triaged finding has no clock: %+v", f)
	}
	var loc, count string
	var links, rows int
	var slaStates []string
	run("the filtered list",
		chromedp.Navigate(p.URL+"/findings"),
		chromedp.WaitVisible(`form.filters`),
		chromedp.Click(`input[name=state][value=not_affected]`),
		chromedp.SetValue(`select[name=sla_state]`, f.SLA.State),
		submitAndWait(`select[name=sla_state]`),
		chromedp.WaitVisible(`table.findings`),
		chromedp.Location(&loc),
		chromedp.Text(`p.count`, &count),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('table.findings a[href="%s"]').length`, findingPath(triaged)), &links),
		chromedp.Evaluate(`document.querySelectorAll('table.findings tbody tr').length`, &rows),
		shot("findings-state"),
		chromedp.Navigate(p.URL+"/findings"),
		chromedp.WaitVisible(`form.filters`),
		chromedp.SetValue(`select[name=sla_state]`, "on_track"),
		submitAndWait(`select[name=sla_state]`),
		chromedp.WaitVisible(`table.findings`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('table.findings tbody .sla'), e => e.textContent)`, &slaStates),
		shot("findings-sla"),
		chromedp.EmulateViewport(400, 900),
		shot("findings-sla-400px"),
		chromedp.Navigate(p.URL+"/exceptions"),
		chromedp.WaitVisible(`article.exception`),
		shot("exceptions-400px"),
		chromedp.EmulateViewport(1200, 900),
	)
	if !strings.Contains(loc, "state=not_affected") || !strings.Contains(loc, "sla_state="+f.SLA.State) {
		t.Errorf("the filter form went to %s; want state=not_affected and sla_state=%s", loc, f.SLA.State)
	}
	if links != 1 || rows != 1 {
		t.Errorf("filtered by not_affected and %s: %d rows, %d links to the triaged finding (%s); want 1 and 1", f.SLA.State, rows, links, count)
	}
	if len(slaStates) == 0 {
		t.Errorf("no finding is on_track")
	}
	for _, s := range slaStates {
		if s != "on_track" {
			t.Errorf("the list filtered by on_track shows a finding %s", s)
		}
	}
	console.check(t)
	t.Logf("screenshots in %s", dir)
}
