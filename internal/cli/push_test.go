package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
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
