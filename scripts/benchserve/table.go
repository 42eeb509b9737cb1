package main

// Tables: the per-engine and side-by-side tables the script and the docs
// read, with the targets.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

type target struct {
	label string
	limit float64
	unit  string
	less  bool // PASS when value < limit (else value >= limit)
	get   func(*engineResult) (float64, bool)
}

var targets = []target{
	{"time to full match", 60, "s", true, func(r *engineResult) (float64, bool) { return r.Match.FullMatchS, r.Match.FullMatchS > 0 }},
	{"re-match: trigger -> job done", 2, "s", true, func(r *engineResult) (float64, bool) { return r.Rematch.E2ES, r.Rematch.E2ES > 0 }},
	{"findings API p99", 100, "ms", true, func(r *engineResult) (float64, bool) { return r.Latency.All.P99, r.Latency.All.N > 0 }},
	{"steady load: upload-to-findings p99", 10, "s", true, func(r *engineResult) (float64, bool) {
		return round3(r.Steady.Lag.P99 / 1000), r.Steady.Lag.N > 0
	}},
	{"server peak RSS (VmHWM)", 1024, "MiB", true, func(r *engineResult) (float64, bool) { return r.Memory.VmHWMMiB, r.Memory.VmHWMMiB > 0 }},
	{"open findings", 100000, "", false, func(r *engineResult) (float64, bool) {
		return float64(r.Match.OpenFindings), r.Match.OpenFindings > 0
	}},
}

func (t target) verdict(r *engineResult) (string, string) {
	v, ok := t.get(r)
	if !ok {
		return "-", ""
	}
	pass := v < t.limit
	if !t.less {
		pass = v >= t.limit
	}
	s := fmtNum(v) + sp(t.unit)
	if pass {
		return s, "PASS"
	}
	return s, "MISS"
}

