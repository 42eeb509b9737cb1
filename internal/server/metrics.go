package server

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics keeps request latency histograms per route, in the Prometheus
// text format's terms, and the sign-in counters. Everything else /metrics
// shows is read at scrape time from the store and the runner.
type metrics struct {
	mu    sync.Mutex
	reqs  map[reqKey]*histogram
	start time.Time

	// The upload budget: bytes reserved, uploads waiting for room, and
	// uploads refused for want of it.
	uploadBytes, uploadsWaiting, uploadsRefused atomic.Int64
	// loginFailures counts password checks that failed; loginRefused,
	// sign-ins the limiter turned away unchecked.
	loginFailures, loginRefused atomic.Uint64
}

type reqKey struct{ route, code string }

// buckets are the latency bounds in seconds.
var buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []uint64 // one per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics { return &metrics{reqs: map[reqKey]*histogram{}, start: time.Now()} }

type routeKey struct{}

// setRoute records the matched route pattern on the request, so latency is
// labelled by route and not by raw path (whose IDs would explode the label
// set).
func setRoute(r *http.Request, pattern string) {
	if p, ok := r.Context().Value(routeKey{}).(*string); ok {
		*p = pattern
	}
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (m *metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		pattern := "unmatched"
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, &pattern))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		m.observe(reqKey{pattern, fmt.Sprint(sw.code)}, time.Since(start).Seconds())
	})
}

func (m *metrics) observe(k reqKey, secs float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.reqs[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.reqs[k] = h
	}
	for i, b := range buckets {
		if secs <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += secs
	h.n++
}

// label quotes a Prometheus label value.
func label(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

func (m *metrics) writeRequests(b *strings.Builder) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]reqKey, 0, len(m.reqs))
	for k := range m.reqs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	b.WriteString("# HELP vulndesk_http_request_duration_seconds Time to answer HTTP requests, by route and status.\n")
	b.WriteString("# TYPE vulndesk_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		h := m.reqs[k]
		lbl := "route=" + label(k.route) + ",code=" + label(k.code)
		var cum uint64
		for i, bound := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(b, "vulndesk_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", lbl, bound, cum)
		}
		fmt.Fprintf(b, "vulndesk_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", lbl, h.n)
		fmt.Fprintf(b, "vulndesk_http_request_duration_seconds_sum{%s} %g\n", lbl, h.sum)
		fmt.Fprintf(b, "vulndesk_http_request_duration_seconds_count{%s} %d\n", lbl, h.n)
	}
}

