package auth

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// at is t0 plus d, in the table's Unix nanoseconds.
func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

func TestSlotTableCountsAndAgesOut(t *testing.T) {
	tb := newSlotTable(3, 10*time.Minute)
	for i := range 3 {
		tb.take("alice", at(time.Duration(i)*time.Minute))
	}
	now := at(3 * time.Minute)
	if n := tb.used("alice", now); n != 3 {
		t.Fatalf("used = %d after 3 takes, want 3", n)
	}
	// The first use, at t0, ages out at t0+10m.
	if d := tb.freeIn("alice", now); d != 7*time.Minute {
		t.Errorf("freeIn = %v, want 7m", d)
	}
	if n := tb.used("bob", now); n != 0 {
		t.Errorf("another key has %d uses", n)
	}
	if n := tb.used("alice", at(10*time.Minute-time.Nanosecond)); n != 3 {
		t.Errorf("just before the first use ages out: used = %d, want 3", n)
	}
	if n := tb.used("alice", at(10*time.Minute)); n != 2 {
		t.Errorf("once the first use aged out: used = %d, want 2", n)
	}
	if n := tb.used("alice", at(30*time.Minute)); n != 0 {
		t.Errorf("long after every use: used = %d", n)
	}
	if n := len(tb.keys); n != 0 {
		t.Errorf("%d keys tracked after every use aged out, want 0", n)
	}
	if d := tb.freeIn("alice", at(30*time.Minute)); d != 0 {
		t.Errorf("freeIn of an unused key = %v, want 0", d)
	}
}

func TestSlotTableGive(t *testing.T) {
	tb := newSlotTable(3, time.Hour)
	tb.take("alice", at(0))
	tb.take("alice", at(time.Second))
	tb.take("bob", at(time.Second))
	tb.give("alice", at(time.Second))
	tb.give("alice", at(time.Minute)) // never taken: no effect
	tb.give("carol", at(0))           // unknown key: no effect
	if n := tb.used("alice", at(2*time.Second)); n != 1 {
		t.Errorf("after giving one of 2 back: used = %d, want 1", n)
	}
	tb.give("alice", at(0))
	if _, found := tb.keys["alice"]; found {
		t.Error("a key with every use given back is still tracked")
	}
	if len(tb.keys) != 1 || tb.order.Len() != 1 {
		t.Errorf("tracked %d keys, list %d; want 1 (bob)", len(tb.keys), tb.order.Len())
	}
}

func TestSlotTableKeepsLatestNInOrder(t *testing.T) {
	tb := newSlotTable(3, time.Hour)
	for _, d := range []time.Duration{5, 1, 4, 2, 3} { // clock reads taken out of order
		tb.take("alice", at(d*time.Second))
	}
	got := tb.keys["alice"].Value.(*slots).times
	want := []int64{at(3 * time.Second), at(4 * time.Second), at(5 * time.Second)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("times kept = %v, want the latest 3 in order %v", got, want)
	}
	for range 1000 {
		tb.take("alice", at(time.Minute))
	}
	if got := len(tb.keys["alice"].Value.(*slots).times); got != 3 {
		t.Errorf("%d times kept, want 3", got)
	}
}

func TestSlotTablePrunesStaleKeys(t *testing.T) {
	tb := newSlotTable(5, time.Minute)
	for i := range 100 {
		tb.take(fmt.Sprint("k", i), at(0))
	}
	tb.take("late", at(time.Minute))
	if n := len(tb.keys); n != 1 {
		t.Errorf("tracked = %d after the others aged out, want 1", n)
	}
}

func TestSlotTableBoundedMemory(t *testing.T) {
	tb := newSlotTable(1, time.Hour)
	tb.max = 100
	tb.take("victim", at(0))
	for i := range 10_000 {
		tb.take(fmt.Sprint("junk", i), at(time.Second))
		if n := len(tb.keys); n > tb.max {
			t.Fatalf("%d keys tracked, cap %d", n, tb.max)
		}
	}
	if tb.used("junk9999", at(time.Second)) != 1 {
		t.Error("the newest key was evicted")
	}
	if tb.used("victim", at(time.Second)) != 0 {
		t.Error("the oldest key was not evicted")
	}
	if len(tb.keys) != tb.order.Len() {
		t.Errorf("map has %d keys, list %d", len(tb.keys), tb.order.Len())
	}
}

func TestSlotTableDefaultCap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the default table")
	}
	tb := newSlotTable(5, time.Hour)
	for i := range DefaultMaxKeys + 1000 {
		tb.take(fmt.Sprint("10.0.", i), at(0))
	}
	if n := len(tb.keys); n != DefaultMaxKeys {
		t.Errorf("tracked = %d, want the cap %d", n, DefaultMaxKeys)
	}
}

func TestSlotTableLongKeys(t *testing.T) {
	tb := newSlotTable(1, time.Hour)
	long := strings.Repeat("a", 1<<20)
	tb.take(long+"1", at(0))
	if tb.used(long+"1", at(0)) != 1 {
		t.Error("long key not counted")
	}
	if tb.used(long+"2", at(0)) != 0 {
		t.Error("two long keys share a record")
	}
	for k := range tb.keys {
		if len(k) > maxLimitKeyLen {
			t.Errorf("a %d-byte key is stored", len(k))
		}
	}
	tb.give(long+"1", at(0))
	if tb.used(long+"1", at(0)) != 0 {
		t.Error("give of a long key")
	}
	if k := limitKey(long); limitKey(k) != k {
		t.Error("limitKey of a hashed key changes it")
	}
}

// A caller that read the clock before others took their slots is told to
// wait at most the window (the login page said "61 seconds" under load).
func TestSlotTableFreeInAtMostTheWindow(t *testing.T) {
	tb := newSlotTable(2, time.Minute)
	tb.take("alice", at(5*time.Millisecond))
	tb.take("alice", at(7*time.Millisecond))
	if d := tb.freeIn("alice", at(0)); d != time.Minute {
		t.Errorf("freeIn before the uses' own time = %v, want the window, 1m", d)
	}
}
