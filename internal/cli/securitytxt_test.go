package cli

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

const pinnedAt = "2026-12-08T12:00:00Z"

// TestSecurityTxtCheckFiles runs every shared security.txt through the
// command: the verdict and the exit code.
func TestSecurityTxtCheckFiles(t *testing.T) {
	needShared(t)
	cases := []struct {
		file   string
		code   int
		golden string
		want   []string
	}{
		{"securitytxt/internet.nl/security.txt", ExitOK, "securitytxt-internetnl.txt",
			[]string{"NOT verified cryptographically", "ignored: line 4: unknown field Hash: SHA512", "valid: 0 error(s), 1 warning(s)"}},
		{"securitytxt/securitytxt-project/template-security.txt", ExitInvalid, "securitytxt-template.txt",
			[]string{"error: file (Expires): no Expires field", "error: line 3 (Contact)", "INVALID: 2 error(s)"}},
		{"csaf/gocsaf-testdata/simple-directory-provider/security.txt", ExitInvalid, "",
			[]string{"error: line 1 (CSAF): \"/provider-metadata.json\" is a relative URI", "no Contact field", "no Expires field", "INVALID: 3 error(s)"}},
		{"csaf/gocsaf-testdata/simple-rolie-provider/security.txt", ExitInvalid, "",
			[]string{"relative URI", "INVALID: 3 error(s)"}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(filepath.Dir(c.file)), func(t *testing.T) {
			path := filepath.Join(shared, c.file)
			out, errOut, code := runCLI(t, "", "securitytxt", "check", "--at", pinnedAt, path)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if c.golden != "" {
				golden(t, c.golden, strings.ReplaceAll(out, path, c.file))
			}
		})
	}
}

