package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const body = "cve,epss,percentile\nCVE-2021-0001,0.1,0.2\n"

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// feedServer serves body with an ETag, answering 304 to that ETag.
func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/epss.csv":
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Last-Modified", "Mon, 29 Sep 2026 12:00:00 GMT")
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, body)
		case "/big": // 2,000 bytes in chunks, no Content-Length
			for range 20 {
				w.Write([]byte(strings.Repeat("x", 100)))
				w.(http.Flusher).Flush()
			}
		case "/big-announced":
			w.Header().Set("Content-Length", "2000")
			w.Write([]byte(strings.Repeat("x", 2000)))
		case "/redirect-remote":
			http.Redirect(w, r, "http://example.com/epss.csv", http.StatusFound)
		case "/redirect-local":
			http.Redirect(w, r, "/epss.csv", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// mirror is the policy of a server started for a local mirror: loopback
// allowed, local files only under dirs.
func mirror(t *testing.T, dirs ...string) *Policy {
	t.Helper()
	p, err := NewPolicy(Rules{Dirs: dirs, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// withClient is p fetching with c (its redirect rules still apply, its
// dial checks do not: c's own).
func withClient(p *Policy, c *http.Client) *Policy {
	q := &Policy{dirs: p.dirs, dataDir: p.dataDir, builtin: p.builtin, protected: p.protected, allowPrivate: p.allowPrivate, client: c}
	return q
}

// loopbackOnly is a client that fails the test if it dials anything but a
// loopback address.
func loopbackOnly(t *testing.T) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if !isLoopback(host) {
				t.Errorf("dialed %s", addr)
				return nil, errors.New("test: no network")
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

func emptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("%s holds %d files, want none (partial file left behind?)", dir, len(ents))
	}
}

func TestFetchOK(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	for _, p := range []*Policy{mirror(t), withClient(mirror(t), loopbackOnly(t))} {
		got, err := p.Fetch(context.Background(), srv.URL+"/epss.csv", dir, "", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(got.Path)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != body || got.Size != int64(len(body)) || got.SHA256 != sum(body) {
			t.Errorf("fetched %q, size %d, sha256 %s; want %q, %d, %s", data, got.Size, got.SHA256, body, len(body), sum(body))
		}
		if got.ETag != `"v1"` || got.LastModified != "Mon, 29 Sep 2026 12:00:00 GMT" || got.NotModified || !got.Temp {
			t.Errorf("fetched %+v", got)
		}
		if filepath.Dir(got.Path) != dir {
			t.Errorf("file %s is not under %s", got.Path, dir)
		}
		os.Remove(got.Path)
	}
	// A redirect between loopback hosts is followed.
	got, err := withClient(mirror(t), loopbackOnly(t)).Fetch(context.Background(), srv.URL+"/redirect-local", dir, "", 1<<20)
	if err != nil || got.SHA256 != sum(body) {
		t.Fatalf("redirect-local: %+v, %v", got, err)
	}
	os.Remove(got.Path)
}

func TestFetchNotModified(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	got, err := mirror(t).Fetch(context.Background(), srv.URL+"/epss.csv", dir, `"v1"`, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !got.NotModified || got.Path != "" || got.Temp || got.ETag != `"v1"` {
		t.Errorf("fetched %+v, want NotModified with no file", got)
	}
	emptyDir(t, dir)
	// Another ETag gets the body.
	got, err = mirror(t).Fetch(context.Background(), srv.URL+"/epss.csv", dir, `"v0"`, 1<<20)
	if err != nil || got.NotModified || got.SHA256 != sum(body) {
		t.Errorf("with a stale ETag: %+v, %v", got, err)
	}
	os.Remove(got.Path)
}

func TestFetchErrors(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	ctx := context.Background()
	p := mirror(t)

	_, err := p.Fetch(ctx, srv.URL+"/missing", dir, "", 1<<20)
	wantError(t, err, ErrFetch, srv.URL+"/missing", "HTTP 404 Not Found")

	for _, path := range []string{"/big", "/big-announced"} {
		_, err = p.Fetch(ctx, srv.URL+path, dir, "", 1000)
		wantError(t, err, ErrTooLarge, srv.URL+path, "1000")
	}
	emptyDir(t, dir)

	// The URL in errors hides its credentials.
	u, _ := url.Parse(srv.URL + "/missing?api_key=secret2&x=1")
	u.User = url.UserPassword("me", "secret1")
	_, err = p.Fetch(ctx, u.String(), dir, "", 1<<20)
	if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "me:") {
		t.Errorf("error %v shows a credential", err)
	}

	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	_, err = p.Fetch(ctxDone, srv.URL+"/epss.csv", dir, "", 1<<20)
	if !errors.Is(err, ErrFetch) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	emptyDir(t, dir)
}

// TestFetchRefusesPlainHTTP checks that plain http to a remote host is
// refused before anything is dialed, directly or through a redirect.
func TestFetchRefusesPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	noNetwork := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("request to %s reached the transport", r.URL)
		return nil, errors.New("test: no network")
	})}
	for _, src := range []string{"http://example.com/epss.csv", "http://10.0.0.1/x", "http://localhost.example.com/x"} {
		_, err := withClient(mirror(t), noNetwork).Fetch(context.Background(), src, dir, "", 1<<20)
		wantError(t, err, ErrUnsupported, src, "plain http only to a loopback host")
		_, err = mirror(t).Fetch(context.Background(), src, dir, "", 1<<20)
		wantError(t, err, ErrUnsupported, src, "plain http only to a loopback host")
	}
	for _, src := range []string{"ftp://example.com/x", "gopher://example.com/x", "file://example.com/etc/passwd"} {
		_, err := withClient(mirror(t), noNetwork).Fetch(context.Background(), src, dir, "", 1<<20)
		wantError(t, err, ErrUnsupported, src)
	}

	srv := feedServer(t)
	for _, p := range []*Policy{mirror(t), withClient(mirror(t), loopbackOnly(t))} {
		_, err := p.Fetch(context.Background(), srv.URL+"/redirect-remote", dir, "", 1<<20)
		wantError(t, err, ErrUnsupported, srv.URL+"/redirect-remote", "refusing redirect", "http://example.com/epss.csv")
	}
	emptyDir(t, dir)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFetchRedirectPolicy(t *testing.T) {
	req := func(s string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, s, nil)
		return r
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"https://a.example/x", "https://b.example/y", true},
		{"http://127.0.0.1:1/x", "https://b.example/y", true},
		{"http://127.0.0.1:1/x", "http://[::1]:2/y", true},
		{"http://127.0.0.1:1/x", "http://example.com/y", false},
		{"https://a.example/x", "http://127.0.0.1/y", false}, // a remote host may not send us to a local one
		{"https://a.example/x", "http://a.example/y", false},
		{"https://a.example/x", "ftp://a.example/y", false},
	} {
		err := redirectAllowed(req(tc.to), []*http.Request{req(tc.from)})
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v, want allowed %v", tc.from, tc.to, err, tc.ok)
		}
	}
	// A client's own redirect check still runs, and the client is not changed.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errors.New("mine") }}
	g := withClient(mirror(t), c).guarded()
	if err := g.CheckRedirect(req("https://b.example/"), []*http.Request{req("https://a.example/")}); err == nil || err.Error() != "mine" {
		t.Errorf("own check: %v", err)
	}
	if err := c.CheckRedirect(req("http://example.com/"), []*http.Request{req("https://a.example/")}); err.Error() != "mine" {
		t.Errorf("the client given was changed")
	}
}

