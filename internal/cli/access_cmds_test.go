package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store"
)

// The access commands, against a real database: tokens listed with their
// scope and revoked; users created with a chosen password (policy checked,
// read from standard input), reset, disabled, enabled and listed.
func TestAccessCommands(t *testing.T) {
	t.Setenv("VULNDESK_DATABASE_URL", "")
	t.Setenv("VULNDESK_PASSWORD", "")
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		return runCLI(t, stdin, append(args, "--data-dir", dir)...)
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, errOut, code := run(stdin, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}

	secret := mustRun("", "token", "create", "--name", "ci-billing", "--role", "uploader", "--asset", "billing-*", "--create-assets")
	if !strings.HasPrefix(secret, "vdk_") {
		t.Fatalf("token create printed %q", secret)
	}
	mustRun("", "token", "create", "--name", "dash\x1b[31m", "--role", "auditor")
	list := mustRun("", "token", "list")
	for _, want := range []string{"ci-billing", "assets billing-*, may create assets", `dash\x1b[31m`} {
		if !strings.Contains(list, want) {
			t.Errorf("token list lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "\x1b") {
		t.Error("token list wrote a raw escape byte to the terminal")
	}
	mustRun("", "token", "revoke", "--id", "1")
	if _, errOut, code := run("", "token", "revoke", "--id", "1"); code != ExitUsage || !strings.Contains(errOut, "token 1") {
		t.Errorf("revoking twice: exit %d %s", code, errOut)
	}
	if _, errOut, code := run("", "token", "create", "--name", "x", "--role", "auditor", "--asset", "a"); code != ExitUsage || !strings.Contains(errOut, "uploader tokens only") {
		t.Errorf("a scoped auditor token: exit %d %s", code, errOut)
	}

	// Users.
	if _, errOut, code := run("Summer2024!\n", "user", "create", "--name", "fred", "--password-stdin"); code != ExitUsage || !strings.Contains(errOut, "password") {
		t.Errorf("a weak chosen password: exit %d %s", code, errOut)
	}
	if out := mustRun("correct horse battery staple 42\n", "user", "create", "--name", "fred", "--role", "auditor", "--password-stdin"); out != "" {
		t.Errorf("a chosen password was echoed: %q", out)
	}
	generated := strings.TrimSpace(mustRun("", "user", "password", "--name", "fred"))
	if len(generated) < 15 {
		t.Errorf("generated password %q", generated)
	}
	mustRun("", "user", "disable", "--name", "fred")
	if list := mustRun("", "user", "list"); !strings.Contains(list, "fred") || !strings.Contains(list, "true") {
		t.Errorf("user list after disable:\n%s", list)
	}
	mustRun("", "user", "enable", "--name", "fred")
	if _, errOut, code := run("", "user", "disable", "--name", "nobody"); code != ExitUsage || !strings.Contains(errOut, `"nobody"`) {
		t.Errorf("disabling a missing user: exit %d %s", code, errOut)
	}
	if _, errOut, code := run("", "user", "frobnicate"); code != ExitUsage || !strings.Contains(errOut, "user disable --name NAME") {
		t.Errorf("an unknown verb: exit %d %s", code, errOut)
	}
}
