package service

import (
	"context"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// progressEvery is how often a job's progress is written at most.
const progressEvery = time.Second

// progress is where a running job reports how far it is: the runner puts
// one in the job's context, and the job's work calls reportProgress. It
// writes to the job's row at most once per progressEvery, and the last
// report when the job ends (flush), as the worker holding the job.
type progress struct {
	store  *store.Store
	job    int64
	worker string

	mu      sync.Mutex
	last    time.Time
	cur     model.JobProgress
	pending bool
}

type progressKey struct{}

func withProgress(ctx context.Context, p *progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// reportProgress says how far the job running in ctx is: done of total (0:
// not known) of what note counts. Outside a job it does nothing. A failed
// write is not the job's failure: progress is shown, never relied on.
func reportProgress(ctx context.Context, done, total int64, note string) {
	p, _ := ctx.Value(progressKey{}).(*progress)
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur, p.pending = model.JobProgress{Done: done, Total: total, Note: note}, true
	if time.Since(p.last) < progressEvery {
		return
	}
	p.write(ctx)
}

// flush writes the last report if it was held back.
func (p *progress) flush(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending {
		p.write(ctx)
	}
}

func (p *progress) write(ctx context.Context) {
	p.last, p.pending = time.Now(), false
	// A lost lease is the runner's to notice; after a store error the
	// next report, a second on, writes again.
	_ = p.store.JobProgress(context.WithoutCancel(ctx), p.job, p.worker, p.cur)
}
