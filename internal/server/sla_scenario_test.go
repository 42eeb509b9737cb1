package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestSLAPolicyVersions changes the SLA policy through the API on each
// engine, with a clock the test moves: a finding opened before keeps
// version 1 and its deadline, one opened after gets version 2; then the
// SLA figures of a small set of findings closed in and after their
// deadlines are checked against figures computed here by hand.
func TestSLAPolicyVersions(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			slaPolicyVersions(t, e)
		})
	}
}

func slaPolicyVersions(t *testing.T, e storetest.Engine) {
	p, upload := startTriageServer(t, e, inprocOptions{})
	clock := &testClock{}
	p.Store.SetClock(clock.now)
	admin, analyst, auditor := p.admin, p.client(t, "analyst"), p.client(t, "auditor")
	ctx := servertest.Ctx(t)
	get := func(id int64) model.AssetFinding {
		var f model.AssetFinding
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings/%d", id), nil, 200, &f)
		return f
	}
	before := upload("before", map[string]string{"alpha": "1.0.0", "beta": "1.0.0", "gamma": "2.0.0"})
	if a := get(before["alpha"].ID); a.SLA == nil || a.SLA.PolicyVersion != 1 || !a.SLA.DueAt.Equal(a.SLA.Start.Add(14*24*time.Hour)) {
		t.Fatalf("critical, internal, before the change: sla %+v; want policy 1, 14 days", a.SLA)
	}

	// Only an admin changes the policy; a bad one is a 400 naming the field.
	for role, who := range map[string]*servertest.Client{"analyst": analyst, "auditor": auditor} {
		if st, body := who.Do(t, "POST", "/api/v1/sla/policy", strings.NewReader(slaPolicyJSON(2))); st != 403 {
			t.Errorf("POST /api/v1/sla/policy as %s: %d %s", role, st, body)
		}
	}
	if st, body := admin.Do(t, "POST", "/api/v1/sla/policy", strings.NewReader(strings.Replace(slaPolicyJSON(2), `"internal":14`, `"internal":0`, 1))); st != 400 || !strings.Contains(string(body), "rules.critical.internal") {
		t.Errorf("0 days: %d %s; want 400 naming rules.critical.internal", st, body)
	}
	if st, body := admin.Do(t, "POST", "/api/v1/sla/policy", strings.NewReader(`{"version": 7, "rules": {}}`)); st != 400 || !strings.Contains(string(body), "version") {
		t.Errorf("a version given: %d %s; want 400 naming it", st, body)
	}
	in := strings.Replace(slaPolicyJSON(2), `"internal":14`, `"internal":7`, 1)
	var v2 api.SLAPolicies[struct {
		Version int `json:"version"`
	}]
	admin.JSON(t, "POST", "/api/v1/sla/policy", strings.NewReader(in), 201, &v2.Policy)
	admin.JSON(t, "GET", "/api/v1/sla/policy", nil, 200, &v2)
	if v2.Policy.Version != 2 || len(v2.Versions) != 2 || v2.Versions[1].Version != 1 {
		t.Fatalf("after the change: %+v", v2)
	}
	var evs struct{ Items []model.AuditEvent }
	admin.JSON(t, "GET", "/api/v1/audit/events?kind=sla_policy.created", nil, 200, &evs)
	if n := len(evs.Items); n != 2 || evs.Items[n-1].Actor != "token:test-admin" || evs.Items[n-1].ObjectID != "2" {
		t.Errorf("sla_policy.created events: %+v", evs.Items)
	}

	after := upload("after", map[string]string{"alpha": "1.0.0"})
	kept, moved := get(before["alpha"].ID), get(after["alpha"].ID)
	if kept.SLA.PolicyVersion != 1 || !kept.SLA.DueAt.Equal(kept.SLA.Start.Add(14*24*time.Hour)) {
		t.Errorf("a finding opened before the change: sla %+v; want policy 1, 14 days", kept.SLA)
	}
	if moved.SLA.PolicyVersion != 2 || !moved.SLA.DueAt.Equal(moved.SLA.Start.Add(7*24*time.Hour)) {
		t.Errorf("a finding opened after the change: sla %+v; want policy 2, 7 days", moved.SLA)
	}

	// Figures. Day 10: alpha and beta of "before" are closed, both by
	// their deadlines (14 and 60 days). Day 20: "after"'s alpha (due day
	// 7) is open past due, gamma (90 days) open on track.
	triage := func(f model.AssetFinding, state string) model.AssetFinding {
		in := model.TriageInput{State: state, Reason: "sla figures", Justification: "component_not_present"}
		if state != model.StateNotAffected {
			in.Justification = ""
		}
		return must(analyst.API().Triage(ctx, f.ID, in))(t)
	}
	clock.pass(10 * 24 * time.Hour)
	closed := []model.AssetFinding{triage(before["alpha"], model.StateNotAffected), triage(before["beta"], model.StateFalsePositive)}
	clock.pass(10 * 24 * time.Hour)
	var rep api.SLAFigureReport
	admin.JSON(t, "GET", "/api/v1/sla/figures?by=severity", nil, 200, &rep)
	want := api.SLAFigures{Closed: 2, ClosedWithDeadline: 2, ClosedInSLA: 2, PercentInSLA: 100, Open: 2, OpenPastDue: 1}
	want.MeanTTRSeconds, want.MedianTTRSeconds = ttrs(t, closed)
	if rep.All != want {
		t.Errorf("day 20, in all:\n %+v; want\n %+v", rep.All, want)
	}
	bySev := map[string]api.SLAFigures{}
	for _, g := range rep.Groups {
		bySev[g.Severity] = g.SLAFigures
	}
	if cr := bySev["critical"]; cr.Closed != 1 || cr.ClosedInSLA != 1 || cr.Open != 1 || cr.OpenPastDue != 1 || len(rep.Groups) != 3 {
		t.Errorf("day 20, critical: %+v of %d groups", cr, len(rep.Groups))
	}
	if m := bySev["medium"]; m != (api.SLAFigures{Open: 1}) {
		t.Errorf("day 20, medium: %+v", m)
	}

	// "after"'s alpha closed 13 days late: missed. 2 of 3 in SLA.
	closed = append(closed, triage(after["alpha"], model.StateFalsePositive))
	admin.JSON(t, "GET", "/api/v1/sla/figures?by=asset", nil, 200, &rep)
	want = api.SLAFigures{Closed: 3, ClosedWithDeadline: 3, ClosedInSLA: 2, PercentInSLA: 200.0 / 3, Open: 1}
	want.MeanTTRSeconds, want.MedianTTRSeconds = ttrs(t, closed)
	if rep.All != want {
		t.Errorf("day 20, the last one closed late:\n %+v; want\n %+v", rep.All, want)
	}
	names := []string{}
	for _, g := range rep.Groups {
		names = append(names, g.AssetName)
	}
	if !slices.Equal(names, []string{"after", "before"}) || rep.Groups[0].ClosedInSLA != 0 || rep.Groups[1].ClosedInSLA != 2 {
		t.Errorf("by asset: %+v", rep.Groups)
	}
	// A period that ends before anything closed.
	admin.JSON(t, "GET", "/api/v1/sla/figures?to="+clock.now().Add(-15*24*time.Hour).UTC().Format(time.RFC3339), nil, 200, &rep)
	if rep.All.Closed != 0 || rep.All.Open != 4 {
		t.Errorf("day 5: %+v", rep.All)
	}
}

