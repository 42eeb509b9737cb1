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
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/sbom"
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

// ---------------------------------------------------------------- corpus

type pkgPool struct {
	eco, name, key string
	versions       []tuple
	hits, clean    []int // indexes into versions: affected (n > 0) or not
	advisories     int
	weight         float64
}

// tuple is one version of a package the corpus names, with the number of
// findings the scan engine reports for it.
type tuple struct {
	ver    string
	listed bool // listed as affected (versions, introduced, last_affected), not only as a fix
	n      int
}

type corpus struct {
	zips      map[string][]byte // ecosystem -> all.zip bytes
	kev       []byte
	pkgs      map[string][]*pkgPool // ecosystem -> packages, by key
	hitPool   map[string][]*pkgPool // packages with affected versions
	cleanPool map[string][]*pkgPool // packages with versions nothing affects
	advs      map[string]int        // ecosystem -> advisories
	paths     []string              // the zips, for the scan engine
}

// osvEntry is the part of an OSV record the workload recipe reads.
type osvEntry struct {
	ID        string `json:"id"`
	Withdrawn string `json:"withdrawn"`
	Affected  []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string           `json:"type"`
			Events []map[string]any `json:"events"`
		} `json:"ranges"`
		Versions []string `json:"versions"`
	} `json:"affected"`
}

func (e *osvEntry) keys(eco string) []string {
	var out []string
	for _, a := range e.Affected {
		base, _, _ := strings.Cut(a.Package.Ecosystem, ":")
		if base != eco || a.Package.Name == "" {
			continue
		}
		out = append(out, advisorydb.Key(base, a.Package.Name))
	}
	return out
}

