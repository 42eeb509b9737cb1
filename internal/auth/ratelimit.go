package auth

import (
	"sync"
	"time"
)

// RateLimiter allows each address at most n uses a window: the public
// report form and tracking link use it, so that one address cannot flood
// the team with reports or messages. Addresses count as LoginLimiter
// counts them (IPv6 by its /64); memory is bounded as slotTable says.
type RateLimiter struct {
	mu    sync.Mutex
	addrs *slotTable
}

// NewRateLimiter allows n uses per address per window.
func NewRateLimiter(n int, window time.Duration) *RateLimiter {
	return &RateLimiter{addrs: newSlotTable(max(n, 1), window)}
}

// Allow takes a use for addr at now; when the address has none left it
// returns false and how long until one frees (always positive), and
// nothing is recorded.
func (l *RateLimiter) Allow(addr string, now time.Time) (retryAfter time.Duration, ok bool) {
	key, at := limitKey(addrKey(addr)), now.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addrs.used(key, at) >= l.addrs.n {
		return max(l.addrs.freeIn(key, at), time.Second), false
	}
	l.addrs.take(key, at)
	return 0, true
}
