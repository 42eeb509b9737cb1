package store_test

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The dashboard's numbers on a hand-built history: findings first seen
// and resolved on both sides of day boundaries, before the window and in
// it, one resolved and found again (it counts as open from its first
// sighting: a reopened finding keeps no resolution), and the findings of a
// deleted asset, which count no more.
func TestDashboardNumbers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		day := func(d, h, m int, sec float64) time.Time {
			return time.Date(2026, 3, d, h, m, 0, int(sec*1e9), time.UTC)
		}
		now := day(10, 12, 0, 0)

		cs, keys := comps(6)
		a, s1, err := storetest.Ingest(ctx, s, model.Asset{Name: "app"}, true, store.NewSnapshot{SHA256: "1", Components: cs, Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		f := func(i int, eco string) finding.Detected {
			d := detected(keys[i], "1.0.0", "GHSA-"+string(rune('1'+i)))
			d.Ecosystem = eco
			return d
		}
		all := []finding.Detected{f(0, "npm"), f(1, "PyPI"), f(2, "npm"), f(3, "npm"), f(4, "Go"), f(5, "npm")}
		apply := func(assetID, snapID int64, fs ...finding.Detected) {
			t.Helper()
			if _, err := storetest.ApplyFindings(ctx, s, store.MatchResult{AssetID: assetID, SnapshotID: snapID,
				Resolution: model.ResolvedByUpgrade, Findings: fs}); err != nil {
				t.Fatal(err)
			}
		}
		apply(a.ID, s1.ID, all...)
		wantTally(t, s, "new findings")
		_, s2, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "2", Components: cs, Keys: keys})
		apply(a.ID, s2.ID, all[0], all[1]) // GHSA-3 … GHSA-6 resolved
		wantTally(t, s, "findings resolved")
		_, s3, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "3", Components: cs, Keys: keys})
		apply(a.ID, s3.ID, all[0], all[1], all[5]) // GHSA-6 found again
		wantTally(t, s, "a finding reopened")
		rerated := all[0]
		rerated.Severity, rerated.SeverityRank = "critical", 5
		_, s4, _ := storetest.Ingest(ctx, s, model.Asset{ID: a.ID}, false, store.NewSnapshot{SHA256: "4", Components: cs, Keys: keys})
		apply(a.ID, s4.ID, rerated, all[1], all[5]) // GHSA-1 re-rated
		wantTally(t, s, "a finding re-rated")
		if err := s.FoldTallies(ctx); err != nil {
			t.Fatal(err)
		}
		wantTally(t, s, "the counts folded")

		b, sb, err := storetest.Ingest(ctx, s, model.Asset{Name: "gone"}, true, store.NewSnapshot{SHA256: "b", Components: cs[:2], Keys: keys[:2]})
		if err != nil {
			t.Fatal(err)
		}
		apply(b.ID, sb.ID, detected(keys[0], "1.0.0", "GHSA-B1"), detected(keys[1], "1.0.0", "GHSA-B2"))
		_, sb2, _ := storetest.Ingest(ctx, s, model.Asset{ID: b.ID}, false, store.NewSnapshot{SHA256: "b2", Components: cs[:2], Keys: keys[:2]})
		apply(b.ID, sb2.ID, detected(keys[0], "1.0.0", "GHSA-B1"))
		wantTally(t, s, "a second asset")
		if _, _, err := storetest.Ingest(ctx, s, model.Asset{Name: "big"}, true, store.NewSnapshot{SHA256: "c", Components: cs[:5], Keys: keys[:5]}); err != nil {
			t.Fatal(err)
		}

		set := func(vuln string, first, resolved time.Time) {
			t.Helper()
			var r any
			if !resolved.IsZero() {
				r = resolved
			}
			if _, err := s.DB().ExecContext(ctx, `UPDATE findings SET first_seen = $1, resolved_at = $2 WHERE vuln_id = $3`, first, r, vuln); err != nil {
				t.Fatal(err)
			}
		}
		set("GHSA-1", day(1, 8, 0, 0), time.Time{})                        // open before the window
		set("GHSA-2", day(7, 23, 59, 59.5), time.Time{})                   // open at the very end of the 7th
		set("GHSA-3", day(8, 0, 0, 0), day(9, 23, 59, 59))                 // open the 8th only, resolved the 9th
		set("GHSA-4", day(20, 0, 0, 0).AddDate(0, -1, 0), day(6, 0, 0, 0)) // resolved at the first instant of the window
		set("GHSA-5", day(1, 0, 0, 0).AddDate(0, -1, 0), day(1, 0, 0, 0))  // resolved before the window
		set("GHSA-6", day(6, 10, 0, 0), time.Time{})                       // resolved and found again: open since the 6th
		set("GHSA-B1", day(7, 1, 0, 0), time.Time{})
		set("GHSA-B2", day(6, 1, 0, 0), day(8, 1, 0, 0))
		wantTally(t, s, "times moved")

		history := func(d model.Dashboard) [][3]any {
			var out [][3]any
			for _, h := range d.History {
				out = append(out, [3]any{h.Day.Format(time.DateOnly), h.Open, h.Resolved})
			}
			return out
		}
		d, err := s.Dashboard(ctx, now, 5)
		if err != nil {
			t.Fatal(err)
		}
		withB := [][3]any{{"2026-03-06", 3, 1}, {"2026-03-07", 5, 0}, {"2026-03-08", 5, 1}, {"2026-03-09", 4, 1}, {"2026-03-10", 4, 0}}
		if got, want := fmt.Sprint(history(d)), fmt.Sprint(withB); got != want {
			t.Errorf("history with the second asset: got %s, want %s", got, want)
		}

		if err := storetest.DeleteAsset(ctx, s, b.ID); err != nil {
			t.Fatal(err)
		}
		wantTally(t, s, "an asset deleted")
		d, err = s.Dashboard(ctx, now, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := [][3]any{{"2026-03-06", 2, 1}, {"2026-03-07", 3, 0}, {"2026-03-08", 4, 0}, {"2026-03-09", 3, 1}, {"2026-03-10", 3, 0}}
		if got, want := fmt.Sprint(history(d)), fmt.Sprint(want); got != want {
			t.Errorf("history: got %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(d.ByEcosystem), fmt.Sprint([]model.NameCount{{Name: "npm", Count: 2}, {Name: "PyPI", Count: 1}}); got != want {
			t.Errorf("by ecosystem: got %s, want %s", got, want)
		}
		var inv []string
		for _, c := range d.Inventories {
			inv = append(inv, c.Name+":"+strconv.Itoa(c.Components))
		}
		if got, want := fmt.Sprint(inv), fmt.Sprint([]string{"app:6", "big:5"}); got != want {
			t.Errorf("inventories: got %s, want %s", got, want)
		}
		var newest []string
		for _, f := range d.Newest {
			newest = append(newest, f.VulnID)
		}
		if got, want := fmt.Sprint(newest), fmt.Sprint([]string{"GHSA-6", "GHSA-2", "GHSA-1"}); got != want {
			t.Errorf("newest: got %s, want %s", got, want)
		}

		// A day's end is open now − opened after it + resolved after it:
		// the last day is what is open now.
		sum, err := s.Summary(ctx)
		if err != nil || sum.Open != d.History[len(d.History)-1].Open {
			t.Errorf("open now %d, the last day says %d (%v)", sum.Open, d.History[len(d.History)-1].Open, err)
		}
	})
}