// zipEntries returns the JSON entries of a zip in name order.
func zipEntries(data []byte) ([]*zip.File, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	var files []*zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, ".json") {
			files = append(files, f)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func loadCorpus(c config) (*corpus, error) {
	cp := &corpus{zips: map[string][]byte{}, pkgs: map[string][]*pkgPool{}, hitPool: map[string][]*pkgPool{},
		cleanPool: map[string][]*pkgPool{}, advs: map[string]int{}}
	if c.kev != "" {
		b, err := os.ReadFile(c.kev)
		if err != nil {
			return nil, fmt.Errorf("KEV catalogue: %w", err)
		}
		cp.kev = b
	}
	type acc struct {
		p        *pkgPool
		aff, fix map[string]bool
	}
	for _, eco := range ecosystems {
		path := filepath.Join(c.corpus, eco, "all.zip")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		cp.zips[eco] = data
		cp.paths = append(cp.paths, path)
		files, err := zipEntries(data)
		if err != nil {
			return nil, fmt.Errorf("corpus %s: %w", eco, err)
		}
		byKey := map[string]*acc{}
		for _, f := range files {
			raw, err := readZipFile(f)
			if err != nil {
				return nil, err
			}
			var e osvEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				continue // the server's loader reports these; the recipe skips them
			}
			cp.advs[eco]++
			if e.Withdrawn != "" {
				continue
			}
			named := map[string]bool{}
			for _, a := range e.Affected {
				base, _, _ := strings.Cut(a.Package.Ecosystem, ":")
				name := a.Package.Name
				if base != eco || name == "" || (eco == "Go" && (name == "stdlib" || name == "toolchain")) {
					continue
				}
				k := advisorydb.Key(eco, name)
				ac := byKey[k]
				if ac == nil {
					ac = &acc{p: &pkgPool{eco: eco, name: name, key: k}, aff: map[string]bool{}, fix: map[string]bool{}}
					byKey[k] = ac
				}
				if !named[k] {
					named[k] = true
					ac.p.advisories++
				}
				for _, v := range a.Versions {
					ac.aff[v] = true
				}
				for _, r := range a.Ranges {
					if strings.EqualFold(r.Type, "GIT") {
						continue
					}
					for _, ev := range r.Events {
						if v, _ := ev["introduced"].(string); v != "" && v != "0" {
							ac.aff[v] = true
						}
						if v, _ := ev["last_affected"].(string); v != "" {
							ac.aff[v] = true
						}
						if v, _ := ev["fixed"].(string); v != "" {
							ac.fix[v] = true
						}
					}
				}
			}
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var list []*pkgPool
		for _, k := range keys {
			ac := byKey[k]
			for v := range ac.aff {
				ac.p.versions = append(ac.p.versions, tuple{ver: v, listed: true})
			}
			for v := range ac.fix {
				if !ac.aff[v] {
					ac.p.versions = append(ac.p.versions, tuple{ver: v})
				}
			}
			if len(ac.p.versions) == 0 {
				continue
			}
			sort.Slice(ac.p.versions, func(i, j int) bool { return ac.p.versions[i].ver < ac.p.versions[j].ver })
			list = append(list, ac.p)
		}
		// Popularity: a Zipf weight over a seeded random ranking, so how
		// common a package is does not depend on how many advisories it has.
		rng := rand.New(rand.NewPCG(c.seed, 0x706f70)) // "pop"
		perm := rng.Perm(len(list))
		for i, p := range list {
			p.weight = 1 / math.Pow(float64(perm[i]+1), c.zipf)
		}
		cp.pkgs[eco] = list
	}
	return cp, nil
}

// allPURLs returns the purl of every (package, version) tuple.
func (cp *corpus) eachTuple(fn func(p *pkgPool, t *tuple)) {
	for _, eco := range ecosystems {
		for _, p := range cp.pkgs[eco] {
			for i := range p.versions {
				fn(p, &p.versions[i])
			}
		}
	}
}

// findingsPerPURL matches one SBOM holding every tuple against the
// advisories at sources with the scan engine (sbom.Parse + match.Match,
// what the server runs) and counts the findings of each purl.
func (cp *corpus) findingsPerPURL(ctx context.Context, sources []string) (map[string]int, error) {
	db, err := advisorydb.Load(ctx, sources, osv.Options{})
	if err != nil {
		return nil, err
	}
	var bom cdxBOM
	bom.BOMFormat, bom.SpecVersion, bom.Version = "CycloneDX", "1.5", 1
	cp.eachTuple(func(p *pkgPool, t *tuple) {
		pu := purlOf(p.eco, p.name, t.ver)
		bom.Components = append(bom.Components, cdxComp{Type: "library", BOMRef: pu, Name: p.name, Version: t.ver, PURL: pu})
	})
	data, err := json.Marshal(bom)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.Parse("corpus-tuples", data, sbom.Options{MaxBytes: 1 << 30})
	if err != nil {
		return nil, err
	}
	out, err := match.Match(ctx, db, doc.Components)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, f := range out.Findings {
		n[f.Component.PURL]++
	}
	return n, nil
}

// classify counts the findings of every tuple and builds the pools: hit
// tuples (at least one finding) and clean ones (none).
func (cp *corpus) classify(ctx context.Context) error {
	n, err := cp.findingsPerPURL(ctx, cp.paths)
	if err != nil {
		return err
	}
	cp.eachTuple(func(p *pkgPool, t *tuple) { t.n = n[purlOf(p.eco, p.name, t.ver)] })
	for _, eco := range ecosystems {
		for _, p := range cp.pkgs[eco] {
			for i, t := range p.versions {
				if t.n > 0 {
					p.hits = append(p.hits, i)
				} else {
					p.clean = append(p.clean, i)
				}
			}
			if len(p.hits) > 0 {
				cp.hitPool[eco] = append(cp.hitPool[eco], p)
			}
			if len(p.clean) > 0 {
				cp.cleanPool[eco] = append(cp.cleanPool[eco], p)
			}
		}
	}
	return nil
}

func (cp *corpus) poolSummary() string {
	var parts []string
	for _, eco := range ecosystems {
		nh, nc, f := 0, 0, 0
		for _, p := range cp.pkgs[eco] {
			nh += len(p.hits)
			nc += len(p.clean)
			for _, i := range p.hits {
				f += p.versions[i].n
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %d advisories, %d packages; %d hit tuples in %d packages (%.1f findings each), %d clean tuples in %d packages",
			eco, cp.advs[eco], len(cp.pkgs[eco]), nh, len(cp.hitPool[eco]), float64(f)/float64(max(nh, 1)), nc, len(cp.cleanPool[eco])))
	}
	return strings.Join(parts, "\n         ")
}

// ---------------------------------------------------------------- workload

type genAsset struct {
	name, eco string
	data      []byte
}

type workload struct {
	assets              []genAsset
	totalComps          int
	totalBytes          int64
	hitComps, missComps int
	usage               map[string]map[string]int // package key -> version -> assets
	purlUse             map[string]int            // purl -> assets
	expected            int                       // open findings the server must report
	expectedAfter       int                       // and after the advisory change
	topUp               int                       // components taken from another ecosystem
}

type cdxComp struct {
	Type    string `json:"type"`
	BOMRef  string `json:"bom-ref"`
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
}

type cdxBOM struct {
	BOMFormat    string `json:"bomFormat"`
	SpecVersion  string `json:"specVersion"`
	SerialNumber string `json:"serialNumber"`
	Version      int    `json:"version"`
	Metadata     struct {
		Timestamp string  `json:"timestamp"`
		Component cdxComp `json:"component"`
	} `json:"metadata"`
	Components []cdxComp `json:"components"`
}

var pep503 = regexp.MustCompile(`[-_.]+`)

func escVersion(v string) string {
	return strings.ReplaceAll(url.PathEscape(v), "+", "%2B")
}

func purlOf(eco, name, ver string) string {
	switch eco {
	case "Go":
		if !strings.HasPrefix(ver, "v") {
			ver = "v" + ver
		}
		return "pkg:golang/" + name + "@" + escVersion(ver)
	case "PyPI":
		return "pkg:pypi/" + strings.ToLower(pep503.ReplaceAllString(name, "-")) + "@" + escVersion(ver)
	case "crates.io":
		return "pkg:cargo/" + name + "@" + escVersion(ver)
	}
	panic("ecosystem " + eco)
}

// sampleWeighted draws k distinct packages not yet taken, with
// probability proportional to their weight (Efraimidis–Spirakis).
func sampleWeighted(rng *rand.Rand, pool []*pkgPool, k int, taken map[string]bool) []*pkgPool {
	type kv struct {
		key float64
		p   *pkgPool
	}
	cand := make([]kv, 0, len(pool))
	for _, p := range pool {
		u := 1 - rng.Float64() // (0, 1]
		if taken[p.key] {
			continue
		}
		cand = append(cand, kv{math.Log(u) / p.weight, p})
	}
	sort.Slice(cand, func(i, j int) bool {
		if cand[i].key != cand[j].key {
			return cand[i].key > cand[j].key
		}
		return cand[i].p.key < cand[j].p.key
	})
	out := make([]*pkgPool, 0, k)
	for _, c := range cand {
		if len(out) == k {
			break
		}
		out = append(out, c.p)
		taken[c.p.key] = true
	}
	return out
}

func parseWeights(s string) (map[string]float64, error) {
	w := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || f < 0 || !slices.Contains(ecosystems, k) {
			return nil, fmt.Errorf("-eco-weights %q: want Go=0.4,PyPI=0.4,crates.io=0.2", s)
		}
		w[k] = f
	}
	return w, nil
}

