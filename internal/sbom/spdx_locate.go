package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/spdx/tools-golang/spdx/v2/common"
)

// spdxJSONError turns an error from decoding an SPDX JSON document into
// target (a *v2_x.Document) into an ErrInvalid error that says where.
//
// tools-golang decodes packages and external references with their own
// UnmarshalJSON methods, so the offsets of errors inside them are relative
// to the element, and the errors of its identifier parsers have no offset
// at all. When that is so, the document is decoded again one top-level
// element at a time to find the element at fault, which is the place
// reported, with its path ("packages[3]") in the message.
func spdxJSONError(name string, data []byte, target any, err error) error {
	const what = "invalid SPDX JSON"
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return jsonError(name, data, what, err)
	}
	off, path, elemErr := spdxFaultyElement(data, target)
	if elemErr == nil {
		return jsonError(name, data, what, err)
	}
	msg := elemErr.Error()
	var typ *json.UnmarshalTypeError
	if errors.As(elemErr, &typ) {
		msg = typeMessage(typ)
	}
	e := newError(ErrInvalid, name, "%s: %s: %s", what, path, msg)
	e.cause = elemErr
	return e.atOffset(data, off)
}

// spdxFaultyElement decodes the members of the top-level object of data
// one by one, and the elements of those that are arrays one by one, each
// into the type target's field for it, and returns the offset and path of
// the first one that fails, and its error; a nil error when none fails.
func spdxFaultyElement(data []byte, target any) (off int64, path string, err error) {
	fields := spdxFieldTypes(reflect.TypeOf(target).Elem())
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, "", nil
	}
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return 0, "", nil
		}
		typ, known := fields[strings.ToLower(key)]
		if !known {
			typ = reflect.TypeOf(json.RawMessage{})
		}
		start := valueStart(data, dec.InputOffset())
		if typ.Kind() != reflect.Slice || start >= int64(len(data)) || data[start] != '[' {
			if err := dec.Decode(reflect.New(typ).Interface()); err != nil {
				return start, key, err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // '['
			return 0, "", nil
		}
		for i := 0; dec.More(); i++ {
			start := valueStart(data, dec.InputOffset())
			if err := dec.Decode(reflect.New(typ.Elem()).Interface()); err != nil {
				return start, fmt.Sprintf("%s[%d]", key, i), err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return 0, "", nil
		}
	}
	return 0, "", nil
}

// spdxFieldTypes maps the lower-cased JSON names of the fields of an SPDX
// document struct to their types, with documentDescribes, which
// tools-golang decodes apart.
func spdxFieldTypes(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{
		"documentdescribes": reflect.TypeOf([]common.DocElementID{}),
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.IsExported() {
			fields[strings.ToLower(name)] = f.Type
		}
	}
	return fields
}

// valueStart returns the offset of the value that follows off in data,
// past white space and the ':' or ',' in front of it.
func valueStart(data []byte, off int64) int64 {
	for off >= 0 && off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}
