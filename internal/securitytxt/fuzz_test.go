package securitytxt_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
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

// FuzzGenerate: any disclosure settings that validate make a file that
// passes Check, whenever it has a Contact to give (settings' contacts, or
// the report form on an https base URL): the served file is never invalid.
func FuzzGenerate(f *testing.F) {
	f.Add(`{"contacts": ["mailto:security@example.org"]}`, "")
	f.Add(`{"organisation": "Ex\u2028ample", "contacts": ["tel:+1-201-555-0123"], "preferred_languages": ["en", "x-klingon"], "expires_days": 364}`, "https://example.org")
	f.Add(`{"encryption": ["openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f"], "expires_days": 1}`, "https://[::1]:8443")
	now := time.Date(2026, 12, 8, 23, 59, 59, 0, time.UTC)
	f.Fuzz(func(t *testing.T, patch, base string) {
		var p model.DisclosurePatch
		if json.Unmarshal([]byte(patch), &p) != nil {
			return
		}
		d := model.DefaultDisclosure()
		p.Apply(&d)
		d.BaseURL = base
		if d.Validate() != nil || (len(d.Contacts) == 0 && d.BaseURL == "") {
			return
		}
		text := securitytxt.Generate(d, d.BaseURL, now)
		file, err := securitytxt.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		o := securitytxt.Options{Now: now}
		if d.BaseURL != "" {
			o.URL = d.BaseURL + securitytxt.PathWellKnown
		}
		if r := securitytxt.Check(file, o); !r.Valid() {
			t.Fatalf("settings %s make an invalid file: %v\n%s", patch, r.Problems, text)
		}
	})
}