// generate writes one CycloneDX 1.5 SBOM per asset. Recipe, per asset i
// (its own PCG stream seeded with (seed, i)):
//   - a primary ecosystem, drawn by -eco-weights; -primary of the
//     components come from it, the rest evenly from the two others;
//   - within each ecosystem block, -hit of the components are "hit
//     candidates": a package with affected versions, at one of them (from
//     the advisory's versions list, an introduced other than 0, or a
//     last_affected); the others are "near misses": a package at one of its
//     fixed versions that no advisory lists as affected;
//   - packages are distinct within an asset and drawn by popularity (a
//     Zipf weight over a seeded ranking), so popular packages recur across
//     most assets as real dependencies do; versions are drawn uniformly.
//
// Whether a component really has findings is decided by the matcher: a
// near miss can still be inside a later advisory's range.
func generate(c config, cp *corpus) (*workload, error) {
	weights, err := parseWeights(c.ecoWeights)
	if err != nil {
		return nil, err
	}
	var total float64
	for _, eco := range ecosystems {
		total += weights[eco]
	}
	wl := &workload{usage: map[string]map[string]int{}, purlUse: map[string]int{}}
	stamp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range c.assets {
		rng := rand.New(rand.NewPCG(c.seed, uint64(i)+1))
		x, primary := rng.Float64()*total, ecosystems[0]
		for _, eco := range ecosystems {
			if x < weights[eco] {
				primary = eco
				break
			}
			x -= weights[eco]
		}
		nPrim := int(math.Round(c.primary * float64(c.components)))
		rest := c.components - nPrim
		counts := map[string]int{primary: nPrim}
		var others []string
		for _, eco := range ecosystems {
			if eco != primary {
				others = append(others, eco)
			}
		}
		counts[others[0]] = rest / 2
		counts[others[1]] = rest - rest/2
		taken := map[string]bool{}
		var comps []cdxComp
		add := func(p *pkgPool, t tuple, hit bool) {
			ver := t.ver
			pu := purlOf(p.eco, p.name, ver)
			wl.purlUse[pu]++
			wl.expected += t.n
			name := p.name
			if p.eco == "PyPI" {
				name = strings.ToLower(pep503.ReplaceAllString(p.name, "-"))
			}
			comps = append(comps, cdxComp{Type: "library", BOMRef: pu, Name: name, Version: ver, PURL: pu})
			if wl.usage[p.key] == nil {
				wl.usage[p.key] = map[string]int{}
			}
			wl.usage[p.key][ver]++
			if hit {
				wl.hitComps++
			} else {
				wl.missComps++
			}
		}
		short := 0
		pickHit := func(p *pkgPool) { add(p, p.versions[p.hits[rng.IntN(len(p.hits))]], true) }
		pickClean := func(p *pkgPool) { add(p, p.versions[p.clean[rng.IntN(len(p.clean))]], false) }
		for _, eco := range ecosystems {
			n := counts[eco]
			nh := int(math.Round(c.hit * float64(n)))
			hits := sampleWeighted(rng, cp.hitPool[eco], nh, taken)
			clean := sampleWeighted(rng, cp.cleanPool[eco], n-len(hits), taken)
			for _, p := range hits {
				pickHit(p)
			}
			for _, p := range clean {
				pickClean(p)
			}
			short += n - len(hits) - len(clean)
		}
		// An ecosystem without enough clean packages: clean ones of the
		// others.
		for _, eco := range append([]string{primary}, others...) {
			if short == 0 {
				break
			}
			more := sampleWeighted(rng, cp.cleanPool[eco], short, taken)
			for _, p := range more {
				pickClean(p)
			}
			wl.topUp += len(more)
			short -= len(more)
		}
		if short > 0 {
			return nil, fmt.Errorf("asset %d: corpus pools too small for %d components", i, c.components)
		}
		rng.Shuffle(len(comps), func(a, b int) { comps[a], comps[b] = comps[b], comps[a] })
		name := fmt.Sprintf("asset-%04d", i+1)
		var bom cdxBOM
		bom.BOMFormat, bom.SpecVersion, bom.Version = "CycloneDX", "1.5", 1
		var u [16]byte
		for j := range u {
			u[j] = byte(rng.UintN(256))
		}
		u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
		h := hex.EncodeToString(u[:])
		bom.SerialNumber = "urn:uuid:" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		bom.Metadata.Timestamp = stamp.Format(time.RFC3339)
		bom.Metadata.Component = cdxComp{Type: "application", BOMRef: name, Name: name, Version: "1.0.0"}
		bom.Components = comps
		data, err := json.Marshal(bom)
		if err != nil {
			return nil, err
		}
		wl.assets = append(wl.assets, genAsset{name: name, eco: primary, data: data})
		wl.totalComps += len(comps)
		wl.totalBytes += int64(len(data))
	}
	return wl, nil
}

func (wl *workload) describe(c config, mod *modification) map[string]any {
	ecoCount := map[string]int{}
	for _, a := range wl.assets {
		ecoCount[a.eco]++
	}
	return map[string]any{
		"assets": len(wl.assets), "components_per_asset": c.components, "components": wl.totalComps,
		"sbom_bytes": wl.totalBytes, "seed": c.seed, "hit_share": c.hit, "zipf": c.zipf, "primary_share": c.primary,
		"eco_weights": c.ecoWeights, "primary_ecosystem_assets": ecoCount,
		"hit_candidates": wl.hitComps, "near_misses": wl.missComps, "distinct_packages": len(wl.usage),
		"expected_open_findings": wl.expected, "expected_open_after_change": wl.expectedAfter,
		"components_from_another_ecosystem": wl.topUp,
		"changed_advisories":                mod.ids, "changed_ecosystem": c.changeEco, "changed_with_added_version": mod.added,
		"upload_clients": c.uploadClients, "latency_clients": c.latClients, "latency_duration_s": c.latDur.Seconds(),
	}
}

