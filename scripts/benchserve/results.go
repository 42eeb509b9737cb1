package main

// Results: what a run measures, per engine, and how it is written out.

import (
	"encoding/json"
	"math"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"time"
)

type latStats struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
}

func statsOf(d []time.Duration) latStats {
	if len(d) == 0 {
		return latStats{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	ms := func(x time.Duration) float64 { return math.Round(float64(x)/1e4) / 100 }
	pct := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return ms(s[max(0, min(i, len(s)-1))])
	}
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return latStats{N: len(s), Mean: ms(sum / time.Duration(len(s))), P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Max: ms(s[len(s)-1])}
}

type jobTimes struct {
	ID         int64   `json:"id"`
	Kind       string  `json:"kind"`
	State      string  `json:"state"`
	QueueS     float64 `json:"queued_s"`
	RunS       float64 `json:"run_s"`
	Error      string  `json:"error,omitempty"`
	Annotation string  `json:"note,omitempty"`
}

type engineResult struct {
	Engine  string `json:"engine"`
	Error   string `json:"error,omitempty"`
	Where   string `json:"database"`
	Workers int    `json:"workers"`

	Sync struct {
		Feeds      int        `json:"osv_feeds"`
		Advisories int        `json:"advisories"`
		WallS      float64    `json:"wall_s"`
		Jobs       []jobTimes `json:"jobs"`
		KEVS       float64    `json:"kev_wall_s"`
	} `json:"sync"`

	Ingest struct {
		SBOMs      int      `json:"sboms"`
		Components int      `json:"components"`
		Clients    int      `json:"clients"`
		WallS      float64  `json:"wall_s"`
		SBOMsPerS  float64  `json:"sboms_per_s"`
		CompsPerS  float64  `json:"components_per_s"`
		Upload     latStats `json:"upload_latency"`
		Errors     int      `json:"errors"`
	} `json:"ingest"`

	Match struct {
		FullMatchS    float64  `json:"time_to_full_match_s"`
		AfterIngestS  float64  `json:"after_last_upload_s"`
		Jobs          int      `json:"jobs_done"`
		Failed        int      `json:"jobs_failed"`
		JobTook       latStats `json:"job_took"`
		JobTookSumS   float64  `json:"job_took_sum_s"`
		OpenFindings  int      `json:"open_findings"`
		Expected      int      `json:"expected_open_findings"`
		BySeverity    any      `json:"open_by_severity"`
		KEV           int      `json:"open_kev"`
		NewInMatchLog int      `json:"new_in_match_log"`
	} `json:"match"`

	Rematch struct {
		Changed       int      `json:"advisories_changed"`
		SettleS       float64  `json:"settled_s"`
		E2ES          float64  `json:"trigger_to_rematch_done_s"`
		SyncJob       jobTimes `json:"sync_job"`
		RematchJob    jobTimes `json:"rematch_job"`
		Log           string   `json:"rematch_log,omitempty"`
		SyncLog       string   `json:"sync_log,omitempty"`
		OpenAfter     int      `json:"open_findings_after"`
		ExpectedAfter int      `json:"expected_open_after"`
	} `json:"rematch"`

	Steady steadyResult `json:"steady"`

	Latency struct {
		Clients   int                 `json:"clients"`
		DurationS float64             `json:"duration_s"`
		Requests  int                 `json:"requests"`
		Errors    int                 `json:"errors"`
		RPS       float64             `json:"requests_per_s"`
		All       latStats            `json:"all"`
		ByKind    map[string]latStats `json:"by_kind"`
		ByVariant map[string]latStats `json:"by_variant"`
		Cursors   int                 `json:"cursors_collected"`
		WalkedN   int                 `json:"findings_walked"`
		WalkS     float64             `json:"walk_s"`
		FirstErr  string              `json:"first_error,omitempty"`
	} `json:"latency"`

	Memory struct {
		VmHWMMiB   float64            `json:"vmhwm_mib"`
		PeakRSSMiB float64            `json:"peak_sampled_rss_mib"`
		ByPhaseMiB map[string]float64 `json:"peak_rss_by_phase_mib"`
		EndRSSMiB  float64            `json:"end_rss_mib"`
	} `json:"memory"`

	DBBytes  int64   `json:"db_bytes"`
	WALBytes int64   `json:"wal_bytes,omitempty"`
	TotalS   float64 `json:"total_s"`
	// PostgreSQL: its autovacuum setting, and whether the benchmark ran
	// ANALYZE itself before the findings-list phase.
	PGAutovacuum string `json:"pg_autovacuum,omitempty"`
	PGAnalyzed   bool   `json:"pg_analyzed,omitempty"`
}

type summary struct {
	Generated string          `json:"generated"`
	Machine   map[string]any  `json:"machine"`
	Workload  map[string]any  `json:"workload"`
	Engines   []*engineResult `json:"engines"`
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func machine() map[string]any {
	m := map[string]any{"cpus": runtime.NumCPU(), "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if mm := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindSubmatch(b); mm != nil {
			kb, _ := strconv.ParseFloat(string(mm[1]), 64)
			m["mem_gib"] = math.Round(kb/1048576*10) / 10
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if mm := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); mm != nil {
			m["cpu"] = string(mm[1])
		}
	}
	return m
}
