// Package securitytxt reads, checks, writes and clear-signs security.txt
// files (RFC 9116): the file an organisation publishes at
// /.well-known/security.txt to tell researchers how to report a flaw.
package securitytxt

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on what Parse reads: a security.txt is a few hundred bytes; these
// bound what a hostile one can make a checker do.
const (
	// MaxSize is the largest file Parse reads.
	MaxSize = 64 << 10
	// MaxLine is the longest line Parse reads, in bytes.
	MaxLine = 4096
)

// ErrTooLarge is Parse's error for a file over MaxSize.
var ErrTooLarge = errors.New("security.txt larger than 64 KiB")

// Field is one "Name: value" line.
type Field struct {
	// Name is as written; Key is its canonical spelling for the fields
	// RFC 9116 (and CSAF 2.0) define, else Name.
	Name, Key, Value string
	// Line is the field's line in the file, from 1.
	Line int
	// Known tells a field Check knows from an extension field, which
	// researchers ignore (RFC 9116 §2.4).
	Known bool
	// NoSpace tells the colon is not followed by a space, as the ABNF asks.
	NoSpace bool
}

// File is a parsed security.txt.
type File struct {
	Fields []Field
	// Comments are the comment lines, "#" included.
	Comments []Line
	// Malformed are the lines that are neither a field, a comment nor
	// blank, and the lines the signature framing does not allow.
	Malformed []Problem
	// CRLF tells the lines end in CR LF (at least one does).
	CRLF bool
	// Signed is the OpenPGP cleartext framing, nil for an unsigned file.
	Signed *Signed
	// Raw is the file as read.
	Raw []byte
}

// Line is a line of the file with its number.
type Line struct {
	Line int
	Text string
}

// Signed is what the cleartext signature framing (RFC 4880 §7) holds.
type Signed struct {
	// Hashes are the Hash: armor headers' algorithms, as written.
	Hashes []string
	// HeaderLine is the line of "-----BEGIN PGP SIGNED MESSAGE-----".
	HeaderLine int
	// SignatureLine is the line of "-----BEGIN PGP SIGNATURE-----".
	SignatureLine int
	// Complete tells the framing was read to its end line.
	Complete bool
}

// known are the fields Check knows, by lower-case name: RFC 9116's and
// CSAF 2.0's (§7.1.8, registered in the IANA security.txt registry).
var known = map[string]string{
	"acknowledgments":     "Acknowledgments",
	"canonical":           "Canonical",
	"contact":             "Contact",
	"encryption":          "Encryption",
	"expires":             "Expires",
	"hiring":              "Hiring",
	"policy":              "Policy",
	"preferred-languages": "Preferred-Languages",
	"csaf":                "CSAF",
}

const (
	beginSigned    = "-----BEGIN PGP SIGNED MESSAGE-----"
	beginSignature = "-----BEGIN PGP SIGNATURE-----"
	endSignature   = "-----END PGP SIGNATURE-----"
)

// Parse reads a security.txt. It fails only for a file over MaxSize; what
// else is wrong with it is in File.Malformed, for Check to report with the
// rest. Fields are read from the signed text of a signed file, with its
// dash-escaping undone.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	f := &File{Raw: data}
	lines := splitLines(data, &f.CRLF)
	i := 0
	// Blank lines may come first; a signed file's framing starts after them.
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) && lines[i] == beginSigned {
		f.Signed = &Signed{HeaderLine: i + 1}
		i = f.readSignedHead(lines, i+1)
		end := f.readBody(lines, i, true)
		f.readSignature(lines, end)
		return f, nil
	}
	f.readBody(lines, i, false)
	return f, nil
}

// splitLines splits data at LF, dropping a CR before it; a last line
// without its end counts as a line.
func splitLines(data []byte, crlf *bool) []string {
	if len(data) == 0 {
		return nil
	}
	parts := bytes.Split(data, []byte("\n"))
	if len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	lines := make([]string, len(parts))
	for n, p := range parts {
		if q, ok := bytes.CutSuffix(p, []byte("\r")); ok {
			*crlf = true
			p = q
		}
		lines[n] = string(p)
	}
	return lines
}

func (f *File) malformed(line int, format string, a ...any) {
	f.Malformed = append(f.Malformed, Problem{Severity: Error, Line: line, Message: fmt.Sprintf(format, a...)})
}