// ---------------------------------------------------------------- advisory changes

type modification struct {
	eco   string
	zip   []byte
	ids   []string
	added int
	path  string // the modified zip on disk (for -verify)
}

// modifyCorpus picks -changes advisories of -change-eco that name a package
// the assets use, and changes them as an upstream revision would: a new
// `modified` time and a revised `details`; every second one also gets an
// affected version added (the version most assets use of its package), so
// the re-match has real new findings to store.
func modifyCorpus(c config, cp *corpus, wl *workload) (*modification, error) {
	data := cp.zips[c.changeEco]
	if data == nil {
		return nil, fmt.Errorf("-change-eco %q: not one of %v", c.changeEco, ecosystems)
	}
	files, err := zipEntries(data)
	if err != nil {
		return nil, err
	}
	var cand []string
	raws := map[string][]byte{}
	for _, f := range files {
		raw, err := readZipFile(f)
		if err != nil {
			return nil, err
		}
		var e osvEntry
		if json.Unmarshal(raw, &e) != nil || e.Withdrawn != "" {
			continue
		}
		for _, k := range e.keys(c.changeEco) {
			if len(wl.usage[k]) > 0 {
				cand = append(cand, f.Name)
				raws[f.Name] = raw
				break
			}
		}
	}
	rng := rand.New(rand.NewPCG(c.seed, 0x6368616e6765)) // "change"
	rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	if len(cand) > c.changes {
		cand = cand[:c.changes]
	}
	sort.Strings(cand)
	mod := &modification{eco: c.changeEco}
	changed := map[string][]byte{}
	for n, name := range cand {
		var v map[string]any
		dec := json.NewDecoder(bytes.NewReader(raws[name]))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		v["modified"] = "2026-12-01T12:00:00Z"
		d, _ := v["details"].(string)
		v["details"] = d + "\n\n(Revised: affected versions re-checked by the maintainers.)"
		if n%2 == 0 {
			if addAffectedVersion(v, c.changeEco, wl) {
				mod.added++
			}
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		changed[name] = b
		id, _ := v["id"].(string)
		mod.ids = append(mod.ids, id)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		body := changed[f.Name]
		if body == nil {
			if body, err = readZipFile(f); err != nil {
				return nil, err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	mod.zip = buf.Bytes()
	mod.path = filepath.Join(c.out, "corpus-changed", c.changeEco, "all.zip")
	if err := os.MkdirAll(filepath.Dir(mod.path), 0o755); err != nil {
		return nil, err
	}
	return mod, os.WriteFile(mod.path, mod.zip, 0o644)
}

// addAffectedVersion appends to the first affected entry whose package the
// assets use the version of it most assets have, unless listed already.
func addAffectedVersion(v map[string]any, eco string, wl *workload) bool {
	aff, _ := v["affected"].([]any)
	for _, a := range aff {
		am, _ := a.(map[string]any)
		pkg, _ := am["package"].(map[string]any)
		e, _ := pkg["ecosystem"].(string)
		name, _ := pkg["name"].(string)
		base, _, _ := strings.Cut(e, ":")
		if base != eco || name == "" {
			continue
		}
		use := wl.usage[advisorydb.Key(base, name)]
		if len(use) == 0 {
			continue
		}
		best, bestN := "", 0
		for ver, n := range use {
			if n > bestN || (n == bestN && ver < best) {
				best, bestN = ver, n
			}
		}
		vs, _ := am["versions"].([]any)
		for _, x := range vs {
			if x == best {
				return false
			}
		}
		am["versions"] = append(vs, best)
		return true
	}
	return false
}

// expectFindings works out what the server must report after the advisory
// change: the tuples' findings against the changed corpus, times their use.
// (Before the change it is the sum of the tuples' counts.) With -verify it
// also matches every SBOM in-process, as the server will.
func expectFindings(ctx context.Context, c config, cp *corpus, wl *workload, mod *modification) error {
	var after []string
	for i, eco := range ecosystems {
		p := cp.paths[i]
		if eco == mod.eco {
			p = mod.path
		}
		after = append(after, p)
	}
	n, err := cp.findingsPerPURL(ctx, after)
	if err != nil {
		return err
	}
	wl.expectedAfter = 0
	for pu, k := range wl.purlUse {
		wl.expectedAfter += n[pu] * k
	}
	if !c.verify {
		return nil
	}
	db, err := advisorydb.Load(ctx, cp.paths, osv.Options{})
	if err != nil {
		return err
	}
	total := 0
	for _, a := range wl.assets {
		doc, err := sbom.Parse(a.name, a.data, sbom.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", a.name, err)
		}
		out, err := match.Match(ctx, db, doc.Components)
		if err != nil {
			return err
		}
		total += len(out.Findings)
	}
	if total != wl.expected {
		return fmt.Errorf("-verify: the SBOMs have %d findings in-process, the tuple counts say %d", total, wl.expected)
	}
	return nil
}

// ---------------------------------------------------------------- corpus server

type corpusServer struct {
	base string
	srv  *http.Server
	mu   sync.Mutex
	docs map[string][]byte
}

func startCorpusServer(c config, cp *corpus) (*corpusServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cs := &corpusServer{base: "http://" + ln.Addr().String()}
	cs.reset(cp)
	cs.srv = &http.Server{Handler: http.HandlerFunc(cs.serve), ReadHeaderTimeout: 10 * time.Second}
	go cs.srv.Serve(ln)
	return cs, nil
}

func (cs *corpusServer) reset(cp *corpus) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.docs = map[string][]byte{}
	for eco, b := range cp.zips {
		cs.docs["/"+eco+"/all.zip"] = b
	}
	if cp.kev != nil {
		cs.docs["/kev.json"] = cp.kev
	}
}

func (cs *corpusServer) set(path string, b []byte) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.docs[path] = b
}

func (cs *corpusServer) serve(w http.ResponseWriter, r *http.Request) {
	cs.mu.Lock()
	b, ok := cs.docs[r.URL.Path]
	cs.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(b)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(w, r, filepath.Base(r.URL.Path), time.Time{}, bytes.NewReader(b))
}

func (cs *corpusServer) has(path string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.docs[path] != nil
}

func (cs *corpusServer) close() { cs.srv.Close() }

// ---------------------------------------------------------------- results

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

// ---------------------------------------------------------------- the server process

type server struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	pid     int

	mu      sync.Mutex
	phase   string
	peak    map[string]float64
	peakAll float64
	stop    chan struct{}
	done    chan struct{}
}

func startServer(c config, dataDir, dbURL, logPath string) (*server, error) {
	// The corpus is served from loopback: a local mirror.
	args := []string{"serve", "--empty", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--allow-private-feeds"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	if c.workers > 0 {
		args = append(args, "--workers", strconv.Itoa(c.workers))
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Stderr = logf
	cmd.Env = append(os.Environ(), "VULNDESK_DATABASE_URL=", "VULNDESK_ADMIN_PASSWORD=bench-serve-secret-pw-1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	logf.Close()
	s := &server{cmd: cmd, logPath: logPath, pid: cmd.Process.Pid, peak: map[string]float64{}, stop: make(chan struct{}), done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "vulndesk listening on "); ok {
				select {
				case addr <- a:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		s.base = a
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server did not start; see %s", logPath)
	}
	go s.sample()
	return s, nil
}

func (s *server) setPhase(p string) {
	s.mu.Lock()
	s.phase = p
	s.mu.Unlock()
}

func procStatus(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// sample reads the server's VmRSS every 100 ms and keeps the peak per phase.
func (s *server) sample() {
	defer close(s.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		rss := procStatus(s.pid, "VmRSS")
		s.mu.Lock()
		s.peak[s.phase] = max(s.peak[s.phase], rss)
		s.peakAll = max(s.peakAll, rss)
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *server) shutdown() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
		<-s.done
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-exited
	}
}

// logLines returns the server log lines with the given message, as
// key=value maps (slog's text format).
func (s *server) logLines(msg string) []map[string]string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil
	}
	var out []map[string]string
	needle := `msg="` + msg + `"`
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, needle) {
			continue
		}
		kv := map[string]string{}
		for _, m := range logKV.FindAllStringSubmatch(line, -1) {
			kv[m[1]] = strings.Trim(m[2], `"`)
		}
		out = append(out, kv)
	}
	return out
}

