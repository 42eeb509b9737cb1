// Command benchserve benchmarks `vulndesk serve` end to end, over HTTP, on
// each store engine (SQLite, PostgreSQL): feed sync of a real OSV corpus,
// SBOM ingest, time to full match, incremental re-match after advisories
// change, findings-list latency under concurrent readers, and the server's
// peak memory. scripts/bench-serve.sh builds and runs it; see its header
// and docs/benchmarks.md for the workload recipe.
//
// Everything runs on loopback: the corpus zips (and the KEV catalogue) are
// served by this program's own HTTP server, so no request leaves the host.
// The workload is deterministic for a given -seed and corpus.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ecosystems are the corpus zips used, in this order.
var ecosystems = []string{"Go", "PyPI", "crates.io"}

type config struct {
	bin, corpus, kev, out, engines, pgURL string
	assets, components, uploadClients     int
	seed                                  uint64
	hit, zipf, primary                    float64
	ecoWeights                            string
	changes                               int
	changeEco                             string
	latClients                            int
	latDur, latWarm, settle               time.Duration
	workers                               int
	keep, genOnly, verify, pgAnalyze      bool
	reuse, pgSchema                       string
	timeout                               time.Duration
	phases                                string
	steadyRate                            float64
	steadySeconds, steadyComponents       int
	steadyReaders                         int
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", ".bench/serve/vulndesk", "the vulndesk binary to benchmark")
	flag.StringVar(&c.corpus, "corpus", "../shared/data/osv-corpus", "OSV corpus: <Ecosystem>/all.zip")
	flag.StringVar(&c.kev, "kev", "../shared/data/kev/cisagov-kev-data/known_exploited_vulnerabilities.json", "CISA KEV catalogue JSON served as a KEV feed (\"\" for none)")
	flag.StringVar(&c.out, "out", ".bench/serve", "work and results directory")
	flag.StringVar(&c.engines, "engines", "sqlite,postgres", "engines to run, comma-separated")
	flag.StringVar(&c.pgURL, "pg-url", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL; a fresh schema is created in it (with psql) per run")
	flag.IntVar(&c.assets, "assets", 1000, "assets (one SBOM each)")
	flag.IntVar(&c.components, "components", 500, "components per SBOM")
	flag.IntVar(&c.uploadClients, "upload-clients", 4, "concurrent upload clients")
	flag.Uint64Var(&c.seed, "seed", 42, "workload seed")
	flag.Float64Var(&c.hit, "hit", 0.08, "share of components at a version with findings (the rest are at versions no advisory affects)")
	flag.Float64Var(&c.zipf, "zipf", 0.8, "popularity skew of packages across assets (Zipf exponent)")
	flag.Float64Var(&c.primary, "primary", 0.8, "share of an asset's components from its primary ecosystem")
	flag.StringVar(&c.ecoWeights, "eco-weights", "Go=0.4,PyPI=0.4,crates.io=0.2", "how often each ecosystem is an asset's primary one")
	flag.IntVar(&c.changes, "changes", 100, "advisories changed for the incremental re-match")
	flag.StringVar(&c.changeEco, "change-eco", "Go", "ecosystem (zip) whose advisories are changed")
	flag.IntVar(&c.latClients, "lat-clients", 20, "concurrent findings-list clients")
	flag.DurationVar(&c.latDur, "lat-duration", 20*time.Second, "findings-list load duration")
	flag.DurationVar(&c.latWarm, "lat-warmup", 2*time.Second, "findings-list warm-up (not recorded)")
	flag.DurationVar(&c.settle, "settle", 5*time.Second, "pause after the bulk load before the re-match is timed")
	flag.IntVar(&c.workers, "workers", 0, "serve --workers (0: the server's default)")
	flag.BoolVar(&c.keep, "keep", false, "keep the data directory / PostgreSQL schema afterwards")
	flag.BoolVar(&c.pgAnalyze, "pg-analyze", false, "PostgreSQL: ANALYZE the schema's tables before the findings-list phase (what autovacuum does on its own when it is on)")
	flag.StringVar(&c.reuse, "reuse", "", "run only these phases (comma-separated: findings-api) on the data of an earlier -keep run: "+
		"SQLite's data directory under -out, PostgreSQL's schema from -pg-schema")
	flag.StringVar(&c.pgSchema, "pg-schema", "", "with -reuse: the kept PostgreSQL schema (bench_serve_<time>)")
	flag.BoolVar(&c.genOnly, "gen-only", false, "generate the workload, print its statistics and stop")
	flag.BoolVar(&c.verify, "verify", false, "also match every generated SBOM in-process (slow) to check the expected findings")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "give up on a phase after this long")
	flag.StringVar(&c.phases, "phases", "sync,ingest+match,rematch,findings-api,steady", "phases to run, in this order; the later ones need sync (and rematch needs ingest+match)")
	flag.Float64Var(&c.steadyRate, "steady-rate", 10, "steady phase: SBOM uploads a second")
	flag.IntVar(&c.steadySeconds, "steady-seconds", 60, "steady phase: how long uploads arrive")
	flag.IntVar(&c.steadyComponents, "steady-components", 200, "steady phase: components per SBOM")
	flag.IntVar(&c.steadyReaders, "steady-readers", 20, "steady phase: concurrent findings-list readers")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	ctx := context.Background()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	cp, err := loadCorpus(c)
	if err != nil {
		return err
	}
	if err := cp.classify(ctx); err != nil {
		return err
	}
	wl, err := generate(c, cp)
	if err != nil {
		return err
	}
	mod, err := modifyCorpus(c, cp, wl)
	if err != nil {
		return err
	}
	fmt.Printf("workload: %d assets x %d components = %d components, %.1f MiB of CycloneDX 1.5 JSON (seed %d, generated in %.1fs)\n",
		len(wl.assets), c.components, wl.totalComps, float64(wl.totalBytes)/(1<<20), c.seed, time.Since(t0).Seconds())
	fmt.Printf("  pools: %s\n", cp.poolSummary())
	fmt.Printf("  components: %d at an affected version, %d at a version no advisory affects (%d of these from another ecosystem); %d distinct packages, %d distinct purls\n",
		wl.hitComps, wl.missComps, wl.topUp, len(wl.usage), len(wl.purlUse))
	fmt.Printf("  change set: %d %s advisories naming packages in the assets (%d with an added affected version)\n",
		len(mod.ids), c.changeEco, mod.added)
	t := time.Now()
	if err := expectFindings(ctx, c, cp, wl, mod); err != nil {
		return err
	}
	fmt.Printf("  expected open findings (scan engine in-process): %d; after the change: %d (%.1fs)\n",
		wl.expected, wl.expectedAfter, time.Since(t).Seconds())
	if c.genOnly {
		return nil
	}

	var steady *workload
	if slices.Contains(strings.Split(c.phases, ","), "steady") {
		if steady, err = steadyWorkload(c, cp); err != nil {
			return err
		}
		fmt.Printf("  steady load: %d SBOMs of %d components, %.0f a second for %d s, with %d findings-list readers\n",
			len(steady.assets), c.steadyComponents, c.steadyRate, c.steadySeconds, c.steadyReaders)
	}

	srv, err := startCorpusServer(c, cp)
	if err != nil {
		return err
	}
	defer srv.close()

	var results []*engineResult
	for _, eng := range strings.Split(c.engines, ",") {
		eng = strings.TrimSpace(eng)
		if eng == "" {
			continue
		}
		srv.reset(cp) // every engine starts from the original corpus
		fmt.Printf("\n== %s\n", eng)
		r := runEngine(ctx, c, eng, srv, wl, mod, steady)
		results = append(results, r)
		if r.Error != "" {
			fmt.Printf("  FAILED: %s\n", r.Error)
		}
		if err := writeJSON(filepath.Join(c.out, "results-"+eng+".json"), r); err != nil {
			return err
		}
		printEngine(r)
	}
	sum := summary{Generated: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Workload: wl.describe(c, mod), Engines: results}
	if err := writeJSON(filepath.Join(c.out, "summary.json"), sum); err != nil {
		return err
	}
	printSideBySide(results)
	fmt.Printf("\nraw results: %s/summary.json, %s/results-<engine>.json; server logs: %s/<engine>/server.log\n", c.out, c.out, c.out)
	return nil
}
