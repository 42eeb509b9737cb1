package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// chromium finds Debian's Chromium; CI installs it and sets
// VULNDESK_REQUIRE_BROWSER so the test cannot skip there.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("VULNDESK_REQUIRE_BROWSER") != "" {
		t.Fatal("VULNDESK_REQUIRE_BROWSER is set but no chromium is installed (apt-get install -y chromium)")
	}
	t.Skip("no Chromium on this machine: the browser test needs it (apt-get install -y chromium)")
	return ""
}

// TestBrowserSignInAndOverview drives the real binary's pages in headless
// Chromium: sign in with the first-start password, see the overview with
// the seeded example's numbers and its chart, with no CSP violation, and
// sign out.
func TestBrowserSignInAndOverview(t *testing.T) {
	bin := chromium(t)
	o := servertest.Options{DataDir: t.TempDir()}
	p := servertest.Start(t, o)
	pw := p.AdminPassword()
	if pw == "" {
		t.Fatalf("no admin password printed:\n%s", p.Stderr())
	}
	api := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "auditor")}
	var sum struct {
		Open int `json:"open_findings"`
	}
	servertest.Eventually(t, 30*time.Second, "seeded findings", func() bool {
		api.JSON(t, "GET", "/api/v1/overview", nil, 200, &sum)
		return sum.Open > 0
	})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	// Collect console errors: a CSP violation (an inline script or style
	// slipping into a template) shows up here.
	var mu sync.Mutex
	var consoleErrors []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && e.Type == runtime.APITypeError {
			mu.Lock()
			defer mu.Unlock()
			for _, a := range e.Args {
				consoleErrors = append(consoleErrors, string(a.Value))
			}
		}
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry.Level == cdplog.LevelError {
			mu.Lock()
			defer mu.Unlock()
			consoleErrors = append(consoleErrors, string(e.Entry.Source)+": "+e.Entry.Text)
		}
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			defer mu.Unlock()
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Text)
		}
	})

	var title, openTile, loc string
	var bars int
	err := chromedp.Run(ctx,
		cdplog.Enable(),
		chromedp.Navigate(p.URL+"/"),
		chromedp.WaitVisible(`input[name=username]`), // redirected to /login
		chromedp.Location(&loc),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, pw),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`svg.chart`),
		chromedp.Title(&title),
		chromedp.Text(`section.tiles .tile:nth-child(3) .n`, &openTile),
		chromedp.Evaluate(`document.querySelectorAll('svg.chart rect').length`, &bars),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(loc, "/login?next=") {
		t.Errorf("signed-out visit to / went to %s, want /login?next=…", loc)
	}
	if !strings.HasPrefix(title, "Overview") {
		t.Errorf("title %q", title)
	}
	if strings.TrimSpace(openTile) != itoa(sum.Open) {
		t.Errorf("open findings tile %q, API says %d", openTile, sum.Open)
	}
	if bars != 6 {
		t.Errorf("severity chart has %d bars, want 6", bars)
	}
	// The session cookie is not readable from script (HttpOnly).
	var cookies string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.cookie`, &cookies)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookies, "vulndesk_session") {
		t.Errorf("session cookie visible to script: %q", cookies)
	}
	if err := chromedp.Run(ctx,
		chromedp.Click(`form.who button`),
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.Location(&loc),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/login") {
		t.Errorf("after sign-out at %s", loc)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		b, _ := json.Marshal(consoleErrors)
		t.Errorf("console errors (CSP?): %s", b)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
