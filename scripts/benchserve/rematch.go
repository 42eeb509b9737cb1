package main

// Phase rematch: advisories revised, the incremental re-match timed.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// phaseRematch serves the changed corpus, triggers the feed's sync and
// times until the re-match job it queues is done.
func phaseRematch(c config, cl *apiClient, s *server, cs *corpusServer, wl *workload, mod *modification, r *engineResult) error {
	ctx := context.Background()
	r.Rematch.Changed = len(mod.ids)
	// The re-match is timed in a settled server: the bulk load just
	// before leaves hundreds of MiB for the disk to write back (and a
	// SQLite log to checkpoint), which otherwise lands in the re-match.
	time.Sleep(c.settle)
	r.Rematch.SettleS = c.settle.Seconds()
	feeds, err := cl.Feeds(ctx)
	if err != nil {
		return err
	}
	var feedID int64
	for _, f := range feeds {
		if f.Name == "bench-osv-"+mod.eco {
			feedID = f.ID
		}
	}
	prev, err := cl.Jobs(ctx, "rematch", 5)
	if err != nil {
		return err
	}
	var prevMax int64
	for _, j := range prev {
		prevMax = max(prevMax, j.ID)
	}
	cs.set("/"+mod.eco+"/all.zip", mod.zip)
	t0 := time.Now()
	q, err := cl.SyncFeed(ctx, feedID, false)
	if err != nil {
		return err
	}
	deadline := t0.Add(c.timeout)
	var syncJob, rm model.Job
	for {
		if syncJob.FinishedAt.IsZero() {
			js, err := cl.Jobs(ctx, "sync-feed", 10)
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
			js, err := cl.Jobs(ctx, "rematch", 10)
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
	r.Rematch.SyncJob = jobTimesOf(syncJob)
	r.Rematch.RematchJob = jobTimesOf(rm)
	if l := s.logLines("advisory changes re-matched"); len(l) > 0 {
		kv := l[len(l)-1]
		r.Rematch.Log = fmt.Sprintf("keys=%s assets=%s new=%s resolved=%s reopened=%s took=%s", kv["keys"], kv["assets"], kv["new"], kv["resolved"], kv["reopened"], kv["took"])
	}
	for _, kv := range s.logLines("feed synced") {
		if kv["feed"] == "bench-osv-"+mod.eco {
			r.Rematch.SyncLog = fmt.Sprintf("changed=%s took=%s", kv["changed"], kv["took"])
		}
	}
	if _, err := cl.waitIdle(ctx, 50*time.Millisecond, c.timeout); err != nil {
		return err
	}
	o, err := cl.Overview(ctx)
	if err != nil {
		return err
	}
	r.Rematch.OpenAfter, r.Rematch.ExpectedAfter = o.Open, wl.expectedAfter
	return nil
}
