package nvdfetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RateWindow is the rolling window of NVD's rate limits, and
// RateNoKey / RateWithKey the requests NVD allows in it.
const (
	RateWindow  = 30 * time.Second
	RateNoKey   = 5
	RateWithKey = 50
)

// limiter remembers when the last requests were sent, to keep within
// NVD's rolling-window limit.
type limiter struct {
	sent []time.Time // send times, oldest first, at most the limit
}

// wait sleeps until one more request fits in the rolling window, then
// records it as sent.
func (f *Fetcher) wait(ctx context.Context) error {
	limit := RateNoKey
	if f.APIKey != "" {
		limit = RateWithKey
	}
	l := &f.limiter
	if len(l.sent) >= limit {
		oldest := l.sent[len(l.sent)-limit]
		if d := oldest.Add(RateWindow).Sub(f.now()); d > 0 {
			f.logger().Debug("NVD rate limit: waiting", "wait", d, "limit", limit, "per", RateWindow)
			if err := f.sleep(ctx, d); err != nil {
				return err
			}
		}
		l.sent = l.sent[len(l.sent)-limit+1:]
	}
	l.sent = append(l.sent, f.now())
	return nil
}

// get fetches u, retrying with backoff while NVD answers 403, 429 or 503
// (its ways of saying "slow down" or "busy"), and returns the body.
func (f *Fetcher) get(ctx context.Context, u *url.URL) ([]byte, error) {
	attempts := f.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	backoff := f.Backoff
	if backoff <= 0 {
		backoff = DefaultBackoff
	}
	path := u.RequestURI() // holds no key: the key travels as a header
	for attempt := 1; ; attempt++ {
		body, status, retryAfter, err := f.try(ctx, u)
		if err == nil && status == http.StatusOK {
			return body, nil
		}
		if err != nil {
			return nil, fmt.Errorf("NVD API %s: %w", path, f.redact(err))
		}
		if !retryable(status) {
			return nil, fmt.Errorf("%w: %s: status %d %s", ErrStatus, path, status, http.StatusText(status))
		}
		if attempt >= attempts {
			return nil, fmt.Errorf("%w: %s: status %d %s after %d attempts", ErrStatus, path, status, http.StatusText(status), attempt)
		}
		wait := backoff
		if retryAfter > 0 {
			wait = retryAfter
		}
		wait = min(wait, MaxBackoff)
		f.logger().Warn("NVD API pushed back; retrying", "status", status, "path", path, "attempt", attempt, "wait", wait)
		if err := f.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("NVD API %s: %w", path, err)
		}
		backoff = min(backoff*2, MaxBackoff)
	}
}

// retryable tells the statuses worth another try: NVD answers 403 when
// the rate limit is exceeded, 429 is the standard for it, and 503 comes
// when the service is overloaded.
func retryable(status int) bool {
	return status == http.StatusForbidden || status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// try sends one request within the rate limit and reads its body (only a
// 200's) and its Retry-After.
func (f *Fetcher) try(ctx context.Context, u *url.URL) (body []byte, status int, retryAfter time.Duration, err error) {
	if err := f.wait(ctx); err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, 0, err
	}
	req.Header.Set("Accept", "application/json")
	if f.APIKey != "" {
		req.Header.Set("apiKey", f.APIKey)
	}
	resp, err := f.client().Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), f.now()), nil
	}
	body, err = f.readBody(resp.Body)
	return body, resp.StatusCode, 0, err
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; anything
// else, or a time past, is zero (use the backoff).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int(MaxBackoff/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// redact removes the key from an error's text, should a transport or
// proxy ever echo the request's headers into one.
func (f *Fetcher) redact(err error) error {
	if f.APIKey == "" || !strings.Contains(err.Error(), f.APIKey) {
		return err
	}
	return redacted{strings.ReplaceAll(err.Error(), f.APIKey, "REDACTED"), err}
}

// redacted is an error whose text hides the key but which still unwraps
// to the original, so errors.Is (context.Canceled, ...) keeps working.
type redacted struct {
	text string
	err  error
}

func (r redacted) Error() string { return r.text }
func (r redacted) Unwrap() error { return r.err }
