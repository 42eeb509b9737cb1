package service_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/service"
)

// FuzzSanitiseFileName: whatever name a stranger sends, the name kept is
// one path element of letters, digits, '.', '-', '_' and spaces, valid
// UTF-8, not hidden, at most MaxFileName bytes, never empty.
func FuzzSanitiseFileName(f *testing.F) {
	for _, s := range []string{"poc.txt", "../../etc/passwd", `C:\Users\x\evil.exe`, ".htaccess", "a\x00b", "\u202etxt.exe",
		"<script>.html", strings.Repeat("é", 80), "", "..", " . ", "name\r\nX-Header: 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := service.SanitiseFileName(name)
		switch {
		case got == "" || len(got) > service.MaxFileName || !utf8.ValidString(got):
			t.Fatalf("%q → %q", name, got)
		case strings.HasPrefix(got, ".") || strings.HasPrefix(got, " "):
			t.Fatalf("%q → %q: hidden or blank-led", name, got)
		case strings.ContainsFunc(got, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_ ", r))
		}):
			t.Fatalf("%q → %q: a character outside the allowed set", name, got)
		}
	})
}

// FuzzSniffAttachment: any content is either refused or one of the
// allowed types, never HTML.
func FuzzSniffAttachment(f *testing.F) {
	for _, s := range []string{"plain text", "<html><body>", "%PDF-1.7", "\x89PNG\r\n\x1a\n", "PK\x03\x04", "\x7fELF", "<?xml version=\"1.0\"?><svg/>", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := service.SniffAttachment(data)
		if err == nil && !slices.Contains(service.AttachmentTypes, typ) {
			t.Fatalf("%q sniffed as %q, which is not allowed", data, typ)
		}
	})
}
