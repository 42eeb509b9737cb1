package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// document builds the OpenAPI document from the route table.
func (s *Server) document() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if rt.Page {
			continue
		}
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = operation(rt)
	}
	b := newSchemaBuilder()
	schemas := map[string]any{}
	for name := range schemaTypes {
		schemas[name] = b.component(name)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "vulndesk API", "version": s.Version, "description": apiDoc},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer", "description": "an API token (vdk_…)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": auth.SessionCookie, "description": "a browser session, from signing in at /login"},
			},
		},
	}
}

// apiDoc is what holds for the whole API.
const apiDoc = "Assets, SBOM inventory snapshots, advisory feeds and findings. Authenticate with an API token " +
	"(`Authorization: Bearer vdk_…`, made with `vulndesk token create` or POST /api/v1/tokens) or a browser session; " +
	"a state-changing request from another origin is refused (403). Lists page by keyset: pass next_cursor back as cursor.\n\n" +
	"Errors are JSON (the Error schema) naming the problem. Unknown query parameters and unknown JSON fields are refused " +
	"(400), so a typo is an error rather than ignored. A method a path does not take is answered 405 with an Allow header, " +
	"an unknown path under /api/ 404. JSON bodies are at most 1 MiB (413). Times are UTC, RFC 3339."

// operation describes one route.
func operation(rt route) map[string]any {
	key := rt.Method + " " + rt.Pattern
	op := map[string]any{
		"summary":     strings.ToUpper(rt.Summary[:1]) + rt.Summary[1:],
		"description": opDocs[key],
		"operationId": operationID(rt),
		"tags":        []string{rt.Tag},
	}
	if params := parameters(rt); params != nil {
		op["parameters"] = params
	}
	switch rt.Body {
	case "":
	case "sarif":
		op["requestBody"] = rawBody("A SARIF 2.1.0 log (JSON), as the body or as the first file part of a multipart form. "+
			"Properties the schema does not know are ignored.", "the SARIF log", "application/sarif+json", "application/json")
	case "sbom":
		op["requestBody"] = rawBody("An SBOM: CycloneDX 1.x JSON or XML, SPDX 2.x JSON or tag-value, SPDX 3 JSON-LD; the format is "+
			"detected from the content. As the body, or as the first file part of a multipart form.", "the SBOM")
	case "file":
		op["requestBody"] = rawBody("The report, any format (at most 32 MiB): as the body, or as the first file part of a multipart form "+
			"(whose fields before the file may give tool, scanned_at and summary instead of the query).", "the report")
	case "vex":
		op["requestBody"] = map[string]any{"required": true,
			"description": "A VEX document: OpenVEX 0.2.0 (or 0.0.1) JSON, CycloneDX VEX 1.4–1.6 JSON or XML; the format is detected from the content.",
			"content": map[string]any{
				"application/json": map[string]any{"schema": map[string]any{"type": "object"}},
				"application/xml":  map[string]any{"schema": map[string]any{"type": "string"}},
			}}
	default:
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"application/json": map[string]any{"schema": ref(requestSchema(rt))}}}
	}
	if rt.Public {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"session": []string{}}}
		op["x-vulndesk-scopes"] = rt.Perm.Scopes()
	}
	op["responses"] = responses(rt)
	return op
}

// rawBody is a request body sent as it is — as one of types (default
// application/octet-stream) — or as a multipart form's file.
func rawBody(desc, file string, types ...string) map[string]any {
	content := map[string]any{
		"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
			"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary",
				"description": file + "; the first part with a file name is read, whatever its field name"}}}},
	}
	if len(types) == 0 {
		content["application/octet-stream"] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
	}
	for _, t := range types {
		content[t] = map[string]any{"schema": map[string]any{"type": "object"}}
	}
	return map[string]any{"required": true, "description": desc, "content": content}
}

// parameters describes rt's path and query parameters.
func parameters(rt route) []any {
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
		collection := pathCollection(rt.Pattern)
		schema := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
		if collection == "advisories" {
			schema = map[string]any{"type": "string", "minLength": 1, "maxLength": 200}
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"description": pathParamDocs[collection], "schema": schema})
	}
	for _, q := range rt.Query {
		schema := map[string]any{"type": q.Type}
		if q.Enum != nil {
			schema["enum"] = q.Enum
		}
		p := map[string]any{"name": q.Name, "in": "query", "description": q.Desc, "schema": schema}
		if q.List {
			p["schema"] = map[string]any{"type": "array", "items": schema}
			p["style"], p["explode"] = "form", false
		}
		if q.Required {
			p["required"] = true
		}
		params = append(params, p)
	}
	return params
}