// wantTally compares the counts the findings triggers keep (migration
// 00011) with a recount of the findings.
func wantTally(t *testing.T, s *store.Store, after string) {
	t.Helper()
	read := func(q string) []string {
		t.Helper()
		rows, err := s.DB().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a, b, c any
			if err := rows.Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%v %v %v", a, b, c))
		}
		return out
	}
	for _, c := range []struct{ what, kept, recount string }{
		{"open by asset", `SELECT asset_id, severity_rank, SUM(n) FROM finding_open_by_asset GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2`,
			`SELECT asset_id, severity_rank, COUNT(*) FROM findings WHERE status = 'open' GROUP BY 1, 2 ORDER BY 1, 2`},
		{"open by ecosystem", `SELECT ecosystem, SUM(n), 0 FROM finding_open_by_ecosystem GROUP BY 1 HAVING SUM(n) <> 0 ORDER BY 1`,
			`SELECT ecosystem, COUNT(*), 0 FROM findings WHERE status = 'open' GROUP BY 1 ORDER BY 1`},
	} {
		if kept, recount := read(c.kept), read(c.recount); fmt.Sprint(kept) != fmt.Sprint(recount) {
			t.Errorf("after %s: %s kept %v, recounted %v", after, c.what, kept, recount)
		}
	}
	// By day, recounted from the findings' times.
	days := map[string][2]int{}
	rows, err := s.DB().QueryContext(ctx, `SELECT first_seen, resolved_at FROM findings`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var first time.Time
		var resolved sql.NullTime
		if err := rows.Scan(&first, &resolved); err != nil {
			t.Fatal(err)
		}
		d := days[first.UTC().Format(time.DateOnly)]
		d[0]++
		days[first.UTC().Format(time.DateOnly)] = d
		if resolved.Valid {
			d := days[resolved.Time.UTC().Format(time.DateOnly)]
			d[1]++
			days[resolved.Time.UTC().Format(time.DateOnly)] = d
		}
	}
	rows.Close()
	var recount []string
	for _, k := range slices.Sorted(maps.Keys(days)) {
		recount = append(recount, fmt.Sprintf("%s %d %d", k, days[k][0], days[k][1]))
	}
	kept := read(`SELECT CAST(day AS TEXT), SUM(opened), SUM(resolved) FROM finding_days GROUP BY 1 HAVING SUM(opened) <> 0 OR SUM(resolved) <> 0 ORDER BY 1`)
	if fmt.Sprint(kept) != fmt.Sprint(recount) {
		t.Errorf("after %s: by day kept %v, recounted %v", after, kept, recount)
	}
}

// An empty store has a history of zeros and empty lists.
func TestDashboardEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		d, err := s.Dashboard(ctx, time.Now(), 90)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.History) != 90 || d.History[89].Day != time.Now().UTC().Truncate(24*time.Hour) {
			t.Fatalf("history of %d days ending %v", len(d.History), d.History[len(d.History)-1].Day)
		}
		for _, h := range d.History {
			if h.Open != 0 || h.Resolved != 0 {
				t.Errorf("empty store: %+v", h)
			}
		}
		if len(d.ByEcosystem)+len(d.Inventories)+len(d.Newest) != 0 {
			t.Errorf("empty store: %+v", d)
		}
	})
}
