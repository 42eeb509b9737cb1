package main

// Phase findings-api: the findings list under concurrent readers.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
)

// phaseLatency loads GET /api/v1/findings with concurrent clients and a mix
// of first pages, deep keyset pages and filters.
func phaseLatency(c config, cl *apiClient, wl *workload, r *engineResult) error {
	ctx := context.Background()
	// Deep cursors: walk the whole open list in pages of 500. The walk is
	// timed, so the findings are left undecoded (raw JSON), as the server
	// wrote them.
	t := time.Now()
	var cursors []string
	f := client.FindingFilter{PageQuery: client.PageQuery{Limit: 500}}
	for {
		body, err := cl.get(ctx, "/api/v1/findings?"+f.Query().Encode())
		if err != nil {
			return err
		}
		var p api.Page[json.RawMessage]
		if err := json.Unmarshal(body, &p); err != nil {
			return fmt.Errorf("findings page: %w", err)
		}
		r.Latency.WalkedN += len(p.Items)
		if p.NextCursor == "" {
			break
		}
		cursors = append(cursors, p.NextCursor)
		f.Cursor = p.NextCursor
	}
	r.Latency.WalkS = round3(time.Since(t).Seconds())
	r.Latency.Cursors = len(cursors)
	if len(cursors) == 0 {
		return errors.New("no findings to page through")
	}
	var assets []int64
	for q := (client.AssetQuery{PageQuery: client.PageQuery{Limit: 500}}); ; {
		p, err := cl.Assets(ctx, q)
		if err != nil {
			return err
		}
		for _, a := range p.Items {
			assets = append(assets, a.ID)
		}
		if p.NextCursor == "" || len(p.Items) == 0 {
			break
		}
		q.Cursor = p.NextCursor
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
					_, err := cl.get(ctx, path)
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