func (m *metrics) writeLogins(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP vulndesk_login_failures_total Sign-ins with a wrong user name or password.\n"+
		"# TYPE vulndesk_login_failures_total counter\nvulndesk_login_failures_total %d\n", m.loginFailures.Load())
	fmt.Fprintf(b, "# HELP vulndesk_login_refused_total Sign-ins refused unchecked after too many failures.\n"+
		"# TYPE vulndesk_login_refused_total counter\nvulndesk_login_refused_total %d\n", m.loginRefused.Load())
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	ctx := r.Context()
	var b strings.Builder
	s.metrics.writeRequests(&b)
	s.metrics.writeLogins(&b)

	fmt.Fprintf(&b, "# HELP vulndesk_upload_bytes_in_flight Upload bytes this replica holds for processing (the budget is %d).\n# TYPE vulndesk_upload_bytes_in_flight gauge\nvulndesk_upload_bytes_in_flight %d\n",
		s.uploads.size, s.metrics.uploadBytes.Load())
	fmt.Fprintf(&b, "# HELP vulndesk_uploads_waiting Uploads waiting for room in the upload budget.\n# TYPE vulndesk_uploads_waiting gauge\nvulndesk_uploads_waiting %d\n", s.metrics.uploadsWaiting.Load())
	fmt.Fprintf(&b, "# HELP vulndesk_uploads_refused_total Uploads answered 503 because the upload budget stayed full.\n# TYPE vulndesk_uploads_refused_total counter\nvulndesk_uploads_refused_total %d\n", s.metrics.uploadsRefused.Load())

	jobs, err := s.Store.JobCounts(ctx)
	if err != nil {
		return err
	}
	b.WriteString("# HELP vulndesk_jobs Background jobs in the queue, by state (all replicas).\n# TYPE vulndesk_jobs gauge\n")
	for _, st := range []string{"queued", "running", "done", "failed"} {
		fmt.Fprintf(&b, "vulndesk_jobs{state=%s} %d\n", label(st), jobs[st])
	}
	queue, err := s.Store.Queue(ctx)
	if err != nil {
		return err
	}
	b.WriteString("# HELP vulndesk_job_queue Background jobs waiting (queued) and running, by kind (all replicas).\n# TYPE vulndesk_job_queue gauge\n")
	for _, q := range queue {
		fmt.Fprintf(&b, "vulndesk_job_queue{kind=%s,state=\"queued\"} %d\n", label(q.Kind), q.Queued)
		fmt.Fprintf(&b, "vulndesk_job_queue{kind=%s,state=\"running\"} %d\n", label(q.Kind), q.Running)
	}
	b.WriteString("# HELP vulndesk_job_queue_oldest_seconds How long the longest-waiting queued job of each kind has waited (0: none waits).\n# TYPE vulndesk_job_queue_oldest_seconds gauge\n")
	for _, q := range queue {
		age := 0.0
		if !q.OldestQueued.IsZero() {
			age = max(0, time.Since(q.OldestQueued).Seconds())
		}
		fmt.Fprintf(&b, "vulndesk_job_queue_oldest_seconds{kind=%s} %.3f\n", label(q.Kind), age)
	}
	if s.Runner != nil {
		b.WriteString("# HELP vulndesk_runner_jobs_total Jobs this replica ran, by outcome.\n# TYPE vulndesk_runner_jobs_total counter\n")
		fmt.Fprintf(&b, "vulndesk_runner_jobs_total{outcome=\"done\"} %d\n", s.Runner.Done.Load())
		fmt.Fprintf(&b, "vulndesk_runner_jobs_total{outcome=\"failed\"} %d\n", s.Runner.Failed.Load())
		fmt.Fprintf(&b, "vulndesk_runner_jobs_total{outcome=\"abandoned\"} %d\n", s.Runner.Abandoned.Load())
		fmt.Fprintf(&b, "# HELP vulndesk_runner_jobs_running Jobs this replica is running.\n# TYPE vulndesk_runner_jobs_running gauge\nvulndesk_runner_jobs_running %d\n", s.Runner.Running())
	}

	feeds, err := s.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	b.WriteString("# HELP vulndesk_feed_age_seconds Time since each feed last synced successfully (-1: never).\n# TYPE vulndesk_feed_age_seconds gauge\n")
	for _, f := range feeds {
		age := -1.0
		if !f.LastSuccessAt.IsZero() {
			age = time.Since(f.LastSuccessAt).Seconds()
		}
		fmt.Fprintf(&b, "vulndesk_feed_age_seconds{feed=%s,kind=%s} %.0f\n", label(f.Name), label(f.Kind), age)
	}
	b.WriteString("# HELP vulndesk_feed_failing 1 when a feed's last sync failed.\n# TYPE vulndesk_feed_failing gauge\n")
	for _, f := range feeds {
		failing := 0
		if f.LastError != "" {
			failing = 1
		}
		fmt.Fprintf(&b, "vulndesk_feed_failing{feed=%s} %d\n", label(f.Name), failing)
	}

	sum, err := s.Store.Summary(ctx)
	if err != nil {
		return err
	}
	b.WriteString("# HELP vulndesk_findings_open Open findings by severity.\n# TYPE vulndesk_findings_open gauge\n")
	for _, sv := range severityOrder {
		fmt.Fprintf(&b, "vulndesk_findings_open{severity=%s} %d\n", label(sv), sum.BySeverity[sv])
	}
	fmt.Fprintf(&b, "# HELP vulndesk_findings_open_kev Open findings listed in CISA KEV.\n# TYPE vulndesk_findings_open_kev gauge\nvulndesk_findings_open_kev %d\n", sum.KEV)
	fmt.Fprintf(&b, "# HELP vulndesk_assets Assets in the inventory.\n# TYPE vulndesk_assets gauge\nvulndesk_assets %d\n", sum.Assets)
	fmt.Fprintf(&b, "# HELP vulndesk_uptime_seconds Time since this replica started.\n# TYPE vulndesk_uptime_seconds gauge\nvulndesk_uptime_seconds %.0f\n", time.Since(s.started).Seconds())

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(b.String()))
	return err
}
