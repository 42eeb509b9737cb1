package securitytxt_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// shared is the shared test data; tests that need it skip without it.
const shared = "../../../shared/data"

func sharedFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared, rel))
	if os.IsNotExist(err) {
		t.Skipf("%s is absent: the shared test data (/work/shared) is not here", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pinned is the time the shared files are judged at: Internet.nl's file
// expires 2027-04-10, less than a year later.
var pinned = time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)

func check(t *testing.T, data []byte, o securitytxt.Options) (*securitytxt.File, securitytxt.Result) {
	t.Helper()
	f, err := securitytxt.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f, securitytxt.Check(f, o)
}

// has tells some problem of severity sev on line (0: any line) says want.
func has(r securitytxt.Result, sev securitytxt.Severity, line int, want string) bool {
	for _, p := range r.Problems {
		if p.Severity == sev && (line == 0 || p.Line == line) && strings.Contains(p.Message, want) {
			return true
		}
	}
	return false
}

func TestInternetNL(t *testing.T) {
	data := sharedFile(t, "securitytxt/internet.nl/security.txt")
	f, r := check(t, data, securitytxt.Options{Now: pinned})
	if !r.Valid() {
		t.Fatalf("Internet.nl's file is invalid: %v", r.Problems)
	}
	if !f.CRLF || f.Signed == nil || !f.Signed.Complete {
		t.Errorf("CRLF %v, signed %+v: want a complete signed CRLF file", f.CRLF, f.Signed)
	}
	if n := len(f.Get("canonical")); n != 16 {
		t.Errorf("%d Canonical fields, want 16", n)
	}
	if c := f.Get("Contact"); len(c) != 1 || c[0].Value != "mailto:question@internet.nl" {
		t.Errorf("Contact %+v", c)
	}
	// The stray "Hash: SHA512" in the signed text is an extension field.
	u := f.Unknown()
	if len(u) != 1 || u[0].Name != "Hash" || u[0].Value != "SHA512" || u[0].Line != 4 {
		t.Errorf("unknown fields %+v, want Hash: SHA512 on line 4", u)
	}
	if want := time.Date(2027, 4, 10, 0, 0, 0, 0, time.UTC); !r.Expires.Equal(want) {
		t.Errorf("Expires %v, want %v", r.Expires, want)
	}
	s := r.Signature
	if s == nil || s.Verification != securitytxt.VerifiedHashTag || s.Hash != "SHA512" ||
		s.Issuer != "ACB788294C7E12BAE9228C60D894E15F45028563" {
		t.Fatalf("signature %+v: want a hash-tag check of SHA512 by ACB7…8563", s)
	}
	if !has(r, securitytxt.Warning, 0, "not verified cryptographically") {
		t.Errorf("no warning that the signature was not verified with a key: %v", r.Problems)
	}
	if !strings.Contains(s.Summary(), "NOT verified cryptographically") {
		t.Errorf("summary %q does not say what was verified", s.Summary())
	}

	// Checked as fetched from a Canonical URL it lists, and from one it does not.
	if _, r := check(t, data, securitytxt.Options{Now: pinned, URL: "https://en.internet.nl/.well-known/security.txt"}); !r.Valid() {
		t.Errorf("fetched from a listed Canonical: %v", r.Problems)
	}
	if _, r := check(t, data, securitytxt.Options{Now: pinned, URL: "https://example.org/.well-known/security.txt"}); r.Valid() || !has(r, securitytxt.Error, 7, "no Canonical field lists") {
		t.Errorf("fetched from elsewhere: want a Canonical error, got %v", r.Problems)
	}
	// A year later it has expired.
	if _, r := check(t, data, securitytxt.Options{Now: pinned.AddDate(1, 0, 0)}); r.Valid() || !has(r, securitytxt.Error, 0, "expired on 2027-04-10") {
		t.Errorf("a year later: %v", r.Problems)
	}
	// Judged too early, Expires is more than a year ahead.
	if _, r := check(t, data, securitytxt.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); !has(r, securitytxt.Error, 0, "more than a year ahead") {
		t.Errorf("judged in January 2026: %v", r.Problems)
	}
}

// TestInternetNLTampered changes the signed text: the hash tag no longer
// matches.
func TestInternetNLTampered(t *testing.T) {
	data := sharedFile(t, "securitytxt/internet.nl/security.txt")
	bad := strings.Replace(string(data), "mailto:question@internet.nl", "mailto:attacker@example.org", 1)
	_, r := check(t, []byte(bad), securitytxt.Options{Now: pinned})
	if r.Valid() || !has(r, securitytxt.Error, 0, "hash tag differs") {
		t.Fatalf("tampered file: %v", r.Problems)
	}
	if r.Signature.Verification != securitytxt.VerifiedNone {
		t.Errorf("verification %q", r.Signature.Verification)
	}
	// LF line ends instead of CRLF change nothing that is signed.
	lf := strings.ReplaceAll(string(data), "\r\n", "\n")
	if _, r := check(t, []byte(lf), securitytxt.Options{Now: pinned}); !r.Valid() {
		t.Errorf("with LF line ends: %v", r.Problems)
	}
	// A broken signature block.
	broken := strings.Replace(string(data), "iQJiBAEBCgBMFiEE", "iQJiBAEBCgBMFiEF", 1)
	if _, r := check(t, []byte(broken), securitytxt.Options{Now: pinned}); r.Valid() {
		t.Errorf("broken armor accepted")
	}
	// Text after the signature.
	if _, r := check(t, append(data, "Contact: mailto:x@example.org\n"...), securitytxt.Options{Now: pinned}); !has(r, securitytxt.Error, 0, "text after the signature") {
		t.Errorf("trailing text: %v", r.Problems)
	}
}

func TestTemplate(t *testing.T) {
	_, r := check(t, sharedFile(t, "securitytxt/securitytxt-project/template-security.txt"), securitytxt.Options{Now: pinned})
	if r.Valid() || !has(r, securitytxt.Error, 0, "no Expires field") {
		t.Errorf("template: %v", r.Problems)
	}
	if !has(r, securitytxt.Error, 3, "mailto:security@example.com") {
		t.Errorf("template's bare email address: %v", r.Problems)
	}
}

func TestGoCSAFOneLiners(t *testing.T) {
	for _, dir := range []string{"simple-directory-provider", "simple-rolie-provider"} {
		_, r := check(t, sharedFile(t, "csaf/gocsaf-testdata/"+dir+"/security.txt"), securitytxt.Options{Now: pinned})
		for _, want := range []string{"relative URI", "no Contact", "no Expires"} {
			if !has(r, securitytxt.Error, 0, want) {
				t.Errorf("%s: no error %q in %v", dir, want, r.Problems)
			}
		}
	}
}

// rfcExample extracts the figure after heading from RFC 9116's text,
// stripping its 3-space indentation.
func rfcExample(t *testing.T, heading string) string {
	t.Helper()
	rfc := string(sharedFile(t, "securitytxt/securitytxt-project/rfc9116.txt"))
	_, after, ok := strings.Cut(rfc, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("no section %q", heading)
	}
	after = strings.TrimLeft(after, "\n")
	section := regexp.MustCompile(`\n\d\.\d?\.?\s`).FindStringIndex(after)
	if section != nil {
		after = after[:section[0]]
	}
	var out strings.Builder
	for l := range strings.SplitSeq(after, "\n") {
		out.WriteString(strings.TrimPrefix(l, "   ") + "\n")
	}
	return strings.TrimSpace(out.String()) + "\n"
}

func TestRFCExamples(t *testing.T) {
	unsigned := rfcExample(t, "2.6.  Example of an Unsigned \"security.txt\" File")
	f, r := check(t, []byte(unsigned), securitytxt.Options{Now: pinned})
	if len(f.Fields) != 5 || len(f.Comments) != 4 {
		t.Errorf("unsigned example: %d fields, %d comments", len(f.Fields), len(f.Comments))
	}
	// Well-formed, but it expired in 2021: that is its only error.
	if r.Valid() || len(r.Problems) != 1 || !has(r, securitytxt.Error, 13, "expired on 2021-12-31T18:37:07Z") {
		t.Errorf("unsigned example: %v", r.Problems)
	}
	// Judged in 2021 it is valid (the lower-case z parses).
	if _, r := check(t, []byte(unsigned), securitytxt.Options{Now: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)}); !r.Valid() {
		t.Errorf("unsigned example in 2021: %v", r.Problems)
	}

	signed := rfcExample(t, "2.7.  Example of a Signed \"security.txt\" File")
	f, r = check(t, []byte(signed), securitytxt.Options{Now: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)})
	if f.Signed == nil || !f.Signed.Complete || len(f.Signed.Hashes) != 1 || f.Signed.Hashes[0] != "SHA256" || len(f.Fields) != 6 {
		t.Fatalf("signed example: %+v, %d fields", f.Signed, len(f.Fields))
	}
	// Its signature is the placeholder "[signature]": the framing is read,
	// the signature itself cannot be.
	if r.Valid() || r.Signature == nil || r.Signature.Verification != securitytxt.VerifiedNone {
		t.Errorf("signed example: %+v %v", r.Signature, r.Problems)
	}
}

