package osv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// client is the HTTP client for downloads: bounded in time, and it refuses
// to follow a redirect from https to plain http.
var client = &http.Client{
	Timeout: 30 * time.Minute,
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return fmt.Errorf("too many redirects")
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("refusing redirect from https to %s", req.URL.Scheme)
		}
		return nil
	},
}

// Download fetches src into a temporary file of at most limit bytes and
// returns its path and a function that removes it. Only https is accepted,
// except plain http to a loopback address (for tests and local mirrors).
func Download(ctx context.Context, src string, limit int64) (string, func(), error) {
	u, err := url.Parse(src)
	if err != nil {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("%w: only https URLs are fetched", ErrUnsupported)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("%w: %v", ErrUnsupported, err)}
	}
	req.Header.Set("User-Agent", "vulndesk")
	resp, err := client.Do(req)
	if err != nil {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("download: %w", err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("download: HTTP %s", resp.Status)}
	}
	if resp.ContentLength > limit {
		return "", nil, &Error{Name: src, Err: fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, resp.ContentLength, limit)}
	}
	f, err := os.CreateTemp("", "vulndesk-osv-*")
	if err != nil {
		return "", nil, fmt.Errorf("download %s: %w", src, err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, io.LimitReader(resp.Body, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		cleanup()
		return "", nil, &Error{Name: src, Err: fmt.Errorf("download: %w", err)}
	}
	return f.Name(), cleanup, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
