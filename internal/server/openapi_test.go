package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// obj is a JSON object of the document.
type obj = map[string]any

// fetchDocument serves a server and reads its OpenAPI document, checked
// to be valid OpenAPI 3.0 by kin-openapi.
func fetchDocument(t *testing.T, p *inproc) (obj, *openapi3.T) {
	t.Helper()
	a := rawCall(t, p.URL, "GET", "/api/v1/openapi.json", nil, nil)
	if a.status != 200 {
		t.Fatalf("GET /api/v1/openapi.json: %s", a)
	}
	var raw obj
	if err := json.Unmarshal(a.body, &raw); err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(a.body)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3.0: %v", err)
	}
	return raw, doc
}

// The OpenAPI document is valid OpenAPI 3.0 and says what a client
// generator and a person need: a description of every schema, property,
// parameter and operation, what request bodies require, the fixed sets of
// values, and the errors each operation can meet.
func TestOpenAPIDocument(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{})
	raw, _ := fetchDocument(t, p)
	schemas := raw["components"].(obj)["schemas"].(obj)

	t.Run("descriptions", func(t *testing.T) {
		for _, name := range sortedKeys(schemas) {
			s := schemas[name].(obj)
			if s["description"] == "" || s["description"] == nil {
				t.Errorf("schema %s has no description", name)
			}
			walkSchema(t, name, s)
		}
	})
	t.Run("refs", func(t *testing.T) {
		n := 0
		walkJSON(raw, func(k string, v any) {
			if k != "$ref" {
				return
			}
			n++
			name, ok := strings.CutPrefix(v.(string), "#/components/schemas/")
			if _, found := schemas[name]; !ok || !found {
				t.Errorf("$ref %s does not resolve", v)
			}
		})
		if n < 20 {
			t.Errorf("only %d $refs in the document", n)
		}
	})
	t.Run("request bodies", func(t *testing.T) { checkRequestBodies(t, raw, schemas) })
	t.Run("enums", func(t *testing.T) { checkEnums(t, raw, schemas) })
	t.Run("operations", func(t *testing.T) { checkOperations(t, raw) })
}

