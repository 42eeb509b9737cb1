package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// A job's progress is written by the worker holding it only, listed with
// the job, kept when it ends and started from zero by its next attempt.
func TestJobProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id, _, err := s.Enqueue(ctx, store.NewJob{Kind: model.JobSyncFeed})
		if err != nil {
			t.Fatal(err)
		}
		progressOf := func() model.JobProgress {
			t.Helper()
			js, err := s.Jobs(ctx, model.JobSyncFeed, 10)
			if err != nil || len(js) != 1 || js[0].ID != id {
				t.Fatalf("jobs: %+v, %v", js, err)
			}
			return js[0].Progress
		}
		p := model.JobProgress{Done: 3, Total: 8, Note: "files read"}
		if err := s.JobProgress(ctx, id, "runner-1", p); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("progress of a queued job: %v; want ErrLeaseLost", err)
		}
		if _, _, err := s.Claim(ctx, "runner-1", time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.JobProgress(ctx, id, "runner-2", p); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("progress by another worker: %v; want ErrLeaseLost", err)
		}
		if got := progressOf(); got != (model.JobProgress{}) {
			t.Errorf("another worker's progress was written: %+v", got)
		}
		if err := s.JobProgress(ctx, id, "runner-1", p); err != nil {
			t.Fatal(err)
		}
		if got := progressOf(); got != p {
			t.Errorf("progress %+v; want %+v", got, p)
		}
		if err := s.Finish(ctx, id, "runner-1", errors.New("boom"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := progressOf(); got != p {
			t.Errorf("progress after the attempt ended: %+v; want it kept", got)
		}
		if _, _, err := s.Claim(ctx, "runner-2", time.Minute); err != nil {
			t.Fatal(err)
		}
		if got := progressOf(); got != (model.JobProgress{}) {
			t.Errorf("progress of a new attempt: %+v; want zero", got)
		}
	})
}