var logKV = regexp.MustCompile(`([a-z_]+)=("(?:[^"\\]|\\.)*"|\S+)`)

// ---------------------------------------------------------------- API client

type client struct {
	base, token string
	hc          *http.Client
}

func newClient(base, token string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, DisableCompression: true,
		IdleConnTimeout: time.Minute}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

// do sends a request; out (when not nil) receives the JSON answer.
func (cl *client) do(method, path string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, cl.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+cl.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

type apiJob struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	State      string    `json:"state"`
	Payload    string    `json:"payload"`
	CreatedAt  time.Time `json:"created_at"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Error      string    `json:"error"`
}

func (j apiJob) times() jobTimes {
	jt := jobTimes{ID: j.ID, Kind: j.Kind, State: j.State, Error: j.Error}
	if !j.StartedAt.IsZero() {
		jt.QueueS = round3(j.StartedAt.Sub(j.CreatedAt).Seconds())
		if !j.FinishedAt.IsZero() {
			jt.RunS = round3(j.FinishedAt.Sub(j.StartedAt).Seconds())
		}
	}
	return jt
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func (cl *client) jobs(kind string, limit int) ([]apiJob, error) {
	var p struct {
		Items []apiJob `json:"items"`
	}
	_, err := cl.do("GET", fmt.Sprintf("/api/v1/jobs?kind=%s&limit=%d", url.QueryEscape(kind), limit), nil, &p)
	return p.Items, err
}

var metricJobs = regexp.MustCompile(`(?m)^vulndesk_jobs\{state="(\w+)"\} (\d+)$`)

func (cl *client) jobCounts() (map[string]int, error) {
	req, _ := http.NewRequest("GET", cl.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+cl.token)
	resp, err := cl.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("/metrics: %d", resp.StatusCode)
	}
	out := map[string]int{}
	for _, m := range metricJobs.FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[2]))
		out[string(m[1])] = n
	}
	return out, nil
}

// waitIdle polls until no job is queued or running.
func (cl *client) waitIdle(every, timeout time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(timeout)
	for {
		c, err := cl.jobCounts()
		if err != nil {
			return nil, err
		}
		if c["queued"] == 0 && c["running"] == 0 {
			return c, nil
		}
		if time.Now().After(deadline) {
			return c, fmt.Errorf("jobs still pending after %s: %v", timeout, c)
		}
		time.Sleep(every)
	}
}

type overview struct {
	Assets     int            `json:"assets"`
	Open       int            `json:"open_findings"`
	BySeverity map[string]int `json:"open_by_severity"`
	KEV        int            `json:"open_kev"`
	Advisories int            `json:"advisories"`
}

func (cl *client) overview() (overview, error) {
	var o overview
	_, err := cl.do("GET", "/api/v1/overview", nil, &o)
	return o, err
}

// ---------------------------------------------------------------- one engine

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
		fn   func(*client, *server, *engineResult) error
	}{
		{"sync", func(cl *client, s *server, r *engineResult) error { return phaseSync(c, cl, cs, r) }},
		{"ingest+match", func(cl *client, s *server, r *engineResult) error { return phaseIngest(c, cl, s, wl, r) }},
		{"rematch", func(cl *client, s *server, r *engineResult) error { return phaseRematch(c, cl, s, cs, wl, mod, r) }},
		{"findings-api", func(cl *client, s *server, r *engineResult) error {
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
		{"steady", func(cl *client, s *server, r *engineResult) error { return phaseSteady(c, cl, steady, r) }},
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

func (s *server) peakSoFar() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakAll
}

// phaseSync creates one OSV feed per corpus zip, syncs them all and times
// it until every sync job (and the re-match jobs they queue) is done; then
// the KEV feed.
func phaseSync(c config, cl *client, cs *corpusServer, r *engineResult) error {
	t0 := time.Now()
	for _, eco := range ecosystems {
		body, _ := json.Marshal(map[string]any{"name": "bench-osv-" + eco, "kind": "osv", "url": cs.base + "/" + eco + "/all.zip", "interval_seconds": 86400})
		var f struct {
			ID int64 `json:"id"`
		}
		if _, err := cl.do("POST", "/api/v1/feeds", body, &f); err != nil {
			return err
		}
		// Creating an enabled feed queues its first sync; this asks again
		// (and is told it is queued already), as an operator would.
		if _, err := cl.do("POST", fmt.Sprintf("/api/v1/feeds/%d/sync", f.ID), nil, nil); err != nil {
			return err
		}
	}
	if _, err := cl.waitIdle(50*time.Millisecond, c.timeout); err != nil {
		return err
	}
	r.Sync.WallS = round3(time.Since(t0).Seconds())
	r.Sync.Feeds = len(ecosystems)
	for _, kind := range []string{"sync-feed", "rematch"} {
		js, err := cl.jobs(kind, 50)
		if err != nil {
			return err
		}
		for _, j := range js {
			r.Sync.Jobs = append(r.Sync.Jobs, j.times())
			if j.State != "done" {
				return fmt.Errorf("job %d (%s) %s: %s", j.ID, j.Kind, j.State, j.Error)
			}
		}
	}
	if cs.has("/kev.json") {
		t := time.Now()
		body, _ := json.Marshal(map[string]any{"name": "bench-kev", "kind": "kev", "url": cs.base + "/kev.json", "interval_seconds": 86400})
		if _, err := cl.do("POST", "/api/v1/feeds", body, nil); err != nil {
			return err
		}
		if _, err := cl.waitIdle(50*time.Millisecond, c.timeout); err != nil {
			return err
		}
		r.Sync.KEVS = round3(time.Since(t).Seconds())
	}
	o, err := cl.overview()
	if err != nil {
		return err
	}
	r.Sync.Advisories = o.Advisories
	return nil
}

// phaseIngest uploads every SBOM with a few concurrent clients and waits
// until every match-snapshot job is done.
func phaseIngest(c config, cl *client, s *server, wl *workload, r *engineResult) error {
	r.Ingest.Clients = c.uploadClients
	next := atomic.Int64{}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	t0 := time.Now()
	var wg sync.WaitGroup
	for range c.uploadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(wl.assets) {
					return
				}
				a := wl.assets[i]
				t := time.Now()
				_, err := cl.do("POST", "/api/v1/sboms?asset="+a.name+"&create=true&source="+a.name+".cdx.json", a.data, nil)
				d := time.Since(t)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					r.Ingest.Errors++
					if firstErr == nil {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	tUp := time.Now()
	if firstErr != nil {
		return firstErr
	}
	r.Ingest.SBOMs = len(wl.assets)
	r.Ingest.Components = wl.totalComps
	r.Ingest.WallS = round3(tUp.Sub(t0).Seconds())
	r.Ingest.SBOMsPerS = math.Round(float64(len(wl.assets))/tUp.Sub(t0).Seconds()*10) / 10
	r.Ingest.CompsPerS = math.Round(float64(wl.totalComps) / tUp.Sub(t0).Seconds())
	r.Ingest.Upload = statsOf(lat)

	// Poll the cheap job list, not /metrics: that one aggregates all
	// findings (Store.Summary, ~10 ms at 100k+ findings) and polling it
	// would slow down what is measured. Jobs are claimed oldest first, so
	// when the newest 500 are finished the older ones are too (barring
	// retries, which the final /metrics check catches).
	var js []apiJob
	for deadline := time.Now().Add(c.timeout); ; {
		var err error
		if js, err = cl.jobs("match-snapshot", 500); err != nil {
			return err
		}
		pending := len(js) < min(500, len(wl.assets))
		for _, j := range js {
			if j.State == "queued" || j.State == "running" {
				pending = true
				break
			}
		}
		if !pending {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("match jobs still pending after %s", c.timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	tPoll := time.Now()
	counts, err := cl.waitIdle(time.Second, c.timeout)
	if err != nil {
		return err
	}
	last := time.Time{}
	for _, j := range js {
		if j.FinishedAt.After(last) {
			last = j.FinishedAt
		}
	}
	if last.IsZero() || last.After(tPoll) {
		last = tPoll
	}
	r.Match.FullMatchS = round3(last.Sub(t0).Seconds())
	r.Match.AfterIngestS = round3(max(0, last.Sub(tUp).Seconds()))
	r.Match.Failed = counts["failed"]
	var took []time.Duration
	newN := 0
	for _, kv := range s.logLines("snapshot matched") {
		d, err := time.ParseDuration(kv["took"])
		if err == nil {
			took = append(took, d)
		}
		n, _ := strconv.Atoi(kv["new"])
		newN += n
	}
	r.Match.Jobs = len(took)
	r.Match.JobTook = statsOf(took)
	var sum time.Duration
	for _, d := range took {
		sum += d
	}
	r.Match.JobTookSumS = round3(sum.Seconds())
	r.Match.NewInMatchLog = newN
	o, err := cl.overview()
	if err != nil {
		return err
	}
	r.Match.OpenFindings, r.Match.BySeverity, r.Match.KEV, r.Match.Expected = o.Open, o.BySeverity, o.KEV, wl.expected
	if r.Match.Failed > 0 {
		return fmt.Errorf("%d jobs failed", r.Match.Failed)
	}
	return nil
}

// phaseRematch serves the changed corpus, triggers the feed's sync and
// times until the re-match job it queues is done.
func phaseRematch(c config, cl *client, s *server, cs *corpusServer, wl *workload, mod *modification, r *engineResult) error {
	r.Rematch.Changed = len(mod.ids)
	// The re-match is timed in a settled server: the bulk load just
	// before leaves hundreds of MiB for the disk to write back (and a
	// SQLite log to checkpoint), which otherwise lands in the re-match.
	time.Sleep(c.settle)
	r.Rematch.SettleS = c.settle.Seconds()
	var feeds struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if _, err := cl.do("GET", "/api/v1/feeds", nil, &feeds); err != nil {
		return err
	}
	var feedID int64
	for _, f := range feeds.Items {
		if f.Name == "bench-osv-"+mod.eco {
			feedID = f.ID
		}
	}
	prev, err := cl.jobs("rematch", 5)
	if err != nil {
		return err
	}
	var prevMax int64
	for _, j := range prev {
		prevMax = max(prevMax, j.ID)
	}
	cs.set("/"+mod.eco+"/all.zip", mod.zip)
	t0 := time.Now()
	var q struct {
		JobID int64 `json:"job_id"`
	}
	if _, err := cl.do("POST", fmt.Sprintf("/api/v1/feeds/%d/sync", feedID), nil, &q); err != nil {
		return err
	}
	deadline := t0.Add(c.timeout)
	var syncJob, rm apiJob
	for {
		if syncJob.FinishedAt.IsZero() {
			js, err := cl.jobs("sync-feed", 10)
			if err != nil {
				return err
			}
			for _, j := range js {
				if j.ID == q.JobID {
					syncJob = j
				}
			}
			if syncJob.State == "failed" || (syncJob.State == "queued" && syncJob.Error != "") {
				return fmt.Errorf("sync job %d: %s", syncJob.ID, syncJob.Error)
			}
		}
		if syncJob.State == "done" {
			js, err := cl.jobs("rematch", 10)
			if err != nil {
				return err
			}
			for _, j := range js {
				if j.ID > prevMax {
					rm = j
				}
			}
			if rm.ID == 0 {
				return errors.New("the sync queued no re-match job (no advisory changed?)")
			}
			if rm.State == "done" || rm.State == "failed" {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("timed out waiting for the re-match")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rm.State != "done" {
		return fmt.Errorf("re-match job %d: %s", rm.ID, rm.Error)
	}
	r.Rematch.E2ES = round3(rm.FinishedAt.Sub(t0).Seconds())
	r.Rematch.SyncJob = syncJob.times()
	r.Rematch.RematchJob = rm.times()
	if l := s.logLines("advisory changes re-matched"); len(l) > 0 {
		kv := l[len(l)-1]
		r.Rematch.Log = fmt.Sprintf("keys=%s assets=%s new=%s resolved=%s reopened=%s took=%s", kv["keys"], kv["assets"], kv["new"], kv["resolved"], kv["reopened"], kv["took"])
	}
	for _, kv := range s.logLines("feed synced") {
		if kv["feed"] == "bench-osv-"+mod.eco {
			r.Rematch.SyncLog = fmt.Sprintf("changed=%s took=%s", kv["changed"], kv["took"])
		}
	}
	if _, err := cl.waitIdle(50*time.Millisecond, c.timeout); err != nil {
		return err
	}
	o, err := cl.overview()
	if err != nil {
		return err
	}
	r.Rematch.OpenAfter, r.Rematch.ExpectedAfter = o.Open, wl.expectedAfter
	return nil
}

// phaseLatency loads GET /api/v1/findings with concurrent clients and a mix
// of first pages, deep keyset pages and filters.
func phaseLatency(c config, cl *client, wl *workload, r *engineResult) error {
	// Deep cursors: walk the whole open list in pages of 500.
	t := time.Now()
	var cursors []string
	cur := ""
	for {
		var p struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		path := "/api/v1/findings?limit=500"
		if cur != "" {
			path += "&cursor=" + url.QueryEscape(cur)
		}
		if _, err := cl.do("GET", path, nil, &p); err != nil {
			return err
		}
		r.Latency.WalkedN += len(p.Items)
		if p.NextCursor == "" {
			break
		}
		cursors = append(cursors, p.NextCursor)
		cur = p.NextCursor
	}
	r.Latency.WalkS = round3(time.Since(t).Seconds())
	r.Latency.Cursors = len(cursors)
	if len(cursors) == 0 {
		return errors.New("no findings to page through")
	}
	var assets []int64
	cur = ""
	for {
		var p struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		path := "/api/v1/assets?limit=500"
		if cur != "" {
			path += "&cursor=" + cur
		}
		if _, err := cl.do("GET", path, nil, &p); err != nil {
			return err
		}
		for _, a := range p.Items {
			assets = append(assets, a.ID)
		}
		if p.NextCursor == "" || len(p.Items) == 0 {
			break
		}
		cur = p.NextCursor
	}
	terms := searchTerms(wl)

	type kind struct {
		name   string
		weight int
		path   func(rng *rand.Rand) (string, string)
	}
	kinds := []kind{
		{"first-page", 15, func(*rand.Rand) (string, string) { return "/api/v1/findings", "" }},
		{"deep-page", 20, func(rng *rand.Rand) (string, string) {
			i := rng.IntN(len(cursors))
			return "/api/v1/findings?cursor=" + url.QueryEscape(cursors[i]), fmt.Sprintf("depth %d00+", (i+1)*5)
		}},
		{"severity", 15, func(rng *rand.Rand) (string, string) {
			if rng.IntN(2) == 0 {
				return "/api/v1/findings?severity=critical,high", "critical,high"
			}
			return "/api/v1/findings?severity=critical", "critical"
		}},
		{"kev", 10, func(*rand.Rand) (string, string) { return "/api/v1/findings?kev=true", "" }},
		{"asset", 15, func(rng *rand.Rand) (string, string) {
			return fmt.Sprintf("/api/v1/findings?asset=%d", assets[rng.IntN(len(assets))]), ""
		}},
		{"ecosystem", 10, func(rng *rand.Rand) (string, string) {
			e := []string{"PyPI", "Go", "crates.io"}[rng.IntN(3)]
			return "/api/v1/findings?ecosystem=" + url.QueryEscape(e), e
		}},
		{"q", 15, func(rng *rand.Rand) (string, string) {
			t := terms[rng.IntN(len(terms))]
			return "/api/v1/findings?q=" + url.QueryEscape(t), t
		}},
	}
	totalW := 0
	for _, k := range kinds {
		totalW += k.weight
	}
	type sample struct {
		kind, variant string
		d             time.Duration
		err           error
	}
	var mu sync.Mutex
	var samples []sample
	run := func(d time.Duration, record bool) {
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for i := range c.latClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(c.seed, 0x1a7+uint64(i)))
				var local []sample
				for time.Now().Before(deadline) {
					x := rng.IntN(totalW)
					var k kind
					for _, k = range kinds {
						if x < k.weight {
							break
						}
						x -= k.weight
					}
					path, variant := k.path(rng)
					t := time.Now()
					_, err := cl.do("GET", path, nil, nil)
					local = append(local, sample{k.name, variant, time.Since(t), err})
				}
				if record {
					mu.Lock()
					samples = append(samples, local...)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	if c.latWarm > 0 {
		run(c.latWarm, false)
	}
	t0 := time.Now()
	run(c.latDur, true)
	el := time.Since(t0)
	r.Latency.Clients = c.latClients
	r.Latency.DurationS = round3(el.Seconds())
	var all []time.Duration
	byKind, byVar := map[string][]time.Duration{}, map[string][]time.Duration{}
	for _, s := range samples {
		if s.err != nil {
			r.Latency.Errors++
			if r.Latency.FirstErr == "" {
				r.Latency.FirstErr = s.err.Error()
			}
			continue
		}
		all = append(all, s.d)
		byKind[s.kind] = append(byKind[s.kind], s.d)
		if s.variant != "" && !strings.HasPrefix(s.variant, "depth") {
			byVar[s.kind+" "+s.variant] = append(byVar[s.kind+" "+s.variant], s.d)
		}
	}
	r.Latency.Requests = len(samples)
	r.Latency.RPS = math.Round(float64(len(all))/el.Seconds()*10) / 10
	r.Latency.All = statsOf(all)
	r.Latency.ByKind, r.Latency.ByVariant = map[string]latStats{}, map[string]latStats{}
	for k, v := range byKind {
		r.Latency.ByKind[k] = statsOf(v)
	}
	for k, v := range byVar {
		r.Latency.ByVariant[k] = statsOf(v)
	}
	return nil
}

// searchTerms are what people type into the findings search: names of
// packages common in the assets, advisory ID prefixes, a CVE year, and a
// term that matches nothing.
func searchTerms(wl *workload) []string {
	type kc struct {
		key string
		n   int
	}
	var pk []kc
	for k, vs := range wl.usage {
		n := 0
		for _, c := range vs {
			n += c
		}
		pk = append(pk, kc{k, n})
	}
	sort.Slice(pk, func(i, j int) bool {
		if pk[i].n != pk[j].n {
			return pk[i].n > pk[j].n
		}
		return pk[i].key < pk[j].key
	})
	var terms []string
	seen := map[string]bool{}
	for _, p := range pk {
		_, name, _ := strings.Cut(p.key, "|")
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		if len(name) < 4 || seen[name] {
			continue
		}
		seen[name] = true
		terms = append(terms, name)
		if len(terms) == 5 {
			break
		}
	}
	return append(terms, "GHSA-", "CVE-2023", "RUSTSEC", "no-such-package-zzz")
}

// ---------------------------------------------------------------- tables

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