func TestFetchLocal(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "epss.csv")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	pol := mirror(t, dir)
	for _, src := range []string{p, fileURL} {
		got, err := pol.Fetch(context.Background(), src, t.TempDir(), `"v1"`, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got.Temp || got.NotModified || got.SHA256 != sum(body) || got.Size != int64(len(body)) || got.LastModified == "" {
			t.Errorf("%s: %+v", src, got)
		}
		if real, _ := filepath.EvalSymlinks(abs); got.Path != real {
			t.Errorf("%s: path %s, want the file itself", src, got.Path)
		}
	}
	_, err := pol.Fetch(context.Background(), p, "", "", 10)
	wantError(t, err, ErrTooLarge, p, "limit 10")
	got, err := pol.Fetch(context.Background(), dir, "", "", 10)
	if real, _ := filepath.EvalSymlinks(dir); err != nil || !got.Dir || got.Path != real || got.SHA256 != "" {
		t.Errorf("a directory: %+v, %v; want Dir, unread", got, err)
	}
	missing := filepath.Join(dir, "missing.csv")
	_, err = pol.Fetch(context.Background(), missing, "", "", 10)
	wantError(t, err, ErrFetch, missing, "no such file")
	if st, err := os.Stat(os.DevNull); err == nil && !st.Mode().IsRegular() {
		_, err = mirror(t, filepath.Dir(os.DevNull)).Fetch(context.Background(), os.DevNull, "", "", 10)
		wantError(t, err, ErrUnsupported, os.DevNull, "not a regular file")
	}
}

// TestFetchThenParse reads real files through Fetch, as the tool does.
func TestFetchThenParse(t *testing.T) {
	needShared(t)
	got, err := mirror(t, filepath.Dir(epssFile)).Fetch(context.Background(), epssFile, "", "", DefaultEPSSLimit)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != 17511 || got.Temp {
		t.Errorf("fetched %+v, want the 17,511-byte excerpt in place", got)
	}
	data, err := ParseEPSS(got.Path, open(t, got.Path), DefaultEPSSLimit)
	if err != nil || len(data.Scores) != 568 {
		t.Errorf("parse: %d scores, %v", len(data.Scores), err)
	}
}
