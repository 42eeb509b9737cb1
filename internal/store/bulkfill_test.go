package store_test

import (
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestBulkFillTriage checks the triage the benchmarks' bulk store holds:
// one finding in ten decided, every state, clock state and priority
// present, the rare assignee rare, and every row readable by the list.
func TestBulkFillTriage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 20000
		now := time.Now()
		b := storetest.DefaultBulk(n)
		b.Assets = 200
		if err := storetest.BulkFill(ctx, s, b, now); err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			var c int
			if err := s.DB().QueryRowContext(ctx, q).Scan(&c); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return c
		}
		if d := count(`SELECT COUNT(*) FROM decisions`); d < n/12 || d > n/8 {
			t.Errorf("%d decisions of %d findings, want about a tenth", d, n)
		}
		if h := count(`SELECT COUNT(*) FROM decision_history`); h <= count(`SELECT COUNT(*) FROM decisions`) {
			t.Errorf("%d history entries: want one per decision and one per resolution of a decided finding", h)
		}
		if u := count(`SELECT COUNT(*) FROM findings WHERE sla_clock = '' OR priority_rank = 0`); u != 0 {
			t.Errorf("%d findings without clock or priority", u)
		}
		if a := count(`SELECT COUNT(*) FROM findings WHERE assignee = '` + storetest.BulkAuditor + `'`); a == 0 || a > n/500 {
			t.Errorf("%d findings assigned to %s, want a few", a, storetest.BulkAuditor)
		}
		f := store.FindingFilter{Status: "all", Now: now, Limit: 100}
		for _, st := range model.TriageStates {
			f.State = []string{st}
			if page, _, err := s.Findings(ctx, f); err != nil || len(page) == 0 {
				t.Errorf("state %s: %d findings, %v", st, len(page), err)
			}
		}
		f.State = nil
		for _, st := range sla.States {
			f.SLAState = string(st)
			page, _, err := s.Findings(ctx, f)
			if err != nil || len(page) == 0 {
				t.Errorf("sla_state %s: %d findings, %v", st, len(page), err)
				continue
			}
			for _, fd := range page {
				if fd.SLA == nil || fd.SLA.State != string(st) || fd.Priority == nil {
					t.Fatalf("sla_state %s: finding %d reads %+v, priority %+v", st, fd.ID, fd.SLA, fd.Priority)
				}
			}
		}
	})
}
