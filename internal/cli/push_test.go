package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// push waits and tries again while the server answers 503 with
// Retry-After (its upload budget is full), and reports the upload once it
// goes in.
func TestPushRetriesWhenBusy(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":"busy"}`, http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"asset":{"id":4,"name":"api"},"snapshot":{"id":9,"components":2,"format":"CycloneDX 1.6 JSON"}}`))
	}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "bom.json")
	os.WriteFile(f, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`), 0o600)
	out, stderr, code := runCLI(t, "", "push", "--server", srv.URL, "--token", "vdk_x", "--asset", "api", f)
	if code != 0 || calls.Load() != 3 || !strings.Contains(out, "snapshot 9") || strings.Count(stderr, "trying again") != 2 {
		t.Fatalf("exit %d after %d calls\nstdout %s\nstderr %s", code, calls.Load(), out, stderr)
	}
}

// A refusal is reported with the server's status and message: a 4xx is
// the caller's mistake (ExitUsage), a 5xx the server's (ExitInternal);
// a 503 without Retry-After is not waited for.
func TestPushRefused(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		exit   int
		want   string
	}{
		{404, `{"error":"asset \"api\": not found (pass create=true to create it)","status":404}`, ExitUsage, `(404 Not Found): asset "api": not found`},
		{403, `{"error":"role auditor may not upload SBOMs","status":403}`, ExitUsage, "(403 Forbidden): role auditor may not"},
		{503, "upstream down\n", ExitInternal, "(503 Service Unavailable): upstream down"},
	} {
		var query string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			query = r.URL.RawQuery
			w.WriteHeader(c.status)
			w.Write([]byte(c.body))
		}))
		f := filepath.Join(t.TempDir(), "bom.json")
		os.WriteFile(f, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`), 0o600)
		_, stderr, code := runCLI(t, "", "push", "--server", srv.URL, "--token", "vdk_x", "--asset", "api", "--kind", "host", f)
		srv.Close()
		if code != c.exit || !strings.Contains(stderr, "server refused "+f+" "+c.want) {
			t.Errorf("%d: exit %d, want %d; stderr %q", c.status, code, c.exit, stderr)
		}
		if query != "asset=api&create=true&kind=host&source=bom.json" {
			t.Errorf("query %q", query)
		}
	}
}

// startServer serves a fresh database of engine e from this process, over
// loopback, and returns its URL and tokens of the admin and uploader
// roles.
func startServer(t *testing.T, e storetest.Engine) (string, string, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, e.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := service.New(st, log)
	srv := server.New(svc, &service.Runner{Svc: svc}, log, "test")
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); st.Close() })
	token := func(role string) string {
		secret := auth.NewToken(auth.APITokenPrefix)
		if _, err := storetest.CreateToken(ctx, st, model.Token{Name: "push-" + role, Role: role, CreatedBy: "test"}, auth.HashToken(secret)); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	return hs.URL, token("admin"), token("uploader")
}