// walkSchema checks a schema and those inside it: every property has a
// description, every schema a valid type (or is a $ref, allOf or anyOf),
// no key is one OpenAPI 3.0 does not have, and required names properties.
func walkSchema(t *testing.T, at string, s obj) {
	t.Helper()
	known := []string{"type", "format", "description", "properties", "required", "items", "additionalProperties",
		"enum", "$ref", "allOf", "anyOf", "nullable", "minimum", "maximum", "minLength", "maxLength"}
	for k := range s {
		if !slices.Contains(known, k) {
			t.Errorf("%s: schema key %q", at, k)
		}
	}
	_, isRef := s["$ref"]
	_, isAll := s["allOf"]
	_, isAny := s["anyOf"]
	typ, _ := s["type"].(string)
	if !isRef && !isAll && !isAny && !slices.Contains([]string{"string", "integer", "number", "boolean", "array", "object"}, typ) {
		t.Errorf("%s: no valid type (%v)", at, s["type"])
	}
	props, _ := s["properties"].(obj)
	for _, name := range sortedKeys(props) {
		ps := props[name].(obj)
		if d, _ := ps["description"].(string); strings.TrimSpace(d) == "" {
			t.Errorf("%s.%s has no description", at, name)
		}
		walkSchema(t, at+"."+name, ps)
	}
	if req, ok := s["required"].([]any); ok {
		if len(req) == 0 {
			t.Errorf("%s: an empty required list (OpenAPI 3.0 wants at least one name)", at)
		}
		for _, r := range req {
			if _, ok := props[r.(string)]; !ok {
				t.Errorf("%s requires %v, which is not a property", at, r)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub, ok := s[k].(obj); ok {
			walkSchema(t, at+"."+k, sub)
		}
	}
	for _, k := range []string{"allOf", "anyOf"} {
		subs, _ := s[k].([]any)
		for i, sub := range subs {
			walkSchema(t, fmt.Sprintf("%s.%s[%d]", at, k, i), sub.(obj))
		}
	}
}

// wantRequired is what each request body requires, as the handlers and
// services validate it; nil: every field is optional.
var wantRequired = map[string][]string{
	"AssetCreate": {"name"},
	"AssetPatch":  nil,
	"FeedCreate":  {"kind", "name", "url"},
	"FeedPatch":   nil,
	"NewToken":    {"name", "role"},
	"NewUser":     {"role", "username"},
	"UserChange":  nil,
	"SetPassword": nil,
	"OwnPassword": {"current_password", "new_password"},

	"TriageInput":       {"state"},
	"Assignment":        {"assignee"},
	"Comment":           {"body"},
	"Ticket":            {"url"},
	"BulkTriage":        {"state"},
	"ExceptionInput":    {"expires_at", "reason"},
	"ExceptionDecision": nil,
	"SLAPolicyInput":    {"criticality_percent", "rules", "unknown_as"},
	"SettingsPatch":     nil,

	"NewChannel": {"kind", "name"},
	"NewRule":    {"channel_id", "events"},

	// Disclosure settings (issue 14, sectxt).
	"DisclosurePatch": nil,
	// Disclosure cases (issue 14, part cases).
	"CasePatch":          nil,
	"CaseStateChange":    {"state"},
	"CaseMessageInput":   {"body"},
	"CaseLinkInput":      {"kind", "target"},
	"CaseExtensionInput": {"days", "reason"},
	// CSAF advisories (issue 14, csaf).
	"SecurityAdvisoryCreate": {"title"},
	"SecurityAdvisoryPatch":  nil,
	// CRA (issue 14, part cra).
	"ProductInput":       {"support_end"},
	"NewOutboundReport":  {"kind"},
	"OutboundUpdate":     nil,
	"CRAStart":           nil,
	"CRADraftsPatch":     nil,
	"CRAMitigation":      nil,
	"CRASubmissionInput": {"report"},
}

func checkRequestBodies(t *testing.T, raw, schemas obj) {
	ops := operations(raw)
	seen := map[string]bool{}
	for _, rt := range server.Routes() {
		k := rt.Method + " " + rt.Pattern
		if rt.Page || rt.Body == "" {
			continue
		}
		body, _ := ops[k]["requestBody"].(obj)
		if body == nil || body["required"] != true {
			t.Errorf("%s takes a %s body; the document has %v", k, rt.Body, body)
			continue
		}
		content := body["content"].(obj)
		if rt.Body == "sbom" || rt.Body == "file" {
			if content["application/octet-stream"] == nil || content["multipart/form-data"] == nil {
				t.Errorf("%s: the SBOM body's media types: %v", k, sortedKeys(content))
			}
			continue
		}
		if rt.Body == "sarif" {
			if content["application/sarif+json"] == nil || content["application/json"] == nil || content["multipart/form-data"] == nil {
				t.Errorf("%s: the SARIF body's media types: %v", k, sortedKeys(content))
			}
			continue
		}
		if rt.Body == "vex" {
			if content["application/json"] == nil || content["application/xml"] == nil {
				t.Errorf("%s: the VEX body's media types: %v", k, sortedKeys(content))
			}
			continue
		}
		name := strings.TrimPrefix(content["application/json"].(obj)["schema"].(obj)["$ref"].(string), "#/components/schemas/")
		want, ok := wantRequired[name]
		if !ok {
			t.Errorf("%s sends schema %s, which the test does not know: add what it requires to wantRequired", k, name)
			continue
		}
		seen[name] = true
		s := schemas[name].(obj)
		var got []string
		for _, r := range asList(s["required"]) {
			got = append(got, r.(string))
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s (%s) requires %v; the server requires %v", name, k, got, want)
		}
		if want == nil && !strings.Contains(s["description"].(string), "Every field is optional") {
			t.Errorf("schema %s requires nothing and its description does not say so: %q", name, s["description"])
		}
		if s["additionalProperties"] != false {
			t.Errorf("schema %s: additionalProperties %v; the server refuses unknown fields", name, s["additionalProperties"])
		}
	}
	for name := range wantRequired {
		if !seen[name] {
			t.Errorf("no route sends %s", name)
		}
	}
}

// checkEnums checks that the fixed sets of values are the Go lists that
// validation uses.
func checkEnums(t *testing.T, raw, schemas obj) {
	roles := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		roles[i] = string(r)
	}
	var ratings []string
	for _, r := range model.Ratings {
		ratings = append(ratings, string(r))
	}
	props := []struct {
		schema, prop string
		want         []string
	}{
		{"Asset", "kind", model.AssetKinds}, {"Asset", "exposure", model.Exposures}, {"Asset", "lifecycle", model.Lifecycles},
		{"AssetCreate", "kind", model.AssetKinds}, {"AssetPatch", "exposure", model.Exposures}, {"AssetCreate", "lifecycle", model.Lifecycles},
		{"Feed", "kind", model.FeedKinds}, {"FeedCreate", "kind", model.FeedKinds},
		{"Job", "kind", model.JobKinds}, {"Job", "state", model.JobStates}, {"QueueStat", "kind", model.JobKinds},
		{"Finding", "status", model.FindingStatuses}, {"Finding", "severity", ratings}, {"Finding", "resolution", model.Resolutions},
		{"Severity", "rating", ratings}, {"Component", "scope", []string{"direct", "transitive"}},
		{"User", "role", roles}, {"Token", "role", roles}, {"NewToken", "role", roles}, {"NewUser", "role", roles},
		{"UserChange", "role", roles}, {"Me", "role", roles},
	}
	for _, c := range props {
		p, _ := schemas[c.schema].(obj)["properties"].(obj)[c.prop].(obj)
		if got := strList(p["enum"]); !slices.Equal(got, c.want) {
			t.Errorf("%s.%s: enum %v, want %v", c.schema, c.prop, got, c.want)
		}
	}
	params := []struct {
		op, name string
		want     []string
		list     bool
		required bool
	}{
		{"GET /api/v1/jobs", "kind", model.JobKinds, false, false},
		{"GET /api/v1/findings", "status", []string{"open", "resolved", "all"}, false, false},
		{"GET /api/v1/findings", "severity", []string{"critical", "high", "medium", "low", "none", "unknown"}, true, false},
		{"POST /api/v1/sboms", "kind", model.AssetKinds, false, false},
		{"POST /api/v1/sboms", "asset", nil, false, true},
	}
	ops := operations(raw)
	for _, c := range params {
		var p obj
		for _, q := range asList(ops[c.op]["parameters"]) {
			if q.(obj)["name"] == c.name {
				p = q.(obj)
			}
		}
		if p == nil {
			t.Errorf("%s has no parameter %s", c.op, c.name)
			continue
		}
		s := p["schema"].(obj)
		if c.list {
			if s["type"] != "array" || p["style"] != "form" || p["explode"] != false {
				t.Errorf("%s %s: not a comma-separated list: %v", c.op, c.name, p)
				continue
			}
			s = s["items"].(obj)
		}
		if got := strList(s["enum"]); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: enum %v, want %v", c.op, c.name, got, c.want)
		}
		if (p["required"] == true) != c.required {
			t.Errorf("%s %s: required %v, want %v", c.op, c.name, p["required"], c.required)
		}
	}
}
