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
