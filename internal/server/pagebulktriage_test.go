package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestFindingsTriageFilters checks the findings list's triage filters,
// columns and bulk triage on both engines: state, SLA state, priority
// and assignee filter as the API does; bulk triage of the findings a
// filter selects records each and says how many; its errors (no
// justification, nothing selected) show in words above the list with the
// form filled again; an auditor sees no bulk form and is refused it.
func TestFindingsTriageFilters(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			findingsTriageFilters(t, e)
		})
	}
}

func findingsTriageFilters(t *testing.T, e storetest.Engine) {
	p, high, _, ana, audrey := triagePages(t, e)
	get := pageGetter(t, p.URL)
	f, err := p.Store.Finding(context.Background(), high)
	if err != nil || f.SLA == nil || f.Priority == nil {
		t.Fatalf("the high finding: %+v, %v", f, err)
	}
	const low = "GHSA-plai-nnnn-0002"

	// The columns, and the bulk form carrying the filters.
	list := get("/findings?severity=low&q=plain&cursor=", ana, 200)
	for _, w := range []string{"<th>State</th>", "<th>SLA</th>", "<th>Priority</th>", `tstate-new">new</span>`, `class="sla sla-on_track"`, "due ",
		`id="bulk-form"`, `action="/findings/triage?q=plain&amp;severity=low"`} {
		if !strings.Contains(list, w) {
			t.Errorf("GET /findings does not show %q", w)
		}
	}
	if list := get("/findings", audrey, 200); strings.Contains(list, `id="bulk-form"`) {
		t.Errorf("the auditor sees the bulk form")
	}

	// Bulk triage of the low finding: recorded, said, the filter kept.
	a := postForm(t, p.URL, "/findings/triage?severity=low", url.Values{"state": {"affected"}, "reason": {"confirmed in bulk"}, "justification": {""}}, ana)
	if loc := a.header.Get("Location"); a.status != 303 || !strings.Contains(loc, "triaged=1") || !strings.Contains(loc, "severity=low") {
		t.Fatalf("bulk triage: %s (Location %q)", a, loc)
	}
	wantPage(t, "after bulk triage", rawCall(t, p.URL, "GET", a.header.Get("Location"), nil, ana), 200, "Triaged 1 finding;", `tstate-affected">affected</span>`)
	if fs, _, _ := p.Store.Findings(context.Background(), store.FindingFilter{State: []string{"affected"}}); len(fs) != 1 || fs[0].VulnID != low {
		t.Errorf("affected findings after the bulk triage: %+v", fs)
	}
	wantPage(t, "a ?triaged= that is not a number", rawCall(t, p.URL, "GET", "/findings?triaged=<b>many</b>", nil, ana), 200)
	if body := get("/findings?triaged="+url.QueryEscape("<b>many</b>"), ana, 200); strings.Contains(body, "many") {
		t.Errorf("?triaged= puts words on the page")
	}

	// The filters, as the form sends them.
	filters := map[string][]string{
		"state=new":                {xssAdvID},
		"state=affected":           {low},
		"state=new&state=affected": {xssAdvID, low},
		"sla_state=on_track":       {xssAdvID, low},
		"sla_state=breached":       {},
		"priority=" + url.QueryEscape(f.Priority.Decision):                                       withPriority(t, p, f.Priority.Decision),
		"priority=act&priority=attend&priority=" + url.QueryEscape("track*") + "&priority=track": {xssAdvID, low},
		"assignee=none":                {xssAdvID, low},
		"assignee=nobody-by-that-name": {},
	}
	for query, want := range filters {
		body := get("/findings?"+query, ana, 200)
		for _, id := range []string{xssAdvID, low} {
			shown, wanted := strings.Contains(body, ">"+id+"</a>"), strings.Contains(strings.Join(want, " "), id)
			if shown != wanted {
				t.Errorf("GET /findings?%s: %s shown %v, want %v", query, id, shown, wanted)
			}
		}
		if len(want) == 0 && !strings.Contains(body, "No findings match these filters") {
			t.Errorf("GET /findings?%s: the empty list does not say so", query)
		}
	}
	// The ticked boxes and the chosen SLA state stay chosen.
	body := get("/findings?state=new&state=affected&sla_state=on_track", ana, 200)
	for _, w := range []string{`value="new" checked`, `value="affected" checked`, `<option value="on_track" selected>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the filter form does not keep %q", w)
		}
	}
	a = rawCall(t, p.URL, "GET", "/findings?sla_state=late", nil, ana)
	wantPage(t, "a bad sla_state", a, 400, "late")
	if strings.Contains(string(a.body), `id="bulk-form"`) {
		t.Errorf("the bulk form shows under a bad filter")
	}
	wantPage(t, "bulk triage with a bad filter", postForm(t, p.URL, "/findings/triage?priority=urgent", url.Values{"state": {"affected"}, "reason": {"x"}}, ana),
		400, "urgent")

	// Errors in words, the form filled again.
	a = postForm(t, p.URL, "/findings/triage?state=new", url.Values{"state": {"not_affected"}, "reason": {"bulk <b>why</b>"}, "justification": {""}}, ana)
	wantPage(t, "bulk not_affected without justification", a, 400, "justification: required for not_affected", `id="bulk-form"`,
		`<option value="not_affected" selected>`, xssAdvID)
	wantEscaped(t, "the refilled bulk form", a.body, "bulk <b>why</b>")
	wantPage(t, "bulk triage selecting nothing", postForm(t, p.URL, "/findings/triage?q=nothing-like-this", url.Values{"state": {"affected"}, "reason": {"x"}}, ana),
		400, "none given (or the filter selects none)")
	wantPage(t, "bulk triage as the auditor", postForm(t, p.URL, "/findings/triage", url.Values{"state": {"affected"}, "reason": {"x"}}, audrey),
		403, "role auditor may not")
	if a := postForm(t, p.URL, "/findings/triage", url.Values{"state": {"fixed"}, "reason": {"csrf"}}, crossOrigin(ana, formType)); a.status != 403 {
		t.Errorf("a cross-origin bulk triage: %s; want 403", a)
	}
	if fs, _, _ := p.Store.Findings(context.Background(), store.FindingFilter{State: []string{model.StateFixed}}); len(fs) != 0 {
		t.Errorf("refused bulk triage changed findings: %+v", fs)
	}
}

// withPriority lists the advisory IDs of the open findings of an SSVC
// decision.
func withPriority(t *testing.T, p *inproc, decision string) []string {
	t.Helper()
	fs, _, err := p.Store.Findings(context.Background(), store.FindingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if f.Priority != nil && f.Priority.Decision == decision {
			out = append(out, f.VulnID)
		}
	}
	return out
}
