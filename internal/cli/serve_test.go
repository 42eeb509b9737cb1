package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve refuses a TLS half-configuration or unreadable certificate at
// start, naming the problem, before it opens the database.
func TestServeTLSFlags(t *testing.T) {
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
