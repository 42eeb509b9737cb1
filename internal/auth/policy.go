package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// PolicyMinChars is the shortest password CheckPasswordPolicy accepts, in
// characters (Unicode code points, as NIST counts them). NIST SP 800-63B-4
// (2025) asks for at least 15 characters where the password is the only
// factor, as it is for signing in to vulndesk; 8 is its minimum only for a
// password that is one factor of several. A passphrase of three or four
// words meets it. HashPassword keeps its older floor of MinPasswordLen
// bytes, so accounts made before this policy still work.
const PolicyMinChars = 15

// minNameInPassword: a user name this long or longer may not appear
// anywhere in the password; a shorter one only not as the whole password
// (a one-letter name would otherwise forbid that letter).
const minNameInPassword = 3

// serviceName may not appear in a password: NIST's example of a
// context-specific word.
const serviceName = "vulndesk"

// commonPasswordsFile is the blocklist; its header says where it comes
// from, what was kept and under which licence.
//
//go:embed commonpasswords.txt
var commonPasswordsFile string

// commonPasswords is the blocklist as a set, read on first use: the
// commands that never check a policy do not pay for it.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := make(map[string]bool, 8000)
	for line := range strings.Lines(commonPasswordsFile) {
		line = strings.TrimSuffix(line, "\n")
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	return set
})

// CheckPasswordPolicy tells whether pw may become the password of
// username, following NIST SP 800-63B: valid UTF-8 without control
// characters, at least PolicyMinChars characters and at most
// MaxPasswordLen bytes, not containing the user name or the service's
// name, not one string repeated or a run like "abcd…" or "qwer…", and not
// on a list of common passwords, also once the digits and symbols around
// it and common letter-for-digit swaps ("p@ssw0rd") are undone. There are
// no composition rules: a long phrase of plain words is fine.
//
// The error says what is wrong without repeating the password. It wraps
// ErrInvalidPassword (encoding, control characters), ErrPasswordTooLong or
// ErrWeakPassword (everything else). Check only passwords people choose:
// NewPassword's are random, and only the user name check could refuse one
// (an alphabet without look-alikes cannot spell "admin", for one).
func CheckPasswordPolicy(username, pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidPassword)
	case strings.ContainsRune(pw, 0):
		return fmt.Errorf("%w: contains a NUL character", ErrInvalidPassword)
	case strings.ContainsFunc(pw, unicode.IsControl):
		return fmt.Errorf("%w: contains a control character (a tab or line break, say), which the sign-in form cannot send", ErrInvalidPassword)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("%w: must be at most %d bytes, got %d", ErrPasswordTooLong, MaxPasswordLen, len(pw))
	}
	if n := utf8.RuneCountInString(pw); n < PolicyMinChars {
		return fmt.Errorf("%w: must be at least %d characters, got %d", ErrWeakPassword, PolicyMinChars, n)
	}
	lower := strings.ToLower(pw)
	name := strings.ToLower(strings.TrimSpace(username))
	switch {
	case name != "" && (lower == name || utf8.RuneCountInString(name) >= minNameInPassword && strings.Contains(lower, name)):
		return fmt.Errorf("%w: contains the user name", ErrWeakPassword)
	case strings.Contains(lower, serviceName):
		return fmt.Errorf("%w: contains the name of this service, %s", ErrWeakPassword, serviceName)
	case repeats(lower):
		return fmt.Errorf("%w: repeats one shorter string", ErrWeakPassword)
	case isRun(lower):
		return fmt.Errorf("%w: is a run of consecutive letters, digits or keys, like abcd, 4321 or qwer", ErrWeakPassword)
	case isCommon(lower):
		return fmt.Errorf("%w: is a common password, or one with only digits or symbols added around it", ErrWeakPassword)
	}
	return nil
}

// repeats tells whether s is one shorter string written two or more times.
func repeats(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= len(r)/2; unit++ {
		if len(r)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

// runOrders are the orders a run follows: the alphabet, the digits, and
// walks along a US keyboard, by rows, by columns and zig-zag.
var runOrders = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"0123456789",
	"qwertyuiopasdfghjklzxcvbnm",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"qazwsxedcrfvtgbyhnujmikolp",
	"1q2w3e4r5t6y7u8i9o0p",
}

// isRun tells whether s is a stretch of one of runOrders, forwards or
// backwards, going round as often as needed ("1234567890123…").
func isRun(s string) bool {
	for _, order := range runOrders {
		cycle := strings.Repeat(order, len(s)/len(order)+2)
		if strings.Contains(cycle, s) || strings.Contains(reverse(cycle), s) {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// unleet undoes the common swaps of a digit or symbol for a letter; "1"
// stands for i or l, so there are two readings.
var unleet = []*strings.Replacer{
	strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "0", "o", "$", "s", "5", "s", "7", "t"),
	strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "l", "0", "o", "$", "s", "5", "s", "7", "t"),
}

// isCommon tells whether lower, a lower-case password, is on the
// blocklist: itself, its core without the digits and symbols around it,
// or that core with letter swaps undone.
func isCommon(lower string) bool {
	common := commonPasswords()
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if common[lower] || common[core] {
		return true
	}
	for _, r := range unleet {
		if common[r.Replace(core)] {
			return true
		}
	}
	return false
}
