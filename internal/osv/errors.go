package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Sentinel errors; every error from this package wraps one of them.
var (
	// ErrInvalid: the input is not valid OSV (bad JSON, missing id, ...).
	ErrInvalid = errors.New("invalid OSV data")
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
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: %v", ErrInvalid, line, col, syn)}
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: field %q: %v", ErrInvalid, line, col, typ.Field, typ)}
	case errors.Is(err, errors.New("unexpected end of JSON input")) || err.Error() == "unexpected end of JSON input":
		line, col := position(data, int64(len(data)))
		return &Error{Name: name, Err: fmt.Errorf("%w: line %d, column %d: unexpected end of input (truncated?)", ErrInvalid, line, col)}
	}
	return &Error{Name: name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
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
