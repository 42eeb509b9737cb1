package main

// The workload: synthetic CycloneDX SBOMs of real components, generated
// deterministically from the corpus and the seed.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

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
