package auth

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// productionParams are the hashing parameters before TestMain lowers them.
var productionParams = hashParams

// TestMain makes hashing cheap: 64 KiB and one pass instead of 64 MiB and
// two, so that the tests and the fuzzer run fast.
func TestMain(m *testing.M) {
	hashParams = params{memory: 64, time: 1, threads: 1}
	os.Exit(m.Run())
}

const goodPassword = "correct horse battery staple"

// Hashes of goodPassword made by the argon2 reference implementation
// (Debian's argon2 command), salt "somesalt0123456":
//
//	echo -n "correct horse battery staple" | argon2 somesalt0123456 -id -t 1 -m 6 -p 1 -l 32 -e
const (
	refHashSmall   = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQwMTIzNDU2$piDos1Y6osnMiWFAAc4yT3E+1P6LVr70oL1hiCf3Xls"
	refHashDefault = "$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQwMTIzNDU2$/RrTZ4L9y5rzsq8fz1s16C748VQfes7qYFaGjGDnBYI"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func mustHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	return h
}

func checkOK(t *testing.T, encoded, pw string) bool {
	t.Helper()
	ok, err := CheckPassword(encoded, pw)
	if err != nil {
		t.Fatalf("CheckPassword(%q): %v", encoded, err)
	}
	return ok
}

func TestHashCheckRoundtrip(t *testing.T) {
	h := mustHash(t, goodPassword)
	if !phcPattern.MatchString(h) {
		t.Errorf("hash %q is not in PHC format", h)
	}
	if !checkOK(t, h, goodPassword) {
		t.Error("the right password does not check")
	}
}

func TestCheckWrongPassword(t *testing.T) {
	h := mustHash(t, goodPassword)
	for _, pw := range []string{"", "correct horse battery stapl", goodPassword + " ", strings.ToUpper(goodPassword)} {
		if checkOK(t, h, pw) {
			t.Errorf("password %q checks against the hash of %q", pw, goodPassword)
		}
	}
}

func TestHashesDiffer(t *testing.T) {
	a, b := mustHash(t, goodPassword), mustHash(t, goodPassword)
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
	if !checkOK(t, a, goodPassword) || !checkOK(t, b, goodPassword) {
		t.Error("a hash does not check")
	}
}

func TestReferenceImplementation(t *testing.T) {
	if !checkOK(t, refHashSmall, goodPassword) {
		t.Error("hash from the reference implementation does not check")
	}
	if checkOK(t, refHashSmall, "correct horse battery stapler") {
		t.Error("wrong password checks against the reference hash")
	}
}

func TestProductionParams(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB argon2id")
	}
	if !checkOK(t, refHashDefault, goodPassword) {
		t.Error("reference hash with the production parameters does not check")
	}
	hashParams = productionParams
	t.Cleanup(func() { hashParams = params{memory: 64, time: 1, threads: 1} })
	h := mustHash(t, goodPassword)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash %q does not use m=65536,t=2,p=2", h)
	}
	if !checkOK(t, h, goodPassword) {
		t.Error("the right password does not check")
	}
}

func TestPasswordLength(t *testing.T) {
	tests := []struct {
		n   int
		err error
	}{
		{0, ErrWeakPassword},
		{MinPasswordLen - 1, ErrWeakPassword},
		{MinPasswordLen, nil},
		{MaxPasswordLen, nil},
		{MaxPasswordLen + 1, ErrPasswordTooLong},
	}
	for _, tt := range tests {
		pw := strings.Repeat("x", tt.n)
		h, err := HashPassword(pw)
		if !errors.Is(err, tt.err) {
			t.Errorf("HashPassword(%d bytes) error = %v, want %v", tt.n, err, tt.err)
			continue
		}
		if err != nil {
			if h != "" || !strings.Contains(err.Error(), "bytes") {
				t.Errorf("HashPassword(%d bytes) = %q, %q: want no hash and a message with the limit", tt.n, h, err)
			}
			continue
		}
		if !checkOK(t, h, pw) {
			t.Errorf("%d-byte password does not check", tt.n)
		}
	}
}

