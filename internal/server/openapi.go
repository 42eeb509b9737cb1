package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// schemaTypes maps the schema names the route table uses to Go types; the
// document's schemas are derived from them by reflection, so they say what
// the handlers really encode.
var schemaTypes = map[string]any{
	"Asset":         store.Asset{},
	"AssetInput":    assetInput{},
	"AssetList":     page[store.Asset]{},
	"Snapshot":      store.Snapshot{},
	"SnapshotList":  page[store.Snapshot]{},
	"ComponentList": page[store.Component]{},
	"Ingest":        ingestResult{},
	"Finding":       store.Finding{},
	"FindingList":   page[store.Finding]{},
	"Advisory":      model.AdvisoryInfo{},
	"Feed":          store.Feed{},
	"FeedInput":     feedInput{},
	"FeedList":      page[store.Feed]{},
	"JobList":       page[store.Job]{},
	"TokenList":     page[store.Token]{},
	"NewToken":      tokenInput{},
	"CreatedToken":  createdToken{},
	"UserList":      page[store.User]{},
	"User":          store.User{},
	"NewUser":       userInput{},
	"CreatedUser":   createdUser{},
	"UserChange":    userChange{},
	"SetPassword":   passwordInput{},
	"NewPassword":   newPassword{},
	"OwnPassword":   ownPasswordInput{},
	"Overview":      overviewData{},
	"Health": struct {
		Status   string `json:"status"`
		Version  string `json:"version"`
		Database string `json:"database,omitempty"`
	}{},
	"Me": struct {
		Name   string   `json:"name"`
		Role   string   `json:"role"`
		Scopes []string `json:"scopes"`
	}{},
	"Queued": struct {
		JobID  int64  `json:"job_id"`
		Queued bool   `json:"queued"`
		Note   string `json:"note"`
	}{},
	"Error": struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}{},
}

// inputSchema maps a route's Body name to the schema clients send.
var inputSchema = map[string]string{"Asset": "AssetInput", "Feed": "FeedInput"}

var timeType = reflect.TypeOf(time.Time{})
var rawType = reflect.TypeOf(json.RawMessage{})

// schemaOf describes a Go type as an OpenAPI 3.0 schema.
func schemaOf(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"description": "JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOf(t.Elem())
		s["nullable"] = true
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(ft, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
	}
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// document builds the OpenAPI document from the route table.
func (s *Server) document() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if rt.Page {
			continue
		}
		op := map[string]any{
			"summary":     strings.ToUpper(rt.Summary[:1]) + rt.Summary[1:],
			"operationId": operationID(rt),
			"tags":        []string{rt.Tag},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			typ := "integer"
			if strings.HasPrefix(rt.Pattern, "/api/v1/advisories/") {
				typ = "string"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Desc, "schema": map[string]any{"type": q.Type}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch rt.Body {
		case "":
		case "sbom":
			op["requestBody"] = map[string]any{"required": true, "description": "An SBOM: CycloneDX 1.x JSON or XML, SPDX 2.x JSON or tag-value, SPDX 3 JSON-LD; the format is detected from the content.",
				"content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		default:
			name := rt.Body
			if in, ok := inputSchema[name]; ok {
				name = in
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(name)}}}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch rt.Resp {
		case "":
		case "text":
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
		case "object":
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(rt.Resp)}}
		}
		errResp := func(d string) map[string]any {
			return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		}
		responses := map[string]any{strconv.Itoa(status): ok}
		if !rt.Public {
			responses["401"] = errResp("no valid token or session")
			responses["403"] = errResp("the caller's role lacks the permission: " + strings.Join(rt.Perm.Scopes(), ", "))
			op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
			op["x-vulndesk-scopes"] = rt.Perm.Scopes()
		} else {
			op["security"] = []any{}
		}
		if len(pathParam.FindAllString(rt.Pattern, -1)) > 0 {
			responses["404"] = errResp("not found")
		}
		if rt.Body != "" || len(rt.Query) > 0 {
			responses["400"] = errResp("bad input; the message names the problem")
		}
		if rt.Body == "sbom" {
			responses["413"] = errResp("SBOM too large")
		}
		op["responses"] = responses
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = op
	}
	schemas := map[string]any{}
	for name, v := range schemaTypes {
		schemas[name] = schemaOf(reflect.TypeOf(v))
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "vulndesk API", "version": s.Version,
			"description": "Assets, SBOM inventory snapshots, advisory feeds and findings. Authenticate with an API token " +
				"(`Authorization: Bearer vdk_…`, made with `vulndesk token create` or POST /api/v1/tokens) or a browser session. " +
				"Lists page by keyset: pass next_cursor back as cursor."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "API token (vdk_…)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "vulndesk_session"},
			},
		},
	}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// operationID names an operation from its method and path:
// GET /api/v1/assets/{id}/snapshots → getAssetsIdSnapshots.
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.FieldsFunc(strings.TrimPrefix(rt.Pattern, "/api/v1"), func(r rune) bool {
		return r == '/' || r == '{' || r == '}' || r == '.' || r == '-' || r == '_'
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request, _ *principal) error {
	doc := s.doc()
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(doc)
	return err
}

// doc is the document, built once per server (it depends on the version).
func (s *Server) doc() []byte {
	s.docOnce.Do(func() { s.docJSON, _ = json.MarshalIndent(s.document(), "", "  ") })
	return s.docJSON
}
