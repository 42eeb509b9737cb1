package auth

import (
	"container/list"
	"slices"
	"time"
)

// DefaultMaxKeys is how many keys one slot table tracks at most.
const DefaultMaxKeys = 100_000

// maxLimitKeyLen bounds the memory one key can take: longer keys (an
// attacker may choose the user name) are tracked by their SHA-256.
const maxLimitKeyLen = 128

// slotTable counts the recent uses of each key: a use takes a slot, which
// it holds until it ages out after window. It keeps at most n uses per key,
// the latest ones. It is not safe for concurrent use; LoginLimiter locks
// around it.
//
// Memory is bounded: at most max keys (DefaultMaxKeys), each with at most
// n times of 8 bytes and no longer than 128 bytes (longer keys are tracked
// by their hash). Keys whose uses have all aged out are dropped as new uses
// arrive. When the table is still full, a use of a new key evicts the key
// whose latest use is oldest (oldest by the order of take calls, which is
// time order but for the few nanoseconds between a caller reading the clock
// and taking the lock).
//
// Why evict rather than refuse new keys when full: with a full table the
// limiter must either stop tracking new keys, so an attacker who fills it
// with junk keys turns limiting off for everyone else, or refuse attempts
// on untracked keys, so the same attacker locks everyone out. Evicting the
// oldest keeps both limiting and logins working; the price is that to wipe
// one victim's record an attacker must use about DefaultMaxKeys other keys
// within the window, and then gains only n more tries. LoginLimiter keys
// its tables so that this is expensive: a new key of the per-address table
// needs a new address, and one address makes at most LoginAddrLimit new
// (name, address) keys a window.
type slotTable struct {
	n      int
	window int64 // nanoseconds
	max    int   // keys tracked at most; DefaultMaxKeys, lowered by tests

	keys  map[string]*list.Element // of *slots
	order list.List                // of *slots, oldest latest use first
}

// slots are the recent uses of one key, oldest first, at most n of them,
// in Unix nanoseconds.
type slots struct {
	key   string
	times []int64
}

// newSlotTable returns a table keeping n uses per key for window.
func newSlotTable(n int, window time.Duration) *slotTable {
	return &slotTable{n: n, window: int64(window), max: DefaultMaxKeys, keys: make(map[string]*list.Element)}
}

// used reports how many uses of key are recent at now. It forgets the
// older ones, and the key once none is left.
func (t *slotTable) used(key string, now int64) int {
	e, found := t.keys[limitKey(key)]
	if !found {
		return 0
	}
	s := e.Value.(*slots)
	s.times = t.recent(s.times, now)
	if len(s.times) == 0 {
		t.remove(e)
	}
	return len(s.times)
}

// freeIn is how long until the oldest recent use of key ages out at now;
// zero when key has no recent use. It is at most the window: a caller that
// read the clock before others took their slots sees uses a little after
// its now.
func (t *slotTable) freeIn(key string, now int64) time.Duration {
	if t.used(key, now) == 0 {
		return 0
	}
	s := t.keys[limitKey(key)].Value.(*slots)
	return time.Duration(min(s.times[0]+t.window-now, t.window))
}

// take records a use of key at now. Only the latest n uses are kept.
func (t *slotTable) take(key string, now int64) {
	key = limitKey(key)
	t.pruneStale(now)
	e, found := t.keys[key]
	if !found {
		if len(t.keys) >= t.max {
			t.remove(t.order.Front())
		}
		e = t.order.PushBack(&slots{key: key})
		t.keys[key] = e
	}
	s := e.Value.(*slots)
	s.times = t.recent(s.times, now)
	// Insert in order: a caller that read the clock before another may
	// take the lock after it.
	i := len(s.times)
	for i > 0 && s.times[i-1] > now {
		i--
	}
	s.times = slices.Insert(s.times, i, now)
	if len(s.times) > t.n {
		s.times = append(s.times[:0], s.times[len(s.times)-t.n:]...)
	}
	t.order.MoveToBack(e)
}

// give hands back one use of key taken at at, if it is still held. The
// key keeps its place in the eviction order, which may now be later than
// its latest use: that only delays dropping it.
func (t *slotTable) give(key string, at int64) {
	e, found := t.keys[limitKey(key)]
	if !found {
		return
	}
	s := e.Value.(*slots)
	if i := slices.Index(s.times, at); i >= 0 {
		s.times = slices.Delete(s.times, i, i+1)
	}
	if len(s.times) == 0 {
		t.remove(e)
	}
}

// recent drops the times that have aged out at now, in place.
func (t *slotTable) recent(times []int64, now int64) []int64 {
	i := 0
	for i < len(times) && now-times[i] >= t.window {
		i++
	}
	if i == 0 {
		return times
	}
	return append(times[:0], times[i:]...)
}

// pruneStale drops keys whose latest use has aged out. The list is in
// order of latest use, so they are all at the front and each call does
// work only for keys it drops.
func (t *slotTable) pruneStale(now int64) {
	for e := t.order.Front(); e != nil; e = t.order.Front() {
		s := e.Value.(*slots)
		if now-s.times[len(s.times)-1] < t.window {
			return
		}
		t.remove(e)
	}
}

// remove stops tracking the key of e.
func (t *slotTable) remove(e *list.Element) {
	delete(t.keys, e.Value.(*slots).key)
	t.order.Remove(e)
}

// limitKey shortens an over-long key to its SHA-256, so no key takes more
// than maxLimitKeyLen bytes. It is idempotent: a hashed key is short.
func limitKey(key string) string {
	if len(key) <= maxLimitKeyLen {
		return key
	}
	return "sha256:" + HashToken(key)
}
