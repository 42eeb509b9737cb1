package store_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The SQLite files hold password and token hashes: only their owner may
// read them, new or left by an older version with wider permissions.
func TestSQLiteFilesOwnerOnly(t *testing.T) {
	// The usual umask, under which the driver alone made the files 0644.
	defer syscall.Umask(syscall.Umask(0o022))
	dir := t.TempDir()
	check := func(when string) {
		t.Helper()
		for _, n := range []string{"vulndesk.db", "vulndesk.db-wal", "vulndesk.db-shm"} {
			st, err := os.Stat(filepath.Join(dir, n))
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if p := st.Mode().Perm(); p != 0o600 {
				t.Errorf("%s: %s has mode %v, want -rw-------", when, n, p)
			}
		}
	}
	s, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.CreateUser(ctx, s, "alice", "hash", "admin"); err != nil {
		t.Fatal(err)
	}
	check("new database")
	s.Close()

	for _, n := range []string{"vulndesk.db", "vulndesk.db-wal", "vulndesk.db-shm"} {
		os.Chmod(filepath.Join(dir, n), 0o644) // as versions before this one left them
	}
	s, err = store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.UserByName(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	check("reopened")
}
