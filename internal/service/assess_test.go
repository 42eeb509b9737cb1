package service_test

import (
	"strconv"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestAssessment: findings stored before clocks existed get them from the
// backlog; an asset's criticality change re-decides its findings'
// priorities (recorded as events) and leaves their clocks as they were.
func TestAssessment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := exceptionFixture(t, st)
		before := openFindings(t, st, "open")
		if _, err := st.DB().ExecContext(ctx, `UPDATE findings SET sla_clock = '', sla_due_at = NULL, priority = '', priority_inputs = ''`); err != nil {
			t.Fatal(err)
		}
		n, err := svc.AssessBacklog(ctx, 0)
		if err != nil || n != len(before) {
			t.Fatalf("backlog: %d, %v; want %d", n, err, len(before))
		}
		after := openFindings(t, st, "open")
		for i, f := range after {
			if f.SLA == nil || f.Priority == nil || !f.SLA.DueAt.Equal(before[i].SLA.DueAt) {
				t.Errorf("finding %d after the backlog: sla %+v (was %+v), priority %+v", f.ID, f.SLA, before[i].SLA, f.Priority)
			}
		}
		api, _ := st.AssetByName(ctx, "api")
		if _, err := svc.UpdateAsset(ctx, api.ID, func(a *model.Asset) { a.Criticality, a.Exposure = 1, "internet-facing" }, "alice"); err != nil {
			t.Fatal(err)
		}
		for _, f := range openFindings(t, st, "open") {
			if f.AssetID != api.ID {
				continue
			}
			f, _ := st.Finding(ctx, f.ID) // the clock's rule is on the single read
			if f.Priority.Decision != "attend" || f.SLA.Rule != "unknown as high × internal: 60 days" {
				t.Errorf("finding %d of a now critical internet-facing asset: priority %s, clock %q (kept)", f.ID, f.Priority.Decision, f.SLA.Rule)
			}
			evs, err := st.EventsOf(ctx, "finding", strconv.FormatInt(f.ID, 10))
			if err != nil || len(evs) != 1 || evs[0].Kind != "finding.reprioritized" {
				t.Errorf("events of finding %d: %+v, %v", f.ID, evs, err)
			}
		}
	})
}