// responses describes what rt answers: its success and the errors it can meet.
func responses(rt route) map[string]any {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	key := rt.Method + " " + rt.Pattern
	ok := map[string]any{"description": http.StatusText(status)}
	jsonBody := func(schema map[string]any) map[string]any {
		return map[string]any{"application/json": map[string]any{"schema": schema}}
	}
	switch rt.Resp {
	case "":
	case "text":
		ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
	case "object":
		ok["content"] = jsonBody(map[string]any{"type": "object"})
	case "binary":
		content := map[string]any{}
		for _, mt := range append([]string{"application/octet-stream"}, inlineTypes...) {
			content[mt] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
		}
		ok["content"] = content
	case "findings-export":
		text := map[string]any{"schema": map[string]any{"type": "string"}}
		ok["content"] = map[string]any{"text/csv": text, "application/x-ndjson": text,
			"application/json": map[string]any{"schema": map[string]any{"type": "array", "items": ref("FindingRow")}}}
		ok["headers"] = attachmentHeader
	case "vex":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object",
			"description": "an OpenVEX 0.2.0 document (format=openvex, the default; https://github.com/openvex/spec)"}},
			cyclonedxMediaType: map[string]any{"schema": map[string]any{"type": "object",
				"description": "a CycloneDX 1.6 VEX (format=cyclonedx)"}}}
	case "cyclonedx":
		ok["content"] = map[string]any{cyclonedxMediaType: map[string]any{"schema": map[string]any{"type": "object",
			"description": "a CycloneDX 1.6 JSON document (https://cyclonedx.org/docs/1.6/json/)"}}}
		ok["headers"] = attachmentHeader
	case "Ingest":
		ok["content"] = jsonBody(map[string]any{"anyOf": []any{ref("Ingest"), ref("UploadReceipt")},
			"description": "Ingest for callers who may read assets, UploadReceipt for those who may not"})
	default:
		ok["content"] = jsonBody(ref(rt.Resp))
	}
	if loc, found := locations[key]; found {
		ok["headers"] = map[string]any{"Location": map[string]any{"description": loc, "schema": map[string]any{"type": "string"}}}
	}
	retry := map[string]any{"Retry-After": map[string]any{"description": "seconds to wait before trying again",
		"schema": map[string]any{"type": "integer"}}}
	errResp := func(d string) map[string]any {
		return map[string]any{"description": d, "content": jsonBody(ref("Error"))}
	}
	out := map[string]any{strconv.Itoa(status): ok}
	out["400"] = errResp("bad input; the message names the problem (an unknown query parameter, a malformed value, …)")
	if !rt.Public {
		out["401"] = errResp("no valid token or session")
		out["403"] = errResp(forbiddenDoc(rt))
	}
	if pathParam.MatchString(rt.Pattern) || slices.ContainsFunc(rt.Query, func(p param) bool { return p.Name == "asset" }) {
		out["404"] = errResp("not found")
	}
	if conflict, found := conflicts[key]; found {
		out["409"] = errResp(conflict)
	}
	switch {
	case rt.Body == "file":
		out["413"] = errResp("the report is larger than 32 MiB; nothing was stored")
	case rt.Body == "sbom" || rt.Body == "sarif":
		out["413"] = errResp("the SBOM is larger than the server's limit, or holds more than it takes; nothing was stored")
		if rt.Body == "sarif" {
			out["413"] = errResp("the SARIF log is larger than the server's limit (at most 64 MiB), or holds more than 200,000 results; nothing was stored")
		}
		busy := errResp("the upload budget stayed full: nothing was stored; retry after Retry-After seconds")
		busy["headers"] = retry
		out["503"] = busy
	case rt.Body == "vex":
		out["413"] = errResp("the document is larger than 16 MiB, or has more statements than the server takes; nothing was stored")
	case rt.Body != "":
		out["413"] = errResp("the body is larger than 1 MiB")
	}
	if rt.Pattern == "/readyz" {
		out["503"] = map[string]any{"description": "not ready: the database does not answer, or its disk is full",
			"content": jsonBody(ref("Health"))}
	}
	if rt.Method != http.MethodGet {
		full := errResp("storage full: nothing was stored; retry after Retry-After seconds once space is freed")
		full["headers"] = retry
		out["507"] = full
	}
	return out
}

// attachmentHeader says an export's answer is a file to save.
var attachmentHeader = map[string]any{"Content-Disposition": map[string]any{
	"description": "attachment, with a file name", "schema": map[string]any{"type": "string"}}}

// forbiddenDoc says why rt can answer 403.
func forbiddenDoc(rt route) string {
	var why []string
	if scopes := rt.Perm.Scopes(); len(scopes) > 0 {
		why = append(why, "the caller's role lacks the permission ("+strings.Join(scopes, ", ")+")")
	}
	if extra, ok := forbidden[rt.Method+" "+rt.Pattern]; ok {
		why = append(why, extra)
	}
	if rt.Method != http.MethodGet {
		why = append(why, "the request comes from another origin")
	}
	if len(why) == 0 {
		return "forbidden"
	}
	return "forbidden: " + strings.Join(why, "; or ")
}

// forbidden are the reasons besides the role for which a route answers 403.
var forbidden = map[string]string{
	"POST /api/v1/assets/{id}/sboms": "the token may not upload to this asset (its asset_names and asset_tags)",
	"POST /api/v1/sboms": "the token may not upload to this asset (its asset_names and asset_tags), or may not create it " +
		"(made without create_assets)",
	"POST /api/v1/me/password": "the current password is wrong",
}

// locations say where the Location header of a creation points.
var locations = map[string]string{
	"POST /api/v1/assets":            "the new asset: /api/v1/assets/{id}",
	"POST /api/v1/feeds":             "the new feed: /api/v1/feeds/{id}",
	"POST /api/v1/assets/{id}/sboms": "the new snapshot: /api/v1/snapshots/{id}",
	"POST /api/v1/sboms":             "the new snapshot: /api/v1/snapshots/{id}",
}

// conflicts are the routes that can meet a unique name taken.
var conflicts = map[string]string{
	"POST /api/v1/assets":       "an asset of this name exists",
	"PATCH /api/v1/assets/{id}": "an asset of this name exists",
	"POST /api/v1/feeds":        "a feed of this name exists",
	"PATCH /api/v1/feeds/{id}":  "a feed of this name exists",
	"POST /api/v1/users":        "a user of this name exists",
}

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

// pathCollection is the collection a pattern's {id} is in: the path
// segment before it (notifications/channels/{id}: channels).
func pathCollection(pattern string) string {
	before, _, _ := strings.Cut(pattern, "/{")
	return before[strings.LastIndex(before, "/")+1:]
}
