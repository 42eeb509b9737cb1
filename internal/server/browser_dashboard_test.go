package server_test

import (
	"context"
	"os"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// pageShot writes a full-page screenshot of the browser's page into dir.
func pageShot(dir, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var b []byte // quality 100: a PNG
		if err := chromedp.FullScreenshot(&b, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
}
