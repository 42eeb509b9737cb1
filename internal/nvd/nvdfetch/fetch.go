// Package nvdfetch downloads CVE records from NVD's CVE API 2.0
// (/rest/json/cves/2.0): all records modified in a time range, in windows
// of at most 120 days (NVD's limit), page by page, within NVD's rate
// limits, with backoff when NVD pushes back. It decodes each page with
// package nvd, which stays free of HTTP, and hands the records to a
// callback so that a caller can store them as they come.
package nvdfetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/nvd"
)

// DefaultBaseURL is NVD's CVE API 2.0 endpoint.
const DefaultBaseURL = "https://services.nvd.nist.gov/rest/json/cves/2.0"

// Defaults of a zero Fetcher field.
const (
	// MaxWindow is the longest lastModStartDate..lastModEndDate range NVD
	// accepts (120 consecutive days).
	MaxWindow = 120 * 24 * time.Hour
	// DefaultPageSize is NVD's largest resultsPerPage.
	DefaultPageSize = 2000
	// DefaultAttempts bounds the tries of one request.
	DefaultAttempts = 6
	// DefaultBackoff is the first wait after a 403, 429 or 503 without
	// Retry-After; NVD suggests about six seconds between requests.
	DefaultBackoff = 6 * time.Second
	// MaxBackoff caps the doubling backoff and any Retry-After, so a
	// hostile or broken server cannot park the fetch for days.
	MaxBackoff = 5 * time.Minute
)

// DateLayout is NVD's "extended ISO-8601" for lastModStartDate and
// lastModEndDate, with an explicit offset as NVD's documentation shows
// (2021-08-04T13:00:00.000+01:00); the fetcher always sends UTC.
const DateLayout = "2006-01-02T15:04:05.000-07:00"

// ErrStatus: NVD answered with a status that is neither success nor one
// worth retrying, or kept pushing back after every attempt.
var ErrStatus = errors.New("NVD API request failed")

// Fetcher downloads from the CVE API. The zero value works against NVD
// without a key. It remembers its recent requests, so one Fetcher kept
// across calls keeps within the rate limit across them too; it is not
// for concurrent use (NVD's limit is per key, so one fetch at a time).
type Fetcher struct {
	// BaseURL is the endpoint (default DefaultBaseURL); a loopback mirror
	// or test server in tests.
	BaseURL string
	// APIKey, when set, is sent as the apiKey header and raises the rate
	// limit; it is never put in a URL, a log or an error.
	APIKey string
	// HTTP sends the requests; the service hands in the feed policy's
	// guarded client. Nil is http.DefaultClient.
	HTTP *http.Client
	// Log receives one line per page and per retry; nil discards.
	Log *slog.Logger
	// Limits bound each response (MaxFileBytes) and its decoding.
	Limits nvd.Limits
	// PageSize is resultsPerPage (default DefaultPageSize).
	PageSize int
	// Attempts bounds the tries of one request (default DefaultAttempts).
	Attempts int
	// Backoff is the first retry wait without Retry-After (default
	// DefaultBackoff); it doubles on each retry up to MaxBackoff.
	Backoff time.Duration
	// Now and Sleep are the clock, injectable so that tests of rate
	// limits and backoff do not wait. Sleep must return ctx's error when
	// ctx ends first. Nil are time.Now and a timer.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	limiter limiter
}

// Progress tells a callback how far a fetch is.
type Progress struct {
	Window, Windows int       // 1-based window of the range, and their count
	WindowStart     time.Time // lastModStartDate of this window
	WindowEnd       time.Time // lastModEndDate of this window
	Pages           int       // pages done in all windows, this one included
	Done            int       // records received in this window so far
	TotalResults    int       // totalResults NVD states for this window
	Records         int       // records received in all windows so far
}

// PageFunc receives the records of one page as they arrive; an error
// stops the fetch and is returned from Modified.
type PageFunc func(ctx context.Context, p Progress, records []nvd.Record) error

