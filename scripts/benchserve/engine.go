package main

// One engine: a fresh server on a fresh database, the phases in order.

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func psql(adminURL, sql string) (string, error) {
	out, err := exec.Command("psql", adminURL, "-v", "ON_ERROR_STOP=1", "-qAtc", sql).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

func runEngine(ctx context.Context, c config, eng string, cs *corpusServer, wl *workload, mod *modification, steady *workload) (r *engineResult) {
	r = &engineResult{Engine: eng, Workers: c.workers}
	start := time.Now()
	dir := filepath.Join(c.out, eng)
	dataDir := filepath.Join(dir, "data")
	if c.reuse == "" {
		os.RemoveAll(dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		r.Error = err.Error()
		return r
	}
	dbURL, schema := "", ""
	switch eng {
	case "sqlite":
		r.Where = filepath.Join(dataDir, "vulndesk.db")
	case "postgres":
		schema = fmt.Sprintf("bench_serve_%d", time.Now().Unix())
		if c.reuse != "" {
			schema = c.pgSchema
		} else if _, err := psql(c.pgURL, "CREATE SCHEMA "+schema); err != nil {
			r.Error = err.Error()
			return r
		}
		sep := "?"
		if strings.Contains(c.pgURL, "?") {
			sep = "&"
		}
		dbURL = c.pgURL + sep + "search_path=" + schema
		r.Where = "schema " + schema
		r.PGAutovacuum, _ = psql(c.pgURL, "SHOW autovacuum")
		if !c.keep && c.reuse == "" {
			defer psql(c.pgURL, "DROP SCHEMA "+schema+" CASCADE")
		}
	default:
		r.Error = "unknown engine " + eng
		return r
	}
	srv, err := startServer(c, dataDir, dbURL, filepath.Join(dir, "server.log"))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer func() {
		r.Memory.VmHWMMiB = math.Round(procStatus(srv.pid, "VmHWM"))
		r.Memory.EndRSSMiB = math.Round(procStatus(srv.pid, "VmRSS"))
		switch eng {
		case "sqlite":
			if st, err := os.Stat(r.Where); err == nil {
				r.DBBytes = st.Size()
			}
			if st, err := os.Stat(r.Where + "-wal"); err == nil {
				r.WALBytes = st.Size()
			}
		case "postgres":
			out, err := psql(c.pgURL, fmt.Sprintf(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
				JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '%s' AND c.relkind IN ('r', 'm')`, schema))
			if err == nil {
				r.DBBytes, _ = strconv.ParseInt(out, 10, 64)
			}
		}
		srv.shutdown()
		srv.mu.Lock()
		r.Memory.PeakRSSMiB = math.Round(srv.peakAll)
		r.Memory.ByPhaseMiB = map[string]float64{}
		for p, v := range srv.peak {
			r.Memory.ByPhaseMiB[p] = math.Round(v)
		}
		srv.mu.Unlock()
		r.TotalS = round3(time.Since(start).Seconds())
		if !c.keep && c.reuse == "" && eng == "sqlite" {
			os.RemoveAll(dataDir)
		}
	}()
	fmt.Printf("  server pid %d on %s (%s); log %s\n", srv.pid, srv.base, r.Where, srv.logPath)

	srv.setPhase("setup")
	tokArgs := []string{"token", "create", "--data-dir", dataDir, "--name", "bench-serve", "--role", "admin"}
	if dbURL != "" {
		tokArgs = append(tokArgs, "--database-url", dbURL)
	}
	tokCmd := exec.Command(c.bin, tokArgs...)
	tokCmd.Env = append(os.Environ(), "VULNDESK_DATABASE_URL=")
	tok, err := tokCmd.Output()
	if err != nil {
		r.Error = fmt.Sprintf("token create: %v", err)
		return r
	}
	cl := newClient(srv.base, strings.TrimSpace(string(tok)), max(c.latClients, c.uploadClients)+4)

	steps := []struct {
		name string
		fn   func(*apiClient, *server, *engineResult) error
	}{
		{"sync", func(cl *apiClient, s *server, r *engineResult) error { return phaseSync(c, cl, cs, r) }},
		{"ingest+match", func(cl *apiClient, s *server, r *engineResult) error { return phaseIngest(c, cl, s, wl, r) }},
		{"rematch", func(cl *apiClient, s *server, r *engineResult) error { return phaseRematch(c, cl, s, cs, wl, mod, r) }},
		{"findings-api", func(cl *apiClient, s *server, r *engineResult) error {
			if schema != "" && c.pgAnalyze {
				var tables []string
				for _, t := range []string{"findings", "advisory_aliases", "assets", "snapshots", "components", "advisories", "advisory_records", "kev", "epss", "jobs"} {
					tables = append(tables, schema+"."+t)
				}
				if _, err := psql(c.pgURL, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
					return err
				}
				r.PGAnalyzed = true
			}
			return phaseLatency(c, cl, wl, r)
		}},
		{"steady", func(cl *apiClient, s *server, r *engineResult) error { return phaseSteady(c, cl, steady, r) }},
	}
	profSecs := map[string]int{"ingest+match": 40, "rematch": 6, "findings-api": 12, "steady": 20}
	for _, st := range steps {
		if c.reuse != "" && !slices.Contains(strings.Split(c.reuse, ","), st.name) ||
			!slices.Contains(strings.Split(c.phases, ","), st.name) {
			continue
		}
		srv.setPhase(st.name)
		if n := profSecs[st.name]; n > 0 {
			profile(dir, st.name, n)
		}
		t := time.Now()
		if err := st.fn(cl, srv, r); err != nil {
			r.Error = fmt.Sprintf("%s: %v", st.name, err)
			return r
		}
		fmt.Printf("  %-13s done in %.1fs (server RSS peak so far %.0f MiB)\n", st.name, time.Since(t).Seconds(), srv.peakSoFar())
	}
	srv.setPhase("end")
	return r
}

// profile fetches a CPU profile of the next seconds into dir/cpu-name.pprof
// when BENCH_PPROF names the address of a server built with net/http/pprof
// (a profiling build; the shipped server has none). The server must outlive
// the profile.
func profile(dir, name string, seconds int) {
	addr := os.Getenv("BENCH_PPROF")
	if addr == "" {
		return
	}
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		os.WriteFile(filepath.Join(dir, "cpu-"+name+".pprof"), b, 0o644)
	}()
}
