package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
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
	p, pw, api := startSeeded(t)
	var sum struct {
		Open int `json:"open_findings"`
	}
	servertest.Eventually(t, 30*time.Second, "seeded findings", func() bool {
		api.JSON(t, "GET", "/api/v1/overview", nil, 200, &sum)
		return sum.Open > 0
	})

	ctx, consoleErrors := newBrowser(t, bin)

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
	if !strings.HasPrefix(title, "Dashboard") {
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
	// The dashboard's charts, wide and 400 px wide, as artefacts.
	var charts int
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelectorAll('figure.plot svg').length`, &charts),
		screenshot(artefactDir(t), "dashboard.png"),
		chromedp.EmulateViewport(400, 900),
		screenshot(artefactDir(t), "dashboard-400px.png"),
		chromedp.EmulateViewport(1200, 900),
	); err != nil {
		t.Fatal(err)
	}
	if charts != 6 { // three, and the SLA panel's three
		t.Errorf("the dashboard draws %d charts, want 6", charts)
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
	consoleErrors.check(t)
}

// startSeeded starts the real binary on a fresh, seeded data directory
// and returns it, the admin's first-start password and an auditor's API
// client.
func startSeeded(t *testing.T) (*servertest.Proc, string, *servertest.Client) {
	o := servertest.Options{DataDir: t.TempDir()}
	p := servertest.Start(t, o)
	pw := p.AdminPassword()
	if pw == "" {
		t.Fatalf("no admin password printed:\n%s", p.Stderr())
	}
	return p, pw, &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "auditor")}
}

// consoleLog collects what a page reports as errors: console errors,
// log entries (a CSP violation — an inline script or style slipping into
// a template — shows up here) and uncaught exceptions.
type consoleLog struct {
	mu     sync.Mutex
	errors []string
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errors = append(c.errors, s)
}

// check fails the test when any error was collected.
func (c *consoleLog) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errors) > 0 {
		b, _ := json.Marshal(c.errors)
		t.Errorf("console errors (CSP?): %s", b)
	}
}

// newBrowser starts headless Chromium (bin) for the test, with a 90 s
// budget, and collects its console errors and any dialog a page opens;
// cdplog.Enable must run first.
func newBrowser(t *testing.T, bin string) (context.Context, *consoleLog) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	c := &consoleLog{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				for _, a := range e.Args {
					c.add(string(a.Value))
				}
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.LevelError {
				c.add(string(e.Entry.Source) + ": " + e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			c.add(e.ExceptionDetails.Text)
		case *page.EventJavascriptDialogOpening:
			// Markup from a name ran as script: record it and close the
			// dialog so that the page goes on.
			c.add("dialog opened: " + e.Message)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
		}
	})
	return ctx, c
}

// screenshot writes a full-page screenshot to dir/name.
func screenshot(dir, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var b []byte // quality 100: a PNG
		if err := chromedp.FullScreenshot(&b, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
}

// submitAndWait submits the form of the element sel and waits for the
// page the submit loads: what is on the page before it (a list the new
// page also has) cannot then be read by mistake.
func submitAndWait(sel string) chromedp.Action { return andWait(chromedp.Submit(sel)) }

// clickAndWait clicks the element sel (a form's button, a link) and waits
// for the page that loads.
func clickAndWait(sel string) chromedp.Action { return andWait(chromedp.Click(sel)) }

func andWait(a chromedp.Action) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`document.body.dataset.beforeSubmit = "1"`, nil),
		a,
		chromedp.WaitReady(`body:not([data-before-submit])`),
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// adminBrowser is a test's real binary with headless Chromium, for a test
// that signs in as the first administrator (signIn).
type adminBrowser struct {
	t       *testing.T
	p       *servertest.Proc
	ctx     context.Context
	console *consoleLog
	dir     string // where screenshots go (artefactDir)
	pw      string
}

// startAdminBrowser starts the binary with o and Chromium; the test is
// skipped without Chromium (see chromium).
func startAdminBrowser(t *testing.T, o servertest.Options) *adminBrowser {
	t.Helper()
	bin := chromium(t)
	p := servertest.Start(t, o)
	pw := p.AdminPassword()
	if pw == "" {
		t.Fatalf("no admin password printed:\n%s", p.Stderr())
	}
	ctx, console := newBrowser(t, bin)
	return &adminBrowser{t: t, p: p, ctx: ctx, console: console, dir: artefactDir(t), pw: pw}
}

// run runs the actions; when one fails, the test fails with the server's
// log.
func (b *adminBrowser) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser, %s: %v\n%s", what, err, b.p.Stderr())
	}
}

// signIn fills in the sign-in form the browser was sent to as the
// administrator.
func (b *adminBrowser) signIn() chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, b.pw),
		chromedp.Submit(`input[name=password]`),
	}
}