// readSignedHead reads the armor headers after the first framing line up
// to the blank line; it returns the index of the first signed line.
func (f *File) readSignedHead(lines []string, i int) int {
	for ; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			return i + 1
		}
		name, val, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) != "Hash" {
			f.malformed(i+1, "the signed message's header %q: only Hash: headers may come before the blank line (RFC 4880 §7)", clip(l))
			continue
		}
		for h := range strings.SplitSeq(val, ",") {
			f.Signed.Hashes = append(f.Signed.Hashes, strings.TrimSpace(h))
		}
	}
	f.malformed(len(lines), "the signed message ends in its header: no blank line, no signed text, no signature")
	return i
}

// readBody reads lines from i as fields and comments; in a signed file up
// to the signature's first line, whose index it returns.
func (f *File) readBody(lines []string, i int, signed bool) int {
	for ; i < len(lines); i++ {
		l, n := lines[i], i+1
		if signed {
			if l == beginSignature {
				f.Signed.SignatureLine = n
				return i
			}
			if rest, ok := strings.CutPrefix(l, "- "); ok {
				l = rest
			} else if strings.HasPrefix(l, "-") {
				f.malformed(n, "a signed line beginning with \"-\" must be dash-escaped as \"- -\" (RFC 4880 §7.1)")
				continue
			}
		} else if l == beginSigned || l == beginSignature || l == endSignature {
			f.malformed(n, "%s in the middle of the file: a signed security.txt starts with its signed message", l)
			continue
		}
		f.readLine(l, n)
	}
	if signed {
		f.malformed(len(lines), "the signed message has no signature: %s is missing", beginSignature)
	}
	return i
}

// readLine reads one line of the (signed) text.
func (f *File) readLine(l string, n int) {
	if len(l) > MaxLine {
		f.malformed(n, "line of %d bytes: at most %d", len(l), MaxLine)
		return
	}
	if !utf8.ValidString(l) {
		f.malformed(n, "not UTF-8 (RFC 9116 §4)")
		return
	}
	if strings.TrimRight(l, " \t") == "" {
		return
	}
	if strings.HasPrefix(l, "#") {
		if c := badChar(l, true); c >= 0 {
			f.malformed(n, "a comment may not hold the control character %U", c)
			return
		}
		f.Comments = append(f.Comments, Line{Line: n, Text: l})
		return
	}
	name, val, ok := strings.Cut(l, ":")
	if !ok || !fieldName(name) {
		f.malformed(n, "%q is not a field (Name: value), a comment (#) or a blank line", clip(l))
		return
	}
	fl := Field{Name: name, Line: n, Key: name}
	if k, ok := known[strings.ToLower(name)]; ok {
		fl.Key, fl.Known = k, true
	}
	fl.NoSpace = !strings.HasPrefix(val, " ")
	fl.Value = strings.Trim(val, " \t")
	if c := badChar(fl.Value, true); c >= 0 {
		f.malformed(n, "the %s field holds the control character %U", name, c)
		return
	}
	if fl.Value == "" {
		f.malformed(n, "the %s field has no value: a field is a name and a value (RFC 9116 §2)", name)
		return
	}
	f.Fields = append(f.Fields, fl)
}

// readSignature reads the armored signature from lines[i] to its end line
// and what follows it, which may only be blank.
func (f *File) readSignature(lines []string, i int) {
	if i >= len(lines) {
		return
	}
	for i++; i < len(lines); i++ {
		if lines[i] == endSignature {
			f.Signed.Complete = true
			break
		}
	}
	if !f.Signed.Complete {
		f.malformed(len(lines), "the signature has no end line %s", endSignature)
		return
	}
	for i++; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			f.malformed(i+1, "text after the signature: a signed security.txt ends with %s", endSignature)
			return
		}
	}
}

// fieldName tells name is an RFC 5322 field-name: printable ASCII but ":".
func fieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := range len(name) {
		if c := name[i]; c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// badChar is the first control character in s (tab allowed when tab is
// true), or -1.
func badChar(s string, tab bool) rune {
	for _, r := range s {
		if (r < 0x20 && !(tab && r == '\t')) || r == 0x7f {
			return r
		}
	}
	return -1
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) <= 80 {
		return s
	}
	cut := 80
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Get is the values of the fields called key (any case), in order.
func (f *File) Get(key string) []Field {
	var out []Field
	for _, fl := range f.Fields {
		if strings.EqualFold(fl.Key, key) {
			out = append(out, fl)
		}
	}
	return out
}

// Unknown is the extension fields: kept for display, ignored by Check.
func (f *File) Unknown() []Field {
	var out []Field
	for _, fl := range f.Fields {
		if !fl.Known {
			out = append(out, fl)
		}
	}
	return out
}
