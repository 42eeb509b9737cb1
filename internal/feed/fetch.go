package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultFetchLimit bounds a download when Fetch is given no limit (1 GiB).
const DefaultFetchLimit = 1 << 30

// maxHeader bounds the ETag and Last-Modified values Fetch keeps.
const maxHeader = 512

// Fetched is what Fetch wrote.
type Fetched struct {
	// Path holds the body: a new temporary file when Temp is set, else the
	// local file Fetch was given. Empty when NotModified.
	Path string
	// SHA256 is the lowercase hex digest of the bytes at Path.
	SHA256 string
	// Size is the number of bytes at Path.
	Size int64
	// ETag and LastModified are the response's validators, "" when absent
	// or malformed. For a local file LastModified is its modification time.
	ETag, LastModified string
	// NotModified: the server answered 304 to the previous ETag; no file
	// was written.
	NotModified bool
	// Temp: Path is a temporary file of Fetch's; the caller removes it.
	Temp bool
	// Dir: Path is a local directory, not read; the other fields are zero.
	Dir bool
}

// Fetch reads the feed at src, as the policy allows (see Policy), into a
// new temporary file under dir (the system's temporary directory when dir
// is "") and hashes it while writing. src is an https URL, a plain http
// URL of a loopback host (a local mirror), a file:// URL or a local path.
// A local file is hashed in place, by its path with symbolic links
// resolved, not copied, and prevETag is ignored for it; a local directory
// is not read (Dir: the caller reads what is in it). Redirects are
// followed only to https, or to plain http between loopback hosts. When
// prevETag is not "" it is sent as If-None-Match, and a 304 answer
// returns NotModified with no file. More than limit bytes
// (DefaultFetchLimit when limit <= 0) is an error, and the partial file
// is removed. Errors name src redacted (see Redact) and never quote what
// was read.
func (p *Policy) Fetch(ctx context.Context, src, dir, prevETag string, limit int64) (Fetched, error) {
	p = p.or()
	if limit <= 0 {
		limit = DefaultFetchLimit
	}
	t, err := p.resolve(src)
	if err != nil {
		return Fetched{}, err
	}
	name := shown(src)
	if t.u != nil {
		return download(ctx, p.guarded(), t.u, name, dir, prevETag, limit)
	}
	if t.info == nil {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: no such file or directory", ErrFetch)}
	}
	if t.info.IsDir() {
		if err := p.checkTree(t.path); err != nil {
			return Fetched{}, err
		}
		return Fetched{Path: t.path, Dir: true}, nil
	}
	return hashLocal(t.path, name, limit)
}

// Client returns the HTTP client to read src with, for a source that
// speaks an API of its own rather than being one download (NVD's paged
// CVE API): src must be a network URL the policy allows, and the client
// checks every address it dials and every redirect as Fetch does. The
// caller bounds what it reads. Errors name src redacted.
func (p *Policy) Client(src string) (*http.Client, error) {
	p = p.or()
	t, err := p.resolve(src)
	if err != nil {
		return nil, err
	}
	if t.u == nil {
		return nil, &Error{Name: shown(src), Err: fmt.Errorf("%w: a local path, not a network source", ErrUnsupported)}
	}
	return p.guarded(), nil
}

// IsNetwork tells whether src names a network source (an http or https
// URL, allowed or not), not a local path or a file:// URL.
func IsNetwork(src string) bool {
	l := strings.ToLower(src)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// parseSource splits src into a URL to download or a local path to read,
// refusing what Fetch does not read.
func parseSource(src string) (*url.URL, string, error) {
	if !isURLSource(src) {
		return nil, src, nil
	}
	name := shown(src)
	u, err := url.Parse(src)
	if err != nil {
		return nil, "", &Error{Name: name, Err: fmt.Errorf("%w: not a valid URL", ErrUnsupported)}
	}
	switch {
	case u.Scheme == "file":
		p, err := filePath(u)
		if err != nil {
			return nil, "", &Error{Name: name, Err: err}
		}
		return nil, p, nil
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, "", &Error{Name: name, Err: fmt.Errorf("%w: plain http only to a loopback host; use https", ErrUnsupported)}
	default:
		return nil, "", &Error{Name: name, Err: fmt.Errorf("%w: scheme %q (want https, file or a path)", ErrUnsupported, u.Scheme)}
	}
	if u.Hostname() == "" {
		return nil, "", &Error{Name: name, Err: fmt.Errorf("%w: URL without a host", ErrUnsupported)}
	}
	return u, "", nil
}

// filePath is the local path of a file:// URL (local host only).
func filePath(u *url.URL) (string, error) {
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("%w: file URL of another host %q", ErrUnsupported, u.Host)
	}
	p := u.Path
	if p == "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: file URL without an absolute path", ErrUnsupported)
	}
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:] // file:///C:/x
	}
	return filepath.FromSlash(p), nil
}

