package pgpkey

import (
	"strings"
	"testing"
	"time"

	"bytes"
	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

func TestGenerateParseSignVerify(t *testing.T) {
	k, priv, err := Generate("Example Org", "security@example.org", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Fingerprint()) != 40 || strings.ToUpper(k.Fingerprint()) != k.Fingerprint() {
		t.Fatalf("fingerprint %q: want 40 upper-case hex digits", k.Fingerprint())
	}
	again, err := Parse(priv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Fingerprint() != k.Fingerprint() {
		t.Fatalf("parsed key %s, generated %s", again.Fingerprint(), k.Fingerprint())
	}
	data := []byte("{\"document\":{}}\n")
	sig, err := again.SignDetached(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sig, []byte("-----BEGIN PGP SIGNATURE-----")) {
		t.Fatalf("signature not armored: %.40q", sig)
	}
	if err := Verify(k.PublicArmored(), data, sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	if err := Verify(k.PublicArmored(), append(data, ' '), sig); err == nil {
		t.Fatal("a signature verified over changed bytes")
	}
	if strings.Contains(string(k.PublicArmored()), "PRIVATE") {
		t.Fatal("the public key export holds the private key")
	}
}

func TestParseEncrypted(t *testing.T) {
	k, _, err := Generate("Example Org", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Entity.EncryptPrivateKeys([]byte("correct horse"), nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err := k.Entity.SerializePrivateWithoutSigning(w, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := Parse(buf.Bytes(), nil); err == nil || !strings.Contains(err.Error(), "VULNDESK_OPENPGP_PASSPHRASE") {
		t.Fatalf("encrypted key without passphrase: %v", err)
	}
	if _, err := Parse(buf.Bytes(), []byte("wrong")); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	got, err := Parse(buf.Bytes(), []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint() != k.Fingerprint() {
		t.Fatal("fingerprint changed")
	}
}

func TestParseRefuses(t *testing.T) {
	k, _, err := Generate("Example Org", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"public only": k.PublicArmored(),
		"garbage":     []byte("not a key"),
		"huge":        make([]byte, MaxArmoredSize+1),
	} {
		if _, err := Parse(in, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	k, priv, err := Generate("Seed", "", time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(priv)
	f.Add(k.PublicArmored())
	f.Add([]byte("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n-----END PGP PRIVATE KEY BLOCK-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, err := Parse(in, nil)
		if err == nil && len(k.Fingerprint()) < 40 {
			t.Fatalf("fingerprint %q", k.Fingerprint())
		}
	})
}
