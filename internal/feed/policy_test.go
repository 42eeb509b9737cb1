package feed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// policyFixture is a data directory with a database and example
// advisories, a feed directory, and a secret file outside both.
type policyFixture struct {
	data, examples, feeds, outside, db, secret string
	policy                                     *Policy
}

const secretContent = "root:$6$S3CR3T-HASH:19000:0:99999:7:::\n"

func newPolicyFixture(t *testing.T) *policyFixture {
	t.Helper()
	root := t.TempDir()
	f := &policyFixture{
		data:    filepath.Join(root, "data"),
		feeds:   filepath.Join(root, "feeds"),
		outside: filepath.Join(root, "outside"),
	}
	f.examples = filepath.Join(f.data, "examples", "advisories")
	f.db = filepath.Join(f.data, "vulndesk.db")
	f.secret = filepath.Join(f.outside, "shadow")
	for _, d := range []string{f.examples, f.feeds, f.outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write(t, f.db, "SQLite format 3\x00")
	write(t, f.secret, secretContent)
	write(t, filepath.Join(f.data, "other.json"), "{}")
	write(t, filepath.Join(f.examples, "VDX-1.json"), "{}")
	write(t, filepath.Join(f.feeds, "kev.json"), "{}")
	link(t, f.db, filepath.Join(f.feeds, "db-symlink.json"))
	link(t, f.secret, filepath.Join(f.feeds, "shadow-symlink.json"))
	link(t, f.data, filepath.Join(f.feeds, "data-symlink"))
	link(t, filepath.Join(f.feeds, "kev.json"), filepath.Join(f.outside, "into-feeds.json"))
	var err error
	f.policy, err = NewPolicy(Rules{Dirs: []string{f.feeds}, DataDir: f.data, Builtin: []string{f.examples},
		Protected: []string{f.db, f.db + "-wal", f.db + "-shm"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
}

// TestPolicyLocalRules: local sources only inside the feed directories
// (and the built-in examples), never in the data directory, never the
// database, by whatever path; refused before anything is read, with a
// message that names the rule and quotes nothing of the file.
func TestPolicyLocalRules(t *testing.T) {
	f := newPolicyFixture(t)
	for _, tc := range []struct {
		name, src string
		rule      string // "" when allowed
	}{
		{"feed dir file", filepath.Join(f.feeds, "kev.json"), ""},
		{"feed dir itself", f.feeds, ""},
		{"file URL in feed dir", "file://" + filepath.ToSlash(filepath.Join(f.feeds, "kev.json")), ""},
		{"not there yet", filepath.Join(f.feeds, "later.json"), ""},
		{"examples", f.examples, ""},
		{"example file", filepath.Join(f.examples, "VDX-1.json"), ""},
		{"symlink outside into feed dir", filepath.Join(f.outside, "into-feeds.json"), ""},
		{"outside", f.secret, "inside a directory named at start with --feed-dir"},
		{"file URL outside", "file://" + filepath.ToSlash(f.secret), "--feed-dir"},
		{"etc shadow", "/etc/shadow", "--feed-dir"},
		{"proc environ", "/proc/self/environ", "--feed-dir"},
		{"relative escape", filepath.Join(f.feeds, "..", "outside", "shadow"), "--feed-dir"},
		{"symlink to a secret", filepath.Join(f.feeds, "shadow-symlink.json"), "--feed-dir"},
		{"database", f.db, "inside the data directory"},
		{"database wal", f.db + "-wal", "inside the data directory"},
		{"data dir", f.data, "inside the data directory"},
		{"data dir file", filepath.Join(f.data, "other.json"), "inside the data directory"},
		{"symlink to the database", filepath.Join(f.feeds, "db-symlink.json"), "inside the data directory"},
		{"symlink to the data dir", filepath.Join(f.feeds, "data-symlink", "vulndesk.db"), "inside the data directory"},
		{"example dir escape", filepath.Join(f.examples, "..", "..", "vulndesk.db"), "inside the data directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.policy.Check(tc.src)
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantError(t, err, ErrForbidden, tc.src, tc.rule)
			if strings.Contains(err.Error(), "S3CR3T") || strings.Contains(err.Error(), "SQLite") {
				t.Errorf("error %q quotes the file", err)
			}
			_, ferr := f.policy.Fetch(context.Background(), tc.src, t.TempDir(), "", 1<<20)
			if ferr == nil || ferr.Error() != err.Error() {
				t.Errorf("Fetch: %v, want the error of Check: %v", ferr, err)
			}
		})
	}
}

// TestPolicyHardLinkToDatabase: a hard link to the database inside a feed
// directory is the database: refused as a file and inside a directory.
func TestPolicyHardLinkToDatabase(t *testing.T) {
	f := newPolicyFixture(t)
	sub := filepath.Join(f.feeds, "mirror")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(sub, "all.json")
	if err := os.Link(f.db, hard); err != nil {
		t.Skipf("hard links: %v", err)
	}
	wantError(t, f.policy.Check(hard), ErrForbidden, hard, "database files")
	_, err := f.policy.Fetch(context.Background(), sub, "", "", 0)
	wantError(t, err, ErrForbidden, hard, "database files")
	os.Remove(hard)
	if got, err := f.policy.Fetch(context.Background(), sub, "", "", 0); err != nil || !got.Dir {
		t.Errorf("without the link: %+v, %v", got, err)
	}
}

func TestNewPolicy(t *testing.T) {
	f := newPolicyFixture(t)
	for _, tc := range []struct {
		name string
		r    Rules
		want string
	}{
		{"feed dir in the data dir", Rules{DataDir: f.data, Dirs: []string{f.examples}}, "inside the data directory"},
		{"feed dir is the data dir", Rules{DataDir: f.data, Dirs: []string{f.data}}, "inside the data directory"},
		{"missing feed dir", Rules{DataDir: f.data, Dirs: []string{filepath.Join(f.outside, "nope")}}, "nope"},
		{"feed dir is a file", Rules{DataDir: f.data, Dirs: []string{f.secret}}, "not a directory"},
		{"builtin outside the data dir", Rules{DataDir: f.data, Builtin: []string{f.feeds}}, "not inside the data directory"},
	} {
		if _, err := NewPolicy(tc.r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	// A feed directory that holds the data directory is allowed; the data
	// directory in it is still not read.
	p, err := NewPolicy(Rules{DataDir: f.data, Dirs: []string{filepath.Dir(f.data)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(f.secret); err != nil {
		t.Errorf("a file of the feed directory: %v", err)
	}
	wantError(t, p.Check(f.db), ErrForbidden, f.db, "inside the data directory")
}

// TestNilPolicy: no policy reads no local file.
func TestNilPolicy(t *testing.T) {
	var p *Policy
	dir := t.TempDir()
	err := p.Check(dir)
	wantError(t, err, ErrForbidden, dir, "none was named")
	if !errors.Is(p.Check("https://127.0.0.1/x"), ErrForbidden) {
		t.Error("a nil policy allows loopback")
	}
}
