package auth

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// The sign-in limits a LoginLimiter enforces.
const (
	// LoginPairLimit is how many password checks one user name may have
	// from one address within LoginWindow: enough for a person's typos.
	LoginPairLimit = 5
	// LoginAddrLimit is how many failed sign-ins one address may have
	// across all names within LoginWindow. It is larger than the pair
	// limit, so that one person's typos do not lock out colleagues behind
	// the same NAT, and small enough to stop a spray across many names.
	LoginAddrLimit = 20
	// LoginWindow is how long a failure counts against those limits.
	LoginWindow = time.Minute

	// BackoffWindow is how long a failure slows down later sign-ins with
	// the same name, from any address.
	BackoffWindow = 15 * time.Minute
	// BackoffMax caps that delay: 200ms after one failure, doubling with
	// each further one, 3.2s from the fifth.
	BackoffMax  = backoffBase << (backoffSteps - 1)
	backoffBase = 200 * time.Millisecond
	// backoffSteps failures reach BackoffMax; more are not counted.
	backoffSteps = 5
)

// LoginLimiter throttles sign-ins. It counts on three keys:
//
//   - (name, address): at most LoginPairLimit password checks a window.
//     This is what stops guessing one account from one address.
//   - address: at most LoginAddrLimit failures a window, across names.
//   - name, from any address: failures add a growing delay before the
//     check (up to BackoffMax) rather than a refusal, so that nobody can
//     lock an account out from elsewhere: its owner, from an address that
//     has not failed, is slowed down but signs in.
//
// An attempt is reserved before the password is checked, atomically for
// its pair and its address, and counts as a failure until the password
// proves right; then only its own slots are handed back. Parallel guesses
// therefore cannot all pass the limit before the first of them fails, and a
// sign-in with another account does not wipe an address's failures.
//
// Addresses are IPs as strings; IPv6 addresses count by their /64, which a
// single host usually has to itself. Names are compared case-insensitively.
// It is safe for concurrent use. Its memory is bounded as slotTable says:
// with all three tables full of 100-byte names, about 95 MB.
type LoginLimiter struct {
	mu    sync.Mutex
	pairs *slotTable // address + " " + name: reservations and failures
	addrs *slotTable // address: reservations and failures
	names *slotTable // name: failures, for the backoff
}

// NewLoginLimiter returns a limiter with the limits above.
func NewLoginLimiter() *LoginLimiter {
	return &LoginLimiter{
		pairs: newSlotTable(LoginPairLimit, LoginWindow),
		addrs: newSlotTable(LoginAddrLimit, LoginWindow),
		names: newSlotTable(backoffSteps, BackoffWindow),
	}
}

// Attempt is a reserved sign-in attempt. The caller waits Delay, checks the
// password, then calls Release or Fail, once.
type Attempt struct {
	// Delay is how long to wait before checking the password: the backoff
	// that recent failures of the name, from any address, have earned.
	Delay time.Duration

	l                *LoginLimiter
	pair, addr, name string
	at               int64
	done             bool
}

// Reserve reserves an attempt to sign in as name from addr at now. When the
// pair or the address has no slot left it returns ok false and how long
// until one frees, always positive; nothing is recorded then.
func (l *LoginLimiter) Reserve(name, addr string, now time.Time) (a *Attempt, retryAfter time.Duration, ok bool) {
	name, addr = strings.ToLower(name), addrKey(addr)
	a = &Attempt{l: l, pair: limitKey(addr + " " + name), addr: limitKey(addr), name: limitKey(name), at: now.UnixNano()}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pairs.used(a.pair, a.at) >= l.pairs.n {
		retryAfter = l.pairs.freeIn(a.pair, a.at)
	}
	if l.addrs.used(a.addr, a.at) >= l.addrs.n {
		retryAfter = max(retryAfter, l.addrs.freeIn(a.addr, a.at))
	}
	if retryAfter > 0 {
		return nil, retryAfter, false
	}
	l.pairs.take(a.pair, a.at)
	l.addrs.take(a.addr, a.at)
	a.Delay = backoff(l.names.used(a.name, a.at))
	return a, 0, true
}

// Release hands the attempt's slots back: the password was right, or was
// never checked (the client left, the store failed). Failures recorded
// earlier stay counted.
func (a *Attempt) Release() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	a.l.pairs.give(a.pair, a.at)
	a.l.addrs.give(a.addr, a.at)
}

// Fail records that the password was wrong, at now: the attempt's slots
// stay taken until they age out, and the name's backoff grows.
func (a *Attempt) Fail(now time.Time) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	a.l.names.take(a.name, now.UnixNano())
}

// backoff is the delay before a check after failures recent failures of
// the name: none, then backoffBase doubling up to BackoffMax.
func backoff(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	return min(BackoffMax, backoffBase<<min(failures-1, backoffSteps-1))
}

// addrKey is what an address counts as: an IPv4 address (IPv4-mapped IPv6
// included) as itself, an IPv6 address as its /64, anything that does not
// parse as an IP as the string itself.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64) // cannot fail: 64 bits of an IPv6 address
	return p.String()
}
