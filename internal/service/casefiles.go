package service

// What a reporter's attachment may be: its name made harmless, its type
// read from its content (never from the name or the declared type) and
// checked against an allow-list.

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AttachmentTypes are the media types an attachment's content may be
// sniffed as: text, common images, PDF and archives. HTML, scripts and
// executables are refused whatever their name.
var AttachmentTypes = []string{"text/plain", "image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf", "application/zip", "application/x-gzip"}

// SniffAttachment reads an attachment's type from its first 512 bytes (the
// WHATWG sniffing algorithm of net/http) and checks it against
// AttachmentTypes.
func SniffAttachment(data []byte) (string, error) {
	typ, _, err := mime.ParseMediaType(http.DetectContentType(data))
	if err != nil {
		return "", errors.New("its content type cannot be told")
	}
	if !slices.Contains(AttachmentTypes, typ) {
		return "", errors.New("its content is " + typ + ", which is not accepted; send text, PNG, JPEG, GIF, WebP, PDF, zip or gzip " +
			"(paste HTML or scripts into the proof of concept, or zip them)")
	}
	return typ, nil
}

// MaxFileName bounds a sanitised file name, in bytes.
const MaxFileName = 100

// SanitiseFileName makes a sent file name harmless to show and to offer
// as a download: the last path element only (either separator), letters,
// digits, '.', '-', '_' and spaces kept, anything else '_', no leading
// dots or spaces, at most MaxFileName bytes; "attachment" when nothing is
// left.
func SanitiseFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			b.WriteByte('_')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' || r == ' ':
			if b.Len()+utf8.RuneLen(r) > MaxFileName {
				return finishName(b.String())
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= MaxFileName {
			break
		}
	}
	return finishName(b.String())
}

func finishName(s string) string {
	s = strings.TrimRight(strings.TrimLeft(s, ". "), " ")
	if s == "" || strings.Trim(s, "._ -") == "" {
		return "attachment"
	}
	return s
}
