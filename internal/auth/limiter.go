package auth

import (
	"container/list"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxKeys is how many keys a Limiter tracks at most.
const DefaultMaxKeys = 100_000

// maxKeyLen bounds the memory one key can take: longer keys (an attacker
// may choose the user name) are tracked by their SHA-256.
const maxLimitKeyLen = 128

// Limiter allows at most n failed attempts per key within window; further
// attempts are refused until old failures age out. Keys are what the
// caller limits on, typically the user name and the client address
// separately. It is safe for concurrent use.
//
// Memory is bounded: the limiter tracks at most DefaultMaxKeys keys, each
// with at most n failure times and no longer than 128 bytes (longer keys
// are tracked by their hash). Keys whose failures have all aged out are
// dropped as new failures arrive. When the table is still full, a failure
// for a new key evicts the key whose latest failure is oldest (oldest by
// the order of Fail calls, which is time order unless callers pass times
// out of order).
//
// Why evict rather than refuse new keys when full: with a full table the
// limiter must either stop tracking new keys, so an attacker who fills it
// with junk keys turns limiting off for everyone else, or refuse attempts
// on untracked keys, so the same attacker locks everyone out. Evicting
// the oldest keeps both limiting and logins working; the price is that to
// wipe one victim's record an attacker must fail on about DefaultMaxKeys
// other keys within the window, and then gains only n more guesses.
// Limiting on the client address as well makes even that expensive.
type Limiter struct {
	n      int
	window time.Duration
	max    int // keys tracked at most; DefaultMaxKeys, lowered by tests

	mu    sync.Mutex
	keys  map[string]*list.Element // of *failures
	order list.List                // of *failures, oldest latest-failure first
}

// failures are the recent failed attempts for one key, oldest first, at
// most n of them.
type failures struct {
	key   string
	times []time.Time
}

// NewLimiter returns a limiter allowing n failures per key within window.
// It panics if n < 1 or window <= 0.
func NewLimiter(n int, window time.Duration) *Limiter {
	if n < 1 || window <= 0 {
		panic(fmt.Sprintf("auth.NewLimiter(%d, %v): want n >= 1 and a positive window", n, window))
	}
	return &Limiter{n: n, window: window, max: DefaultMaxKeys, keys: make(map[string]*list.Element)}
}

// Allow tells whether an attempt for key may go ahead at now. If not,
// retryAfter is how long until the oldest counted failure ages out, always
// positive. Allow records nothing; call Fail after a failed attempt.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	key = limitKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	e, found := l.keys[key]
	if !found {
		return true, 0
	}
	f := e.Value.(*failures)
	f.times = l.recent(f.times, now)
	if len(f.times) == 0 {
		l.remove(e)
		return true, 0
	}
	if len(f.times) < l.n {
		return true, 0
	}
	return false, f.times[0].Add(l.window).Sub(now)
}

// Fail records a failed attempt for key at now. Only the latest n failures
// are kept, so a failure recorded while refused restarts the wait; callers
// normally skip the attempt, and so Fail, when Allow refuses.
func (l *Limiter) Fail(key string, now time.Time) {
	key = limitKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneStale(now)
	e, found := l.keys[key]
	if !found {
		if len(l.keys) >= l.max {
			l.remove(l.order.Front())
		}
		e = l.order.PushBack(&failures{key: key})
		l.keys[key] = e
	}
	f := e.Value.(*failures)
	f.times = append(l.recent(f.times, now), now)
	if len(f.times) > l.n {
		f.times = append(f.times[:0], f.times[len(f.times)-l.n:]...)
	}
	l.order.MoveToBack(e)
}

// Reset forgets the failures for key, after a successful login.
func (l *Limiter) Reset(key string) {
	key = limitKey(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, found := l.keys[key]; found {
		l.remove(e)
	}
}

// recent drops the times that have aged out at now, in place.
func (l *Limiter) recent(times []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= l.window {
		i++
	}
	if i == 0 {
		return times
	}
	return append(times[:0], times[i:]...)
}

// pruneStale drops keys whose latest failure has aged out. The list is in
// order of latest failure, so they are all at the front and each call does
// work only for keys it drops.
func (l *Limiter) pruneStale(now time.Time) {
	for e := l.order.Front(); e != nil; e = l.order.Front() {
		f := e.Value.(*failures)
		if now.Sub(f.times[len(f.times)-1]) < l.window {
			return
		}
		l.remove(e)
	}
}

// remove stops tracking the key of e.
func (l *Limiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*failures).key)
	l.order.Remove(e)
}

// tracked reports how many keys the limiter holds, for tests.
func (l *Limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// limitKey shortens an over-long key to its SHA-256, so no key takes more
// than maxLimitKeyLen bytes.
func limitKey(key string) string {
	if len(key) <= maxLimitKeyLen {
		return key
	}
	return "sha256:" + HashToken(key)
}
