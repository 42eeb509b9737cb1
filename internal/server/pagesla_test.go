package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestSLAPage checks /sla and the dashboard's SLA panel on both engines:
// the policy as a table, its versions, the figures as charts whose
// numbers are what the findings make them; an admin's form makes the next
// version (PRG), a refused one comes back with the reason in words and
// what was typed escaped; others see no form and may not post it.
func TestSLAPage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			slaPage(t, e)
		})
	}
}

func slaPage(t *testing.T, e storetest.Engine) {
	const pw = "sla-pages-2026-policy!"
	p, upload := startTriageServer(t, e, inprocOptions{adminPassword: pw})
	clock := &testClock{}
	p.Store.SetClock(clock.now)
	admin := signIn(t, p.URL, "admin", pw)
	analyst := bearerHdr(p.client(t, "analyst").Token)
	get := pageGetter(t, p.URL)

	// Nothing yet: the page and the panel render with empty charts.
	page := get("/sla", admin, 200)
	wantPage(t, "empty /sla", httpAnswerOf(page), 200, "Policy in force: version 1", `id="sla-form"`, "Nothing to draw yet.",
		"critical 3 / 14 / 14", "1: 100% · 2: 100% · 3: 100% · 4: 100%", "follows high")
	if rows := numbers(t, page, "sla-percent"); len(rows) != 0 {
		t.Errorf("empty: %% within SLA rows %v", rows)
	}

	// Critical alpha (14 days) is past due on day 20; high beta (60
	// days) was closed on day 10, within its SLA.
	fs := upload("sla-page", map[string]string{"alpha": "1.0.0", "beta": "1.0.0", "gamma": "2.0.0"})
	clock.pass(10 * 24 * time.Hour)
	must(p.client(t, "analyst").API().Triage(servertest.Ctx(t), fs["beta"].ID, model.TriageInput{State: model.StateFalsePositive, Reason: "test"}))(t)
	clock.pass(10 * 24 * time.Hour)
	page = get("/sla", analyst, 200)
	if strings.Contains(page, `id="sla-form"`) {
		t.Error("an analyst sees the policy form")
	}
	if rows := numbers(t, page, "sla-percent"); len(rows) != 1 || rows[0][0] != "high" || rows[0][1] != "100" {
		t.Errorf("%% within SLA: %v", rows)
	}
	if rows := numbers(t, page, "sla-pastdue"); len(rows) != 2 || rows[0][0] != "critical" || rows[0][1] != "1" || rows[1][1] != "0" {
		t.Errorf("open past due: %v", rows)
	}
	if rows := numbers(t, page, "sla-ttr"); len(rows) != 2 || rows[0][0] != "high · mean" || rows[0][1] != "10" {
		t.Errorf("time to remediate: %v", rows)
	}
	dash := get("/", analyst, 200)
	for _, s := range []string{`id="sla-panel"`, `href="/sla"`, `href="/findings?sla_state=breached"`, `id="sla-compliance">100.0%`, `id="sla-pastdue">1`} {
		if !strings.Contains(dash, s) {
			t.Errorf("the dashboard's SLA panel does not show %q", s)
		}
	}
	if rows := numbers(t, dash, "sla-pastdue"); len(rows) != 2 || rows[0][1] != "1" {
		t.Errorf("dashboard, open past due: %v", rows)
	}
	if rows := numbers(t, dash, "sla-ttr"); len(rows) != 2 || rows[0][0] != "high · mean" || rows[0][1] != "10" {
		t.Errorf("dashboard, time to remediate: %v", rows)
	}

	// The form: others may not post it; an admin's makes version 2.
	in := sla.DefaultPolicy(time.Now()).Input()
	in.Rules[model.RatingCritical] = sla.Days{InternetFacing: 2, Internal: 7, Isolated: 9}
	in.UnknownAs = model.RatingMedium
	form := slaFormValues(in)
	if a := postForm(t, p.URL, "/sla", form, analyst); a.status != 403 {
		t.Errorf("an analyst posting the form: %s", a)
	}
	a := postForm(t, p.URL, "/sla", form, admin)
	if a.status != 303 || a.header.Get("Location") != "/sla#policy" {
		t.Fatalf("posting the form: %s (Location %q)", a, a.header.Get("Location"))
	}
	page = get("/sla", admin, 200)
	wantPage(t, "/sla after the change", httpAnswerOf(page), 200, "Policy in force: version 2", "critical 2 / 7 / 9", "critical 3 / 14 / 14",
		"follows medium", "Saving makes version 3.")

	// Refused forms: the reason in words, the typed text escaped, the
	// form filled in as sent, no new version.
	for _, tc := range []struct{ field, value, says string }{
		{"days.critical.internal", `<script>alert("x")</script>`, "days for critical on internal assets"},
		{"days.low.isolated", "0", "rules.low.isolated: 0 days; 1 to 3650"},
		{"percent.4", "5000", "criticality_percent.4: 5000; 1 to 1000 percent"},
		{"unknown_as", `"><img src=x onerror=alert(1)>`, "unknown_as"},
	} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set(tc.field, tc.value)
		a := postForm(t, p.URL, "/sla", bad, admin)
		wantPage(t, tc.field+"="+tc.value, a, 400, tc.says, "Policy in force: version 2")
		if strings.ContainsAny(tc.value, `<>"`) {
			wantEscaped(t, tc.field, a.body, tc.value)
		}
	}
	if page := get("/sla", admin, 200); strings.Contains(page, "version 3</h2>") {
		t.Error("a refused form made a version")
	}
}

// httpAnswerOf is a page's body as a 200 answer, for wantPage.
func httpAnswerOf(body string) httpAnswer { return httpAnswer{status: 200, body: []byte(body)} }
