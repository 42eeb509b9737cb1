package nvd

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; every error from this package wraps one of them, so
// callers (scan --db, the feed) can tell bad data from a wrong kind of file.
var (
	// ErrInvalid: the input is JSON of the right kind with bad content, or
	// not valid JSON at all.
	ErrInvalid = errors.New("invalid NVD data")
	// ErrTooLarge: the input is over one of the Limits.
	ErrTooLarge = errors.New("input over the limit")
	// ErrNotCVE: the input is JSON but neither a bare CVE record nor a CVE
	// API 2.0 response (an OSV advisory, a CPE match or change history
	// response, ...).
	ErrNotCVE = errors.New("not an NVD CVE record or CVE API response")
)

// Error is an error in one named input: a file, or a response named by
// its caller.
type Error struct {
	Name string
	Err  error
}

func (e *Error) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// decodeError turns an encoding/json error into one that says where the
// problem is without quoting the input: a file that is no NVD data must not
// have its bytes shown to whoever reads the error.
func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%w: not valid JSON at byte %d", ErrInvalid, syn.Offset)
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ")
		return fmt.Errorf("%w: byte %d: field %q: %s value where %s is wanted", ErrInvalid, typ.Offset, typ.Field, kind, typ.Type)
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		return fmt.Errorf("%w: JSON ends early at byte %d (truncated?)", ErrInvalid, len(data))
	}
	return fmt.Errorf("%w: not valid JSON", ErrInvalid)
}