func TestCheckOverlongPassword(t *testing.T) {
	h := mustHash(t, goodPassword)
	ok, err := CheckPassword(h, strings.Repeat("x", MaxPasswordLen+1))
	if ok || err != nil {
		t.Errorf("CheckPassword(overlong) = %v, %v; want false, nil", ok, err)
	}
}

func TestCheckRejectsBadHashes(t *testing.T) {
	const salt, key = "c29tZXNhbHQwMTIzNDU2", "piDos1Y6osnMiWFAAc4yT3E+1P6LVr70oL1hiCf3Xls"
	with := func(algo, version, ps, s, k string) string {
		return "$" + algo + "$" + version + "$" + ps + "$" + s + "$" + k
	}
	bad := map[string]string{
		"empty":              "",
		"not PHC":            "hunter2",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"missing hash":       "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"extra section":      refHashSmall + "$x",
		"no leading dollar":  refHashSmall[1:],
		"argon2i":            with("argon2i", "v=19", "m=64,t=1,p=1", salt, key),
		"argon2d":            with("argon2d", "v=19", "m=64,t=1,p=1", salt, key),
		"version 16":         with("argon2id", "v=16", "m=64,t=1,p=1", salt, key),
		"no version":         "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"memory too high":    with("argon2id", "v=19", "m=2097153,t=1,p=1", salt, key),
		"memory huge":        with("argon2id", "v=19", "m=4294967295,t=1,p=1", salt, key),
		"memory overflow":    with("argon2id", "v=19", "m=4294967296,t=1,p=1", salt, key),
		"time too high":      with("argon2id", "v=19", "m=64,t=11,p=1", salt, key),
		"threads too high":   with("argon2id", "v=19", "m=256,t=1,p=17", salt, key),
		"threads overflow":   with("argon2id", "v=19", "m=4096,t=1,p=257", salt, key),
		"memory zero":        with("argon2id", "v=19", "m=0,t=1,p=1", salt, key),
		"time zero":          with("argon2id", "v=19", "m=64,t=0,p=1", salt, key),
		"threads zero":       with("argon2id", "v=19", "m=64,t=1,p=0", salt, key),
		"memory below 8p":    with("argon2id", "v=19", "m=15,t=1,p=2", salt, key),
		"negative":           with("argon2id", "v=19", "m=-64,t=1,p=1", salt, key),
		"plus sign":          with("argon2id", "v=19", "m=+64,t=1,p=1", salt, key),
		"hex":                with("argon2id", "v=19", "m=0x40,t=1,p=1", salt, key),
		"space":              with("argon2id", "v=19", "m=64, t=1,p=1", salt, key),
		"params reordered":   with("argon2id", "v=19", "t=1,m=64,p=1", salt, key),
		"params missing":     with("argon2id", "v=19", "m=64,t=1", salt, key),
		"params extra":       with("argon2id", "v=19", "m=64,t=1,p=1,keyid=x", salt, key),
		"empty salt":         with("argon2id", "v=19", "m=64,t=1,p=1", "", key),
		"short salt":         with("argon2id", "v=19", "m=64,t=1,p=1", "c29tZXNh", key),
		"long salt":          with("argon2id", "v=19", "m=64,t=1,p=1", strings.Repeat("A", 90), key),
		"padded salt":        with("argon2id", "v=19", "m=64,t=1,p=1", "c29tZXNhbHQwMTIzNDU2NzE=", key),
		"salt not base64":    with("argon2id", "v=19", "m=64,t=1,p=1", "c29tZXNhbHQw*TIzNDU2", key),
		"url-safe base64":    with("argon2id", "v=19", "m=64,t=1,p=1", salt, strings.ReplaceAll(key, "+", "-")),
		"empty hash":         with("argon2id", "v=19", "m=64,t=1,p=1", salt, ""),
		"short hash":         with("argon2id", "v=19", "m=64,t=1,p=1", salt, key[:20]),
		"long hash":          with("argon2id", "v=19", "m=64,t=1,p=1", salt, strings.Repeat(key, 3)),
		"trailing bits":      with("argon2id", "v=19", "m=64,t=1,p=1", salt, key[:42]+"m"),
		"too long":           refHashSmall + strings.Repeat("A", maxEncoded),
		"dollars everywhere": "$$$$$",
	}
	for name, encoded := range bad {
		ok, err := CheckPassword(encoded, goodPassword)
		if ok || !errors.Is(err, ErrBadHash) {
			t.Errorf("%s: CheckPassword(%q) = %v, %v; want false and ErrBadHash", name, encoded, ok, err)
		}
	}
}

