package auth

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		user, pw string
		err      error
		msg      string // in the error
	}{
		// Accepted: long enough, nothing guessable, no composition rules.
		{"alice", "correct horse battery staple", nil, ""},
		{"alice", "fifteen letters", nil, ""},
		{"alice", "Dragon-8r#2x$9q!", nil, ""}, // a common word inside, not only padded
		{"bo", "bobsled tangerine ferry", nil, ""},
		{"alice", "ünïcödé çharacters ☃", nil, ""},
		{"alice", strings.Repeat("x", MaxPasswordLen-1) + "y", nil, ""},

		{"alice", "fourteen chars", ErrWeakPassword, "at least 15 characters, got 14"},
		{"alice", "", ErrWeakPassword, "at least 15 characters, got 0"},
		{"alice", "☃☃☃☃☃☃☃☃☃☃☃☃☃☃", ErrWeakPassword, "got 14"}, // 42 bytes, 14 characters
		{"alice", strings.Repeat("xy", MaxPasswordLen/2) + "z", ErrPasswordTooLong, "at most 1024 bytes, got 1025"},
		{"alice", "a password\x00with a NUL", ErrInvalidPassword, "NUL"},
		{"alice", "a password\twith a tab", ErrInvalidPassword, "control character"},
		{"alice", "a password\nwith a newline", ErrInvalidPassword, "control character"},
		{"alice", "not utf-8 \xff\xfe at all", ErrInvalidPassword, "UTF-8"},

		{"alice", "alice-in-wonderland", ErrWeakPassword, "user name"},
		{"Alice", "my name is ALICE, hello", ErrWeakPassword, "user name"},
		{" alice ", "I am alice and that is all", ErrWeakPassword, "user name"},
		{"correct horse battery staple", "correct horse battery staple", ErrWeakPassword, "user name"},
		{"alice", "my vulndesk password", ErrWeakPassword, "vulndesk"},

		{"alice", "passwordpassword", ErrWeakPassword, "repeats"},
		{"alice", "abcabcabcabcabc", ErrWeakPassword, "repeats"},
		{"alice", "zzzzzzzzzzzzzzzzzzzz", ErrWeakPassword, "repeats"},
		{"alice", "abcdefghijklmnopq", ErrWeakPassword, "run"},
		{"alice", "123456789012345", ErrWeakPassword, "run"},
		{"alice", "9876543210987654", ErrWeakPassword, "run"},
		{"alice", "qwertyuiopasdfgh", ErrWeakPassword, "run"},
		{"alice", "MNBVCXZLKJHGFDSA", ErrWeakPassword, "run"},
		{"alice", "1qaz2wsx3edc4rfv5tgb", ErrWeakPassword, "run"},

		{"alice", "123456789qwerty", ErrWeakPassword, "common password"},
		{"alice", "MomsAnalAdventure", ErrWeakPassword, "common password"},
		{"alice", "Password2026!!!!", ErrWeakPassword, "common password"},
		{"alice", "2026!!sunshine!!2026", ErrWeakPassword, "common password"},
		{"alice", "P@ssw0rd12345678", ErrWeakPassword, "common password"},
		{"alice", "f00tb4ll-1234567", ErrWeakPassword, "common password"},
		{"alice", "iloveyou-0123456789", ErrWeakPassword, "common password"},
	}
	for _, tt := range tests {
		err := CheckPasswordPolicy(tt.user, tt.pw)
		if !errors.Is(err, tt.err) || tt.err == nil && err != nil {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %v, want %v", tt.user, tt.pw, err, tt.err)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("CheckPasswordPolicy(%q, %q) = %q, want a message with %q", tt.user, tt.pw, err, tt.msg)
		}
		if err != nil && len(tt.pw) >= 8 && utf8.ValidString(tt.pw) && strings.Contains(err.Error(), tt.pw) {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}

// TestCommonPasswordsList: the embedded list is read whole, its header
// skipped, and every entry is one a check can match.
func TestCommonPasswordsList(t *testing.T) {
	set := commonPasswords()
	if len(set) != 7335 {
		t.Errorf("%d common passwords read, the file's header says 7,335", len(set))
	}
	for _, pw := range []string{"password", "dragon", "iloveyou", "passwordpassword", "1qaz2wsx3edc4rfv"} {
		if !set[pw] {
			t.Errorf("%q is not on the list", pw)
		}
	}
	for pw := range set {
		if pw != strings.ToLower(pw) || strings.TrimSpace(pw) != pw || strings.HasPrefix(pw, "#") {
			t.Errorf("entry %q: want lower case, no spaces around it, no comment mark", pw)
		}
	}
	// Every long entry is refused as it is.
	for pw := range set {
		if utf8.RuneCountInString(pw) >= PolicyMinChars && CheckPasswordPolicy("alice", pw) == nil {
			t.Errorf("the common password %q passes the policy", pw)
		}
	}
}

// FuzzCheckPasswordPolicy: no input makes the policy panic; every refusal
// wraps one of its three errors; whatever it accepts HashPassword hashes.
func FuzzCheckPasswordPolicy(f *testing.F) {
	f.Add("alice", "correct horse battery staple")
	f.Add("alice", "P@ssw0rd12345678")
	f.Add("", "\xff\x00")
	f.Add("☃", "☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃")
	f.Fuzz(func(t *testing.T, user, pw string) {
		err := CheckPasswordPolicy(user, pw)
		if err != nil {
			if !errors.Is(err, ErrWeakPassword) && !errors.Is(err, ErrPasswordTooLong) && !errors.Is(err, ErrInvalidPassword) {
				t.Fatalf("CheckPasswordPolicy(%q, %q) = %v: wraps none of the policy's errors", user, pw, err)
			}
			return
		}
		if _, err := HashPassword(pw); err != nil {
			t.Fatalf("the policy accepts %q, HashPassword refuses it: %v", pw, err)
		}
	})
}
