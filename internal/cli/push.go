package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// runPush uploads an SBOM to a vulndesk server, for pipelines:
// vulndesk push --server URL --token T --asset NAME [--create] FILE; or,
// with --sarif FILE [--branch B], imports a SARIF log as the asset's code
// findings; or imports a VEX document: vulndesk push --server URL --token T
// --vex FILE.
func runPush(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("push", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", os.Getenv("VULNDESK_SERVER"), "server URL, e.g. https://vulndesk.example.org (env VULNDESK_SERVER)")
	token := fs.String("token", os.Getenv("VULNDESK_TOKEN"), "API token with the upload scope (env VULNDESK_TOKEN)")
	asset := fs.String("asset", "", "asset name")
	create := fs.Bool("create", true, "create the asset when it does not exist")
	kind := fs.String("kind", "", "kind of a created asset (default application)")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	sarifFile := fs.String("sarif", "", "import this SARIF 2.1.0 log as the asset's code findings instead of pushing an SBOM (--asset: the asset's name or ID)")
	branch := fs.String("branch", "", "with --sarif: the branch the log is of (default main); a re-import resolves only the log's tools' findings on this branch")
	vexFile := fs.String("vex", "", "import this VEX document (OpenVEX or CycloneDX VEX) instead of an SBOM: its statements become triage decisions (a token with the triage scope)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if *vexFile != "" {
		if len(files) != 0 || *server == "" || *token == "" || *asset != "" {
			return usagef("usage: vulndesk push --server URL --token TOKEN --vex FILE")
		}
		return pushVEX(ctx, e, *server, *token, *vexFile, *timeout)
	}
	if *sarifFile != "" {
		files = append(files, *sarifFile)
	}
	if len(files) != 1 || *server == "" || *token == "" || *asset == "" {
		return usagef("usage: vulndesk push --server URL --token TOKEN --asset NAME [--create=false] FILE\n" +
			"       vulndesk push --server URL --token TOKEN --asset NAME|ID --sarif FILE [--branch BRANCH]")
	}
	if *branch != "" && *sarifFile == "" {
		return usagef("--branch goes with --sarif: an SBOM is the asset's inventory, of no branch")
	}
	if *sarifFile != "" {
		return pushSARIF(ctx, e, *server, *token, *asset, *sarifFile, *branch, *timeout)
	}
	c, host, data, err := pushSetup(*server, *token, files[0])
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts := client.UploadOptions{Create: *create, Kind: *kind, Source: filepath.Base(files[0])}
	out, err := pushWithRetry(ctx, e, func() (api.UploadReceipt, error) { return c.UploadByName(ctx, *asset, data, opts) })
	if err != nil {
		return pushError(files[0], host, err)
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

// pushVEX imports a VEX document and says what became of its statements:
// how many were applied, and each that matched nothing with the reason.
func pushVEX(ctx context.Context, e *env, server, token, file string, timeout time.Duration) error {
	c, host, data, err := pushSetup(server, token, file)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := pushWithRetry(ctx, e, func() (model.VEXImport, error) { return c.ImportVEX(ctx, data) })
	if err != nil {
		return pushError(file, host, err)
	}
	fmt.Fprintf(e.stdout, "imported %s (%s, document %d): %d statements; %d decisions set (%d findings), %d unchanged, %d kept, %d unmatched\n",
		file, res.Format, res.DocumentID, res.Statements, res.Applied, res.Findings, res.Unchanged, len(res.Kept), len(res.Unmatched))
	for _, k := range res.Kept {
		fmt.Fprintf(e.stdout, "kept: statement %d, %s in %s: %s\n", k.Statement, k.Vulnerability, k.Asset, k.Reason)
	}
	for _, m := range res.Unmatched {
		fmt.Fprintf(e.stdout, "unmatched: statement %d, %s%s: %s\n", m.Statement, m.Vulnerability, cmp.Or(" in "+m.Product, ""), m.Reason)
	}
	return nil
}

// pushSetup checks the server URL, reads the file and makes the client:
// how every kind of push starts.
func pushSetup(server, token, file string) (*client.Client, string, []byte, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", nil, usagef("--server %q: an http(s) URL", server)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, "", nil, usagef("reading %s: %v", file, err)
	}
	return client.New(server, client.WithToken(token), client.WithUserAgent("vulndesk-push")), u.Host, data, nil
}

// pushError says why a push failed: a refusal (a 4xx is the caller's
// mistake, a usage error) or the connection's.
func pushError(file, host string, err error) error {
	var refused *client.Error
	if errors.As(err, &refused) {
		err := fmt.Errorf("server refused %s (%d %s): %s", file, refused.Status, http.StatusText(refused.Status), refused.Message)
		if refused.Status >= 400 && refused.Status < 500 {
			return usageError{err.Error()}
		}
		return err
	}
	return fmt.Errorf("push to %s: %w", host, err)
}

// pushWithRetry uploads; while the server answers 503 or 429 with
// Retry-After (its upload budget is full, or it is rate limiting), it
// waits as told — at most a minute at a time — and tries again, until ctx
// ends.
func pushWithRetry[T any](ctx context.Context, e *env, upload func() (T, error)) (T, error) {
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

// pushSARIF imports a SARIF log for an asset named by ID or name: push
// --sarif FILE [--branch B].
func pushSARIF(ctx context.Context, e *env, server, token, asset, file, branch string, timeout time.Duration) error {
	c, host, data, err := pushSetup(server, token, file)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := assetID(ctx, c, asset)
	if err != nil {
		return err
	}
	out, err := pushWithRetry(ctx, e, func() (model.SARIFImport, error) {
		return c.ImportSARIF(ctx, id, data, client.SARIFOptions{Branch: branch, Source: filepath.Base(file)})
	})
	if err != nil {
		return pushError(file, host, err)
	}
	tools := strings.Join(out.Tools, ", ")
	if tools == "" {
		tools = "no tool (the log has no runs)"
	}
	fmt.Fprintf(e.stdout, "imported %s into asset %d, branch %s: %d results of %s: %d new, %d unchanged, %d resolved, %d reopened, %d suppressed\n",
		file, out.AssetID, out.Branch, out.Results, tools, out.New, out.Unchanged, out.Resolved, out.Reopened, out.Suppressed)
	return nil
}

// assetID is the ID of the asset --asset names: an ID as it is, a name
// looked up (which needs a token that may read assets).
func assetID(ctx context.Context, c *client.Client, asset string) (int64, error) {
	if id, err := strconv.ParseInt(asset, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	page, err := c.Assets(ctx, client.AssetQuery{Text: asset, PageQuery: client.PageQuery{Limit: 500}})
	var refused *client.Error
	if errors.As(err, &refused) && refused.Status == http.StatusForbidden {
		return 0, usagef("--asset %q: this token may not read assets to find the name: pass the asset's ID instead", asset)
	}
	if err != nil {
		return 0, fmt.Errorf("looking up asset %q: %w", asset, err)
	}
	for _, a := range page.Items {
		if a.Name == asset {
			return a.ID, nil
		}
	}
	return 0, usagef("--asset %q: no asset has this name (push its SBOM first, which creates it, or pass an asset's ID)", asset)
}
