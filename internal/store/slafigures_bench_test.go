package store_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// benchFindings is how many findings BenchmarkSLAFigures fills:
// VULNDESK_BENCH_FINDINGS, else 1,000,000.
func benchFindings(b *testing.B) int {
	if v := os.Getenv("VULNDESK_BENCH_FINDINGS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("VULNDESK_BENCH_FINDINGS=%q: a number of findings", v)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkSLAFigures reads the remediation clocks of 1,000,000 findings
// (storetest.DefaultBulk: 90 days of findings, about 30% closed) and
// computes the SLA figures of the last 90 days, in all and per severity,
// as GET /api/v1/sla/figures?by=severity does, on each engine.
func BenchmarkSLAFigures(b *testing.B) {
	benchEngines(b, func(b *testing.B, s *store.Store) {
		now := time.Now().UTC()
		if err := storetest.BulkFill(ctx, s, storetest.DefaultBulk(benchFindings(b)), now); err != nil {
			b.Fatal(err)
		}
		// Every finding gets a clock (a critical internal one's shape:
		// the JSON is what costs), closed when it was resolved.
		if _, err := s.DB().ExecContext(ctx, `UPDATE findings SET closed_at = resolved_at,
			sla_clock = '{"policy_version":1,"severity":"' || severity || '","exposure":"internal","criticality":3,' ||
			'"start":"2026-01-01T00:00:00Z","days":14,"policy_due_at":"2026-01-15T00:00:00Z","due_at":"2026-01-15T00:00:00Z",' ||
			'"kev_shortened":false,"rule":"' || severity || ' × internal: 14 days"}'`); err != nil {
			b.Fatal(err)
		}
		if err := s.Maintain(ctx); err != nil {
			b.Fatal(err)
		}
		from := now.AddDate(0, 0, -90)
		for b.Loop() {
			rs, err := s.SLARecords(ctx, from, now)
			if err != nil || len(rs) == 0 {
				b.Fatalf("%d records, %v", len(rs), err)
			}
			all := sla.Compute(rs, from, now)
			by := sla.ComputeBy(rs, from, now, func(r sla.Record) model.Rating { return r.Clock.Severity })
			if all.Open == 0 || len(by) == 0 {
				b.Fatalf("figures %+v, %d groups", all, len(by))
			}
		}
	})
}
