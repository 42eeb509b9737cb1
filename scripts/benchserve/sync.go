package main

// Phase sync: the OSV feeds and the KEV feed, synced and timed.

import (
	"context"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
)

// phaseSync creates one OSV feed per corpus zip, syncs them all and times
// it until every sync job (and the re-match jobs they queue) is done; then
// the KEV feed.
func phaseSync(c config, cl *apiClient, cs *corpusServer, r *engineResult) error {
	ctx := context.Background()
	t0 := time.Now()
	for _, eco := range ecosystems {
		f, err := cl.CreateFeed(ctx, osvFeed("bench-osv-"+eco, cs.base+"/"+eco+"/all.zip"))
		if err != nil {
			return err
		}
		// Creating an enabled feed queues its first sync; this asks again
		// (and is told it is queued already), as an operator would.
		if _, err := cl.SyncFeed(ctx, f.ID, false); err != nil {
			return err
		}
	}
	if _, err := cl.waitIdle(ctx, 50*time.Millisecond, c.timeout); err != nil {
		return err
	}
	r.Sync.WallS = round3(time.Since(t0).Seconds())
	r.Sync.Feeds = len(ecosystems)
	for _, kind := range []string{"sync-feed", "rematch"} {
		js, err := cl.Jobs(ctx, kind, 50)
		if err != nil {
			return err
		}
		for _, j := range js {
			r.Sync.Jobs = append(r.Sync.Jobs, jobTimesOf(j))
			if j.State != "done" {
				return fmt.Errorf("job %d (%s) %s: %s", j.ID, j.Kind, j.State, j.Error)
			}
		}
	}
	if cs.has("/kev.json") {
		t := time.Now()
		kev := osvFeed("bench-kev", cs.base+"/kev.json")
		kev.Kind = ptr("kev")
		if _, err := cl.CreateFeed(ctx, kev); err != nil {
			return err
		}
		if _, err := cl.waitIdle(ctx, 50*time.Millisecond, c.timeout); err != nil {
			return err
		}
		r.Sync.KEVS = round3(time.Since(t).Seconds())
	}
	o, err := cl.Overview(ctx)
	if err != nil {
		return err
	}
	r.Sync.Advisories = o.Advisories
	return nil
}

// osvFeed is an OSV feed synced daily: the benchmark syncs on demand.
func osvFeed(name, url string) api.FeedInput {
	return api.FeedInput{Name: ptr(name), Kind: ptr("osv"), URL: ptr(url), Interval: ptr(86400)}
}

func ptr[T any](v T) *T { return &v }
