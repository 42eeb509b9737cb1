package main

// The corpus: the OSV zips read once, their (ecosystem, package, version)
// triples pooled by package, and which versions have findings.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/sbom"
)

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
