package feed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shared is the conformance data beside the repository (/work/shared/data
// for a checkout at /work/main).
const shared = "../../../shared/data"

var (
	kevJSON  = filepath.Join(shared, "kev/cisagov-kev-data/known_exploited_vulnerabilities.json")
	kevCSV   = filepath.Join(shared, "kev/cisagov-kev-data/known_exploited_vulnerabilities.csv")
	epssFile = filepath.Join(shared, "epss/epss_scores-2026-09-29.excerpt.csv")
)

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/data is absent (a fresh clone): the real KEV and EPSS files live beside the repository, not in it")
	}
}

func open(t *testing.T, p string) *os.File {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var sentinels = []error{ErrInvalid, ErrTooLarge, ErrUnsupported, ErrFetch, ErrForbidden}

// checkSentinel checks that err is an *Error naming name and wrapping
// exactly one sentinel.
func checkSentinel(t *testing.T, err error, name string) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("error %q is not an *Error naming %q", err, name)
	}
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error %q wraps %d sentinels, want 1", err, n)
	}
}

// wantError checks err against a sentinel and the fragments its message
// must hold.
func wantError(t *testing.T, err, sentinel error, name string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", sentinel)
	}
	checkSentinel(t, err, name)
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestValidCVE(t *testing.T) {
	for s, want := range map[string]bool{
		"CVE-2021-42237":                true,
		"CVE-1999-0001":                 true,
		"CVE-2017-1000253":              true,
		"CVE-2024-1234567890123456789":  true, // 19 digits, the KEV schema's bound
		"CVE-2024-12345678901234567890": false,
		"CVE-2021-123":                  false,
		"cve-2021-1234":                 false,
		"CVE-21-1234":                   false,
		"CVE-2021_1234":                 false,
		"CVE-2021-12a4":                 false,
		" CVE-2021-1234":                false,
		"CVE-2021-1234 ":                false,
		"":                              false,
	} {
		if validCVE(s) != want {
			t.Errorf("validCVE(%q) = %v, want %v", s, !want, want)
		}
	}
}
