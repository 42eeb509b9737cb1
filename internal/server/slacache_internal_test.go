package server

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestPageSLAFigures: the pages' SLA figures are reused while fresh,
// answered stale while newer ones are computed in the background, and
// computed at once when older than an hour (by the store's clock).
func TestPageSLAFigures(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.Engines(t)[0].Config(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var offset atomic.Int64
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return t0.Add(time.Duration(offset.Load())) })
	s := New(service.New(st, nil), nil, slog.New(slog.DiscardHandler), "test")
	to := func() time.Time {
		t.Helper()
		rep, err := s.pageSLAFigures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep.To
	}
	if got := to(); !got.Equal(t0) {
		t.Fatalf("first figures to %v; want %v", got, t0)
	}
	offset.Store(int64(time.Minute))
	if got := to(); !got.Equal(t0) {
		t.Errorf("a minute later: figures to %v; want the cached %v", got, t0)
	}
	offset.Store(int64(10 * time.Minute))
	if got := to(); !got.Equal(t0) {
		t.Errorf("ten minutes later: figures to %v; want the stale %v while new ones are computed", got, t0)
	}
	t10 := t0.Add(10 * time.Minute)
	deadline := time.Now().Add(30 * time.Second)
	for !to().Equal(t10) {
		if time.Now().After(deadline) {
			t.Fatal("the background computation never landed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	offset.Store(int64(2 * time.Hour))
	if got := to(); !got.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("two hours later: figures to %v; want new ones", got)
	}
}
