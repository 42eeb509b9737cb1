package main

// Phase ingest+match: every SBOM uploaded, then matched.

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// phaseIngest uploads every SBOM with a few concurrent clients and waits
// until every match-snapshot job is done.
func phaseIngest(c config, cl *apiClient, s *server, wl *workload, r *engineResult) error {
	ctx := context.Background()
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
				_, err := cl.upload(ctx, a)
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
	var js []model.Job
	for deadline := time.Now().Add(c.timeout); ; {
		var err error
		if js, err = cl.Jobs(ctx, "match-snapshot", 500); err != nil {
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
	counts, err := cl.waitIdle(ctx, time.Second, c.timeout)
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
	o, err := cl.Overview(ctx)
	if err != nil {
		return err
	}
	r.Match.OpenFindings, r.Match.BySeverity, r.Match.KEV, r.Match.Expected = o.Open, o.BySeverity, o.KEV, wl.expected
	if r.Match.Failed > 0 {
		return fmt.Errorf("%d jobs failed", r.Match.Failed)
	}
	return nil
}
