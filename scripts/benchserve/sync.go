package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// Phase sync: the OSV feeds and the KEV feed, synced and timed.

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
