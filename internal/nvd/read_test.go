package nvd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWalkDirectories reads the real directories in place: every bare
// record of cve-api-2.0 and go-aliases (MANIFEST.tsv is skipped).
func TestWalkDirectories(t *testing.T) {
	for sub, want := range map[string]int{"nvd/cve-api-2.0": 25, "nvd/go-aliases": 104} {
		dir := dataDir(t, sub)
		seen := map[string]string{}
		st, err := Walk(t.Context(), dir, Limits{}, func(file string, r *Record) error {
			seen[r.ID] = file
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", sub, err)
		}
		if st.Files != want || st.Records != want || len(seen) != want || st.Bytes == 0 {
			t.Errorf("%s: %+v, %d IDs; want %d", sub, st, len(seen), want)
		}
		for id, file := range seen {
			if filepath.Base(file) != id+".json" || filepath.Dir(file) != dir {
				t.Errorf("%s came from %s", id, file)
			}
		}
	}
}

// TestWalkRefusesOtherAPIs: the api-responses directory holds CPE match
// and change history responses beside CVE pages; reading it as NVD data
// fails on the first of them, naming it.
func TestWalkRefusesOtherAPIs(t *testing.T) {
	dir := dataDir(t, "nvd/api-responses")
	_, err := Walk(t.Context(), dir, Limits{}, func(string, *Record) error { return nil })
	want := filepath.Join(dir, "cpematch-CVE-2022-32223.json") + ": "
	if !errors.Is(err, ErrNotCVE) || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "NVD_CPEMatchString") {
		t.Errorf("%v, want ErrNotCVE naming %s", err, want)
	}
	// One page file alone reads.
	recs, err := ReadPath(t.Context(), filepath.Join(dir, "cves-2023.json"), Limits{})
	if err != nil || len(recs) != 200 {
		t.Errorf("cves-2023.json: %d records, %v", len(recs), err)
	}
}

// link makes a symbolic link or skips the test where that is not allowed.
func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("symlink: %v", err)
	}
}

// copyTo copies a real shared file into dir (a temporary directory).
func copyTo(t *testing.T, src, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), readFile(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWalkSymlinks: links inside a directory, to files or directories
// outside it, are not followed.
func TestWalkSymlinks(t *testing.T) {
	src := dataDir(t, "nvd/cve-api-2.0")
	outside, _ := filepath.Abs(filepath.Join(src, "CVE-2023-4966.json"))
	outsideDir, _ := filepath.Abs(src)
	dir := t.TempDir()
	copyTo(t, filepath.Join(src, "CVE-2024-3400.json"), dir, "sub/CVE-2024-3400.json")
	link(t, outside, filepath.Join(dir, "escape.json"))
	link(t, outsideDir, filepath.Join(dir, "escape-dir"))
	recs, err := ReadPath(t.Context(), dir, Limits{})
	if err != nil || len(recs) != 1 || recs[0].ID != "CVE-2024-3400" {
		t.Errorf("%d records (%v), want only the regular file's", len(recs), err)
	}
	only := t.TempDir()
	link(t, outside, filepath.Join(only, "escape.json"))
	if _, err := ReadPath(t.Context(), only, Limits{}); !errors.Is(err, ErrNotCVE) || !strings.Contains(err.Error(), "no .json files") {
		t.Errorf("a directory of links only: %v", err)
	}
}

// TestWalkLimits: the file count, total bytes and per-file limits hold
// across a directory, and the error names the file where they broke.
func TestWalkLimits(t *testing.T) {
	dir := dataDir(t, "nvd/cve-api-2.0")
	for _, tc := range []struct {
		lim  Limits
		says string
	}{
		{Limits{MaxFiles: 3}, "more than 3 files"},
		{Limits{MaxTotalBytes: 20000}, "more than 20000 bytes in all"},
		{Limits{MaxFileBytes: 20000}, "more than 20000 bytes"},
	} {
		_, err := Walk(t.Context(), dir, tc.lim, func(string, *Record) error { return nil })
		var e *Error
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.says) || !errors.As(err, &e) || !strings.HasSuffix(e.Name, ".json") {
			t.Errorf("%+v: %v, want ErrTooLarge naming a file and saying %q", tc.lim, err, tc.says)
		}
	}
}

// TestWalkCancel: a cancelled context stops the walk.
func TestWalkCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	_, err := Walk(ctx, dataDir(t, "nvd/go-aliases"), Limits{}, func(string, *Record) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 1 {
		t.Errorf("%v after %d records, want context.Canceled after 1", err, n)
	}
}

// TestReadPathKeepsOne: the same record in two files is returned once,
// and a page beside bare records adds its records.
func TestReadPathKeepsOne(t *testing.T) {
	src := dataDir(t, "nvd/cve-api-2.0")
	dir := t.TempDir()
	copyTo(t, filepath.Join(src, "CVE-2023-4966.json"), dir, "a/CVE-2023-4966.json")
	copyTo(t, filepath.Join(src, "CVE-2023-4966.json"), dir, "b/CVE-2023-4966.json")
	copyTo(t, filepath.Join(dataDir(t, "nvd/api-responses"), "cves-CVE-2023-0001.json"), dir, "page.json")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not read"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadPath(t.Context(), dir, Limits{})
	if err != nil || len(recs) != 2 || recs[0].ID != "CVE-2023-0001" || recs[1].ID != "CVE-2023-4966" {
		t.Errorf("%v %d records", err, len(recs))
	}
	if _, err := ReadPath(t.Context(), filepath.Join(dir, "missing"), Limits{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing path: %v", err)
	}
}

// TestWalkFileStats: a single file is read and counted.
func TestWalkFileStats(t *testing.T) {
	p := filepath.Join(dataDir(t, "nvd/api-responses"), "cves-2023.json")
	st, err := Walk(t.Context(), p, Limits{}, func(file string, _ *Record) error {
		if file != p {
			t.Errorf("record from %s, want %s", file, p)
		}
		return nil
	})
	if err != nil || st.Files != 1 || st.Records != 200 || st.Bytes == 0 {
		t.Errorf("%+v, %v", st, err)
	}
}