// TestFieldExamples checks each field example of RFC 9116 §2.5 on its own
// line beside a Contact and an Expires: each is well-formed.
func TestFieldExamples(t *testing.T) {
	rfc := string(sharedFile(t, "securitytxt/securitytxt-project/rfc9116.txt"))
	start, end := strings.Index(rfc, "\n2.5.  Field Definitions"), strings.Index(rfc, "\n2.6.  Example")
	field := regexp.MustCompile(`(?m)^ *((?:Acknowledgments|Canonical|Contact|Encryption|Expires|Hiring|Policy|Preferred-Languages): .*)$`)
	examples := field.FindAllStringSubmatch(rfc[start:end], -1)
	if len(examples) < 14 {
		t.Fatalf("only %d field examples in §2.5", len(examples))
	}
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range examples {
		ex := m[1]
		text := ex + "\n"
		if !strings.HasPrefix(ex, "Contact:") {
			text += "Contact: mailto:security@example.com\n"
		}
		if !strings.HasPrefix(ex, "Expires:") {
			text += "Expires: 2021-12-31T18:37:07Z\n"
		}
		if _, r := check(t, []byte(text), securitytxt.Options{Now: now}); !r.Valid() {
			t.Errorf("%q: %v", ex, r.Problems)
		}
	}
}