// TestCheckTamperedValidHash: a hash changed within the limits is still
// well-formed and simply does not match.
func TestCheckTamperedValidHash(t *testing.T) {
	tampered := []string{
		strings.Replace(refHashSmall, "t=1", "t=2", 1),
		strings.Replace(refHashSmall, "m=64", "m=128", 1),
		strings.Replace(refHashSmall, "c29tZXNh", "c29tZXNi", 1),
		strings.Replace(refHashSmall, "piDos1Y6", "piDos1Y7", 1),
	}
	for _, h := range tampered {
		if checkOK(t, h, goodPassword) {
			t.Errorf("tampered hash %q still checks", h)
		}
	}
}

func TestParamLimits(t *testing.T) {
	p, err := parseParams("m=2097152,t=10,p=16")
	if err != nil {
		t.Fatalf("parameters at the limits refused: %v", err)
	}
	if p != (params{memory: 1 << 21, time: 10, threads: 16}) {
		t.Errorf("parsed %+v", p)
	}
	if _, err := parseParams("m=8,t=1,p=1"); err != nil {
		t.Errorf("argon2's minimum memory refused: %v", err)
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		pw := NewPassword()
		if len(pw) != 20 {
			t.Fatalf("NewPassword() = %q, want 20 characters", pw)
		}
		if seen[pw] {
			t.Fatalf("NewPassword() repeated %q", pw)
		}
		seen[pw] = true
		for _, c := range pw {
			counts[c]++
		}
	}
	for _, c := range "0Oo1lIi" {
		if counts[c] > 0 {
			t.Errorf("ambiguous character %q used", c)
		}
	}
	for _, c := range passwordAlphabet {
		if counts[c] == 0 {
			t.Errorf("character %q never used in 40000", c)
		}
	}
	if len(counts) != len(passwordAlphabet) {
		t.Errorf("%d distinct characters used, alphabet has %d", len(counts), len(passwordAlphabet))
	}
	// The alphabet has no i and no l: it cannot spell these names.
	for pw := range seen {
		for _, user := range []string{"", "admin", "alice"} {
			if err := CheckPasswordPolicy(user, pw); err != nil {
				t.Fatalf("generated password %q for %q fails the policy: %v", pw, user, err)
			}
		}
	}
}

// FuzzCheckPassword: no stored hash, however mangled, makes CheckPassword
// panic; errors always wrap ErrBadHash, and a hash it accepts decodes to
// values that encode and decode again unchanged.
func FuzzCheckPassword(f *testing.F) {
	// Keep accepted inputs cheap: what is fuzzed is the parsing.
	saved := maxParams
	maxParams = params{memory: 1024, time: 2, threads: 4}
	f.Cleanup(func() { maxParams = saved })

	f.Add(refHashSmall)
	f.Add(mustHash(f, goodPassword))
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQwMTIzNDU2$")
	f.Add("$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQwMTIzNDU2$piDos1Y6osnMiWFAAc4yT3E+1P6LVr70oL1hiCf3Xls")
	f.Add("$argon2id$v=19$m=16,t=1,p=2$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaA")
	f.Add("")
	f.Fuzz(func(t *testing.T, encoded string) {
		ok, err := CheckPassword(encoded, goodPassword)
		if err != nil {
			if ok || !errors.Is(err, ErrBadHash) {
				t.Fatalf("CheckPassword(%q) = %v, %v", encoded, ok, err)
			}
			return
		}
		p, salt, key, err := decodeHash(encoded)
		if err != nil {
			t.Fatalf("CheckPassword accepted %q, decodeHash refuses it: %v", encoded, err)
		}
		p2, salt2, key2, err := decodeHash(encodeHash(p, salt, key))
		if err != nil || p2 != p || string(salt2) != string(salt) || string(key2) != string(key) {
			t.Fatalf("%q does not survive re-encoding: %v", encoded, err)
		}
	})
}