// push --sarif imports a log for an asset named by name or ID, against
// the real server on both engines: the counts, a re-import that changes
// nothing, the branch, and the mistakes a pipeline makes.
func TestPushSARIF(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url, admin, uploader := startServer(t, e)
			c := client.New(url, client.WithToken(admin))
			a, err := c.CreateAsset(context.Background(), api.AssetInput{Name: ptr("ci-app")})
			if err != nil {
				t.Fatal(err)
			}
			log := filepath.Join(t.TempDir(), "gosec.sarif")
			os.WriteFile(log, []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gosec"}}, "results": [
				{"ruleId": "G101", "message": {"text": "hard-coded credential"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "main.go"}}}]},
				{"ruleId": "G204", "message": {"text": "subprocess with variable"}, "suppressions": [{"kind": "inSource"}]}]}]}`), 0o600)
			args := []string{"push", "--server", url, "--token", admin, "--asset", "ci-app", "--sarif", log}
			out, stderr, code := runCLI(t, "", args...)
			want := fmt.Sprintf("imported %s into asset %d, branch main: 2 results of gosec: 2 new, 0 unchanged, 0 resolved, 0 reopened, 1 suppressed\n", log, a.ID)
			if code != 0 || out != want {
				t.Fatalf("exit %d\nstdout %q\nwant   %q\nstderr %s", code, out, want, stderr)
			}
			// By ID, with an uploader's token (which may not read assets),
			// on another branch.
			out, stderr, code = runCLI(t, "", "push", "--server", url, "--token", uploader, "--asset", fmt.Sprint(a.ID), "--sarif", log, "--branch", "release/1.x")
			if code != 0 || !strings.Contains(out, "branch release/1.x: 2 results of gosec: 2 new") {
				t.Fatalf("by ID: exit %d %q %s", code, out, stderr)
			}
			if out, _, _ = runCLI(t, "", args...); !strings.Contains(out, "0 new, 2 unchanged, 0 resolved") {
				t.Errorf("re-import: %q", out)
			}
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"--token", uploader, "--asset", "ci-app", "--sarif", log}, "pass the asset's ID instead"},
				{[]string{"--token", admin, "--asset", "absent", "--sarif", log}, `--asset "absent": no asset has this name`},
				{[]string{"--token", admin, "--asset", "ci-app", "--branch", "dev", log}, "--branch goes with --sarif"},
				{[]string{"--token", admin, "--asset", fmt.Sprint(a.ID), "--sarif", filepath.Join(t.TempDir(), "none.sarif")}, "reading"},
				{[]string{"--token", admin, "--asset", "999999", "--sarif", log}, "(404 Not Found): asset 999999"},
			} {
				_, stderr, code := runCLI(t, "", append([]string{"push", "--server", url}, c.args...)...)
				if code != ExitUsage || !strings.Contains(stderr, c.want) {
					t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
				}
			}
			bad := filepath.Join(t.TempDir(), "bad.sarif")
			os.WriteFile(bad, []byte(`{"version": "2.1.0", "runs": [`), 0o600)
			if _, stderr, code := runCLI(t, "", "push", "--server", url, "--token", admin, "--asset", "ci-app", "--sarif", bad); code != ExitUsage ||
				!strings.Contains(stderr, "(400 Bad Request): not a SARIF 2.1.0 log: the JSON ends early") {
				t.Errorf("a broken log: exit %d, %q", code, stderr)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// push --vex imports a VEX document and lists what matched nothing; it
// takes no SBOM, no asset.
func TestPushVEX(t *testing.T) {
	var path, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.Method + " " + r.URL.Path
		b := make([]byte, 100)
		n, _ := r.Body.Read(b)
		body = string(b[:n])
		w.Write([]byte(`{"document_id":3,"format":"openvex","statements":2,"applied":1,"findings":2,"unchanged":0,
			"unmatched":[{"statement":1,"vulnerability":"CVE-1","product":"pkg:npm/a","reason":"unknown product: no asset named \"pkg:npm/a\""}],
			"kept":[{"statement":0,"vulnerability":"GHSA-x","asset":"shop","reason":"alice decided affected at 2026-01-02T00:00:00Z, after the statement"}]}`))
	}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "doc.vex.json")
	os.WriteFile(f, []byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}`), 0o600)
	out, stderr, code := runCLI(t, "", "push", "--server", srv.URL, "--token", "vdk_x", "--vex", f)
	if code != 0 || path != "POST /api/v1/vex" || !strings.HasPrefix(body, `{"@context"`) {
		t.Fatalf("exit %d, %s with %q\nstderr %s", code, path, body, stderr)
	}
	for _, want := range []string{"2 statements; 1 decisions set (2 findings), 0 unchanged, 1 kept, 1 unmatched",
		"unmatched: statement 1, CVE-1 in pkg:npm/a: unknown product", "kept: statement 0, GHSA-x in shop: alice decided"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, args := range [][]string{{"--vex", f, "--asset", "api"}, {"--vex", f, f}, {"--vex", f, "--token", ""}} {
		_, stderr, code := runCLI(t, "", append([]string{"push", "--server", srv.URL, "--token", "vdk_x"}, args...)...)
		if code != ExitUsage || !strings.Contains(stderr, "--vex FILE") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
