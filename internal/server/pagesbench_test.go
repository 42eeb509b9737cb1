package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// benchPages are the pages BenchmarkPages times: the dashboard, and the
// findings page's default view, a filtered one and text searches (a word
// in a hundred package names, a package name, an advisory alias).
var benchPages = []struct{ name, path, want string }{
	{"dashboard", "/", "Open and resolved findings"},
	{"findings", "/findings", "findings shown"},
	{"findings critical+kev", "/findings?severity=critical&kev=true", "findings shown"},
	{"findings q=lodash", "/findings?q=lodash", "findings shown"},
	{"findings q=lodash-17", "/findings?q=lodash-17", "findings shown"},
	{"findings q=CVE-2024-1234", "/findings?q=CVE-2024-1234", "findings shown"},
}

// BenchmarkPages times the dashboard and the findings page through the
// real HTTP server over loopback, on a store of VULNDESK_BENCH_FINDINGS
// findings filled by storetest.BulkFill, on each engine
// (VULNDESK_BENCH_ENGINES, default both): VULNDESK_BENCH_ROUNDS requests
// a page (default 30) after two to warm up, one at a time. It prints a
// line a page, "PAGE engine page p50 p95 max" in milliseconds, which
// scripts/bench-pages.sh tabulates. Run with -benchtime=1x.
func BenchmarkPages(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VULNDESK_BENCH_FINDINGS"))
	if n <= 0 {
		b.Skip("set VULNDESK_BENCH_FINDINGS (e.g. 1000000) to run; see scripts/bench-pages.sh")
	}
	rounds, _ := strconv.Atoi(os.Getenv("VULNDESK_BENCH_ROUNDS"))
	if rounds <= 0 {
		rounds = 30
	}
	want := strings.Split(os.Getenv("VULNDESK_BENCH_ENGINES"), ",")
	for _, e := range storetest.Engines(b) {
		if want[0] != "" && !slices.Contains(want, e.Name) {
			continue
		}
		b.Run(e.Name, func(b *testing.B) {
			const pw = "pages-bench-2026!"
			p := startInproc(b, e, inprocOptions{adminPassword: pw})
			start := time.Now()
			if err := storetest.BulkFill(context.Background(), p.Store, storetest.DefaultBulk(n), time.Now()); err != nil {
				b.Fatal(err)
			}
			fmt.Printf("FILL\t%s\t%d\t%.1f\n", e.Name, n, time.Since(start).Seconds())
			cookie := benchSignIn(b, p.URL, pw)
			for _, pg := range benchPages {
				b.Run(pg.name, func(b *testing.B) {
					var ms []float64
					for range b.N {
						for k := range rounds + 2 {
							d := benchGet(b, p.URL+pg.path, cookie, pg.want)
							if k >= 2 {
								ms = append(ms, d.Seconds()*1000)
							}
						}
					}
					slices.Sort(ms)
					p50, p95, most := ms[len(ms)/2], ms[min(len(ms)-1, len(ms)*95/100)], ms[len(ms)-1]
					b.ReportMetric(p50, "p50-ms")
					b.ReportMetric(p95, "p95-ms")
					b.ReportMetric(most, "max-ms")
					fmt.Printf("PAGE\t%s\t%s\t%.1f\t%.1f\t%.1f\n", e.Name, pg.name, p50, p95, most)
				})
			}
		})
	}
}

var benchClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// benchSignIn signs in as admin with the form and returns the cookie.
func benchSignIn(b *testing.B, base, pw string) string {
	resp, err := benchClient.PostForm(base+"/login", url.Values{"username": {"admin"}, "password": {pw}, "next": {"/"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "vulndesk_session" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("sign-in: %s", resp.Status)
	return ""
}

// benchGet fetches a page whole and returns how long it took; the page
// must answer 200 and show want.
func benchGet(b *testing.B, u, cookie, want string) time.Duration {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Cookie", cookie)
	start := time.Now()
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	d := time.Since(start)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), want) {
		b.Fatalf("GET %s: %s %v; want 200 showing %q", u, resp.Status, err, want)
	}
	return d
}
