package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/config"
	"github.com/vulndesk/vulndesk/internal/server"
)

// serve refuses bad settings at start, a TLS half-configuration or an
// unreadable certificate among them, naming the problem, before it opens
// the database.
func TestServeRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "cert.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--tls-key", bad}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", bad}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", bad, "--tls-key", bad}, "cert.pem"},
		{[]string{"--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", bad}, "missing.pem"},
		{[]string{"--workers", "-2"}, "serve: --workers -2"},
		{[]string{"--addr", "localhost"}, `serve: --addr "localhost": want host:port`},
		{[]string{"--bogus"}, "serve: flag provided but not defined: -bogus"},
		{[]string{"extra"}, `serve: arguments ["extra"]: serve takes only flags`},
		// CSAF advisories (issue 14, csaf): the signing key's file.
		{[]string{"--openpgp-key", bad}, "serve: --openpgp-key: " + bad + ": openpgp key"},
		{[]string{"--openpgp-key", filepath.Join(dir, "missing.asc")}, "missing.asc"},
	}
	for _, c := range cases {
		args := append([]string{"serve", "--data-dir", filepath.Join(dir, "data")}, c.args...)
		_, stderr, code := runCLI(t, "", args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d naming %q", c.args, code, stderr, ExitUsage, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
		t.Error("a refused start created the data directory")
	}
}

// serve --help lists the flags on standard error and exits 0.
func TestServeHelp(t *testing.T) {
	_, stderr, code := runCLI(t, "", "serve", "--help")
	if code != ExitOK || !strings.Contains(stderr, "Usage of serve:") || !strings.Contains(stderr, "-upload-budget int") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}

// config states the server's default upload budget without importing the
// server; the two must not drift apart.
func TestConfigDefaultsMatchServer(t *testing.T) {
	if config.DefaultUploadBudget != server.DefaultUploadBudget {
		t.Errorf("config.DefaultUploadBudget %d, server.DefaultUploadBudget %d", config.DefaultUploadBudget, server.DefaultUploadBudget)
	}
}
