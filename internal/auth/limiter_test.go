package auth

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loginOp is one step of a sign-in scenario: a reservation for name from
// addr at t0+at, then what becomes of it.
type loginOp struct {
	do         string // "fail", "ok" (released), "hold" (left open) or "refused"
	name, addr string
	at         time.Duration
	times      int           // repeat count, 1 when 0
	retryAfter time.Duration // for "refused": the wanted wait, unchecked when 0
}

func ops(do, name, addr string, times int) loginOp {
	return loginOp{do: do, name: name, addr: addr, times: times}
}

func TestLoginLimiterScenarios(t *testing.T) {
	const ip1, ip2, ip3 = "192.0.2.1", "192.0.2.2", "198.51.100.3"
	var spray []loginOp // 20 names fail once each from ip1
	for i := range LoginAddrLimit {
		spray = append(spray, ops("fail", fmt.Sprint("user", i), ip1, 1))
	}
	var rounds []loginOp // 20 failures, a sign-in with another account after every 4
	for r := range LoginAddrLimit / 4 {
		if r > 0 {
			rounds = append(rounds, ops("ok", "mallory", ip1, 1))
		}
		for i := range 4 {
			rounds = append(rounds, ops("fail", fmt.Sprintf("victim%d-%d", r, i), ip1, 1))
		}
	}
	tests := []struct {
		name string
		ops  []loginOp
	}{
		{"five checks per name and address", []loginOp{
			ops("fail", "alice", ip1, 5), ops("refused", "alice", ip1, 1),
			ops("ok", "bob", ip1, 1), ops("ok", "alice", ip2, 1)}},
		{"checks in flight count", []loginOp{
			ops("hold", "alice", ip1, 5), ops("refused", "alice", ip1, 1)}},
		{"a success hands its slot back", []loginOp{
			ops("ok", "alice", ip1, 30), ops("fail", "alice", ip1, 5), ops("refused", "alice", ip1, 1)}},
		{"a success keeps earlier failures", []loginOp{
			ops("fail", "alice", ip1, 4), ops("ok", "alice", ip1, 1), ops("fail", "alice", ip1, 1),
			ops("refused", "alice", ip1, 1)}},
		{"an address fails at most 20 times across names", append(spray,
			ops("refused", "someone-else", ip1, 1), ops("ok", "someone-else", ip2, 1))},
		{"signing in with a second account does not reset the address", append(rounds,
			ops("refused", "another-victim", ip1, 1), ops("refused", "mallory", ip1, 1))},
		{"one person's typos do not lock out another", []loginOp{
			ops("fail", "alice", ip1, 5), ops("refused", "alice", ip1, 1), ops("ok", "bob", ip1, 1)}},
		{"failures elsewhere do not refuse the name", []loginOp{
			ops("fail", "alice", ip1, 5), ops("fail", "alice", ip2, 5), ops("ok", "alice", ip3, 1)}},
		{"failures age out", []loginOp{
			ops("fail", "alice", ip1, 5),
			{do: "refused", name: "alice", addr: ip1, at: LoginWindow - time.Second, retryAfter: time.Second},
			{do: "ok", name: "alice", addr: ip1, at: LoginWindow}}},
		{"names are case-insensitive", []loginOp{
			ops("fail", "Alice", ip1, 5), ops("refused", "ALICE", ip1, 1)}},
		{"an IPv6 address counts by its /64", []loginOp{
			ops("fail", "alice", "2001:db8::1", 5), ops("refused", "alice", "2001:db8::ffff:1", 1),
			ops("ok", "alice", "2001:db8:0:1::1", 1)}},
		{"an IPv4-mapped address is the IPv4 address", []loginOp{
			ops("fail", "alice", ip1, 5), ops("refused", "alice", "::ffff:"+ip1, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLoginLimiter()
			for i, op := range tt.ops {
				for range max(op.times, 1) {
					now := t0.Add(op.at)
					a, wait, ok := l.Reserve(op.name, op.addr, now)
					if want := op.do != "refused"; ok != want || (a != nil) != want {
						t.Fatalf("step %d, %s %s from %s: reserved %v (attempt %v), want %v", i, op.do, op.name, op.addr, ok, a, want)
					}
					switch op.do {
					case "fail":
						a.Fail(now)
					case "ok":
						a.Release()
					case "refused":
						if wait <= 0 || wait > LoginWindow || op.retryAfter != 0 && wait != op.retryAfter {
							t.Errorf("step %d: retryAfter %v, want %v (in (0, %v])", i, wait, op.retryAfter, LoginWindow)
						}
					}
				}
			}
		})
	}
}

func TestLoginBackoff(t *testing.T) {
	l := NewLoginLimiter()
	want := []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond,
		1600 * time.Millisecond, 3200 * time.Millisecond, 3200 * time.Millisecond, 3200 * time.Millisecond}
	for i, w := range want {
		// Every attempt from an address that has not failed: the owner's
		// right password is slowed, never refused.
		a, _, ok := l.Reserve("alice", fmt.Sprintf("203.0.113.%d", i), t0)
		if !ok {
			t.Fatalf("attempt %d refused", i)
		}
		if a.Delay != w {
			t.Errorf("after %d failures: delay %v, want %v", i, a.Delay, w)
		}
		a.Fail(t0)
	}
	if BackoffMax != 3200*time.Millisecond {
		t.Errorf("BackoffMax = %v, want 3.2s", BackoffMax)
	}
	a, _, _ := l.Reserve("bob", "203.0.113.1", t0)
	if a.Delay != 0 {
		t.Errorf("another name is slowed by %v", a.Delay)
	}
	a, _, _ = l.Reserve("alice", "203.0.113.99", t0.Add(BackoffWindow))
	if a.Delay != 0 {
		t.Errorf("once every failure aged out: delay %v, want 0", a.Delay)
	}
}

