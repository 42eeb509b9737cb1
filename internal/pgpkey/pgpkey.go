// Package pgpkey is the server's OpenPGP signing key: read from an armored
// private key (the operator's file) or generated, with detached signatures
// (CSAF's .asc files), the armored public key and its fingerprint.
package pgpkey

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// MaxArmoredSize bounds an armored key read from a file or the database.
const MaxArmoredSize = 1 << 20

// Key is a private signing key ready to sign.
type Key struct {
	// Entity is the key with its decrypted private part.
	Entity *openpgp.Entity
	public []byte
	fpr    string
}

// config is the signature's parameters: SHA-256, which every OpenPGP
// implementation verifies.
func config(now time.Time) *packet.Config {
	return &packet.Config{DefaultHash: crypto.SHA256, Time: func() time.Time { return now }}
}

// Parse reads an armored private key, decrypting it with passphrase when
// it is encrypted. Exactly one key is accepted, and it must be able to
// sign now.
func Parse(armored, passphrase []byte) (*Key, error) {
	if len(armored) > MaxArmoredSize {
		return nil, fmt.Errorf("openpgp key: over %d bytes", MaxArmoredSize)
	}
	list, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("openpgp key: %d keys in the file, want exactly one", len(list))
	}
	e := list[0]
	if e.PrivateKey == nil {
		return nil, errors.New("openpgp key: a public key only; the server needs the private key to sign")
	}
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 {
			return nil, errors.New("openpgp key: it is encrypted; set VULNDESK_OPENPGP_PASSPHRASE")
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fmt.Errorf("openpgp key: decrypting with the passphrase: %w", err)
		}
	}
	return newKey(e)
}

func newKey(e *openpgp.Entity) (*Key, error) {
	if _, ok := e.SigningKey(time.Now()); !ok {
		return nil, errors.New("openpgp key: no valid signing key (expired, revoked or not for signing)")
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, fmt.Errorf("openpgp key: writing the public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return &Key{Entity: e, public: buf.Bytes(), fpr: strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))}, nil
}

// Generate makes a new Ed25519 signing key for name and email (email may
// be empty) and returns it with its armored private key, unencrypted, to
// keep.
func Generate(name, email string, now time.Time) (*Key, []byte, error) {
	cfg := config(now)
	cfg.Algorithm = packet.PubKeyAlgoEdDSA
	e, err := openpgp.NewEntity(name, "CSAF and security.txt signing key", email, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("openpgp key: generating: %w", err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, nil, err
	}
	if err := e.SerializePrivate(w, cfg); err != nil {
		return nil, nil, fmt.Errorf("openpgp key: writing the private key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	buf.WriteByte('\n')
	k, err := newKey(e)
	return k, buf.Bytes(), err
}

// Fingerprint is the primary key's fingerprint in upper-case hex.
func (k *Key) Fingerprint() string { return k.fpr }

// PublicArmored is the armored public key.
func (k *Key) PublicArmored() []byte { return bytes.Clone(k.public) }

// SignDetached returns an armored detached signature of data, as a
// binary document (the exact bytes).
func (k *Key) SignDetached(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, k.Entity, bytes.NewReader(data), config(time.Now())); err != nil {
		return nil, fmt.Errorf("openpgp signature: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Verify checks an armored detached signature of data against the
// armored public key: what a reader of the .asc files does.
func Verify(publicArmored, data, signature []byte) error {
	ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(publicArmored))
	if err != nil {
		return fmt.Errorf("openpgp public key: %w", err)
	}
	_, err = openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(data), bytes.NewReader(signature), nil)
	return err
}
