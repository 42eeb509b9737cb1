package server

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Every text a request carries — path segments, query parameters, form
// fields, JSON strings — is checked before a handler sees it: a NUL byte
// or invalid UTF-8 is answered 400 naming where it was. PostgreSQL refuses
// both (a 500 until this was checked) and SQLite stores them; either way
// they are never what a client meant.

// textProblem says what is wrong with s as text, or "" when nothing is.
func textProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "contains a NUL byte"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	return ""
}

// wildcards are the names of a pattern's {wildcards}.
var wildcardRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)(?:\.\.\.)?\}`)

// checkRequest checks a request's path values, query and form fields for
// what the route takes: parameters it does not document are refused on
// API routes, so a typo ("severty=high") is an error, not an unfiltered
// list.
func (rt route) checkRequest(r *http.Request) error {
	for _, m := range wildcardRE.FindAllStringSubmatch(rt.Pattern, -1) {
		if p := textProblem(r.PathValue(m[1])); p != "" {
			return errStatus(http.StatusBadRequest, "path segment {%s} %s", m[1], p)
		}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errStatus(http.StatusBadRequest, "query string: %v", err)
	}
	if err := checkValues("query parameter", q); err != nil {
		return err
	}
	if !rt.Page {
		var unknown []string
		for name := range q {
			if !slices.ContainsFunc(rt.Query, func(p param) bool { return p.Name == name }) {
				unknown = append(unknown, fmt.Sprintf("%q", name))
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			return errStatus(http.StatusBadRequest, "unknown query parameter %s; %s takes %s", strings.Join(unknown, ", "),
				rt.Method+" "+rt.Pattern, rt.queryNames())
		}
	}
	// Only routes that take a form have theirs read here: an SBOM sent
	// with curl --data-binary is labelled a form too, and must reach its
	// handler unread.
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if rt.Body == "form" && ct == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return errStatus(http.StatusBadRequest, "form: %v", err)
		}
		if err := checkValues("form field", r.PostForm); err != nil {
			return err
		}
	}
	return nil
}

// queryNames lists the parameters a route takes, for messages.
func (rt route) queryNames() string {
	if len(rt.Query) == 0 {
		return "no query parameters"
	}
	names := make([]string, len(rt.Query))
	for i, p := range rt.Query {
		names[i] = p.Name
	}
	return "only " + strings.Join(names, ", ")
}

func checkValues(what string, vs url.Values) error {
	for name, values := range vs {
		if p := textProblem(name); p != "" {
			return errStatus(http.StatusBadRequest, "a %s name %s", what, p)
		}
		for _, v := range values {
			if p := textProblem(v); p != "" {
				return errStatus(http.StatusBadRequest, "%s %q %s", what, name, p)
			}
		}
	}
	return nil
}

// checkJSONText walks a decoded request body and refuses the first string
// that is not clean text, naming its JSON field.
func checkJSONText(v any) error {
	return walkText(reflect.ValueOf(v), "body")
}

func walkText(v reflect.Value, where string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), where)
	case reflect.String:
		if p := textProblem(v.String()); p != "" {
			return errStatus(http.StatusBadRequest, "%s %s", where, p)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := walkText(v.Index(i), fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if err := walkText(iter.Key(), where+" key"); err != nil {
				return err
			}
			if err := walkText(iter.Value(), fmt.Sprintf("%s[%v]", where, iter.Key())); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if err := walkText(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}