// Modified fetches every record NVD last modified in [start, end),
// window by window and page by page, calling fn for each page. NVD treats
// a window's end as inclusive, so a record modified exactly on a window
// boundary may come twice; storing by CVE ID makes that harmless.
func (f *Fetcher) Modified(ctx context.Context, start, end time.Time, fn PageFunc) (Progress, error) {
	if !start.Before(end) {
		return Progress{}, fmt.Errorf("NVD fetch: empty range %s to %s", start.Format(DateLayout), end.Format(DateLayout))
	}
	windows := Windows(start, end)
	var p Progress
	p.Windows = len(windows)
	for i, w := range windows {
		p.Window, p.WindowStart, p.WindowEnd = i+1, w[0], w[1]
		p.Done, p.TotalResults = 0, 0
		if err := f.window(ctx, &p, fn); err != nil {
			return p, err
		}
	}
	return p, nil
}

// All fetches every record NVD holds, page by page, with no date range:
// a first sync, which as lastModified windows since NVD began would be
// about a hundred windows of requests. WindowStart and WindowEnd of the
// progress are zero.
func (f *Fetcher) All(ctx context.Context, fn PageFunc) (Progress, error) {
	p := Progress{Window: 1, Windows: 1}
	err := f.window(ctx, &p, fn)
	return p, err
}

// Windows splits [start, end) into consecutive windows of at most
// MaxWindow, in UTC.
func Windows(start, end time.Time) [][2]time.Time {
	start, end = start.UTC(), end.UTC()
	var out [][2]time.Time
	for s := start; s.Before(end); s = s.Add(MaxWindow) {
		out = append(out, [2]time.Time{s, minTime(s.Add(MaxWindow), end)})
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// window fetches the pages of one window until totalResults is reached.
func (f *Fetcher) window(ctx context.Context, p *Progress, fn PageFunc) error {
	for {
		page, err := f.page(ctx, p.WindowStart, p.WindowEnd, p.Done)
		if err != nil {
			return err
		}
		if page.StartIndex != p.Done {
			return fmt.Errorf("%w: asked for startIndex %d, got %d", nvd.ErrInvalid, p.Done, page.StartIndex)
		}
		p.Pages++
		p.Done += len(page.Records)
		p.Records += len(page.Records)
		p.TotalResults = page.TotalResults
		f.logger().Info("NVD page", "window", p.Window, "windows", p.Windows, "start_index", page.StartIndex,
			"records", len(page.Records), "total_results", page.TotalResults)
		if err := fn(ctx, *p, page.Records); err != nil {
			return err
		}
		if p.Done >= page.TotalResults {
			return nil
		}
		if len(page.Records) == 0 {
			return fmt.Errorf("%w: empty page at startIndex %d of totalResults %d", nvd.ErrInvalid, p.Done, page.TotalResults)
		}
	}
}

// page fetches and decodes one page.
func (f *Fetcher) page(ctx context.Context, start, end time.Time, index int) (*nvd.Page, error) {
	u, err := f.pageURL(start, end, index)
	if err != nil {
		return nil, err
	}
	body, err := f.get(ctx, u)
	if err != nil {
		return nil, err
	}
	page, err := nvd.DecodePage(body, f.Limits)
	if err != nil {
		return nil, &nvd.Error{Name: "NVD response " + u.RequestURI(), Err: err}
	}
	return page, nil
}

// pageURL builds the request URL; it never holds the key.
func (f *Fetcher) pageURL(start, end time.Time, index int) (*url.URL, error) {
	base := f.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("NVD base URL: %w", err)
	}
	q := u.Query()
	if !start.IsZero() { // All asks for no range
		q.Set("lastModStartDate", start.UTC().Format(DateLayout))
		q.Set("lastModEndDate", end.UTC().Format(DateLayout))
	}
	q.Set("startIndex", strconv.Itoa(index))
	q.Set("resultsPerPage", strconv.Itoa(f.pageSize()))
	u.RawQuery = q.Encode()
	return u, nil
}

func (f *Fetcher) pageSize() int {
	if f.PageSize > 0 {
		return f.PageSize
	}
	return DefaultPageSize
}

func (f *Fetcher) logger() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (f *Fetcher) client() *http.Client {
	if f.HTTP != nil {
		return f.HTTP
	}
	return http.DefaultClient
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fetcher) sleep(ctx context.Context, d time.Duration) error {
	if f.Sleep != nil {
		return f.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// readBody reads a response body up to the byte limit, refusing more.
func (f *Fetcher) readBody(r io.Reader) ([]byte, error) {
	limit := f.Limits.MaxFileBytes
	if limit <= 0 {
		limit = 64 << 20
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: response over %d bytes", nvd.ErrTooLarge, limit)
	}
	return data, nil
}
