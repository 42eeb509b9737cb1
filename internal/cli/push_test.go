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
