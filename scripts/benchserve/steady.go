package main

// The steady phase: SBOMs arrive at a fixed rate (STEADY_RATE a second,
// STEADY_COMPONENTS components each, for STEADY_SECONDS) while
// STEADY_READERS clients read the findings list, as a busy CI fleet and a
// security team's dashboards do at once. Measured per SBOM, from the
// server's own clock: upload-to-findings, the time from its snapshot being
// stored to its match being recorded (snapshot created_at to matched_at);
// and, sampled, how many match jobs wait.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// steadyResult is what the phase measured.
type steadyResult struct {
	Rate        float64  `json:"target_uploads_per_s"`
	Achieved    float64  `json:"uploads_per_s"`
	Seconds     int      `json:"seconds"`
	Components  int      `json:"components_per_sbom"`
	Readers     int      `json:"readers"`
	SBOMs       int      `json:"sboms"`
	Errors      int      `json:"errors"`
	Upload      latStats `json:"upload_latency"`
	Lag         latStats `json:"upload_to_findings"`
	Reads       latStats `json:"findings_list_latency"`
	QueueMax    int      `json:"match_queue_max"`
	DrainS      float64  `json:"last_match_after_last_upload_s"`
	UnmatchedAt int      `json:"unmatched_at_timeout,omitempty"`
}

// steadyWorkload is the phase's SBOMs: generated as the bulk ones are,
// with their own seed, size and names.
func steadyWorkload(c config, cp *corpus) (*workload, error) {
	sc := c
	sc.assets = int(c.steadyRate * float64(c.steadySeconds))
	sc.components = c.steadyComponents
	sc.seed = c.seed + 1
	wl, err := generate(sc, cp)
	if err != nil {
		return nil, err
	}
	for i := range wl.assets {
		wl.assets[i].name = fmt.Sprintf("steady-%05d", i+1)
	}
	return wl, nil
}

func phaseSteady(c config, cl *apiClient, wl *workload, r *engineResult) error {
	ctx := context.Background()
	st := &r.Steady
	st.Rate, st.Seconds, st.Components, st.Readers = c.steadyRate, c.steadySeconds, c.steadyComponents, c.steadyReaders
	stop := make(chan struct{})
	var readLat []time.Duration
	var rmu sync.Mutex
	var readers sync.WaitGroup
	for i := range c.steadyReaders {
		readers.Add(1)
		go func() {
			defer readers.Done()
			rng := rand.New(rand.NewPCG(c.seed, uint64(i)))
			queries := []string{"", "severity=critical,high", "kev=true", "ecosystem=Go", "ecosystem=PyPI", "q=GHSA"}
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				_, err := cl.get(ctx, "/api/v1/findings?limit=50&"+queries[rng.IntN(len(queries))])
				if err == nil {
					rmu.Lock()
					readLat = append(readLat, time.Since(t))
					rmu.Unlock()
				}
			}
		}()
	}
	// The queue, sampled every half second from the cheap job list.
	var queueMax atomic.Int64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			js, err := cl.Jobs(ctx, "match-snapshot", 500)
			if err != nil {
				continue
			}
			n := 0
			for _, j := range js {
				if j.State == "queued" {
					n++
				}
			}
			if int64(n) > queueMax.Load() {
				queueMax.Store(int64(n))
			}
		}
	}()

	snaps := make([]int64, len(wl.assets))
	var upLat []time.Duration
	var umu sync.Mutex
	var errs atomic.Int64
	var uploads sync.WaitGroup
	interval := time.Duration(float64(time.Second) / c.steadyRate)
	t0 := time.Now()
	for i, a := range wl.assets {
		// On schedule, whatever the server's pace: a slow server shows
		// as lag, not as a lower offered rate.
		time.Sleep(time.Until(t0.Add(time.Duration(i) * interval)))
		uploads.Add(1)
		go func() {
			defer uploads.Done()
			t := time.Now()
			out, err := cl.upload(ctx, a)
			d := time.Since(t)
			if err != nil {
				errs.Add(1)
				return
			}
			umu.Lock()
			upLat = append(upLat, d)
			umu.Unlock()
			snaps[i] = out.Snapshot.ID
		}()
	}
	uploads.Wait()
	tLast := time.Now()
	st.SBOMs, st.Errors = len(wl.assets), int(errs.Load())
	st.Achieved = round3(float64(len(wl.assets)) / tLast.Sub(t0).Seconds())
	st.Upload = statsOf(upLat)

	// Every snapshot's lag, once it is matched.
	var lags []time.Duration
	pending := map[int]bool{}
	for i, id := range snaps {
		if id != 0 {
			pending[i] = true
		}
	}
	var lastMatched time.Time // the server's clock, on this machine
	deadline := time.Now().Add(c.timeout)
	for len(pending) > 0 && time.Now().Before(deadline) {
		for i := range pending {
			sn, err := cl.Snapshot(ctx, snaps[i])
			if err != nil {
				return err
			}
			if !sn.MatchedAt.IsZero() {
				lags = append(lags, sn.MatchedAt.Sub(sn.CreatedAt))
				if sn.MatchedAt.After(lastMatched) {
					lastMatched = sn.MatchedAt
				}
				delete(pending, i)
			}
		}
		if len(pending) > 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	st.DrainS = round3(max(0, lastMatched.Sub(tLast).Seconds()))
	close(stop)
	readers.Wait()
	<-sampled
	st.Lag, st.Reads, st.QueueMax, st.UnmatchedAt = statsOf(lags), statsOf(readLat), int(queueMax.Load()), len(pending)
	if st.Errors > 0 || len(pending) > 0 {
		return fmt.Errorf("steady load: %d uploads failed, %d snapshots unmatched after %s", st.Errors, len(pending), c.timeout)
	}
	return nil
}
