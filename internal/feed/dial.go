package feed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// privateHint ends every refusal of an address, saying how a local mirror
// is allowed.
const privateHint = "; feeds reach loopback, link-local and private addresses only when vulndesk serve runs with --allow-private-feeds (a local mirror)"

// Address ranges refused besides those netip classifies.
var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")     // "this host": 0.0.0.0 reaches loopback
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT, private in effect
	reserved    = netip.MustParsePrefix("240.0.0.0/4")   // and 255.255.255.255
	nat64       = netip.MustParsePrefix("64:ff9b::/96")  // an IPv4 address in IPv6
)

// addrRefusal says why feeds may not connect to a, or "" when they may.
func (p *Policy) addrRefusal(a netip.Addr) string {
	a = a.Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		return p.addrRefusal(netip.AddrFrom4([4]byte(b[12:])))
	}
	var class string
	switch {
	case a.IsMulticast(), reserved.Contains(a):
		return fmt.Sprintf("address %s is multicast, broadcast or reserved", a)
	case a.IsLoopback(), a.IsUnspecified(), thisNetwork.Contains(a):
		class = "loopback"
	case a.IsLinkLocalUnicast():
		class = "link-local" // 169.254.169.254, the cloud metadata service, among them
	case a.IsPrivate(), sharedSpace.Contains(a):
		class = "private"
	default:
		return ""
	}
	if p.allowPrivate {
		return ""
	}
	return fmt.Sprintf("address %s is %s%s", a, class, privateHint)
}

// urlRefusal says why feeds may not fetch u, judging its host as written.
func (p *Policy) urlRefusal(u *url.URL) string {
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		return p.addrRefusal(a)
	}
	if isLocalhostName(host) && !p.allowPrivate {
		return fmt.Sprintf("host %s is loopback%s", host, privateHint)
	}
	return ""
}

// isLocalhostName tells the names that always mean loopback.
func isLocalhostName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// refusal is the error of a refused dial.
type refusal struct{ why string }

func (r *refusal) Error() string        { return r.why }
func (r *refusal) Is(target error) bool { return target == ErrForbidden }

// control runs before every connection is made, with the address about
// to be connected: after name resolution, so a name that resolves (or is
// rebound) to a refused address is refused.
func (p *Policy) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &refusal{fmt.Sprintf("cannot tell the address of %q", address)}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return &refusal{fmt.Sprintf("cannot tell the address of %q", address)}
	}
	if why := p.addrRefusal(a); why != "" {
		return &refusal{why}
	}
	return nil
}

// httpClient is the policy's client: every phase of a request is bounded
// in time, and every address it connects to is checked (but a proxy's,
// which the environment names; the target is then checked by name).
func (p *Policy) httpClient() *http.Client {
	p.once.Do(func() {
		if p.client == nil {
			p.client = &http.Client{Timeout: 15 * time.Minute, Transport: p.transport()}
		}
	})
	return p.client
}

func (p *Policy) transport() *http.Transport {
	t, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		t = t.Clone()
	} else {
		t = &http.Transport{}
	}
	guarded := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: p.resolver, ControlContext: p.control}
	plain := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: p.resolver}
	proxyFor := p.proxy
	if proxyFor == nil {
		proxyFor = http.ProxyFromEnvironment
	}
	var proxies sync.Map // host:port of the proxies in use
	t.Proxy = func(req *http.Request) (*url.URL, error) {
		pu, err := proxyFor(req)
		if err != nil || pu == nil {
			return pu, err
		}
		if err := p.checkName(req.Context(), req.URL.Hostname()); err != nil {
			return nil, err
		}
		proxies.Store(proxyAddr(pu), true)
		return pu, nil
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if _, ok := proxies.Load(addr); ok {
			return plain.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
	t.TLSHandshakeTimeout = 15 * time.Second
	t.ResponseHeaderTimeout = time.Minute
	t.MaxResponseHeaderBytes = 64 << 10
	return t
}

// checkName checks a host that a proxy will connect to: by its addresses
// when this host can resolve it (one that cannot is left to the proxy,
// which may see names this host does not).
func (p *Policy) checkName(ctx context.Context, host string) error {
	u := &url.URL{Host: host}
	if why := p.urlRefusal(u); why != "" {
		return &refusal{why}
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	r := p.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if why := p.addrRefusal(a); why != "" {
			return &refusal{fmt.Sprintf("host %s resolves to a refused address: %s", host, why)}
		}
	}
	return nil
}

// proxyAddr is the host:port a transport dials for a proxy URL.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// unwrapURLError drops the *url.Error that http.Client wraps around its
// errors: its text holds the request URL, credentials in the query
// included.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
