package securitytxt

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Verification says how far a signature was verified.
type Verification string

const (
	// VerifiedNone: the signature could not be read.
	VerifiedNone Verification = "none"
	// VerifiedHashTag: no key was given. The signature packet parses,
	// its hash algorithm is one the header names, and its hash tag (the
	// digest's left 16 bits, which RFC 4880 §5.2.3 stores in the clear)
	// matches the signed text: the text is most likely as it was signed
	// (a 1 in 65,536 chance of a miss), but nothing proves who signed it.
	VerifiedHashTag Verification = "hash-tag"
	// VerifiedKey: the signature verifies with a key given.
	VerifiedKey Verification = "cryptographic"
)

// SignatureReport is what Check found out about a signature.
type SignatureReport struct {
	Verification Verification `json:"verification"`
	// Issuer is the signing key's fingerprint (or key ID) as the
	// signature names it.
	Issuer  string    `json:"issuer,omitempty"`
	Created time.Time `json:"created,omitzero"`
	Hash    string    `json:"hash,omitempty"`
	// Signer names the key that verified it (VerifiedKey).
	Signer string `json:"signer,omitempty"`
}

// Summary says in words what kind of verification was done.
func (s *SignatureReport) Summary() string {
	switch s.Verification {
	case VerifiedKey:
		return fmt.Sprintf("signed by %s: verified cryptographically with the key given", s.Signer)
	case VerifiedHashTag:
		return fmt.Sprintf("signed by key %s (%s, %s): the signature is well-formed and its hash tag matches the signed text, "+
			"but it was NOT verified cryptographically: no key was given (--key)", s.Issuer, s.Hash, s.Created.UTC().Format(time.RFC3339))
	}
	return "signed, but the signature could not be read: not verified"
}

// hashNames maps armor Hash: names to hash functions (RFC 4880 §9.4).
var hashNames = map[string]crypto.Hash{
	"SHA1": crypto.SHA1, "SHA224": crypto.SHA224, "SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512,
	"SHA3-256": crypto.SHA3_256, "SHA3-512": crypto.SHA3_512,
}

func hashName(h crypto.Hash) string {
	for n, x := range hashNames {
		if x == h {
			return n
		}
	}
	return h.String()
}

// verify checks a signed file's signature as far as o allows.
func verify(f *File, o Options, c *checker) *SignatureReport {
	rep := &SignatureReport{Verification: VerifiedNone}
	line := f.Signed.SignatureLine
	if !f.Signed.Complete {
		return rep // the framing's problem is already reported
	}
	b, _ := clearsign.Decode(f.Raw)
	if b == nil {
		c.err(f.Signed.HeaderLine, "", "the cleartext signature's framing cannot be read (RFC 4880 §7): not verified")
		return rep
	}
	raw, err := io.ReadAll(io.LimitReader(b.ArmoredSignature.Body, MaxSize))
	if err != nil {
		c.err(line, "", "the signature's armor cannot be read: %v", err)
		return rep
	}
	p, err := packet.Read(bytes.NewReader(raw))
	if err != nil {
		c.err(line, "", "the signature is not an OpenPGP signature packet: %v", err)
		return rep
	}
	sig, ok := p.(*packet.Signature)
	if !ok {
		c.err(line, "", "the signature block holds a %T, not a signature", p)
		return rep
	}
	rep.Hash, rep.Created = hashName(sig.Hash), sig.CreationTime
	switch {
	case sig.IssuerFingerprint != nil:
		rep.Issuer = strings.ToUpper(hex.EncodeToString(sig.IssuerFingerprint))
	case sig.IssuerKeyId != nil:
		rep.Issuer = fmt.Sprintf("%016X", *sig.IssuerKeyId)
	}
	if sig.SigType != packet.SigTypeText && sig.SigType != packet.SigTypeBinary {
		c.err(line, "", "the signature is of type %#x, not a signature of a text (RFC 4880 §5.2.1)", sig.SigType)
		return rep
	}
	if len(f.Signed.Hashes) > 0 && !hashNamed(f.Signed.Hashes, sig.Hash) {
		c.err(f.Signed.HeaderLine+1, "", "the signature uses %s, which the Hash: header (%s) does not name", rep.Hash, strings.Join(f.Signed.Hashes, ", "))
		return rep
	}
	if !sig.CreationTime.IsZero() && sig.CreationTime.After(o.Now.Add(time.Hour)) {
		c.warn(line, "", "the signature was made on %s, after the time the file is checked at", sig.CreationTime.UTC().Format(time.RFC3339))
	}
	if len(o.Keys) == 0 {
		if err := hashTag(b, sig); err != nil {
			c.err(line, "", "%v", err)
			return rep
		}
		rep.Verification = VerifiedHashTag
		c.warn(line, "", "the signature was not verified cryptographically: no key was given; only its form and hash tag were checked")
		return rep
	}
	cfg := &packet.Config{Time: func() time.Time { return o.Now }}
	_, signer, err := openpgp.VerifyDetachedSignature(o.Keys, bytes.NewReader(b.Bytes), bytes.NewReader(raw), cfg)
	if err != nil {
		c.err(line, "", "the signature does not verify with the key given: %v", err)
		return rep
	}
	rep.Verification = VerifiedKey
	rep.Signer = strings.ToUpper(hex.EncodeToString(signer.PrimaryKey.Fingerprint))
	for name := range signer.Identities {
		rep.Signer += " " + name
		break
	}
	return rep
}

