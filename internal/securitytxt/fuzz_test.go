package securitytxt_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// FuzzParse: any input parses or is refused as too large, and Check
// never panics on what Parse returns; every problem names a line within
// the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n- Contact: x\n-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte("# c\r\nPreferred-Languages: en,\r\nPolicy: /x\r\n"))
	for _, p := range []string{"securitytxt/internet.nl/security.txt", "securitytxt/securitytxt-project/template-security.txt"} {
		if b, err := os.ReadFile(filepath.Join(shared, p)); err == nil {
			f.Add(b)
		}
	}
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := securitytxt.Parse(data)
		if err != nil {
			if len(data) <= securitytxt.MaxSize {
				t.Fatalf("refused %d bytes: %v", len(data), err)
			}
			return
		}
		r := securitytxt.Check(file, securitytxt.Options{Now: now})
		lines := 1
		for _, b := range data {
			if b == '\n' {
				lines++
			}
		}
		for _, p := range r.Problems {
			if p.Line < 0 || p.Line > lines || p.Message == "" {
				t.Fatalf("problem %+v of a %d-line file", p, lines)
			}
		}
	})
}
