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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+*token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("push to %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
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
