// Package feed fetches and reads the vulnerability feeds that rank advisories
// by real-world risk: CISA's Known Exploited Vulnerabilities catalog (JSON)
// and FIRST's Exploit Prediction Scoring System scores (CSV, plain or gzip).
// Every reader takes a byte limit and bounds the entries it keeps; every
// error names the input and, where it can, the line.
package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Sentinel errors; every error from this package wraps one of them.
var (
	// ErrInvalid: the input is not a valid feed (bad JSON or CSV, a bad CVE
	// ID, date or score, a failed download).
	ErrInvalid = errors.New("invalid feed data")
	// ErrTooLarge: the input is over one of the limits.
	ErrTooLarge = errors.New("input over the size limit")
	// ErrUnsupported: the source is not something Fetch reads (another URL
	// scheme, plain http to a remote host, a directory).
	ErrUnsupported = errors.New("unsupported feed source")
	// ErrFetch: the source could not be read (network error, an HTTP status
	// other than 2xx, a local file that cannot be opened).
	ErrFetch = errors.New("feed not fetched")
)

// Error is an error in one named input (a file or a URL).
type Error struct {
	Name string
	Err  error
}

func (e *Error) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// jsonProblem says what is wrong in a JSON decoding error without quoting
// the input, as encoding/json's messages do (the bad character, the
// number that did not fit): a feed pointed at a file that is not one
// must not show that file's bytes in its error.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		msg := syn.Error()
		rest, ok := strings.CutPrefix(msg, "invalid character ")
		if !ok {
			return msg // "unexpected end of JSON input"
		}
		// "invalid character 'x' looking for beginning of value"
		if i := strings.LastIndex(rest, "' "); i >= 0 {
			return "invalid character " + rest[i+2:]
		}
		return "invalid character"
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ") // "number 1e999"
		want := typ.Type.String()
		if typ.Type.Kind() == reflect.Struct {
			want = "an object"
		}
		return fmt.Sprintf("%s value where %s is wanted", kind, want)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	}
	return "not valid JSON"
}

// validCVE reports whether s is CVE-YYYY-NNNN: a four-digit year and a
// sequence number of 4 to 19 digits (the bound of CISA's KEV schema).
func validCVE(s string) bool {
	if len(s) < len("CVE-0000-0000") || len(s) > len("CVE-0000-")+19 || s[:4] != "CVE-" || s[8] != '-' {
		return false
	}
	return allDigits(s[4:8]) && allDigits(s[9:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
