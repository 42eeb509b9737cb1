package securitytxt_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

func testKey(t *testing.T, lifetime uint32) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: lifetime,
		Time: func() time.Time { return pinned.Add(-time.Hour) }}
	e, err := openpgp.NewEntity("Example Security Team", "test", "security@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func settings() model.Disclosure {
	d := model.DefaultDisclosure()
	d.Organisation = "Example Org"
	d.Contacts = []string{"mailto:security@example.org", "tel:+31-20-555-0123"}
	d.Encryption = []string{"https://example.org/pgp-key.asc"}
	d.PreferredLanguages = []string{"en", "nl"}
	return d
}

func TestGenerate(t *testing.T) {
	d := settings()
	text := securitytxt.Generate(d, "https://vulndesk.example.org/", pinned)
	want := `# The security contacts of Example Org
Canonical: https://vulndesk.example.org/.well-known/security.txt
Contact: mailto:security@example.org
Contact: tel:+31-20-555-0123
Contact: https://vulndesk.example.org/security/report
Expires: 2027-06-06T00:00:00Z
Encryption: https://example.org/pgp-key.asc
Policy: https://vulndesk.example.org/security/policy
Acknowledgments: https://vulndesk.example.org/security/acknowledgements
Preferred-Languages: en, nl
CSAF: https://vulndesk.example.org/.well-known/csaf/provider-metadata.json
`
	if text != want {
		t.Fatalf("got\n%s\nwant\n%s", text, want)
	}
	_, r := check(t, []byte(text), securitytxt.Options{Now: pinned, URL: "https://vulndesk.example.org/.well-known/security.txt"})
	if !r.Valid() || len(r.Problems) > 0 {
		t.Fatalf("generated file: %v", r.Problems)
	}
	if w := securitytxt.Warnings(d, "https://vulndesk.example.org", nil, pinned); len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
}

// TestGenerateHTTP: over plain http no web URI is made; with contacts the
// file is still valid, without any it has no Contact and a warning says so.
func TestGenerateHTTP(t *testing.T) {
	d := model.DefaultDisclosure()
	d.Contacts = []string{"mailto:security@example.org"}
	text := securitytxt.Generate(d, "http://127.0.0.1:8080", pinned)
	if strings.Contains(text, "http://") {
		t.Fatalf("an http URI in\n%s", text)
	}
	if _, r := check(t, []byte(text), securitytxt.Options{Now: pinned}); !r.Valid() {
		t.Errorf("%s: %v", text, r.Problems)
	}
	d.Contacts = nil
	text = securitytxt.Generate(d, "http://127.0.0.1:8080", pinned)
	if _, r := check(t, []byte(text), securitytxt.Options{Now: pinned}); r.Valid() {
		t.Errorf("no contact, yet valid:\n%s", text)
	}
	w := securitytxt.Warnings(d, "http://127.0.0.1:8080", nil, pinned)
	if len(w) != 2 || !strings.Contains(w[0], "no Contact") || !strings.Contains(w[1], "no https base_url") {
		t.Errorf("warnings %q", w)
	}
}

// TestExpiresDays: Expires is always less than a year ahead, from any time
// of day, for any setting.
func TestExpiresDays(t *testing.T) {
	d := settings()
	for _, days := range []int{1, 180, 364, 365, 0, -5, 10000} {
		d.ExpiresDays = days
		for _, now := range []time.Time{pinned, time.Date(2028, 2, 28, 23, 59, 59, 0, time.UTC), time.Date(2027, 12, 31, 0, 0, 0, 0, time.FixedZone("", 14*3600))} {
			text := securitytxt.Generate(d, "https://example.org", now)
			if _, r := check(t, []byte(text), securitytxt.Options{Now: now}); !r.Valid() {
				t.Errorf("days %d at %v: %v", days, now, r.Problems)
			}
		}
	}
}

// TestClearSignRoundTrip: Generate → ClearSign → Check verifies with the
// public key, and fails with another key or a changed text.
func TestClearSignRoundTrip(t *testing.T) {
	key := testKey(t, 0)
	text := securitytxt.Generate(settings(), "https://vulndesk.example.org", pinned)
	signed, err := securitytxt.ClearSign(text, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(signed), "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n# The security") {
		t.Fatalf("signed file starts\n%.120s", signed)
	}
	pub := publicKeys(t, key)
	f, r := check(t, signed, securitytxt.Options{Now: pinned, Keys: pub, URL: "https://vulndesk.example.org/.well-known/security.txt"})
	if !r.Valid() || len(r.Problems) > 0 {
		t.Fatalf("signed file: %v", r.Problems)
	}
	if len(f.Fields) != 10 || r.Signature.Verification != securitytxt.VerifiedKey || !strings.Contains(r.Signature.Signer, "security@example.org") {
		t.Fatalf("%d fields, signature %+v", len(f.Fields), r.Signature)
	}
	// Without the key: the hash tag.
	if _, r := check(t, signed, securitytxt.Options{Now: pinned}); !r.Valid() || r.Signature.Verification != securitytxt.VerifiedHashTag {
		t.Errorf("without a key: %+v %v", r.Signature, r.Problems)
	}
	// Another key.
	if _, r := check(t, signed, securitytxt.Options{Now: pinned, Keys: publicKeys(t, testKey(t, 0))}); r.Valid() || !has(r, securitytxt.Error, 0, "does not verify with the key given") {
		t.Errorf("another key: %v", r.Problems)
	}
	// A changed text with the right key.
	bad := strings.Replace(string(signed), "mailto:security@example.org", "mailto:security@example.com", 1)
	if _, r := check(t, []byte(bad), securitytxt.Options{Now: pinned, Keys: pub}); r.Valid() {
		t.Errorf("a changed text verifies")
	}
	// An unsigned text stays as it is with no key.
	if same, _ := securitytxt.ClearSign(text, nil); string(same) != text {
		t.Errorf("nil key changed the text")
	}
}

// TestSigningKeyExpiry: a key that expires before Expires is warned of.
func TestSigningKeyExpiry(t *testing.T) {
	key := testKey(t, 30*24*3600)
	w := securitytxt.Warnings(settings(), "https://example.org", key, pinned)
	if len(w) != 1 || !strings.Contains(w[0], "the signing key expires on 2027-01-07") {
		t.Fatalf("warnings %q", w)
	}
	if w := securitytxt.Warnings(settings(), "https://example.org", testKey(t, 0), pinned); len(w) != 0 {
		t.Errorf("a key without expiry: %q", w)
	}
}

func publicKeys(t *testing.T, e *openpgp.Entity) openpgp.EntityList {
	t.Helper()
	b, err := securitytxt.ArmoredPublicKey(e)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := securitytxt.ReadKeys(b)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
