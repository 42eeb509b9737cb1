package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// triageLists are the findings lists BenchmarkTriage times: each triage
// filter alone, each with a severity or an asset, and deep pages (the
// page after the first deep pages of the list, by cursor).
var triageLists = []struct {
	name string
	f    client.FindingFilter
	deep int // pages to walk for the cursor of the timed page
}{
	{"default", client.FindingFilter{}, 0},
	{"state=affected", client.FindingFilter{State: []string{"affected"}}, 0},
	{"state=new", client.FindingFilter{State: []string{"new"}}, 0},
	{"sla_state=breached", client.FindingFilter{SLAState: "breached"}, 0},
	{"sla_state=due_soon", client.FindingFilter{SLAState: "due_soon"}, 0},
	{"priority=act", client.FindingFilter{Priority: []string{"act"}}, 0},
	{"priority=track", client.FindingFilter{Priority: []string{"track"}}, 0},
	{"assignee=" + storetest.BulkAuditor, client.FindingFilter{Assignee: storetest.BulkAuditor}, 0},
	{"assignee=none", client.FindingFilter{Assignee: "none"}, 0},
	{"state=affected&severity=critical", client.FindingFilter{State: []string{"affected"}, Severity: []string{"critical"}}, 0},
	{"state=new&severity=low", client.FindingFilter{State: []string{"new"}, Severity: []string{"low"}}, 0},
	{"sla_state=breached&severity=high", client.FindingFilter{SLAState: "breached", Severity: []string{"high"}}, 0},
	{"sla_state=due_soon&severity=medium", client.FindingFilter{SLAState: "due_soon", Severity: []string{"medium"}}, 0},
	{"priority=act&severity=critical,high", client.FindingFilter{Priority: []string{"act"}, Severity: []string{"critical", "high"}}, 0},
	{"priority=track&severity=low", client.FindingFilter{Priority: []string{"track"}, Severity: []string{"low"}}, 0},
	{"assignee=user-7&severity=high", client.FindingFilter{Assignee: "user-7", Severity: []string{"high"}}, 0},
	{"state=affected&asset=17", client.FindingFilter{State: []string{"affected"}, Asset: "17"}, 0},
	{"sla_state=breached&asset=17", client.FindingFilter{SLAState: "breached", Asset: "17"}, 0},
	{"priority=act&asset=17", client.FindingFilter{Priority: []string{"act"}, Asset: "17"}, 0},
	{"assignee=none&asset=17", client.FindingFilter{Assignee: "none", Asset: "17"}, 0},
	{"state+sla_state+priority", client.FindingFilter{State: []string{"under_investigation", "affected"}, SLAState: "breached", Priority: []string{"attend", "act"}}, 0},
	{"state=new deep (page 100)", client.FindingFilter{State: []string{"new"}}, 100},
	{"sla_state=breached deep (page 100)", client.FindingFilter{SLAState: "breached"}, 100},
	{"assignee=none deep (page 100)", client.FindingFilter{Assignee: "none"}, 100},
}

// BenchmarkTriage times what issue 12 asks of triage on a store of
// VULNDESK_BENCH_FINDINGS findings (storetest.BulkFill: 100,000
// decisions), on each engine (VULNDESK_BENCH_ENGINES, default both),
// through the real HTTP server over loopback and the API client:
//
//   - the findings list with each triage filter (triageLists): 20
//     concurrent clients (VULNDESK_BENCH_CLIENTS), each requesting every
//     list VULNDESK_BENCH_ROUNDS times (default 10) in its own random
//     order, after one round to warm up: "LIST engine list p50 p95 p99
//     max n" in milliseconds;
//   - re-match after a feed delta (storetest.BulkDelta of 10 advisories,
//     three deltas, the store's ApplyFindings with its triage): "REMATCH
//     engine findings assets seconds";
//   - bulk triage of 10,000 open findings in one POST /api/v1/triage,
//     three times: "BULK engine findings seconds".
//
// VULNDESK_BENCH_CPUPROFILE=path writes the CPU profile of the lists'
// requests to path.<engine>.
//
// scripts/bench-triage.sh tabulates them. Run with -benchtime=1x.
func BenchmarkTriage(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VULNDESK_BENCH_FINDINGS"))
	if n <= 0 {
		b.Skip("set VULNDESK_BENCH_FINDINGS (e.g. 1000000) to run; see scripts/bench-triage.sh")
	}
	rounds, clients := envInt("VULNDESK_BENCH_ROUNDS", 10), envInt("VULNDESK_BENCH_CLIENTS", 20)
	want := strings.Split(os.Getenv("VULNDESK_BENCH_ENGINES"), ",")
	ctx := context.Background()
	for _, e := range storetest.Engines(b) {
		if want[0] != "" && !slices.Contains(want, e.Name) {
			continue
		}
		b.Run(e.Name, func(b *testing.B) {
			p := startInproc(b, e, inprocOptions{})
			start := time.Now()
			if err := storetest.BulkFill(ctx, p.Store, storetest.DefaultBulk(n), time.Now()); err != nil {
				b.Fatal(err)
			}
			fmt.Printf("FILL\t%s\t%d\t%.1f\n", e.Name, n, time.Since(start).Seconds())
			c := client.New(p.URL, client.WithToken(p.client(b, "admin").Token))
			for range b.N {
				benchTriageLists(b, c, e.Name, rounds, clients)
				benchRematch(b, p.Store, e.Name)
				benchBulkTriage(b, c, p.Store, e.Name)
			}
		})
	}
}

