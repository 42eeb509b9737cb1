package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// triageAdvisories are the scenario's OSV advisories: one package each,
// affected below fixed, with a CVE alias and a CVSS v3.1 vector.
var triageAdvisories = []struct{ id, pkg, cve, fixed, vector string }{
	{"TRI-2026-0001", "alpha", "CVE-2026-10001", "2.0.0", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, // critical 9.8
	{"TRI-2026-0002", "beta", "CVE-2026-10002", "1.5.0", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N"},  // high 8.1
	{"TRI-2026-0003", "gamma", "CVE-2026-10003", "3.0.0", "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N"}, // medium 4.2
}

func writeTriageAdvisories(t *testing.T, dir string) {
	t.Helper()
	for _, a := range triageAdvisories {
		doc := fmt.Sprintf(`{"schema_version": "1.6.0", "id": %q, "modified": "2026-01-01T00:00:00Z", "aliases": [%q],
			"summary": "%s flaw", "severity": [{"type": "CVSS_V3", "score": %q}],
			"affected": [{"package": {"ecosystem": "npm", "name": %q},
				"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": %q}]}]}]}`, a.id, a.cve, a.pkg, a.vector, a.pkg, a.fixed)
		if err := os.WriteFile(filepath.Join(dir, a.id+".json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// npmSBOM is a CycloneDX SBOM of npm packages, name → version.
func npmSBOM(versions map[string]string) []byte {
	var comps []string
	for _, name := range []string{"alpha", "beta", "gamma"} {
		if v, ok := versions[name]; ok {
			comps = append(comps, fmt.Sprintf(`{"type": "library", "name": %q, "version": %q, "purl": "pkg:npm/%s@%s"}`, name, v, name, v))
		}
	}
	return []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [` + strings.Join(comps, ",") + `]}`)
}

// testClock is a clock that tests move forward.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time       { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) pass(d time.Duration) { c.offset.Add(int64(d)) }

// TestTriageScenario is issue 12's scenario through the real server on
// each engine, with a clock the test moves: ingest → triage → exceptions
// requested and approved by two people → time passes and one expires, its
// finding reopened → a KEV sync revokes the other → an upgrade resolves a
// finding, fixed, and its decision stays → the vulnerability comes back on
// a downgrade and reopens with its history.
func TestTriageScenario(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			triageScenario(t, e)
		})
	}
}

func triageScenario(t *testing.T, e storetest.Engine) {
	dir := t.TempDir()
	writeTriageAdvisories(t, dir)
	p := startInproc(t, e, inprocOptions{jobs: true, feedDirs: []string{dir}})
	clock := &testClock{}
	p.Store.SetClock(clock.now)
	admin, analyst, auditor := p.admin, p.client(t, "analyst"), p.client(t, "auditor")
	ctx := servertest.Ctx(t)
	c := admin.API()

	// Ingest: an internet-facing asset of criticality 2 with three
	// vulnerable packages.
	must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("scenario"), Exposure: ptr("internet-facing"), Criticality: ptr(2)}))(t)
	feed := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("scenario-osv"), Kind: ptr(model.FeedOSV), URL: ptr(dir)}))(t)
	waitJob(t, admin, model.JobSyncFeed, feedJob(t, admin, feed.ID))
	upload := func(versions map[string]string) {
		r := must(c.UploadByName(ctx, "scenario", npmSBOM(versions), client.UploadOptions{}))(t)
		waitMatched(t, admin, r.Snapshot.ID)
	}
	upload(map[string]string{"alpha": "1.0.0", "beta": "1.0.0", "gamma": "2.0.0"})
	byPkg := func(status string) map[string]model.AssetFinding {
		out := map[string]model.AssetFinding{}
		for _, f := range findingPages(t, admin, client.FindingFilter{Asset: "scenario", Status: status}, 500) {
			out[f.Package+"@"+f.Version] = f
		}
		return out
	}
	open := byPkg("open")
	alpha, beta, gamma := open["alpha@1.0.0"], open["beta@1.0.0"], open["gamma@2.0.0"]
	if len(open) != 3 || alpha.ID == 0 || beta.ID == 0 || gamma.ID == 0 {
		t.Fatalf("findings after the first upload: %v", open)
	}
	get := func(id int64) model.AssetFinding {
		var f model.AssetFinding
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings/%d", id), nil, 200, &f)
		return f
	}
	// Every new finding has its state, clock and priority.
	a := get(alpha.ID)
	if a.State != model.StateNew || a.SLA == nil || a.Priority == nil {
		t.Fatalf("a new finding: state %q, sla %+v, priority %+v", a.State, a.SLA, a.Priority)
	}
	if want := a.FirstSeen.Add(3 * 24 * time.Hour); !a.SLA.DueAt.Equal(want) || a.SLA.State != "on_track" || a.SLA.PolicyVersion != 1 {
		t.Errorf("critical on an internet-facing asset: sla %+v; want due %s (3 days), on_track, policy 1", a.SLA, want)
	}
	if a.Priority.Decision != "attend" || !strings.Contains(string(a.Priority.Inputs), `"criticality":2`) {
		t.Errorf("alpha's priority %s with inputs %s; want attend (no exploitation, automatable, total, high)", a.Priority.Decision, a.Priority.Inputs)
	}

	// Triage: refused without a justification for not_affected, refused
	// for an auditor; an analyst's decision is recorded with its history.
	triage := func(cl *servertest.Client, id int64, body string, want int) {
		t.Helper()
		st, b := cl.Do(t, "POST", fmt.Sprintf("/api/v1/findings/%d/triage", id), strings.NewReader(body))
		if st != want {
			t.Fatalf("triage %d with %s: %d %s; want %d", id, body, st, b, want)
		}
	}
	triage(analyst, alpha.ID, `{"state": "not_affected", "reason": "not used"}`, 400)
	triage(auditor, alpha.ID, `{"state": "affected", "reason": "looked"}`, 403)
	triage(analyst, alpha.ID, `{"state": "affected", "reason": "reachable from the login form"}`, 200)
	if got := get(alpha.ID); got.State != model.StateAffected || got.Decision == nil || got.Decision.DecidedBy != "token:test-analyst" {
		t.Fatalf("after triage: state %q, decision %+v", got.State, got.Decision)
	}
	hist := history(t, admin, alpha.ID)
	if last := hist[len(hist)-1]; last.From != "new" || last.To != "affected" || last.Reason != "reachable from the login form" ||
		last.Actor != "token:test-analyst" || last.At.IsZero() {
		t.Errorf("the triage's history entry: %+v", last)
	}

	// Exceptions: one for gamma (10 days), one for beta (60 days), each
	// requested by the analyst; the requester may not approve, an
	// administrator may.
	exception := func(id int64, days int) int64 {
		body := fmt.Sprintf(`{"finding_ids": [%d], "reason": "vendor patch pending", "compensating_controls": "WAF rule 12",
			"expires_at": %q}`, id, clock.now().AddDate(0, 0, days).UTC().Format(time.RFC3339))
		var x model.Exception
		analyst.JSON(t, "POST", "/api/v1/exceptions", strings.NewReader(body), 201, &x)
		if x.ID == 0 || x.State != model.ExceptionRequested {
			t.Fatalf("requested exception: %+v", x)
		}
		if st, b := analyst.Do(t, "POST", fmt.Sprintf("/api/v1/exceptions/%d/approve", x.ID), nil); st != 403 {
			t.Fatalf("an analyst approving: %d %s; want 403", st, b)
		}
		if got := get(id); got.State == model.StateRiskAccepted {
			t.Fatalf("finding %d risk_accepted before approval", id)
		}
		admin.JSON(t, "POST", fmt.Sprintf("/api/v1/exceptions/%d/approve", x.ID), nil, 200, &x)
		if x.State != model.ExceptionApproved || x.DecidedBy != "token:test-admin" {
			t.Fatalf("approved exception: %+v", x)
		}
		if got := get(id); got.State != model.StateRiskAccepted || got.SLA.ClosedAt.IsZero() {
			t.Fatalf("finding %d after approval: state %q, sla %+v", id, got.State, got.SLA)
		}
		return x.ID
	}
	gammaExc, betaExc := exception(gamma.ID, 10), exception(beta.ID, 60)
	triage(analyst, gamma.ID, `{"state": "affected"}`, 409) // accepted: the exception must end first

	// Time passes: gamma's exception expires and its finding reopens with
	// its clock from first seen; alpha's 3 days are long gone.
	clock.pass(11 * 24 * time.Hour)
	if n, err := p.Svc.EndExceptions(ctx); err != nil || n != 1 {
		t.Fatalf("ending exceptions after 11 days: %d, %v; want 1", n, err)
	}
	var x model.Exception
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/exceptions/%d", gammaExc), nil, 200, &x)
	if x.State != model.ExceptionExpired {
		t.Errorf("gamma's exception after its expiry: %+v", x)
	}
	g := get(gamma.ID)
	if g.State != model.StateAffected || !g.SLA.Start.Equal(g.FirstSeen) || !g.SLA.ClosedAt.IsZero() {
		t.Errorf("gamma after its exception expired: state %q, sla %+v; want affected, clock from first seen %s", g.State, g.SLA, g.FirstSeen)
	}
	if a := get(alpha.ID); a.SLA.State != "breached" {
		t.Errorf("alpha after 11 days: sla %+v; want breached", a.SLA)
	}
	breached := findingPages(t, admin, client.FindingFilter{Asset: "scenario", SLAState: "breached"}, 500)
	if len(breached) != 1 || breached[0].ID != alpha.ID {
		t.Errorf("sla_state=breached: %v; want alpha only", findingIDs(breached))
	}

	// A KEV sync that lists beta's CVE revokes beta's exception.
	today := clock.now().UTC().Format(time.DateOnly)
	due := clock.now().AddDate(0, 0, 14).UTC().Format(time.DateOnly)
	kev := fmt.Sprintf(`{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.07", "dateReleased": "%sT00:00:00.000Z",
		"count": 1, "vulnerabilities": [{"cveID": "CVE-2026-10002", "vendorProject": "beta", "product": "beta", "vulnerabilityName": "beta flaw",
		"dateAdded": %q, "shortDescription": "exploited", "requiredAction": "update", "dueDate": %q, "knownRansomwareCampaignUse": "Known", "notes": ""}]}`,
		today, today, due)
	if err := os.WriteFile(filepath.Join(dir, "kev.json"), []byte(kev), 0o644); err != nil {
		t.Fatal(err)
	}
	kevFeed := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("scenario-kev"), Kind: ptr(model.FeedKEV), URL: ptr(filepath.Join(dir, "kev.json"))}))(t)
	waitJob(t, admin, model.JobSyncFeed, feedJob(t, admin, kevFeed.ID))
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/exceptions/%d", betaExc), nil, 200, &x)
	if x.State != model.ExceptionRevoked || !strings.Contains(x.EndReason, "CVE-2026-10002") {
		t.Errorf("beta's exception after the KEV sync: %+v", x)
	}
	b := get(beta.ID)
	if b.State != model.StateAffected || !b.KEV || b.Priority.Decision != "act" || !b.SLA.KEVShortened {
		t.Errorf("beta after entering KEV: state %q, kev %v, priority %s, sla %+v; want affected, act, KEV-shortened", b.State, b.KEV, b.Priority.Decision, b.SLA)
	}

	// An upgrade resolves alpha: fixed, and its decision stays.
	upload(map[string]string{"alpha": "2.0.0", "beta": "1.0.0", "gamma": "2.0.0"})
	a = get(alpha.ID)
	if a.Status != model.FindingResolved || a.State != model.StateFixed || a.Decision == nil || a.Decision.State != model.StateAffected {
		t.Fatalf("alpha after the upgrade: status %s, state %s, decision %+v", a.Status, a.State, a.Decision)
	}
	if a.SLA.State != "missed" {
		t.Errorf("alpha fixed after its deadline: sla %+v; want missed", a.SLA)
	}

	// The downgrade brings the same vulnerability back: reopened, with
	// its history.
	clock.pass(24 * time.Hour)
	upload(map[string]string{"alpha": "1.0.0", "beta": "1.0.0", "gamma": "2.0.0"})
	a = get(alpha.ID)
	if a.Status != model.FindingOpen || a.State != model.StateAffected || a.ReopenedAt.IsZero() {
		t.Fatalf("alpha after the downgrade: status %s, state %s, reopened %v", a.Status, a.State, a.ReopenedAt)
	}
	if !a.SLA.Start.Equal(a.ReopenedAt) {
		t.Errorf("a reopened finding's clock starts when it reopened: sla %+v, reopened %s", a.SLA, a.ReopenedAt)
	}
	hist = history(t, admin, alpha.ID)
	var trail []string
	for _, h := range hist {
		trail = append(trail, h.From+"→"+h.To)
	}
	want := []string{"→new", "new→affected", "affected→fixed", "fixed→affected"}
	if strings.Join(trail, " ") != strings.Join(want, " ") {
		t.Errorf("alpha's history %v; want %v", trail, want)
	}
	if last := hist[len(hist)-1]; !strings.Contains(last.Reason, "reopened") || last.Actor != "system" {
		t.Errorf("the reopening's entry: %+v", last)
	}

	// An upgrade to another affected version: the new finding takes the
	// decision, with the history of the one before.
	upload(map[string]string{"alpha": "1.5.0", "beta": "1.0.0", "gamma": "2.0.0"})
	next := byPkg("open")["alpha@1.5.0"]
	if next.ID == 0 || next.State != model.StateAffected {
		t.Fatalf("alpha 1.5.0: %+v; want the decision affected", next)
	}
	if h := history(t, admin, next.ID); len(h) < len(hist)+2 {
		t.Errorf("alpha 1.5.0's history has %d entries; want those of 1.0.0 (%d) and its own", len(h), len(hist))
	}

	// Every change is in the audit log, and the chain verifies.
	if r, err := p.Store.VerifyAudit(ctx); err != nil || !r.OK {
		t.Errorf("audit chain: %+v, %v", r, err)
	}
}

func history(t *testing.T, c *servertest.Client, id int64) []model.HistoryEntry {
	t.Helper()
	var h struct{ Items []model.HistoryEntry }
	c.JSON(t, "GET", fmt.Sprintf("/api/v1/findings/%d/history", id), nil, 200, &h)
	if len(h.Items) == 0 {
		t.Fatalf("finding %d has no history", id)
	}
	return h.Items
}
