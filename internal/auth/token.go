package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
)

// APITokenPrefix marks API tokens, so that a leaked one is recognisable
// (by people and by secret scanners); session secrets have no prefix.
const APITokenPrefix = "vdk_"

// tokenBytes is the entropy of every token: 256 bits.
const tokenBytes = 32

// tokenEncoding is lower-case base32 without padding: safe in URLs,
// headers and cookies, and easy to select with a double click.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a new random secret with the given prefix
// (APITokenPrefix for API tokens, "" for sessions): the prefix followed by
// 32 bytes from crypto/rand in lower-case unpadded base32, 52 characters.
func NewToken(prefix string) string {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails: crypto/rand aborts the program instead
	return prefix + tokenEncoding.EncodeToString(b)
}

// HashToken returns the hex SHA-256 of a token, which is what the store
// keeps: a stolen database then yields no usable secrets. A fast hash is
// the right choice here, unlike for passwords: tokens carry 256 random
// bits, so there is nothing to brute-force or look up in a dictionary, and
// a slow hash would only make every authenticated request slower.
func HashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}