// isLoopback tells a loopback host by name or address, without resolving.
func isLoopback(host string) bool {
	if isLocalhostName(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guarded returns a copy of the policy's client whose redirects stay on
// https, or on plain http between loopback hosts, and never go to a host
// the policy refuses; the client's own redirect check, if any, runs after
// those.
func (p *Policy) guarded() *http.Client {
	c := p.httpClient()
	g := *c
	next := c.CheckRedirect
	g.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := redirectAllowed(req, via); err != nil {
			return err
		}
		if why := p.urlRefusal(req.URL); why != "" {
			return &refusal{"redirect refused: " + why}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &g
}

func redirectAllowed(req *http.Request, via []*http.Request) error {
	to := req.URL
	if to.Scheme == "https" {
		return nil
	}
	from := via[len(via)-1].URL
	if to.Scheme == "http" && isLoopback(to.Hostname()) && isLoopback(from.Hostname()) {
		return nil
	}
	return fmt.Errorf("%w: refusing redirect from %s to %s (only https, or plain http between loopback hosts)",
		ErrUnsupported, shown(from.String()), shown(to.String()))
}

// hashLocal hashes a local file in place (a path the policy resolved and
// checked); name is how errors name it.
func hashLocal(p, name string, limit int64) (Fetched, error) {
	st, err := os.Stat(p)
	if err != nil {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %v", ErrFetch, err)}
	}
	if !st.Mode().IsRegular() {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: not a regular file (%s)", ErrUnsupported, st.Mode().Type())}
	}
	if st.Size() > limit {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: file is %d bytes, limit %d", ErrTooLarge, st.Size(), limit)}
	}
	f, err := os.Open(p)
	if err != nil {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %v", ErrFetch, err)}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, limit+1))
	if err != nil {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %v", ErrFetch, err)}
	}
	if n > limit {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: file grew past the limit of %d bytes while read", ErrTooLarge, limit)}
	}
	return Fetched{
		Path:         p,
		SHA256:       hex.EncodeToString(h.Sum(nil)),
		Size:         n,
		LastModified: st.ModTime().UTC().Format(http.TimeFormat),
	}, nil
}

// download GETs u into a new temporary file under dir; name is how
// errors name it.
func download(ctx context.Context, client *http.Client, u *url.URL, name, dir, prevETag string, limit int64) (Fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
	}
	req.Header.Set("User-Agent", "vulndesk")
	if prevETag != "" {
		req.Header.Set("If-None-Match", prevETag)
	}
	resp, err := client.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		var r *refusal
		switch {
		case errors.As(err, &r):
			return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %s", ErrForbidden, r.why)}
		case errors.Is(err, ErrUnsupported):
			return Fetched{}, &Error{Name: name, Err: err} // a refused redirect
		}
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %w", ErrFetch, err)}
	}
	defer resp.Body.Close()
	got := Fetched{ETag: header(resp.Header, "ETag"), LastModified: header(resp.Header, "Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusNotModified && prevETag != "":
		if got.ETag == "" {
			got.ETag = prevETag
		}
		got.NotModified = true
		return got, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: HTTP %s", ErrFetch, resp.Status)}
	case resp.ContentLength > limit:
		return Fetched{}, &Error{Name: name, Err: fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, resp.ContentLength, limit)}
	}
	got.Path, got.SHA256, got.Size, err = save(resp.Body, dir, limit)
	if err != nil {
		return Fetched{}, &Error{Name: name, Err: err}
	}
	got.Temp = true
	return got, nil
}

// save writes body into a new temporary file under dir, hashing it on the
// way. On any error, or when body holds more than limit bytes, it stops
// reading and removes the file.
func save(body io.Reader, dir string, limit int64) (path, sum string, n int64, err error) {
	f, err := os.CreateTemp(dir, "vulndesk-feed-*")
	if err != nil {
		return "", "", 0, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(body, limit))
	if err != nil {
		return "", "", 0, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	if n == limit && hasMore(body) {
		return "", "", 0, fmt.Errorf("%w: more than the limit of %d bytes", ErrTooLarge, limit)
	}
	if err = f.Close(); err != nil {
		return "", "", 0, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// hasMore tells whether r has at least one more byte.
func hasMore(r io.Reader) bool {
	var b [1]byte
	k, _ := io.ReadFull(r, b[:])
	return k > 0
}

// header returns a validator header's value, or "" when it is absent,
// longer than maxHeader or not printable ASCII (so that it can be stored
// and sent back as it is).
func header(h http.Header, key string) string {
	v := h.Get(key)
	if len(v) > maxHeader {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return ""
		}
	}
	return v
}
