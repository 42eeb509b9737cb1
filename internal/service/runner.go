package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Runner works through the job queue and queues feed syncs when they are
// due. Several runners — in one process or in several replicas sharing a
// PostgreSQL — can run at once: each job is claimed by one of them (row
// lock, SKIP LOCKED) and held by a lease the runner renews while it works.
// A runner that dies loses its lease and the job is queued again.
type Runner struct {
	Svc *Service
	// ID names this runner in the jobs table (host, pid and a random part).
	ID string
	// Workers is how many jobs run at once (default 2).
	Workers int
	// Lease is how long a claimed job is held without renewal (default 30s).
	Lease time.Duration
	// Poll is how often an idle worker looks for work (default 1s).
	Poll time.Duration
	// Schedule is how often due feeds are queued (default 30s).
	Schedule time.Duration
	// Grace is how long a running job may take to finish at shutdown before
	// it is abandoned (default 10s).
	Grace time.Duration

	// Counters for /metrics.
	Done, Failed, Abandoned atomic.Int64
	running                 atomic.Int64
}

// Running reports how many jobs this runner is working on.
func (r *Runner) Running() int64 { return r.running.Load() }

func (r *Runner) defaults() {
	if r.ID == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		r.ID = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	if r.Workers <= 0 {
		r.Workers = 2
	}
	if r.Lease <= 0 {
		r.Lease = 30 * time.Second
	}
	if r.Poll <= 0 {
		r.Poll = time.Second
	}
	if r.Schedule <= 0 {
		r.Schedule = 30 * time.Second
	}
	if r.Grace <= 0 {
		r.Grace = 10 * time.Second
	}
}

// Run works until ctx is cancelled; then it stops claiming, gives running
// jobs Grace to finish, abandons (releases) those that do not, and returns.
func (r *Runner) Run(ctx context.Context) {
	r.defaults()
	// hard is cancelled Grace after ctx: it interrupts running jobs.
	hard, cancelHard := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelHard()
	go func() {
		<-ctx.Done()
		t := time.NewTimer(r.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelHard()
		case <-hard.Done():
		}
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.scheduler(ctx) }()
	for i := range r.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); r.worker(ctx, hard, i) }()
	}
	wg.Wait()
}

// scheduler queues syncs of due feeds and requeues jobs of dead runners.
func (r *Runner) scheduler(ctx context.Context) {
	log := r.Svc.Log
	tick := time.NewTicker(r.Schedule)
	defer tick.Stop()
	for {
		if n, err := r.Svc.Store.Reap(ctx); err != nil && ctx.Err() == nil {
			log.Warn("requeueing abandoned jobs", "error", err)
		} else if n > 0 {
			log.Warn("requeued jobs whose runner stopped answering", "jobs", n)
			r.Svc.Wake()
		}
		r.queueDueSyncs(ctx)
		if err := r.Svc.QueueNotify(ctx); err != nil && ctx.Err() == nil {
			log.Warn("queueing the notifications' detection", "error", err)
		}
		if err := r.Svc.Store.PruneJobs(ctx, 7*24*time.Hour); err != nil && ctx.Err() == nil {
			log.Warn("pruning finished jobs", "error", err)
		}
		if err := r.Svc.Store.Maintain(ctx); err != nil && ctx.Err() == nil {
			log.Warn("database housekeeping", "error", err)
		}
		if err := r.Svc.Store.PruneSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pruning expired sessions", "error", err)
		}
		if n, err := r.Svc.EndExceptions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("ending exceptions", "error", err)
		} else if n > 0 {
			log.Info("exceptions ended (expired, or a vulnerability entered KEV); their findings reopened", "exceptions", n)
		}
		if n, err := r.Svc.AssessBacklog(ctx, 100); err != nil && ctx.Err() == nil {
			log.Warn("setting remediation clocks of findings stored before them", "error", err)
		} else if n > 0 {
			log.Info("remediation clocks and priorities set for findings stored before them", "findings", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// queueDueSyncs queues the sync of every feed that is due; a failure is
// logged and tried again at the next tick.
func (r *Runner) queueDueSyncs(ctx context.Context) {
	log := r.Svc.Log
	due, err := r.Svc.Store.DueFeeds(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("listing the feeds due for a sync", "error", err)
		}
		return
	}
	for _, f := range due {
		created, err := r.Svc.queueScheduledSync(ctx, f.ID)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("queueing a scheduled feed sync", "feed", f.Name, "error", err)
		case created:
			log.Info("feed sync queued by schedule", "feed", f.Name)
		}
	}
}