func envInt(name string, def int) int {
	if v, _ := strconv.Atoi(os.Getenv(name)); v > 0 {
		return v
	}
	return def
}

// benchTriageLists times triageLists with clients concurrent clients.
func benchTriageLists(b *testing.B, c *client.Client, engine string, rounds, clients int) {
	ctx := context.Background()
	lists := slices.Clone(triageLists)
	for i, l := range lists {
		for range l.deep {
			page, err := c.Findings(ctx, l.f)
			if err != nil || page.NextCursor == "" {
				b.Fatalf("%s: walking to the deep page: %v (%d findings on the last page)", l.name, err, len(page.Items))
			}
			lists[i].f.Cursor = page.NextCursor
		}
	}
	if path := os.Getenv("VULNDESK_BENCH_CPUPROFILE"); path != "" {
		// The profile of the timed requests, server and clients, an
		// engine a file.
		out, err := os.Create(path + "." + engine)
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	ms := make([][]float64, len(lists))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for k := range clients {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(k), 7))
			for r := range rounds + 1 {
				for _, i := range rnd.Perm(len(lists)) {
					// The page is read whole but not decoded: the
					// clients share the server's cores.
					t0 := time.Now()
					code, body, err := c.Raw(ctx, http.MethodGet, "/api/v1/findings?"+lists[i].f.Query().Encode(), "", nil)
					d := time.Since(t0)
					if err == nil && code != http.StatusOK {
						err = fmt.Errorf("%d %s", code, body)
					}
					if err != nil {
						errs <- fmt.Errorf("%s: %w", lists[i].name, err)
						return
					}
					if r > 0 {
						mu.Lock()
						ms[i] = append(ms[i], d.Seconds()*1000)
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for i, l := range lists {
		s := ms[i]
		slices.Sort(s)
		q := func(p int) float64 { return s[min(len(s)-1, len(s)*p/100)] }
		fmt.Printf("LIST\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\n", engine, l.name, q(50), q(95), q(99), s[len(s)-1], len(s))
	}
}

// benchRematch applies three feed deltas of 10 advisories each.
func benchRematch(b *testing.B, s *store.Store, engine string) {
	ctx := context.Background()
	for k := range 3 {
		var advs []int
		for i := range 10 {
			advs = append(advs, 1000+k*10+i*997)
		}
		results, err := storetest.BulkDelta(ctx, s, advs)
		if err != nil {
			b.Fatal(err)
		}
		found := 0
		for _, m := range results {
			found += len(m.Findings)
		}
		t0 := time.Now()
		st, err := storetest.ApplyFindings(ctx, s, results...)
		d := time.Since(t0)
		if err != nil || st.Updated+st.New+st.Reopened == 0 {
			b.Fatalf("re-match: %+v, %v", st, err)
		}
		fmt.Printf("REMATCH\t%s\t%d\t%d\t%.3f\t%+v\n", engine, found, len(results), d.Seconds(), st)
	}
}

// benchBulkTriage triages 10,000 open findings in one request, three
// times, each time other findings spread over every asset.
func benchBulkTriage(b *testing.B, c *client.Client, s *store.Store, engine string) {
	ctx := context.Background()
	for k, in := range []api.BulkTriage{
		{State: "under_investigation", Reason: "bench: looking into it"},
		{State: "not_affected", Justification: "vulnerable_code_not_in_execute_path", Reason: "bench: not reachable"},
		{State: "affected", Reason: "bench: confirmed"},
	} {
		rows, err := s.DB().QueryContext(ctx, `SELECT id FROM findings WHERE status = 'open' AND state = 'new' AND id % 37 = $1 ORDER BY id LIMIT 10000`, k)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				b.Fatal(err)
			}
			in.FindingIDs = append(in.FindingIDs, id)
		}
		rows.Close()
		t0 := time.Now()
		out, err := c.BulkTriage(ctx, client.FindingFilter{}, in)
		d := time.Since(t0)
		if err != nil || out.Triaged != len(in.FindingIDs) {
			b.Fatalf("bulk triage: %+v, %v", out, err)
		}
		fmt.Printf("BULK\t%s\t%d\t%.3f\n", engine, out.Triaged, d.Seconds())
	}
}
