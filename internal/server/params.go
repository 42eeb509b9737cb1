package server

// Reading a request: path IDs, JSON bodies and query parameters, each
// refused with a 400 that names the problem.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/store"
)

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusBadRequest, "id %q: not a positive integer", r.PathValue("id"))
	}
	return id, nil
}

// decode reads a JSON request body strictly: unknown fields are refused,
// so a typo is an error rather than silently ignored.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err // a MaxBytesError is 413, anything else the connection's
	}
	if !utf8.Valid(data) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return errStatus(http.StatusBadRequest, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// A field name that is not clean text is named as such, not as
		// an unknown field (the error quotes it escaped).
		var raw any
		if json.Unmarshal(data, &raw) == nil {
			if err := walkText(reflect.ValueOf(raw), "body"); err != nil {
				return err
			}
		}
		return errStatus(http.StatusBadRequest, "request body: %v", err)
	}
	if dec.More() {
		return errStatus(http.StatusBadRequest, "request body: more than one JSON value")
	}
	return checkJSONText(v)
}

// queryLimit reads a page size: 0 (the default) when absent, else 1–500.
func queryLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > store.MaxPageSize {
		return 0, errStatus(http.StatusBadRequest, "limit %q: a page size from 1 to %d", v, store.MaxPageSize)
	}
	return n, nil
}

// queryCursor reads a cursor that is a row ID: 0 when absent.
func queryCursor(r *http.Request) (int64, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(c, 10, 64)
	if err != nil || n < 0 {
		return 0, errStatus(http.StatusBadRequest, "cursor %q: invalid (pass the next_cursor of the page before)", c)
	}
	return n, nil
}

// queryScore reads a CVSS base score, 0–10: nil when absent.
func queryScore(r *http.Request, name string) (*float64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || !(n >= 0 && n <= 10) { // NaN is neither
		return nil, errStatus(http.StatusBadRequest, "%s %q: a CVSS base score, a number from 0 to 10", name, v)
	}
	return &n, nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errStatus(http.StatusBadRequest, "%s %q: true or false", name, v)
	}
	return b, nil
}

func urlEscape(s string) string { return url.QueryEscape(s) }
