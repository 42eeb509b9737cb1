package server_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestBrowserRefusedUpload uploads a file larger than the server takes
// (--max-upload) through the asset page in Chromium: the browser shows
// the asset page again with the reason in words, not a broken connection.
func TestBrowserRefusedUpload(t *testing.T) {
	bin := chromium(t)
	o := servertest.Options{DataDir: t.TempDir(), Args: []string{"--max-upload", "65536"}}
	p := servertest.Start(t, o)
	pw := p.AdminPassword()
	big := filepath.Join(t.TempDir(), "big.cdx.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, console := newBrowser(t, bin)
	var msg, loc string
	err := chromedp.Run(ctx,
		signInAt(p.URL+"/assets", pw),
		chromedp.Click(`table.assets a`),
		chromedp.WaitVisible(`#upload-form`),
		chromedp.SetUploadFiles(`#sbom-file`, []string{big}),
		chromedp.Submit(`#sbom-file`),
		chromedp.WaitVisible(`#upload-form p.error, section p.error`),
		chromedp.Text(`p.error`, &msg),
		chromedp.Location(&loc),
	)
	if err != nil {
		t.Fatalf("browser: %v\n%s", err, p.Stderr())
	}
	if !strings.Contains(msg, "Nothing was stored") || !strings.Contains(msg, "larger than 65536 bytes") {
		t.Errorf("the refused upload's page says %q (at %s)", msg, loc)
	}
	// The 413 itself is logged as a failed load; anything else is an error.
	console.mu.Lock()
	defer console.mu.Unlock()
	for _, e := range console.errors {
		if !strings.Contains(e, "status of 413") {
			t.Errorf("console error: %s", e)
		}
	}
}
