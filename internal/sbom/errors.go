package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Sentinel errors: every error Read and Parse return wraps exactly one.
var (
	// ErrTooLarge: the SBOM is over Options.MaxBytes, holds more than
	// 1,000,000 components or nests components more than 64 deep.
	ErrTooLarge = errors.New("SBOM too large")
	// ErrUnknownFormat: the content is not a format this package reads.
	ErrUnknownFormat = errors.New("unknown SBOM format")
	// ErrInvalid: the SBOM is in a known format but malformed, or the file
	// cannot be read.
	ErrInvalid = errors.New("invalid SBOM")
)

// sbomError is an error about one SBOM: the file, the place in it when
// known, what is wrong, and which sentinel it is.
type sbomError struct {
	kind  error  // ErrTooLarge, ErrUnknownFormat or ErrInvalid
	name  string // the SBOM's name (its path)
	line  int    // 1-based; 0 when unknown
	col   int    // 1-based, in characters; 0 when unknown
	msg   string
	cause error // the underlying error, if any; never a sentinel
}

// newError returns an error of the given kind about the SBOM name.
func newError(kind error, name, format string, args ...any) *sbomError {
	return &sbomError{kind: kind, name: name, msg: fmt.Sprintf(format, args...)}
}

// Error formats the error as "name: line L, column C: msg".
func (e *sbomError) Error() string {
	var b strings.Builder
	b.WriteString(e.name)
	b.WriteString(": ")
	if e.line > 0 {
		fmt.Fprintf(&b, "line %d", e.line)
		if e.col > 0 {
			fmt.Fprintf(&b, ", column %d", e.col)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.msg)
	return b.String()
}

// Unwrap returns the sentinel and, if there is one, the underlying error.
func (e *sbomError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// atOffset sets the error's place to the byte offset off of data.
func (e *sbomError) atOffset(data []byte, off int64) *sbomError {
	e.line, e.col = position(data, off)
	return e
}

// position turns a byte offset into data into a 1-based line and column,
// the column counted in characters.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	prefix := data[:off]
	line = bytes.Count(prefix, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(prefix, '\n') + 1
	col = utf8.RuneCount(prefix[start:]) + 1
	return line, col
}

// jsonError turns an encoding/json error from decoding data into an
// ErrInvalid error that says where: what is e.g. "invalid CycloneDX JSON".
func jsonError(name string, data []byte, what string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	e := newError(ErrInvalid, name, "%s: %s", what, err)
	e.cause = err
	switch {
	case errors.As(err, &syn):
		msg, off := syn.Error(), syn.Offset
		if off >= int64(len(data)) || strings.Contains(msg, "unexpected end of JSON input") {
			msg, off = "unexpected end of input (is the file truncated?)", int64(len(data))
		} else if off > 0 {
			off-- // Offset counts the bytes read, the bad one included
		}
		e.msg = what + ": " + msg
		e.atOffset(data, off)
	case errors.As(err, &typ):
		e.msg = what + ": " + typeMessage(typ)
		e.atOffset(data, typ.Offset)
	}
	return e
}

// typeMessage describes a JSON value of the wrong type in SBOM terms
// rather than Go terms.
func typeMessage(e *json.UnmarshalTypeError) string {
	want := "a value of another type"
	if e.Type != nil {
		switch e.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Slice, reflect.Array:
			want = "an array"
		case reflect.Struct, reflect.Map, reflect.Pointer:
			want = "an object"
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			want = "a number"
		}
	}
	field := strings.TrimPrefix(e.Field, ".")
	if field == "" {
		return fmt.Sprintf("found a JSON %s where %s is expected", e.Value, want)
	}
	return fmt.Sprintf("%s: found a JSON %s where %s is expected", field, e.Value, want)
}
