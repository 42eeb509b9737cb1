package cli

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestAuditVerifyBinary runs the real binary against a SQLite data
// directory: an intact log is reported with its length and head, exit 0;
// an edited event is named, exit 1; a directory without a database is a
// usage error.
func TestAuditVerifyBinary(t *testing.T) {
	bin := buildBinary(t)
	t.Setenv("VULNDESK_DATABASE_URL", "")
	dir := t.TempDir()
	run := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return out.String(), errb.String(), cmd.ProcessState.ExitCode()
	}
	if _, errOut, code := run("audit", "verify", "--data-dir", dir); code != ExitUsage || !strings.Contains(errOut, "no vulndesk database") {
		t.Fatalf("no database: exit %d %s", code, errOut)
	}
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Three use cases, each with its event.
	for _, name := range []string{"ci-a", "ci-b", "ci-c"} {
		if _, errOut, code := run("token", "create", "--name", name, "--role", "auditor", "--data-dir", dir); code != 0 {
			t.Fatalf("token create: exit %d %s", code, errOut)
		}
	}
	out, errOut, code := run("audit", "verify", "--data-dir", dir)
	if code != 0 || !regexp.MustCompile(`^audit log intact: 3 events, head [0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("intact log: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	st, err = store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	st.DB().QueryRow(`SELECT id FROM events WHERE seq = 2`).Scan(&id)
	if _, err := st.DB().Exec(`UPDATE events SET actor = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, errOut, code = run("audit", "verify", "--data-dir", dir)
	want := "audit log broken at event id " + itoa(id) + " (seq 2), after 1 intact events: hash "
	if code != 1 || out != "" || !strings.Contains(errOut, want) || !strings.Contains(errOut, "the event was edited") {
		t.Fatalf("edited log: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// TestAuditVerifyEngines runs the command in-process on each engine
// (--database-url for PostgreSQL): a deleted event names the next one.
func TestAuditVerifyEngines(t *testing.T) {
	t.Setenv("VULNDESK_DATABASE_URL", "")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			where := []string{"--data-dir", cfg.DataDir}
			if cfg.DatabaseURL != "" {
				where = []string{"--database-url", cfg.DatabaseURL}
			}
			st, err := store.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if out, errOut, code := runCLI(t, "", append([]string{"audit", "verify"}, where...)...); code != 0 ||
				out != "audit log intact: 0 events, head none (no events yet)\n" {
				t.Fatalf("empty log: exit %d %q %q", code, out, errOut)
			}
			for _, name := range []string{"a", "b", "c"} {
				if _, errOut, code := runCLI(t, "", append([]string{"user", "create", "--name", name}, where...)...); code != 0 {
					t.Fatalf("user create: exit %d %s", code, errOut)
				}
			}
			var id int64
			st.DB().QueryRow(`SELECT id FROM events WHERE seq = 3`).Scan(&id)
			if _, err := st.DB().Exec(`DELETE FROM events WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCLI(t, "", append([]string{"audit", "verify"}, where...)...)
			if code != 1 || !strings.Contains(errOut, "event id "+itoa(id)+" (seq 3)") || !strings.Contains(errOut, "deleted") {
				t.Fatalf("deleted event: exit %d %s", code, errOut)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
