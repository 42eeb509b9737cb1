package feed

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPolicyAddresses: URLs whose host is a loopback, link-local or
// private address (or a name that always means loopback) are refused as
// written, unless private feeds are allowed; multicast never.
func TestPolicyAddresses(t *testing.T) {
	strict, err := NewPolicy(Rules{})
	if err != nil {
		t.Fatal(err)
	}
	private := mirror(t)
	for _, tc := range []struct {
		src   string
		class string // "" when allowed on the strict policy
		never bool   // refused even with private feeds allowed
	}{
		{"https://osv.example.org/Go/all.zip", "", false},
		{"https://8.8.8.8/x", "", false},
		{"https://[2001:4860:4860::8888]/x", "", false},
		{"https://127.0.0.1/x", "loopback", false},
		{"http://127.0.0.1:8080/x", "loopback", false},
		{"https://127.9.9.9/x", "loopback", false},
		{"https://[::1]/x", "loopback", false},
		{"https://[::ffff:127.0.0.1]/x", "loopback", false},
		{"https://localhost/x", "loopback", false},
		{"http://localhost:9/x", "loopback", false},
		{"https://feeds.localhost./x", "loopback", false},
		{"https://0.0.0.0/x", "loopback", false},
		{"https://0.1.2.3/x", "loopback", false},
		{"https://[::]/x", "loopback", false},
		{"https://169.254.169.254/latest/meta-data/", "link-local", false},
		{"https://[fe80::1]/x", "link-local", false},
		{"https://[64:ff9b::a9fe:a9fe]/x", "link-local", false}, // 169.254.169.254 through NAT64
		{"https://10.1.2.3/x", "private", false},
		{"https://172.16.0.1/x", "private", false},
		{"https://192.168.1.1/x", "private", false},
		{"https://100.64.0.1/x", "private", false},
		{"https://[fd00::1]/x", "private", false},
		{"https://224.0.0.1/x", "multicast", true},
		{"https://255.255.255.255/x", "reserved", true},
	} {
		err := strict.Check(tc.src)
		if tc.class == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.src, err)
			}
			continue
		}
		if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), tc.class) {
			t.Errorf("%s: %v, want refused as %s", tc.src, err, tc.class)
		}
		if tc.class != "multicast" && tc.class != "reserved" && !strings.Contains(err.Error(), "--allow-private-feeds") {
			t.Errorf("%s: %v does not say how a local mirror is allowed", tc.src, err)
		}
		if err := private.Check(tc.src); (err != nil) != tc.never {
			t.Errorf("%s with private feeds allowed: %v", tc.src, err)
		}
	}
}

// fakeDNS answers A queries for the names it knows (AAAA with nothing,
// others NXDOMAIN), over UDP on loopback: a resolver for tests without a
// network, so that a name can resolve to any address.
func fakeDNS(t *testing.T, names map[string]string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], names); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// dnsAnswer builds the answer to one query (RFC 1035 §4.1).
func dnsAnswer(q []byte, names map[string]string) []byte {
	if len(q) < 12 {
		return nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	resp := append([]byte{q[0], q[1], 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0}, question...)
	ip, ok := names[strings.ToLower(strings.Join(labels, "."))]
	if !ok {
		resp[3] |= 3 // NXDOMAIN
		return resp
	}
	if qtype != 1 {
		return resp // no AAAA
	}
	resp[7] = 1
	a := netip.MustParseAddr(ip).As4()
	resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
	return append(resp, a[:]...)
}

// TestPolicyDialsNoRefusedAddress: a name that resolves to a loopback
// address (a DNS rebinding) passes the check of the URL as written, and is
// refused when dialled: nothing reaches the server behind it.
func TestPolicyDialsNoRefusedAddress(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := fakeDNS(t, map[string]string{"rebind.example.test": "127.0.0.1", "meta.example.test": "169.254.169.254"})
	if addrs, err := res.LookupNetIP(context.Background(), "ip4", "rebind.example.test"); err != nil || len(addrs) != 1 {
		t.Fatalf("the fake resolver: %v, %v", addrs, err)
	}
	strict := &Policy{resolver: res}
	src := "https://rebind.example.test:" + port + "/kev.json?token=s3cret"
	if err := strict.Check(src); err != nil {
		t.Fatalf("the URL as written: %v", err)
	}
	_, err := strict.Fetch(context.Background(), src, t.TempDir(), "", 1<<20)
	wantError(t, err, ErrForbidden, "https://rebind.example.test:"+port+"/kev.json?token=REDACTED", "address 127.0.0.1 is loopback")
	if hits.Load() != 0 || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("%d requests reached the server; error %v", hits.Load(), err)
	}
	_, err = strict.Fetch(context.Background(), "https://meta.example.test/latest", t.TempDir(), "", 1<<20)
	wantError(t, err, ErrForbidden, "https://meta.example.test/latest", "address 169.254.169.254 is link-local")

	// With private feeds allowed the same name is dialled (and the TLS
	// handshake with a plain HTTP server fails).
	open := &Policy{resolver: res, allowPrivate: true}
	_, err = open.Fetch(context.Background(), src, t.TempDir(), "", 1<<20)
	if err == nil || errors.Is(err, ErrForbidden) {
		t.Errorf("with private feeds allowed: %v, want a failed handshake", err)
	}
}

// TestPolicyRedirectToRefusedHost: a redirect to a refused address is
// refused before it is followed.
func TestPolicyRedirectToRefusedHost(t *testing.T) {
	req := func(s string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, s, nil)
		return r
	}
	g := (&Policy{}).guarded()
	err := g.CheckRedirect(req("https://169.254.169.254/latest"), []*http.Request{req("https://a.example/x")})
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "link-local") {
		t.Errorf("redirect to the metadata service: %v", err)
	}
	if err := g.CheckRedirect(req("https://b.example/y"), []*http.Request{req("https://a.example/x")}); err != nil {
		t.Errorf("redirect to another https host: %v", err)
	}
}

// TestPolicyThroughProxy: the environment's proxy is dialled though it is
// on a loopback (or private) address; the target is checked by name and
// address before the proxy is asked.
func TestPolicyThroughProxy(t *testing.T) {
	var connects atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			connects.Add(1)
		}
		http.Error(w, "no", http.StatusForbidden)
	}))
	t.Cleanup(proxy.Close)
	pu, _ := url.Parse(proxy.URL)
	p := &Policy{resolver: fakeDNS(t, map[string]string{"inside.example.test": "10.0.0.7"}),
		proxy: func(*http.Request) (*url.URL, error) { return pu, nil }}
	_, err := p.Fetch(context.Background(), "https://203.0.113.7/feed.json", t.TempDir(), "", 1<<20)
	if err == nil || errors.Is(err, ErrForbidden) || connects.Load() != 1 {
		t.Errorf("through the proxy: %v, %d CONNECTs; want the proxy's refusal", err, connects.Load())
	}
	for _, src := range []string{"https://10.0.0.5/x", "https://inside.example.test/x"} {
		_, err = p.Fetch(context.Background(), src, t.TempDir(), "", 1<<20)
		wantError(t, err, ErrForbidden, src, "private")
	}
	if connects.Load() != 1 {
		t.Errorf("%d CONNECTs, want only the first", connects.Load())
	}
}