// startTriageServer starts a server with jobs as o says, with an OSV feed
// of triageAdvisories synced, and returns an upload: it gives an asset
// (created internal, criticality 3) npm packages and answers its open
// findings by package once matched.
func startTriageServer(t *testing.T, e storetest.Engine, o inprocOptions) (*inproc, func(asset string, versions map[string]string) map[string]model.AssetFinding) {
	t.Helper()
	dir := t.TempDir()
	writeTriageAdvisories(t, dir)
	o.jobs, o.feedDirs = true, []string{dir}
	p := startInproc(t, e, o)
	ctx := servertest.Ctx(t)
	c := p.admin.API()
	feed := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("triage-osv"), Kind: ptr(model.FeedOSV), URL: ptr(dir)}))(t)
	waitJob(t, p.admin, model.JobSyncFeed, feedJob(t, p.admin, feed.ID))
	return p, func(name string, versions map[string]string) map[string]model.AssetFinding {
		t.Helper()
		r := must(c.UploadByName(ctx, name, npmSBOM(versions), client.UploadOptions{Create: true}))(t)
		waitMatched(t, p.admin, r.Snapshot.ID)
		out := map[string]model.AssetFinding{}
		for _, f := range findingPages(t, p.admin, client.FindingFilter{Asset: name}, 500) {
			out[f.Package] = f
		}
		return out
	}
}

// ttrs are the mean and median time to remediate of the findings, in
// seconds, from their clocks as the API shows them.
func ttrs(t *testing.T, fs []model.AssetFinding) (mean, median int64) {
	t.Helper()
	var ds []time.Duration
	var sum time.Duration
	for _, f := range fs {
		if f.SLA == nil || f.SLA.ClosedAt.IsZero() {
			t.Fatalf("finding %d: no closed clock: %+v", f.ID, f.SLA)
		}
		d := f.SLA.ClosedAt.Sub(f.SLA.Start)
		ds, sum = append(ds, d), sum+d
	}
	slices.Sort(ds)
	med := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		med = ds[len(ds)/2-1] + (ds[len(ds)/2]-ds[len(ds)/2-1])/2
	}
	return int64(sum / time.Duration(len(ds)) / time.Second), int64(med / time.Second)
}
