package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
	q := url.Values{"asset": {*asset}, "create": {fmt.Sprint(*create)}, "source": {filepath.Base(files[0])}}
	if *kind != "" {
		q.Set("kind", *kind)
	}
	endpoint := strings.TrimRight(*server, "/") + "/api/v1/sboms?" + q.Encode()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	resp, body, err := pushWithRetry(ctx, e, endpoint, *token, data)
	if err != nil {
		return fmt.Errorf("push to %s: %w", u.Host, err)
	}
	if resp.StatusCode != http.StatusCreated {
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		msg := e.Error
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		err := fmt.Errorf("server refused %s (%s): %s", files[0], resp.Status, msg)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return usageError{err.Error()}
		}
		return err
	}
	var out struct {
		Asset struct {
			ID   int64
			Name string
		}
		Snapshot struct {
			ID         int64
			Components int
			Format     string
		}
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("server answer: %w", err)
	}
	fmt.Fprintf(e.stdout, "pushed %s to asset %q (id %d): snapshot %d, %d components (%s); findings follow within seconds\n",
		files[0], out.Asset.Name, out.Asset.ID, out.Snapshot.ID, out.Snapshot.Components, out.Snapshot.Format)
	return nil
}

// pushWithRetry posts the SBOM; while the server answers 503 or 429 with
// Retry-After (its upload budget is full, or it is rate limiting), it
// waits as told — at most a minute at a time — and tries again, until ctx
// ends.
func pushWithRetry(ctx context.Context, e *env, endpoint, token string, data []byte) (*http.Response, []byte, error) {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, nil, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		busy := resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests
		if !busy || err != nil || wait < 0 {
			return resp, body, nil
		}
		d := min(time.Duration(wait)*time.Second, time.Minute)
		fmt.Fprintf(e.stderr, "vulndesk: the server is busy (%s); trying again in %v\n", resp.Status, d)
		select {
		case <-ctx.Done():
			return resp, body, nil
		case <-time.After(d):
		}
	}
}
