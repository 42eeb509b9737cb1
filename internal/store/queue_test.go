package store_test

import (
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The queue report counts waiting and running jobs by kind and says since
// when the oldest has waited; every kind is listed, idle ones too.
func TestQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		before := time.Now().Add(-time.Second)
		for range 3 {
			if _, _, err := s.Enqueue(ctx, store.NewJob{Kind: model.JobMatchSnapshot}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.Claim(ctx, "runner-1", time.Minute); err != nil {
			t.Fatal(err)
		}
		q, err := s.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string]model.QueueStat{}
		for _, k := range q {
			byKind[k.Kind] = k
		}
		m := byKind[model.JobMatchSnapshot]
		if len(q) != len(model.JobKinds) || m.Queued != 2 || m.Running != 1 || m.OldestQueued.Before(before) || m.OldestQueued.After(time.Now()) {
			t.Fatalf("queue: %+v", q)
		}
		if r := byKind[model.JobRematch]; r.Queued != 0 || !r.OldestQueued.IsZero() {
			t.Errorf("idle kind: %+v", r)
		}
	})
}