func TestLoginAttemptEndsOnce(t *testing.T) {
	l := NewLoginLimiter()
	a, _, _ := l.Reserve("alice", "192.0.2.1", t0)
	a.Fail(t0)
	a.Release() // no effect: the failure stays
	a.Fail(t0)  // no effect: counted once for the backoff
	if n := l.pairs.used(a.pair, a.at); n != 1 {
		t.Errorf("pair slots used = %d, want 1", n)
	}
	if b, _, _ := l.Reserve("alice", "192.0.2.2", t0); b.Delay != backoff(1) {
		t.Errorf("delay %v after one failure, want %v", b.Delay, backoff(1))
	}
	c, _, _ := l.Reserve("carol", "192.0.2.1", t0)
	c.Release()
	c.Fail(t0) // no effect: released
	if n := l.names.used(c.name, c.at); n != 0 {
		t.Errorf("a released attempt counted %d failures", n)
	}
}

// TestLoginLimiterParallel: of many parallel attempts for one name from one
// address, exactly LoginPairLimit get a check, whatever their order.
func TestLoginLimiterParallel(t *testing.T) {
	l := NewLoginLimiter()
	var reserved atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 60 {
		wg.Go(func() {
			<-start
			if a, _, ok := l.Reserve("alice", "192.0.2.1", t0); ok {
				reserved.Add(1)
				a.Fail(t0)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := reserved.Load(); n != LoginPairLimit {
		t.Errorf("%d of 60 parallel attempts reserved, want %d", n, LoginPairLimit)
	}
}

// TestLoginLimiterConcurrentMix runs every operation at once on tables
// small enough to evict all the time; with -race it checks the locking,
// and afterwards that the tables are consistent and within their caps.
func TestLoginLimiterConcurrentMix(t *testing.T) {
	l := NewLoginLimiter()
	for _, tb := range []*slotTable{l.pairs, l.addrs, l.names} {
		tb.max = 16
	}
	var wg sync.WaitGroup
	for w := range 50 {
		wg.Go(func() {
			for i := range 40 {
				now := t0.Add(time.Duration(i) * time.Second)
				a, _, ok := l.Reserve(fmt.Sprint("user", i%7), fmt.Sprint("10.0.0.", w%9), now)
				if !ok {
					continue
				}
				if i%3 == 0 {
					a.Release()
				} else {
					a.Fail(now)
				}
			}
		})
	}
	wg.Wait()
	for name, tb := range map[string]*slotTable{"pairs": l.pairs, "addrs": l.addrs, "names": l.names} {
		if len(tb.keys) > tb.max || len(tb.keys) != tb.order.Len() {
			t.Errorf("%s: %d keys, list %d, cap %d", name, len(tb.keys), tb.order.Len(), tb.max)
		}
		for e := tb.order.Front(); e != nil; e = e.Next() {
			if s := e.Value.(*slots); len(s.times) == 0 || len(s.times) > tb.n {
				t.Errorf("%s: key %q holds %d times, want 1..%d", name, s.key, len(s.times), tb.n)
			}
		}
	}
}

func TestAddrKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1":             "192.0.2.1",
		"::ffff:192.0.2.1":      "192.0.2.1",
		"2001:db8::1":           "2001:db8::/64",
		"2001:db8::ffff:1":      "2001:db8::/64",
		"2001:db8:0:1::1":       "2001:db8:0:1::/64",
		"fe80::1%eth0":          "fe80::/64",
		"::1":                   "::/64",
		"@":                     "@", // a Unix socket peer: not an IP
		"":                      "",
		"not an address at all": "not an address at all",
	} {
		if got := addrKey(addr); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", addr, got, want)
		}
	}
}
