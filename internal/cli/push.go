package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
)

// runPush uploads an SBOM to a vulndesk server, for pipelines:
// vulndesk push --server URL --token T --asset NAME [--create] FILE.
func runPush(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("push", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", os.Getenv("VULNDESK_SERVER"), "server URL, e.g. https://vulndesk.example.org (env VULNDESK_SERVER)")
	token := fs.String("token", os.Getenv("VULNDESK_TOKEN"), "API token with the upload scope (env VULNDESK_TOKEN)")
	asset := fs.String("asset", "", "asset name")
	create := fs.Bool("create", true, "create the asset when it does not exist")
	kind := fs.String("kind", "", "kind of a created asset (default application)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if len(files) != 1 || *server == "" || *token == "" || *asset == "" {
		return usagef("usage: vulndesk push --server URL --token TOKEN --asset NAME [--create=false] FILE")
	}
	u, err := url.Parse(*server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usagef("--server %q: an http(s) URL", *server)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return usagef("reading %s: %v", files[0], err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c := client.New(*server, client.WithToken(*token), client.WithUserAgent("vulndesk-push"))
	opts := client.UploadOptions{Create: *create, Kind: *kind, Source: filepath.Base(files[0])}
	out, err := pushWithRetry(ctx, e, func() (api.UploadReceipt, error) { return c.UploadByName(ctx, *asset, data, opts) })
	var refused *client.Error
	if errors.As(err, &refused) {
		err := fmt.Errorf("server refused %s (%d %s): %s", files[0], refused.Status, http.StatusText(refused.Status), refused.Message)
		if refused.Status >= 400 && refused.Status < 500 {
			return usageError{err.Error()}
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("push to %s: %w", u.Host, err)
	}
	if out.Unchanged {
		fmt.Fprintf(e.stdout, "pushed %s to asset %q (id %d): the same SBOM as its current snapshot %d; the scan is recorded, no new snapshot\n",
			files[0], out.Asset.Name, out.Asset.ID, out.Snapshot.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "pushed %s to asset %q (id %d): snapshot %d, %d components (%s); findings follow within seconds\n",
		files[0], out.Asset.Name, out.Asset.ID, out.Snapshot.ID, out.Snapshot.Components, out.Snapshot.Format)
	return nil
}

// pushWithRetry uploads; while the server answers 503 or 429 with
// Retry-After (its upload budget is full, or it is rate limiting), it
// waits as told — at most a minute at a time — and tries again, until ctx
// ends.
func pushWithRetry(ctx context.Context, e *env, upload func() (api.UploadReceipt, error)) (api.UploadReceipt, error) {
	for {
		out, err := upload()
		var refused *client.Error
		if !errors.As(err, &refused) {
			return out, err
		}
		wait, ok := refused.RetryAfter()
		busy := refused.Status == http.StatusServiceUnavailable || refused.Status == http.StatusTooManyRequests
		if !busy || !ok {
			return out, err
		}
		d := min(wait, time.Minute)
		fmt.Fprintf(e.stderr, "vulndesk: the server is busy (%d %s); trying again in %v\n", refused.Status, http.StatusText(refused.Status), d)
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(d):
		}
	}
}
