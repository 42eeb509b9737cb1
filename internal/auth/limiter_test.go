package auth

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func allowed(l *Limiter, key string, now time.Time) bool {
	ok, _ := l.Allow(key, now)
	return ok
}

func TestLimiterRefusesAfterN(t *testing.T) {
	l := NewLimiter(3, 10*time.Minute)
	for i := range 3 {
		now := t0.Add(time.Duration(i) * time.Minute)
		if ok, wait := l.Allow("alice", now); !ok || wait != 0 {
			t.Fatalf("attempt %d refused (%v) after %d failures", i+1, wait, i)
		}
		l.Fail("alice", now)
	}
	ok, wait := l.Allow("alice", t0.Add(3*time.Minute))
	if ok {
		t.Fatal("4th attempt allowed after 3 failures")
	}
	// The first failure, at t0, ages out at t0+10m.
	if wait != 7*time.Minute {
		t.Errorf("retryAfter = %v, want 7m", wait)
	}
	if !allowed(l, "bob", t0.Add(3*time.Minute)) {
		t.Error("another key is refused")
	}
}

func TestLimiterAgesOut(t *testing.T) {
	l := NewLimiter(3, 10*time.Minute)
	for i := range 3 {
		l.Fail("alice", t0.Add(time.Duration(i)*time.Minute))
	}
	if ok, wait := l.Allow("alice", t0.Add(10*time.Minute-time.Nanosecond)); ok || wait != time.Nanosecond {
		t.Errorf("just before the first failure ages out: %v, %v; want refused for 1ns", ok, wait)
	}
	if !allowed(l, "alice", t0.Add(10*time.Minute)) {
		t.Fatal("refused once the first failure aged out")
	}
	// Two failures are still counted: one more refuses again, until t0+11m.
	l.Fail("alice", t0.Add(10*time.Minute))
	if ok, wait := l.Allow("alice", t0.Add(10*time.Minute)); ok || wait != time.Minute {
		t.Errorf("after a new failure: %v, %v; want refused for 1m", ok, wait)
	}
	if !allowed(l, "alice", t0.Add(30*time.Minute)) {
		t.Error("refused long after every failure")
	}
	if n := l.tracked(); n != 0 {
		t.Errorf("%d keys tracked after every failure aged out, want 0", n)
	}
}

func TestLimiterReset(t *testing.T) {
	l := NewLimiter(2, time.Hour)
	l.Fail("alice", t0)
	l.Fail("alice", t0)
	l.Fail("bob", t0)
	if allowed(l, "alice", t0) {
		t.Fatal("allowed after 2 failures")
	}
	l.Reset("alice")
	l.Reset("carol") // unknown: no effect
	if !allowed(l, "alice", t0) {
		t.Error("refused after Reset")
	}
	l.Fail("alice", t0)
	if !allowed(l, "alice", t0) {
		t.Error("Reset did not forget the earlier failures")
	}
	if l.tracked() != 2 {
		t.Errorf("tracked = %d, want 2 (alice, bob)", l.tracked())
	}
}

func TestLimiterAllowRecordsNothing(t *testing.T) {
	l := NewLimiter(1, time.Hour)
	for i := range 1000 {
		l.Allow(fmt.Sprint("k", i), t0)
	}
	if n := l.tracked(); n != 0 {
		t.Errorf("Allow alone tracks %d keys", n)
	}
}

func TestLimiterPrunesStaleKeys(t *testing.T) {
	l := NewLimiter(5, time.Minute)
	for i := range 100 {
		l.Fail(fmt.Sprint("k", i), t0)
	}
	l.Fail("late", t0.Add(time.Minute))
	if n := l.tracked(); n != 1 {
		t.Errorf("tracked = %d after the others aged out, want 1", n)
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	l := NewLimiter(1, time.Hour)
	l.max = 100
	l.Fail("victim", t0)
	for i := range 10_000 {
		l.Fail(fmt.Sprint("junk", i), t0.Add(time.Second))
		if n := l.tracked(); n > l.max {
			t.Fatalf("%d keys tracked, cap %d", n, l.max)
		}
	}
	if allowed(l, "junk9999", t0.Add(time.Second)) {
		t.Error("the newest key was evicted")
	}
	if !allowed(l, "victim", t0.Add(time.Second)) {
		t.Error("the oldest key was not evicted")
	}
	if len(l.keys) != l.order.Len() {
		t.Errorf("map has %d keys, list %d", len(l.keys), l.order.Len())
	}
}

func TestLimiterDefaultCap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the default table")
	}
	l := NewLimiter(5, time.Hour)
	for i := range DefaultMaxKeys + 1000 {
		l.Fail(fmt.Sprint("10.0.", i), t0)
	}
	if n := l.tracked(); n != DefaultMaxKeys {
		t.Errorf("tracked = %d, want the cap %d", n, DefaultMaxKeys)
	}
}

func TestLimiterKeepsOnlyNFailures(t *testing.T) {
	l := NewLimiter(3, time.Hour)
	for range 1000 {
		l.Fail("alice", t0)
	}
	e := l.keys["alice"]
	if got := len(e.Value.(*failures).times); got != 3 {
		t.Errorf("%d failure times kept, want 3", got)
	}
}

func TestLimiterLongKeys(t *testing.T) {
	l := NewLimiter(1, time.Hour)
	long := strings.Repeat("a", 1<<20)
	l.Fail(long+"1", t0)
	if allowed(l, long+"1", t0) {
		t.Error("long key not limited")
	}
	if !allowed(l, long+"2", t0) {
		t.Error("two long keys share a record")
	}
	for k := range l.keys {
		if len(k) > maxLimitKeyLen {
			t.Errorf("a %d-byte key is stored", len(k))
		}
	}
	l.Reset(long + "1")
	if !allowed(l, long+"1", t0) {
		t.Error("Reset of a long key")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	const workers, each = 50, 20
	counting := NewLimiter(workers*each, time.Hour) // nothing evicted: counts exactly
	small := NewLimiter(1, time.Hour)               // evicting all the time
	small.max = 16
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				counting.Fail("shared", t0)
				own := fmt.Sprint("w", w, "-", i)
				counting.Allow(own, t0)
				counting.Fail(own, t0)
				counting.Reset(own)
				small.Fail(own, t0)
				small.Allow(own, t0)
				if i%3 == 0 {
					small.Reset(own)
				}
			}
		})
	}
	wg.Wait()
	if allowed(counting, "shared", t0) {
		t.Errorf("allowed after %d concurrent failures", workers*each)
	}
	if n := counting.tracked(); n != 1 {
		t.Errorf("tracked %d keys, want 1 (every other was reset)", n)
	}
	if n := small.tracked(); n > small.max || n != small.order.Len() {
		t.Errorf("tracked %d keys, list %d, cap %d", n, small.order.Len(), small.max)
	}
}

func TestNewLimiterPanics(t *testing.T) {
	for _, c := range []struct {
		n int
		w time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {1, 0}, {1, -time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewLimiter(%d, %v) did not panic", c.n, c.w)
				}
			}()
			NewLimiter(c.n, c.w)
		}()
	}
}
