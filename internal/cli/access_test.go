package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/store"
)

// TestAccessNeedsADatabase: token create and user create, run where no
// server ever started (no --data-dir, from another directory), refuse
// instead of making a new, empty database that no server reads and
// printing a token the server rejects.
func TestAccessNeedsADatabase(t *testing.T) {
	t.Setenv("VULNDESK_DATA_DIR", "")
	t.Setenv("VULNDESK_DATABASE_URL", "")
	t.Setenv("VULNDESK_PASSWORD", "a-long-enough-password-1")
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	empty := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{
		{"token", "create", "--name", "ci"},
		{"token", "create", "--name", "ci", "--data-dir", empty},
		{"user", "create", "--name", "ann"},
		{"user", "password", "--name", "admin", "--data-dir", empty},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), args, nil, &stdout, &stderr)
		if code != ExitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "no vulndesk database in") ||
			!strings.Contains(stderr.String(), "--data-dir") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, nothing printed but why", args, code, stdout.String(), stderr.String(), ExitUsage)
		}
	}
	for _, p := range []string{filepath.Join(elsewhere, "vulndesk-data"), empty} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was created (%v)", p, err)
		}
	}

	// Where a server has started, they work.
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var stdout, stderr bytes.Buffer
	if code := Main(context.Background(), []string{"token", "create", "--name", "ci", "--data-dir", dir}, nil, &stdout, &stderr); code != ExitOK ||
		!strings.HasPrefix(stdout.String(), auth.APITokenPrefix) {
		t.Errorf("token create beside a database: exit %d, %q, %q", code, stdout.String(), stderr.String())
	}
}
