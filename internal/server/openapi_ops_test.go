package server_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// checkOperations checks every operation of the document: only keys
// OpenAPI 3.0 has, a description that says more than the summary, every
// parameter described, and the errors the operation can meet: 503 with
// Retry-After for uploads, 507 with Retry-After for whatever stores.
func checkOperations(t *testing.T, raw obj) {
	for k := range raw {
		if !slices.Contains([]string{"openapi", "info", "servers", "paths", "components"}, k) {
			t.Errorf("document key %q", k)
		}
	}
	opKeys := []string{"summary", "description", "operationId", "tags", "parameters", "requestBody", "responses",
		"security", "x-vulndesk-scopes"}
	paramKeys := []string{"name", "in", "description", "required", "schema", "style", "explode"}
	retryAfter := func(r obj) bool {
		h, _ := r["headers"].(obj)
		_, ok := h["Retry-After"]
		return ok
	}
	for key, op := range operations(raw) {
		method, path, _ := strings.Cut(key, " ")
		for k := range op {
			if !slices.Contains(opKeys, k) {
				t.Errorf("%s: operation key %q", key, k)
			}
		}
		desc, _ := op["description"].(string)
		if len(desc) <= len(op["summary"].(string)) {
			t.Errorf("%s: description %q says no more than the summary %q", key, desc, op["summary"])
		}
		for _, p := range asList(op["parameters"]) {
			p := p.(obj)
			for k := range p {
				if !slices.Contains(paramKeys, k) {
					t.Errorf("%s parameter %v: key %q", key, p["name"], k)
				}
			}
			if d, _ := p["description"].(string); d == "" {
				t.Errorf("%s: parameter %v has no description", key, p["name"])
			}
			if p["in"] == "path" && p["required"] != true {
				t.Errorf("%s: path parameter %v is not required", key, p["name"])
			}
		}
		responses := op["responses"].(obj)
		for status, r := range responses {
			if d, _ := r.(obj)["description"].(string); d == "" {
				t.Errorf("%s %s: no description", key, status)
			}
		}
		if _, ok := responses["429"]; ok {
			t.Errorf("%s: answers 429, which only the sign-in page does", key)
		}
		if _, ok := responses["400"]; !ok {
			t.Errorf("%s: no 400 (unknown query parameters are refused everywhere)", key)
		}
		full, _ := responses["507"].(obj)
		if stores := method != "GET"; stores != (full != nil) || (full != nil && !retryAfter(full)) {
			t.Errorf("%s: 507 %v", key, full)
		}
		busy, _ := responses["503"].(obj)
		upload := strings.HasSuffix(path, "/sboms") || strings.HasSuffix(path, "/sarif")
		if upload && (busy == nil || !retryAfter(busy)) {
			t.Errorf("%s: an upload without 503 and Retry-After: %v", key, busy)
		}
		if !upload && busy != nil && path != "/readyz" {
			t.Errorf("%s: answers 503, which only uploads and /readyz do", key)
		}
	}
}

// operations lists the document's operations by "METHOD path".
func operations(raw obj) map[string]obj {
	out := map[string]obj{}
	for path, item := range raw["paths"].(obj) {
		for method, op := range item.(obj) {
			out[strings.ToUpper(method)+" "+path] = op.(obj)
		}
	}
	return out
}

// walkJSON calls fn with every key and value of v, however deep.
func walkJSON(v any, fn func(k string, v any)) {
	switch v := v.(type) {
	case obj:
		for k, sub := range v {
			fn(k, sub)
			walkJSON(sub, fn)
		}
	case []any:
		for _, sub := range v {
			walkJSON(sub, fn)
		}
	}
}

func sortedKeys(m obj) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func strList(v any) []string {
	var out []string
	for _, s := range asList(v) {
		out = append(out, s.(string))
	}
	return out
}
