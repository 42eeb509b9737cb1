package nvdfetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/nvd"
)

const sharedData = "../../../../shared/data/nvd"

// dataPath returns a path in the shared NVD data, or skips the test when
// the data is not beside the repository.
func dataPath(t *testing.T, sub string) string {
	t.Helper()
	p := filepath.Join(sharedData, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skip("../shared/data/nvd not found: the NVD test data lives beside the repo; CI always has it")
	}
	return p
}

// realPage is a real CVE API response, split into its envelope and its
// vulnerabilities so that a replay can serve them in other slices.
type realPage struct {
	Format, Version, Timestamp string
	Vulns                      []json.RawMessage
}

func loadResponse(t *testing.T, name string) realPage {
	t.Helper()
	data, err := os.ReadFile(dataPath(t, filepath.Join("api-responses", name)))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Format          string            `json:"format"`
		Version         string            `json:"version"`
		Timestamp       string            `json:"timestamp"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return realPage{p.Format, p.Version, p.Timestamp, p.Vulnerabilities}
}

// loadBare wraps the real bare records of a shared directory as
// vulnerabilities[] items, in an envelope taken from a real response.
func loadBare(t *testing.T, dir string) realPage {
	t.Helper()
	env := loadResponse(t, "cves-CVE-2023-0001.json")
	files, err := filepath.Glob(filepath.Join(dataPath(t, dir), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no records (%v)", dir, err)
	}
	env.Vulns = nil
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		env.Vulns = append(env.Vulns, json.RawMessage(`{"cve":`+string(data)+`}`))
	}
	return env
}

// body serves the records from startIndex, at most per, as NVD would.
func (p realPage) body(start, per int) []byte {
	end := min(start+per, len(p.Vulns))
	start = min(start, end)
	out, _ := json.Marshal(map[string]any{
		"resultsPerPage": per, "startIndex": start, "totalResults": len(p.Vulns),
		"format": p.Format, "version": p.Version, "timestamp": p.Timestamp,
		"vulnerabilities": p.Vulns[start:end],
	})
	return out
}

// replay is a loopback NVD: it records every request and answers from
// data, after the statuses queued in fail (one per request).
type replay struct {
	mu   sync.Mutex
	data realPage
	fail []func(w http.ResponseWriter)
	reqs []*http.Request
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	var fail func(http.ResponseWriter)
	if len(r.fail) > 0 {
		fail, r.fail = r.fail[0], r.fail[1:]
	}
	r.mu.Unlock()
	if fail != nil {
		fail(w)
		return
	}
	q := req.URL.Query()
	start, err1 := strconv.Atoi(q.Get("startIndex"))
	per, err2 := strconv.Atoi(q.Get("resultsPerPage"))
	if err1 != nil || err2 != nil {
		http.Error(w, "bad paging", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(r.data.body(start, per))
}

func (r *replay) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

func status(code int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// clock is the injected time: it moves only when the fetcher sleeps.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *clock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// setup starts a replay of data and a fetcher on it with a fake clock.
func setup(t *testing.T, data realPage) (*Fetcher, *replay, *clock) {
	t.Helper()
	r := &replay{data: data}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := &Fetcher{BaseURL: srv.URL + "/rest/json/cves/2.0", HTTP: srv.Client(), Now: c.Now, Sleep: c.Sleep}
	return f, r, c
}

var (
	jan1 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	feb1 = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
)

// collect is a PageFunc that keeps what it is given.
type collect struct {
	ids      []string
	progress []Progress
}

func (c *collect) page(_ context.Context, p Progress, recs []nvd.Record) error {
	c.progress = append(c.progress, p)
	for _, r := range recs {
		c.ids = append(c.ids, r.ID)
	}
	return nil
}

func TestPagingStopsAtTotalResults(t *testing.T) {
	data := loadBare(t, "go-aliases")
	f, srv, _ := setup(t, data)
	f.PageSize = 40
	var got collect
	p, err := f.Modified(context.Background(), jan1, feb1, got.page)
	if err != nil {
		t.Fatal(err)
	}
	n := len(data.Vulns)
	if n <= 80 || n > 120 {
		t.Fatalf("go-aliases has %d records; the test wants 3 pages of 40", n)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (stop at totalResults %d)", len(reqs), n)
	}
	for i, r := range reqs {
		if got := r.URL.Query().Get("startIndex"); got != strconv.Itoa(i*40) {
			t.Errorf("request %d: startIndex %s, want %d", i, got, i*40)
		}
		if got := r.URL.Query().Get("resultsPerPage"); got != "40" {
			t.Errorf("request %d: resultsPerPage %s, want 40", i, got)
		}
		if r.URL.Path != "/rest/json/cves/2.0" {
			t.Errorf("request %d: path %s", i, r.URL.Path)
		}
	}
	if len(got.ids) != n || p.Records != n || p.Pages != 3 || p.TotalResults != n {
		t.Fatalf("got %d records, progress %+v; want %d in 3 pages", len(got.ids), p, n)
	}
	seen := map[string]bool{}
	for _, id := range got.ids {
		if seen[id] {
			t.Errorf("%s delivered twice", id)
		}
		seen[id] = true
	}
	if last := got.progress[2]; last.Done != n || last.Pages != 3 || got.progress[0].Done != 40 {
		t.Errorf("progress %+v", got.progress)
	}
}

func TestDefaultPageSize(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-2023.json"))
	var got collect
	if _, err := f.Modified(context.Background(), jan1, feb1, got.page); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 1 || reqs[0].URL.Query().Get("resultsPerPage") != "2000" || len(got.ids) != 200 {
		t.Fatalf("%d requests, %d records; want 1 request of resultsPerPage 2000 with all 200", len(reqs), len(got.ids))
	}
	if got.ids[0] != "CVE-2022-44006" {
		t.Errorf("first record %s, want the real response's first, CVE-2022-44006", got.ids[0])
	}
}

func TestWindowSplit(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	end := jan1.Add(200 * 24 * time.Hour)
	var got collect
	p, err := f.Modified(context.Background(), jan1, end, got.page)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || p.Windows != 2 {
		t.Fatalf("%d requests, %d windows; want 2 for 200 days", len(reqs), p.Windows)
	}
	want := [][2]string{
		{"2024-01-01T00:00:00.000+00:00", "2024-04-30T00:00:00.000+00:00"},
		{"2024-04-30T00:00:00.000+00:00", "2024-07-19T00:00:00.000+00:00"},
	}
	for i, r := range reqs {
		q := r.URL.Query()
		if q.Get("lastModStartDate") != want[i][0] || q.Get("lastModEndDate") != want[i][1] || q.Get("startIndex") != "0" {
			t.Errorf("window %d: %s, want %v", i, r.URL.RawQuery, want[i])
		}
		if !strings.Contains(r.URL.RawQuery, "%2B00%3A00") {
			t.Errorf("window %d: the offset's + must be escaped: %s", i, r.URL.RawQuery)
		}
	}
	if len(got.ids) != 2 || got.ids[0] != "CVE-2023-0001" || got.progress[1].Window != 2 {
		t.Errorf("records %v, progress %+v", got.ids, got.progress)
	}
}

func TestWindowsAreAtMost120Days(t *testing.T) {
	ws := Windows(jan1, jan1.Add(MaxWindow*2+time.Hour))
	if len(ws) != 3 || ws[0][1] != ws[1][0] || ws[2][1] != jan1.Add(MaxWindow*2+time.Hour) {
		t.Fatalf("windows %v", ws)
	}
	if len(Windows(jan1, jan1.Add(MaxWindow))) != 1 {
		t.Error("exactly 120 days must be one window")
	}
	if _, err := (&Fetcher{}).Modified(context.Background(), feb1, jan1, nil); err == nil {
		t.Error("a range that ends before it starts must be refused")
	}
}

func TestBackoffAfter403(t *testing.T) {
	f, srv, c := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	srv.fail = append(srv.fail, status(http.StatusForbidden), status(http.StatusForbidden))
	var got collect
	if _, err := f.Modified(context.Background(), jan1, feb1, got.page); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.requests()); n != 3 || len(got.ids) != 1 {
		t.Fatalf("%d requests, %d records; want 2 refused then 1 served", n, len(got.ids))
	}
	want := []time.Duration{DefaultBackoff, 2 * DefaultBackoff}
	if s := c.sleeps(); fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("slept %v, want doubling backoff %v", s, want)
	}
}

func TestRetryAfterHonouredOn503And429(t *testing.T) {
	f, srv, c := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	srv.fail = append(srv.fail, status(http.StatusServiceUnavailable, "Retry-After", "17"), status(http.StatusTooManyRequests, "Retry-After", "3"))
	var got collect
	if _, err := f.Modified(context.Background(), jan1, feb1, got.page); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{17 * time.Second, 3 * time.Second}
	if s := c.sleeps(); fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("slept %v, want Retry-After's %v", s, want)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	f.Attempts = 3
	for range 5 {
		srv.fail = append(srv.fail, status(http.StatusServiceUnavailable))
	}
	_, err := f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil })
	if !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("error %v, want ErrStatus naming 503 and 3 attempts", err)
	}
	if n := len(srv.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestOtherStatusIsAnErrorNamingIt(t *testing.T) {
	f, srv, c := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	srv.fail = append(srv.fail, status(http.StatusNotFound))
	_, err := f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil })
	if !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "/rest/json/cves/2.0?") {
		t.Fatalf("error %v, want ErrStatus naming 404 and the path", err)
	}
	if len(srv.requests()) != 1 || len(c.sleeps()) != 0 {
		t.Error("a 404 must not be retried")
	}
}

func TestKeyOnlyAsHeaderNeverLogged(t *testing.T) {
	const key = "0a1b2c3d-real-looking-key-9f8e7d6c"
	f, srv, _ := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	var logs bytes.Buffer
	f.APIKey = key
	f.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv.fail = append(srv.fail, status(http.StatusForbidden))
	var got collect
	if _, err := f.Modified(context.Background(), jan1, feb1, got.page); err != nil {
		t.Fatal(err)
	}
	srv.fail = append(srv.fail, status(http.StatusInternalServerError))
	_, err := f.Modified(context.Background(), jan1, feb1, got.page)
	if err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("error %v: want an error without the key", err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.Header.Get("apiKey") != key {
			t.Errorf("request %d: apiKey header %q", i, r.Header.Get("apiKey"))
		}
		if strings.Contains(r.URL.String(), key) || r.URL.Query().Has("apiKey") {
			t.Errorf("request %d: key in the URL %s", i, r.URL)
		}
	}
	if !strings.Contains(logs.String(), "NVD page") || !strings.Contains(logs.String(), "status=403") {
		t.Fatalf("logs lack the page and the retry:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), key) {
		t.Errorf("the key is in the logs:\n%s", logs.String())
	}
}

func TestRedactHidesKeyButUnwraps(t *testing.T) {
	f := &Fetcher{APIKey: "k-123"}
	err := f.redact(fmt.Errorf("proxy said apiKey: k-123: %w", context.Canceled))
	if strings.Contains(err.Error(), "k-123") || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}

func TestRateLimitWithoutKey(t *testing.T) {
	f, srv, c := setup(t, loadResponse(t, "cves-2023.json"))
	f.PageSize = 34 // 200 records: 6 pages, so 6 requests
	var got collect
	if _, err := f.Modified(context.Background(), jan1, feb1, got.page); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.requests()); n != 6 || len(got.ids) != 200 {
		t.Fatalf("%d requests, %d records; want 6 and 200", n, len(got.ids))
	}
	want := []time.Duration{RateWindow} // the clock stands still but for sleeps: the 6th waits a whole window
	if s := c.sleeps(); fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("slept %v, want %v before the 6th request", s, want)
	}
}

func TestRateLimitWithKey(t *testing.T) {
	f, _, c := setup(t, loadResponse(t, "cves-2023.json"))
	f.PageSize, f.APIKey = 34, "key"
	if _, err := f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if s := c.sleeps(); len(s) != 0 {
		t.Errorf("slept %v; with a key 6 requests fit in the window", s)
	}
}

func TestCancellation(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-2023.json"))
	f.PageSize = 50
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pages := 0
	_, err := f.Modified(ctx, jan1, feb1, func(context.Context, Progress, []nvd.Record) error {
		pages++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || pages != 1 || len(srv.requests()) != 1 {
		t.Fatalf("error %v after %d pages and %d requests; want context.Canceled after 1", err, pages, len(srv.requests()))
	}
}

func TestCancellationDuringBackoff(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-CVE-2023-0001.json"))
	ctx, cancel := context.WithCancel(context.Background())
	srv.fail = append(srv.fail, func(w http.ResponseWriter) { cancel(); status(http.StatusServiceUnavailable)(w) })
	_, err := f.Modified(ctx, jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil })
	if !errors.Is(err, context.Canceled) || len(srv.requests()) != 1 {
		t.Fatalf("error %v after %d requests; want context.Canceled and no retry", err, len(srv.requests()))
	}
}

func TestCallbackErrorStops(t *testing.T) {
	f, srv, _ := setup(t, loadResponse(t, "cves-2023.json"))
	f.PageSize = 50
	stop := errors.New("store full")
	_, err := f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return stop })
	if !errors.Is(err, stop) || len(srv.requests()) != 1 {
		t.Fatalf("error %v after %d requests", err, len(srv.requests()))
	}
}

func TestResponseBounded(t *testing.T) {
	f, _, _ := setup(t, loadResponse(t, "cves-2023.json"))
	f.Limits.MaxFileBytes = 100 << 10 // the real page is 479 KB
	_, err := f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil })
	if !errors.Is(err, nvd.ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
}

func TestNotACVEPageRefused(t *testing.T) {
	data, err := os.ReadFile(dataPath(t, "api-responses/cpematch-CVE-2022-32223.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(data) }))
	defer srv.Close()
	c := &clock{}
	f := &Fetcher{BaseURL: srv.URL, HTTP: srv.Client(), Now: c.Now, Sleep: c.Sleep}
	_, err = f.Modified(context.Background(), jan1, feb1, func(context.Context, Progress, []nvd.Record) error { return nil })
	if !errors.Is(err, nvd.ErrNotCVE) {
		t.Fatalf("error %v, want ErrNotCVE for a CPE match response", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"": 0, "5": 5 * time.Second, "-1": 0, "junk": 0, "999999": MaxBackoff,
		now.Add(time.Minute).Format(http.TimeFormat):  time.Minute,
		now.Add(-time.Minute).Format(http.TimeFormat): 0,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestAllAsksForNoRange: a first sync pages through everything NVD holds
// with no lastModified range (one window instead of a hundred).
func TestAllAsksForNoRange(t *testing.T) {
	data := loadBare(t, "go-aliases")
	f, srv, _ := setup(t, data)
	f.PageSize = 50
	var got collect
	p, err := f.All(context.Background(), got.page)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if want := (len(data.Vulns) + 49) / 50; len(reqs) != want || p.Pages != want || p.Records != len(data.Vulns) {
		t.Fatalf("%d requests, progress %+v; want %d pages of %d records", len(reqs), p, want, len(data.Vulns))
	}
	for i, r := range reqs {
		q := r.URL.Query()
		if q.Has("lastModStartDate") || q.Has("lastModEndDate") {
			t.Errorf("request %d asks for a range: %s", i, r.URL.RawQuery)
		}
		if q.Get("startIndex") != strconv.Itoa(i*50) {
			t.Errorf("request %d: startIndex %s", i, q.Get("startIndex"))
		}
	}
	if len(got.ids) != len(data.Vulns) {
		t.Errorf("%d records delivered, want %d", len(got.ids), len(data.Vulns))
	}
}
