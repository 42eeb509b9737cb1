package server

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// TestSecurityTxtFileSigned: with a key, the served file is clear-signed
// and verifies with it; without one it is the plain text; with no way to
// make a Contact, nothing is made.
func TestSecurityTxtFileSigned(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	key, err := openpgp.NewEntity("Example Security", "", "security@example.org",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return now.Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	d := model.DefaultDisclosure()
	d.Contacts = []string{"mailto:security@example.org"}
	const base = "https://vulndesk.example.org"
	signed, err := securityTxtFile(d, base, now, key)
	if err != nil {
		t.Fatal(err)
	}
	f, err := securitytxt.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	r := securitytxt.Check(f, securitytxt.Options{Now: now, URL: base + securitytxt.PathWellKnown, Keys: openpgp.EntityList{key}})
	if !r.Valid() || len(r.Problems) > 0 || r.Signature == nil || r.Signature.Verification != securitytxt.VerifiedKey {
		t.Fatalf("the signed file: %+v %v\n%s", r.Signature, r.Problems, signed)
	}
	plain, err := securityTxtFile(d, base, now, nil)
	if err != nil || strings.Contains(string(plain), "PGP") || string(plain) != securitytxt.Generate(d, base, now) {
		t.Errorf("unsigned: %v\n%s", err, plain)
	}
	d.Contacts = nil
	if _, err := securityTxtFile(d, "", now, nil); !errors.Is(err, errNoSecurityTxt) {
		t.Errorf("no contact over http: %v", err)
	}
	if b, err := securityTxtFile(d, base, now, nil); err != nil || !strings.Contains(string(b), "Contact: "+base+"/security/report\n") {
		t.Errorf("no contact but https: the report form is the contact: %v\n%s", err, b)
	}
}