// queueScheduledSync queues a feed's scheduled sync, unless one is queued
// or running already.
func (s *Service) queueScheduledSync(ctx context.Context, feedID int64) (bool, error) {
	_, created, err := s.Store.Enqueue(ctx, syncJob(model.FeedPayload{FeedID: feedID, Scheduled: true}))
	if err == nil && created {
		s.Wake()
	}
	return created, err
}

func (r *Runner) worker(ctx, hard context.Context, n int) {
	log := r.Svc.Log
	for ctx.Err() == nil {
		// The claim is not cancelled with ctx: a cancel that lands while
		// the database commits it would leave a job claimed by nobody
		// until its lease ran out. A job claimed as the runner stops is
		// given back at once.
		j, ok, err := r.Svc.Store.Claim(context.WithoutCancel(ctx), r.ID, r.Lease)
		if err != nil {
			log.Warn("claiming a job", "error", err)
		}
		if ok && ctx.Err() != nil {
			if err := r.Svc.Store.Release(context.WithoutCancel(ctx), j.ID, r.ID); err != nil {
				log.Warn("giving the job back; its lease runs out instead", "error", err)
			}
			return
		}
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-r.Svc.wake:
			case <-time.After(r.Poll):
			}
			continue
		}
		r.run(ctx, hard, j)
	}
}

// run does one job, renewing its lease, and records how it ended.
func (r *Runner) run(ctx, hard context.Context, j model.Job) {
	log := r.Svc.Log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	r.running.Add(1)
	defer r.running.Add(-1)
	jobCtx, cancel := context.WithCancel(hard)
	defer cancel()
	lost := make(chan struct{})
	go func() {
		t := time.NewTicker(r.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-t.C:
				if err := r.Svc.Store.Renew(context.WithoutCancel(jobCtx), j.ID, r.ID, r.Lease); errors.Is(err, store.ErrLeaseLost) {
					log.Warn("lease lost; stopping the job")
					close(lost)
					cancel()
					return
				}
			}
		}
	}()
	start := time.Now()
	prog := &progress{store: r.Svc.Store, job: j.ID, worker: r.ID}
	err := r.Svc.RunJob(withProgress(jobCtx, prog), j)
	cancel()
	bg := context.WithoutCancel(ctx)
	select {
	case <-lost:
		return // another runner has it now
	default:
	}
	if err != nil && hard.Err() != nil {
		// Shut down mid-job: its transaction rolled back; give it back.
		r.Abandoned.Add(1)
		log.Warn("job abandoned at shutdown; it will run again", "error", err)
		if err := r.Svc.Store.Release(bg, j.ID, r.ID); err != nil {
			log.Warn("giving the job back; its lease runs out instead", "error", err)
		}
		return
	}
	prog.flush(bg)
	var retry time.Time
	if err != nil {
		r.Failed.Add(1)
		if j.Attempts < 3 {
			retry = time.Now().Add(time.Duration(j.Attempts*j.Attempts) * 30 * time.Second)
		}
		log.Warn("job failed", "error", err, "retry_at", retry)
	} else {
		r.Done.Add(1)
		log.Debug("job done", "took", time.Since(start).Round(time.Millisecond))
	}
	if err := r.Svc.Store.Finish(bg, j.ID, r.ID, err, retry); err != nil {
		log.Warn("recording job end", "error", err)
	}
	if err := r.Svc.Store.AnalyzeAfterWrites(bg); err != nil {
		log.Warn("refreshing planner statistics", "error", err)
	}
}
