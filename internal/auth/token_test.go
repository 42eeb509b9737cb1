package auth

import (
	"regexp"
	"testing"
)

var tokenPattern = regexp.MustCompile(`^[a-z2-7]{52}$`)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{APITokenPrefix, ""} {
		seen := map[string]bool{}
		for range 1000 {
			tok := NewToken(prefix)
			if len(tok) != len(prefix)+52 || tok[:len(prefix)] != prefix {
				t.Fatalf("NewToken(%q) = %q", prefix, tok)
			}
			body := tok[len(prefix):]
			if !tokenPattern.MatchString(body) {
				t.Fatalf("NewToken(%q) = %q: not lower-case unpadded base32", prefix, tok)
			}
			raw, err := tokenEncoding.DecodeString(body)
			if err != nil || len(raw) != 32 {
				t.Fatalf("NewToken(%q) = %q decodes to %d bytes, %v", prefix, tok, len(raw), err)
			}
			if seen[tok] {
				t.Fatalf("NewToken(%q) repeated %q", prefix, tok)
			}
			seen[tok] = true
		}
	}
}

func TestHashToken(t *testing.T) {
	tests := map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	}
	for in, want := range tests {
		if got := HashToken(in); got != want {
			t.Errorf("HashToken(%q) = %s, want %s", in, got, want)
		}
	}
	a, b := NewToken(APITokenPrefix), NewToken(APITokenPrefix)
	again := a
	if HashToken(a) == HashToken(b) || HashToken(a) != HashToken(again) {
		t.Error("HashToken is not a function of its input")
	}
}