func sp(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

func fmtNum(v float64) string {
	switch {
	case v >= 1000:
		return thousands(int64(math.Round(v)))
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// printTable prints rows as columns under a header; the first left
// columns are left-aligned, the others right-aligned.
func printTable(rows [][]string, left int) {
	if len(rows) == 0 {
		return
	}
	w := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	for j, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", w[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Println(strings.TrimRight(b.String(), " "))
		if j == 0 {
			var d []string
			for _, x := range w {
				d = append(d, strings.Repeat("-", x))
			}
			fmt.Println(strings.Join(d, "  "))
		}
	}
}

func lat(s latStats) string {
	return fmt.Sprintf("%s / %s / %s / %s ms", fmtNum(s.P50), fmtNum(s.P90), fmtNum(s.P99), fmtNum(s.Max))
}

func printEngine(r *engineResult) {
	fmt.Printf("\n%s (%s)\n", r.Engine, r.Where)
	rows := [][]string{{"phase", "metric", "value"}}
	add := func(p, m, v string) { rows = append(rows, []string{p, m, v}) }
	add("feed sync", fmt.Sprintf("%d OSV feeds, %s advisories stored", r.Sync.Feeds, thousands(int64(r.Sync.Advisories))), fmtNum(r.Sync.WallS)+" s")
	for _, j := range r.Sync.Jobs {
		if j.Kind == "sync-feed" {
			add("", fmt.Sprintf("  job %d sync-feed (queued %.2f s)", j.ID, j.QueueS), fmtNum(j.RunS)+" s")
		}
	}
	add("", "KEV feed (create + sync)", fmtNum(r.Sync.KEVS)+" s")
	add("ingest", fmt.Sprintf("%d SBOMs, %s components, %d clients", r.Ingest.SBOMs, thousands(int64(r.Ingest.Components)), r.Ingest.Clients), fmtNum(r.Ingest.WallS)+" s")
	add("", "rate", fmt.Sprintf("%s components/s, %s SBOMs/s", thousands(int64(r.Ingest.CompsPerS)), fmtNum(r.Ingest.SBOMsPerS)))
	add("", "upload latency p50/p90/p99/max", lat(r.Ingest.Upload))
	add("match", "time to full match (first upload -> last job done)", fmtNum(r.Match.FullMatchS)+" s")
	add("", "after the last upload", fmtNum(r.Match.AfterIngestS)+" s")
	add("", fmt.Sprintf("match-snapshot jobs (%d) took p50/p90/p99/max", r.Match.Jobs), lat(r.Match.JobTook))
	add("", "sum of job times", fmtNum(r.Match.JobTookSumS)+" s")
	add("", "open findings (expected by the scan engine)", fmt.Sprintf("%s (%s)", thousands(int64(r.Match.OpenFindings)), thousands(int64(r.Match.Expected))))
	add("", "open KEV findings", thousands(int64(r.Match.KEV)))
	add("re-match", fmt.Sprintf("%d advisories changed (%.0f s after the load): trigger -> re-match done", r.Rematch.Changed, r.Rematch.SettleS), fmtNum(r.Rematch.E2ES)+" s")
	add("", "sync job: queued / ran", fmt.Sprintf("%.3f / %.3f s", r.Rematch.SyncJob.QueueS, r.Rematch.SyncJob.RunS))
	add("", "re-match job: queued / ran", fmt.Sprintf("%.3f / %.3f s", r.Rematch.RematchJob.QueueS, r.Rematch.RematchJob.RunS))
	add("", "re-match log", r.Rematch.Log)
	add("", "open findings after (expected)", fmt.Sprintf("%s (%s)", thousands(int64(r.Rematch.OpenAfter)), thousands(int64(r.Rematch.ExpectedAfter))))
	if st := r.Steady; st.SBOMs > 0 {
		add("steady load", fmt.Sprintf("%d SBOMs of %d components at %.0f/s (achieved %.1f/s), %d readers", st.SBOMs, st.Components, st.Rate, st.Achieved, st.Readers), fmt.Sprintf("%d s", st.Seconds))
		add("", "upload-to-findings p50/p90/p99/max", lat(st.Lag))
		add("", "upload latency p50/p90/p99/max", lat(st.Upload))
		add("", "findings list while loading p50/p90/p99/max", lat(st.Reads))
		add("", "match queue max; last match after the last upload", fmt.Sprintf("%d; %.1f s", st.QueueMax, st.DrainS))
	}
	add("findings API", fmt.Sprintf("%d clients, %.0f s, %d requests, %d errors", r.Latency.Clients, r.Latency.DurationS, r.Latency.Requests, r.Latency.Errors), fmtNum(r.Latency.RPS)+" req/s")
	add("", "all: p50/p90/p99/max", lat(r.Latency.All))
	kinds := make([]string, 0, len(r.Latency.ByKind))
	for k := range r.Latency.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		add("", fmt.Sprintf("  %s (%d)", k, r.Latency.ByKind[k].N), lat(r.Latency.ByKind[k]))
	}
	vars := make([]string, 0, len(r.Latency.ByVariant))
	for k := range r.Latency.ByVariant {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	for _, k := range vars {
		add("", fmt.Sprintf("    %s (%d)", k, r.Latency.ByVariant[k].N), lat(r.Latency.ByVariant[k]))
	}
	add("", fmt.Sprintf("cursor walk: %s findings in pages of 500", thousands(int64(r.Latency.WalkedN))), fmtNum(r.Latency.WalkS)+" s")
	add("memory", "VmHWM (peak RSS) / sampled peak VmRSS", fmt.Sprintf("%s / %s MiB", fmtNum(r.Memory.VmHWMMiB), fmtNum(r.Memory.PeakRSSMiB)))
	phases := make([]string, 0, len(r.Memory.ByPhaseMiB))
	for p := range r.Memory.ByPhaseMiB {
		phases = append(phases, p)
	}
	sort.Strings(phases)
	var pp []string
	for _, p := range phases {
		pp = append(pp, fmt.Sprintf("%s %s", p, fmtNum(r.Memory.ByPhaseMiB[p])))
	}
	add("", "peak VmRSS by phase (MiB)", strings.Join(pp, ", "))
	size := fmtNum(float64(r.DBBytes)/(1<<20)) + " MiB"
	if r.WALBytes > 0 {
		size += fmt.Sprintf(" (+ WAL %s MiB)", fmtNum(float64(r.WALBytes)/(1<<20)))
	}
	add("database", "size on disk", size)
	if r.PGAutovacuum != "" {
		note := "autovacuum " + r.PGAutovacuum
		if r.PGAnalyzed {
			note += "; ANALYZE run by the benchmark before the findings-list phase"
		} else if r.PGAutovacuum == "off" {
			note += ": the planner has no statistics (-pg-analyze runs ANALYZE first)"
		}
		add("", "PostgreSQL", note)
	}
	add("total", "engine run", fmtNum(r.TotalS)+" s")
	printTable(rows, 2)
}

func printSideBySide(rs []*engineResult) {
	fmt.Println()
	head := []string{"metric", "target"}
	for _, r := range rs {
		head = append(head, r.Engine, "")
	}
	rows := [][]string{head}
	for _, t := range targets {
		cmp := "< "
		if !t.less {
			cmp = ">= "
		}
		row := []string{t.label, cmp + fmtNum(t.limit) + sp(t.unit)}
		for _, r := range rs {
			v, verdict := t.verdict(r)
			row = append(row, v, verdict)
		}
		rows = append(rows, row)
	}
	info := []struct {
		label string
		get   func(*engineResult) string
	}{
		{"feed sync (3 OSV feeds)", func(r *engineResult) string { return fmtNum(r.Sync.WallS) + " s" }},
		{"ingest components/s", func(r *engineResult) string { return thousands(int64(r.Ingest.CompsPerS)) }},
		{"ingest SBOMs/s", func(r *engineResult) string { return fmtNum(r.Ingest.SBOMsPerS) }},
		{"re-match job run time", func(r *engineResult) string { return fmtNum(r.Rematch.RematchJob.RunS) + " s" }},
		{"re-match sync job run time", func(r *engineResult) string { return fmtNum(r.Rematch.SyncJob.RunS) + " s" }},
		{"findings API p50 / p90", func(r *engineResult) string {
			return fmtNum(r.Latency.All.P50) + " / " + fmtNum(r.Latency.All.P90) + " ms"
		}},
		{"findings API max", func(r *engineResult) string { return fmtNum(r.Latency.All.Max) + " ms" }},
		{"findings API requests/s", func(r *engineResult) string { return fmtNum(r.Latency.RPS) }},
		{"steady load: uploads/s, match queue max", func(r *engineResult) string {
			return fmtNum(r.Steady.Achieved) + ", " + fmtNum(float64(r.Steady.QueueMax))
		}},
		{"steady load: upload-to-findings p50 / max", func(r *engineResult) string {
			return fmtNum(r.Steady.Lag.P50/1000) + " / " + fmtNum(r.Steady.Lag.Max/1000) + " s"
		}},
		{"steady load: upload p99, reads p99", func(r *engineResult) string {
			return fmtNum(r.Steady.Upload.P99) + ", " + fmtNum(r.Steady.Reads.P99) + " ms"
		}},
		{"database size (without WAL)", func(r *engineResult) string { return fmtNum(float64(r.DBBytes)/(1<<20)) + " MiB" }},
	}
	for _, in := range info {
		row := []string{in.label, ""}
		for _, r := range rs {
			row = append(row, in.get(r), "")
		}
		rows = append(rows, row)
	}
	for _, r := range rs {
		if r.Error != "" {
			rows = append(rows, []string{r.Engine + " failed: " + r.Error})
		}
	}
	// rows may be ragged (error notes); pad them.
	for i := range rows {
		for len(rows[i]) < len(head) {
			rows[i] = append(rows[i], "")
		}
	}
	fmt.Println("side by side")
	printTable(rows, 1)
}