// TestABNF checks the rules of RFC 9116 §4's grammar one by one.
func TestABNF(t *testing.T) {
	const ok = "Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n"
	cases := []struct {
		name, text string
		sev        securitytxt.Severity // "" when the file is valid without warnings
		line       int
		want       string
	}{
		{"minimal", ok, "", 0, ""},
		{"CRLF", strings.ReplaceAll(ok, "\n", "\r\n"), "", 0, ""},
		{"no final line end", strings.TrimSuffix(ok, "\n"), "", 0, ""},
		{"field names any case", "contact: mailto:a@example.org\nEXPIRES: 2027-01-01T00:00:00Z\n", "", 0, ""},
		{"comment and blank lines", "# hi\n\n \t\n" + ok, "", 0, ""},
		{"unknown field ignored", ok + "X-Thing: whatever you like\n", "", 0, ""},
		{"trailing whitespace", "Contact: mailto:a@example.org \t\nExpires: 2027-01-01T00:00:00Z\n", "", 0, ""},
		{"languages", ok + "Preferred-Languages: en, es,fr , pt-BR\n", "", 0, ""},
		{"Expires with offset", "Contact: mailto:a@example.org\nExpires: 2027-01-01T01:00:00+01:00\n", "", 0, ""},
		{"two Contacts", ok + "Contact: tel:+1-201-555-0123\n", "", 0, ""},
		{"no Contact", "Expires: 2027-01-01T00:00:00Z\n", securitytxt.Error, 0, "no Contact"},
		{"no Expires", "Contact: mailto:a@example.org\n", securitytxt.Error, 0, "no Expires"},
		{"two Expires", ok + "Expires: 2027-01-02T00:00:00Z\n", securitytxt.Error, 3, "second Expires"},
		{"Expires not RFC 3339", "Contact: mailto:a@example.org\nExpires: Fri, 01 Jan 2027 00:00:00 GMT\n", securitytxt.Error, 2, "not an RFC 3339"},
		{"Expires date only", "Contact: mailto:a@example.org\nExpires: 2027-01-01\n", securitytxt.Error, 2, "not an RFC 3339"},
		{"Expires soon", "Contact: mailto:a@example.org\nExpires: 2026-12-10T00:00:00Z\n", securitytxt.Warning, 2, "less than two weeks"},
		{"two Preferred-Languages", ok + "Preferred-Languages: en\nPreferred-Languages: de\n", securitytxt.Error, 4, "second Preferred-Languages"},
		{"bad language tag", ok + "Preferred-Languages: en, english language\n", securitytxt.Error, 3, "not a language tag"},
		{"empty language", ok + "Preferred-Languages: en,\n", securitytxt.Error, 3, "not a language tag"},
		{"http Contact", ok + "Contact: http://example.org/security\n", securitytxt.Error, 3, "https://"},
		{"http Policy", ok + "Policy: http://example.org/policy\n", securitytxt.Error, 3, "https://"},
		{"http Encryption", ok + "Encryption: HTTP://example.org/key.asc\n", securitytxt.Error, 3, "https://"},
		{"http Acknowledgments", ok + "Acknowledgments: http://example.org/thanks\n", securitytxt.Error, 3, "https://"},
		{"http Hiring", ok + "Hiring: http://example.org/jobs\n", securitytxt.Error, 3, "https://"},
		{"http Canonical", ok + "Canonical: http://example.org/.well-known/security.txt\n", securitytxt.Error, 3, "https://"},
		{"http CSAF", ok + "CSAF: http://example.org/.well-known/csaf/provider-metadata.json\n", securitytxt.Error, 3, "https://"},
		{"relative Policy", ok + "Policy: /policy.html\n", securitytxt.Error, 3, "relative URI"},
		{"two URIs in one field", ok + "Contact: mailto:a@example.org mailto:b@example.org\n", securitytxt.Error, 3, "not one URI"},
		{"CSAF elsewhere", ok + "CSAF: https://example.org/csaf.json\n", securitytxt.Warning, 3, "provider-metadata.json"},
		{"no space after colon", "Contact:mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n", securitytxt.Warning, 1, "no space"},
		{"empty value", ok + "Policy:\n", securitytxt.Error, 3, "no value"},
		{"not a field", ok + "Contact mailto:a@example.org\n", securitytxt.Error, 3, "is not a field"},
		{"space in name", ok + "Our Contact: mailto:a@example.org\n", securitytxt.Error, 3, "is not a field"},
		{"control character in comment", ok + "# a\x07b\n", securitytxt.Error, 3, "control character"},
		{"control character in value", ok + "Policy: https://example.org/\x01\n", securitytxt.Error, 3, "control character"},
		{"not UTF-8", ok + "# \xff\xfe\n", securitytxt.Error, 3, "not UTF-8"},
		{"line too long", ok + "# " + strings.Repeat("a", securitytxt.MaxLine) + "\n", securitytxt.Error, 3, "line of"},
		{"signature header in the middle", ok + "-----BEGIN PGP SIGNED MESSAGE-----\n", securitytxt.Error, 3, "in the middle"},
		{"unsigned framing", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + ok, securitytxt.Error, 0, "no signature"},
		{"other armor header", "-----BEGIN PGP SIGNED MESSAGE-----\nVersion: 1\n\n" + ok + "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n", securitytxt.Error, 2, "only Hash:"},
		{"undashed dash line", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + ok + "--- hi\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n", securitytxt.Error, 6, "dash-escaped"},
		{"no signature end", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + ok + "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n", securitytxt.Error, 0, "no end line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, r := check(t, []byte(c.text), securitytxt.Options{Now: pinned})
			if c.sev == "" {
				if len(r.Problems) > 0 {
					t.Fatalf("want no problem, got %v", r.Problems)
				}
				return
			}
			if !has(r, c.sev, c.line, c.want) {
				t.Fatalf("want %s on line %d saying %q, got %v", c.sev, c.line, c.want, r.Problems)
			}
			if c.sev == securitytxt.Warning && !r.Valid() {
				t.Fatalf("a warning made it invalid: %v", r.Problems)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	if _, err := securitytxt.Parse(make([]byte, securitytxt.MaxSize+1)); err != securitytxt.ErrTooLarge {
		t.Fatalf("err %v", err)
	}
}

func TestDashEscapedField(t *testing.T) {
	// A dash-escaped field line is read as the field.
	text := "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"
	f, err := securitytxt.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Get("Contact"); len(c) != 1 || c[0].Value != "mailto:a@example.org" || c[0].Line != 4 {
		t.Fatalf("Contact %+v", c)
	}
}

// TestInternetNLVerified verifies Internet.nl's signed file with their
// public key (testdata/README.md): cryptographically, by the key that
// signed it; a change to the signed text, or another key, fails.
func TestInternetNLVerified(t *testing.T) {
	data := sharedFile(t, "securitytxt/internet.nl/security.txt")
	f, err := os.Open("testdata/internet.nl-0x45028563.asc")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil {
		t.Fatal(err)
	}
	_, r := check(t, data, securitytxt.Options{Now: pinned, Keys: keys})
	if !r.Valid() || r.Signature.Verification != securitytxt.VerifiedKey ||
		!strings.Contains(r.Signature.Signer, "ACB788294C7E12BAE9228C60D894E15F45028563") {
		t.Fatalf("Internet.nl's file with their key: %+v, %v", r.Signature, r.Problems)
	}
	bad := strings.Replace(string(data), "Expires: 2027-04-10", "Expires: 2027-04-11", 1)
	if _, r := check(t, []byte(bad), securitytxt.Options{Now: pinned, Keys: keys}); r.Valid() || r.Signature.Verification == securitytxt.VerifiedKey {
		t.Errorf("a changed Expires verified: %+v", r.Signature)
	}
	other, err := openpgp.NewEntity("other", "", "other@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, r := check(t, data, securitytxt.Options{Now: pinned, Keys: openpgp.EntityList{other}}); r.Valid() {
		t.Errorf("verified with another key: %+v", r.Signature)
	}
}