// TestSecurityTxtCheckRFCExample: the RFC's unsigned example expired in
// 2021; at today's clock (no --at) it is invalid for that alone.
func TestSecurityTxtCheckRFCExample(t *testing.T) {
	needShared(t)
	rfc, err := os.ReadFile(filepath.Join(shared, "securitytxt/securitytxt-project/rfc9116.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(rfc), "\n2.6.  Example of an Unsigned \"security.txt\" File\n")
	example, _, _ := strings.Cut(after, "\n2.7.  ")
	var b strings.Builder
	for l := range strings.SplitSeq(strings.TrimSpace(example), "\n") {
		b.WriteString(strings.TrimPrefix(l, "   ") + "\n")
	}
	p := filepath.Join(t.TempDir(), "security.txt")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "", "securitytxt", "check", p)
	if code != ExitInvalid || !strings.Contains(out, "error: line 13 (Expires): expired on 2021-12-31T18:37:07Z") || !strings.Contains(out, "INVALID: 1 error(s)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestSecurityTxtCheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"securitytxt"},
		{"securitytxt", "verify", "x"},
		{"securitytxt", "check"},
		{"securitytxt", "check", "a", "b"},
		{"securitytxt", "check", filepath.Join(t.TempDir(), "missing.txt")},
		{"securitytxt", "check", "--at", "yesterday", "x"},
		{"securitytxt", "check", "--key", filepath.Join(t.TempDir(), "nokey.asc"), "x"},
		{"securitytxt", "check", "http://example.org/.well-known/security.txt"},
		{"securitytxt", "check", "ftp://example.org/security.txt"},
	} {
		if _, errOut, code := runCLI(t, "", args...); code != ExitUsage || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	big := filepath.Join(t.TempDir(), "big.txt")
	if err := os.WriteFile(big, make([]byte, 70<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, "", "securitytxt", "check", big); code != ExitUsage || !strings.Contains(errOut, "larger than") {
		t.Errorf("a 70 KiB file: exit %d, %q", code, errOut)
	}
}

// TestSecurityTxtCheckURL fetches from a TLS server on loopback, trusting
// its certificate with --ca: the Content-Type, the Canonical field,
// redirects and size are checked.
func TestSecurityTxtCheckURL(t *testing.T) {
	const good = "Canonical: %s/.well-known/security.txt\nContact: mailto:security@example.org\nExpires: 2027-01-01T00:00:00Z\n"
	var base string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte(strings.ReplaceAll(good, "%s", base)))
		case "/security.txt":
			http.Redirect(w, r, "/.well-known/security.txt", http.StatusMovedPermanently)
		case "/html/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(strings.ReplaceAll(good, "%s", base+"/html")))
		case "/other/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte(strings.ReplaceAll(good, "%s", "https://example.org")))
		case "/loop/security.txt":
			http.Redirect(w, r, "/loop/security.txt", http.StatusFound)
		case "/plain/security.txt":
			http.Redirect(w, r, "http://example.org/.well-known/security.txt", http.StatusFound)
		case "/big/.well-known/security.txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write(make([]byte, 65<<10))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	base = srv.URL
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(path string, args ...string) (string, string, int) {
		return runCLI(t, "", append([]string{"securitytxt", "check", "--at", pinnedAt, "--ca", ca, srv.URL + path}, args...)...)
	}
	if out, errOut, code := check("/.well-known/security.txt"); code != ExitOK || !strings.Contains(out, "valid: 0 error(s), 0 warning(s)") {
		t.Errorf("served right: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, code := check("/security.txt"); code != ExitOK || !strings.Contains(out, "warning: file: redirected to "+srv.URL+"/.well-known/security.txt") {
		t.Errorf("redirected: exit %d\n%s", code, out)
	}
	if out, _, code := check("/html/.well-known/security.txt"); code != ExitInvalid || !strings.Contains(out, `served as "text/html": the Content-Type must be text/plain`) {
		t.Errorf("text/html: exit %d\n%s", code, out)
	}
	if out, _, code := check("/other/.well-known/security.txt"); code != ExitInvalid || !strings.Contains(out, "no Canonical field lists") {
		t.Errorf("another Canonical: exit %d\n%s", code, out)
	}
	for path, want := range map[string]string{
		"/loop/security.txt":             "more than 3 redirects",
		"/plain/security.txt":            "requires https",
		"/big/.well-known/security.txt":  "larger than 64 KiB",
		"/none/.well-known/security.txt": "404",
	} {
		if _, errOut, code := check(path); code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", path, code, errOut, want)
		}
	}
	// Without --ca the test certificate is not trusted.
	if _, errOut, code := runCLI(t, "", "securitytxt", "check", srv.URL+"/.well-known/security.txt"); code != ExitUsage || !strings.Contains(errOut, "certificate") {
		t.Errorf("untrusted certificate: exit %d, %q", code, errOut)
	}
}

// TestSecurityTxtCheckKey: with --key the signature is verified
// cryptographically, and a file signed by another key fails.
func TestSecurityTxtCheckKey(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	newKey := func() *openpgp.Entity {
		e, err := openpgp.NewEntity("Example Security", "", "security@example.org",
			&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	key, other := newKey(), newKey()
	d := model.DefaultDisclosure()
	d.Contacts = []string{"mailto:security@example.org"}
	signed, err := securitytxt.ClearSign(securitytxt.Generate(d, "https://example.org", now), key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "security.txt")
	if err := os.WriteFile(file, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	pub := func(e *openpgp.Entity, name string) string {
		b, err := securitytxt.ArmoredPublicKey(e)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, _, code := runCLI(t, "", "securitytxt", "check", "--at", pinnedAt, "--key", pub(key, "key.asc"), file)
	if code != ExitOK || !strings.Contains(out, "verified cryptographically with the key given") || !strings.Contains(out, "valid: 0 error(s), 0 warning(s)") {
		t.Errorf("the right key: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "", "securitytxt", "check", "--at", pinnedAt, "--key", pub(other, "other.asc"), file)
	if code != ExitInvalid || !strings.Contains(out, "does not verify with the key given") {
		t.Errorf("another key: exit %d\n%s", code, out)
	}
}
