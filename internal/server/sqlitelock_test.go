package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// TestSQLiteLocksSurviveFeedAndCLI: the server never opens its own
// database files but through the driver, so the locks SQLite holds stay:
// a feed pointed at vulndesk.db is refused, `vulndesk token create` and
// `vulndesk user create` run beside the live server leave its WAL in
// place, and every write the API acknowledged survives a kill -9.
//
// Before, the feed's sync opened and closed vulndesk.db inside the
// server, which released the server's POSIX locks; the next CLI run then
// took SQLite's exclusive lock as if it were the last connection,
// checkpointed and deleted the -wal and -shm files, and what the server
// wrote after went into an unlinked WAL and was lost.
func TestSQLiteLocksSurviveFeedAndCLI(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	o := servertest.Options{DataDir: dataDir, Args: []string{"--empty"}}
	p := servertest.Start(t, o)
	admin := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}
	var acked []string
	create := func(name string) {
		t.Helper()
		admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(fmt.Sprintf(`{"name": %q, "kind": "service"}`, name)), 201, nil)
		acked = append(acked, name)
	}
	for i := range 3 {
		create(fmt.Sprintf("before-%d", i))
	}

	// Feeds of the database's files. (Dropping the locks on vulndesk.db
	// alone is not enough for the CLI to delete the WAL: SQLite also sees
	// the server's lock on -shm.)
	db := filepath.Join(dataDir, "vulndesk.db")
	for _, file := range []string{db, db + "-shm", db + "-wal"} {
		st, b := admin.Do(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": %q, "kind": "kev", "url": %q}`, filepath.Base(file), file)))
		if st == 201 {
			t.Errorf("a feed of the server's own %s was accepted: %s", filepath.Base(file), b)
			var f model.Feed
			if err := json.Unmarshal(b, &f); err == nil {
				servertest.Eventually(t, e2eWait, "its sync", func() bool {
					admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", f.ID), nil, 200, &f)
					return !f.LastAttemptAt.IsZero() && (f.LastError != "" || !f.LastSuccessAt.IsZero())
				})
			}
		} else {
			wantAPIError(t, "a feed of the database", st, b, 400, "data directory")
		}
	}

	walBefore, err := os.Stat(db + "-wal")
	if err != nil {
		t.Fatalf("the server's WAL: %v", err)
	}
	servertest.Token(t, o, "auditor")
	user := cliUser(t, o, "ann")
	servertest.Token(t, o, "uploader")
	for _, suffix := range []string{"-wal", "-shm"} {
		st, err := os.Stat(db + suffix)
		if err != nil {
			t.Errorf("after the CLI ran beside the server, %s: %v", filepath.Base(db+suffix), err)
		} else if suffix == "-wal" && !os.SameFile(st, walBefore) {
			t.Errorf("the WAL was replaced under the server")
		}
	}
	for i := range 3 {
		create(fmt.Sprintf("after-%d", i))
	}

	p.Kill()
	p2 := servertest.Start(t, o)
	c := &servertest.Client{URL: p2.URL, Token: admin.Token}
	var assets struct{ Items []model.Asset }
	c.JSON(t, "GET", "/api/v1/assets?limit=500", nil, 200, &assets)
	have := map[string]bool{}
	for _, a := range assets.Items {
		have[a.Name] = true
	}
	for _, name := range acked {
		if !have[name] {
			t.Errorf("asset %q, acknowledged with 201 before the kill, is gone", name)
		}
	}
	var users struct {
		Items []struct {
			Name string `json:"username"`
		}
	}
	c.JSON(t, "GET", "/api/v1/users", nil, 200, &users)
	found := false
	for _, u := range users.Items {
		found = found || u.Name == user
	}
	if !found {
		t.Errorf("user %q, created by the CLI beside the server, is gone: %+v", user, users.Items)
	}
	if t.Failed() {
		t.Logf("server log:\n%s", p.Stderr())
	}
}

// cliUser creates a user with the CLI against the server's store and
// returns its name.
func cliUser(t *testing.T, o servertest.Options, name string) string {
	t.Helper()
	cmd := exec.Command(servertest.Binary(t), "user", "create", "--data-dir", o.DataDir, "--name", name, "--role", "auditor")
	cmd.Env = append(os.Environ(), "VULNDESK_DATABASE_URL=", "VULNDESK_PASSWORD=a-long-enough-password-1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	return name
}
