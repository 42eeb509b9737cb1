package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password length limits, in bytes, that HashPassword enforces. What a
// person may choose is stricter: see CheckPasswordPolicy.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

var (
	// ErrWeakPassword: the password is too short (for HashPassword,
	// shorter than MinPasswordLen) or too easy to guess.
	ErrWeakPassword = errors.New("password too weak")
	// ErrPasswordTooLong: the password is longer than MaxPasswordLen.
	ErrPasswordTooLong = errors.New("password too long")
	// ErrInvalidPassword: the password is not valid UTF-8 or holds a
	// control character.
	ErrInvalidPassword = errors.New("password not acceptable")
	// ErrBadHash: a stored password hash is malformed or has parameters
	// outside the accepted limits; every such error from CheckPassword
	// wraps it.
	ErrBadHash = errors.New("malformed password hash")
)

// params are argon2id cost parameters: memory in KiB, passes, lanes.
type params struct {
	memory  uint32
	time    uint32
	threads uint8
}

// hashParams are the parameters new hashes are made with. Tests lower them.
var hashParams = params{memory: 64 * 1024, time: 2, threads: 2}

// maxParams bound what CheckPassword accepts from a stored hash, so that a
// tampered row cannot make one login allocate gigabytes or spin for
// minutes. The fuzz test lowers them.
var maxParams = params{memory: 1 << 21, time: 10, threads: 16}

const (
	saltLen     = 16
	keyLen      = 32
	minSaltLen  = 8  // RFC 9106 minimum
	maxSaltLen  = 64 // generous; ours are saltLen
	minKeyLen   = 16 // a shorter stored hash is too easy to collide
	maxKeyLen   = 64
	maxEncoded  = 512 // far above any hash we write (about 100 bytes)
	phcAlgo     = "argon2id"
	phcVersion  = "v=19" // argon2.Version, 0x13
	phcSections = 6      // "", algo, version, params, salt, hash
)

// b64 is the PHC string encoding: standard alphabet, no padding, and no
// stray trailing bits.
var b64 = base64.RawStdEncoding.Strict()

// HashPassword returns the argon2id hash of pw in PHC string format,
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>, with a fresh random salt.
// It refuses passwords shorter than MinPasswordLen (ErrWeakPassword) or
// longer than MaxPasswordLen (ErrPasswordTooLong).
func HashPassword(pw string) (string, error) {
	if err := checkLength(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails: crypto/rand aborts the program instead
	p := hashParams
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, keyLen)
	return encodeHash(p, salt, key), nil
}

// checkLength is the floor HashPassword enforces: a length range, nothing
// more; CheckPasswordPolicy is the policy for passwords people choose.
func checkLength(pw string) error {
	switch {
	case len(pw) < MinPasswordLen:
		return fmt.Errorf("%w: must be at least %d bytes, got %d", ErrWeakPassword, MinPasswordLen, len(pw))
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("%w: must be at most %d bytes, got %d", ErrPasswordTooLong, MaxPasswordLen, len(pw))
	}
	return nil
}

// encodeHash writes the PHC string for a derived key.
func encodeHash(p params, salt, key []byte) string {
	return fmt.Sprintf("$%s$%s$m=%d,t=%d,p=%d$%s$%s",
		phcAlgo, phcVersion, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword tells whether pw matches encoded, a hash from HashPassword.
// The parameters are read from encoded, so hashes made with older costs
// still verify; parameters over the limits, or anything malformed, give an
// error wrapping ErrBadHash and no argon2 work. The comparison is
// constant-time. A pw longer than MaxPasswordLen cannot have been hashed
// and reports false without hashing.
func CheckPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// decodeHash splits a PHC string into its parameters, salt and key,
// validating each.
func decodeHash(encoded string) (params, []byte, []byte, error) {
	if len(encoded) > maxEncoded {
		return params{}, nil, nil, badHash("%d bytes long", len(encoded))
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != phcSections || parts[0] != "" {
		return params{}, nil, nil, badHash("want $%s$%s$m=..,t=..,p=..$<salt>$<hash>", phcAlgo, phcVersion)
	}
	if parts[1] != phcAlgo {
		return params{}, nil, nil, badHash("algorithm %q, want %s", parts[1], phcAlgo)
	}
	if parts[2] != phcVersion {
		return params{}, nil, nil, badHash("version %q, want %s", parts[2], phcVersion)
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return params{}, nil, nil, err
	}
	salt, err := decodeField("salt", parts[4], minSaltLen, maxSaltLen)
	if err != nil {
		return params{}, nil, nil, err
	}
	key, err := decodeField("hash", parts[5], minKeyLen, maxKeyLen)
	if err != nil {
		return params{}, nil, nil, err
	}
	return p, salt, key, nil
}

// parseParams reads "m=<KiB>,t=<passes>,p=<lanes>", in that order, and
// checks them against maxParams and argon2's own minimums.
func parseParams(s string) (params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return params{}, badHash("parameters %q, want m=..,t=..,p=..", s)
	}
	m, err := parseParam(fields[0], "m", maxParams.memory)
	if err != nil {
		return params{}, err
	}
	t, err := parseParam(fields[1], "t", maxParams.time)
	if err != nil {
		return params{}, err
	}
	p, err := parseParam(fields[2], "p", uint32(maxParams.threads))
	if err != nil {
		return params{}, err
	}
	if m < 8*p {
		return params{}, badHash("m=%d is below argon2's minimum of 8*p=%d", m, 8*p)
	}
	return params{memory: m, time: t, threads: uint8(p)}, nil
}

// parseParam reads one "name=value" parameter, which must be a decimal
// between 1 and max.
func parseParam(field, name string, max uint32) (uint32, error) {
	val, ok := strings.CutPrefix(field, name+"=")
	if !ok {
		return 0, badHash("parameter %q, want %s=..", field, name)
	}
	n, err := strconv.ParseUint(val, 10, 32)
	if err != nil {
		return 0, badHash("parameter %s=%q is not a number", name, val)
	}
	if n < 1 || n > uint64(max) {
		return 0, badHash("parameter %s=%d outside 1..%d", name, n, max)
	}
	return uint32(n), nil
}

// decodeField decodes a base64 salt or hash and checks its length.
func decodeField(name, s string, min, max int) ([]byte, error) {
	if len(s) > b64.EncodedLen(max) {
		return nil, badHash("%s longer than %d bytes", name, max)
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, badHash("%s is not unpadded base64: %v", name, err)
	}
	if len(b) < min || len(b) > max {
		return nil, badHash("%s is %d bytes, want %d..%d", name, len(b), min, max)
	}
	return b, nil
}

// badHash builds an error wrapping ErrBadHash.
func badHash(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadHash, fmt.Sprintf(format, args...))
}

// passwordAlphabet leaves out the characters most easily mistaken for
// another when read aloud or retyped: 0 O o and 1 l I i.
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatedPasswordLen gives about 115 bits of entropy with passwordAlphabet.
const generatedPasswordLen = 20

// NewPassword returns a random 20-character password drawn uniformly from
// an alphabet without look-alike characters, for initial admin accounts
// and resets.
func NewPassword() string {
	return randomString(passwordAlphabet, generatedPasswordLen)
}

// randomString draws n characters uniformly from alphabet (at most 256
// characters) with crypto/rand, rejecting bytes that would bias the draw.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // bytes >= limit would favour the first characters
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
