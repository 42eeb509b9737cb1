package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; every error from this package wraps one of them.
var (
	// ErrInvalid: the input is not valid OSV (bad JSON, missing id, ...).
	ErrInvalid = errors.New("invalid OSV data")
	// ErrNotOSV: the input is JSON but no OSV record, as it lacks the id
	// and modified the OSV schema requires of every record (an NVD CVE
	// record, a JSON schema, ...). An error that wraps it wraps ErrInvalid
	// too.
	ErrNotOSV = errors.New("not an OSV record")
	// ErrTooLarge: the input is over one of the limits.
	ErrTooLarge = errors.New("input over the size limit")
	// ErrUnsupported: the path or URL names something that holds no OSV data.
	ErrUnsupported = errors.New("unsupported advisory source")
)

// Error is an error in one named input (a file, or an entry of an archive).
type Error struct {
	Name string
	Err  error
}

func (e *Error) Error() string { return e.Name + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// jsonError turns a decoding error into one that names line and column.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: %s", ErrInvalid, line, col, syntaxProblem(syn))}
	case errors.As(err, &typ):
		// Not typ's own message: it quotes a number that did not fit.
		line, col := position(data, typ.Offset)
		kind, _, _ := strings.Cut(typ.Value, " ")
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: field %q: %s value where %s is wanted", ErrInvalid, line, col, typ.Field, kind, typ.Type)}
	case errors.Is(err, errors.New("unexpected end of JSON input")) || err.Error() == "unexpected end of JSON input":
		line, col := position(data, int64(len(data)))
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: unexpected end of input (truncated?)", ErrInvalid, line, col)}
	}
	return &Error{Name: name, Err: fmt.Errorf("%w: not valid JSON", ErrInvalid)}
}

// syntaxProblem is a syntax error's message without the character it
// quotes: an error must not show the input's bytes (a feed pointed at a
// file that is no advisory would put its first character in the feed's
// error, for everyone who may read feeds to see).
func syntaxProblem(syn *json.SyntaxError) string {
	msg := syn.Error()
	rest, ok := strings.CutPrefix(msg, "invalid character ")
	if !ok {
		return msg
	}
	// "invalid character 'x' looking for beginning of value"
	if i := strings.LastIndex(rest, "' "); i >= 0 {
		return "invalid character " + rest[i+2:]
	}
	return "invalid character"
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