func hashNamed(names []string, h crypto.Hash) bool {
	for _, n := range names {
		if hashNames[strings.ToUpper(n)] == h {
			return true
		}
	}
	return false
}

// hashTag recomputes the signature's digest over the signed text and
// compares its left 16 bits with the signature's hash tag.
func hashTag(b *clearsign.Block, sig *packet.Signature) error {
	if !sig.Hash.Available() {
		return fmt.Errorf("the signature's hash %s is not supported", sig.Hash)
	}
	h, err := sig.PrepareVerify()
	if err != nil {
		return fmt.Errorf("the signature cannot be checked: %v", err)
	}
	w := h
	if sig.SigType == packet.SigTypeText {
		w = openpgp.NewCanonicalTextHash(h)
	}
	w.Write(b.Bytes)
	if sig.Version == 5 {
		sig.AddMetadataToHashSuffix()
	}
	h.Write(sig.HashSuffix)
	sum := h.Sum(nil)
	if sum[0] != sig.HashTag[0] || sum[1] != sig.HashTag[1] {
		return errors.New("the signed text does not match its signature: the hash tag differs, so the text was changed after it was signed")
	}
	return nil
}

// ReadKeys reads armored (or binary) OpenPGP public keys, for Options.Keys.
func ReadKeys(data []byte) (openpgp.EntityList, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		return openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	}
	return openpgp.ReadKeyRing(bytes.NewReader(data))
}

// ClearSign signs text with key's private key as an OpenPGP cleartext
// signature (RFC 4880 §7) over SHA-512; a nil key leaves text as it is.
// The text must end with a line end, as Generate's does.
func ClearSign(text string, key *openpgp.Entity) ([]byte, error) {
	if key == nil {
		return []byte(text), nil
	}
	if key.PrivateKey == nil {
		return nil, errors.New("clear-sign security.txt: the key has no private part")
	}
	var out bytes.Buffer
	w, err := clearsign.Encode(&out, key.PrivateKey, &packet.Config{DefaultHash: crypto.SHA512})
	if err != nil {
		return nil, fmt.Errorf("clear-sign security.txt: %w", err)
	}
	if _, err := w.Write([]byte(strings.TrimSuffix(text, "\n"))); err != nil {
		return nil, fmt.Errorf("clear-sign security.txt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("clear-sign security.txt: %w", err)
	}
	return out.Bytes(), nil
}

// ArmoredPublicKey writes e's public key armored, as --key and an
// Encryption URI's file take it.
func ArmoredPublicKey(e *openpgp.Entity) ([]byte, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
