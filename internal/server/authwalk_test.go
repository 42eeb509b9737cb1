package server_test

// TestAuthWalk walks every route of the route table and every operation of
// the OpenAPI document against the real server, as nobody, as each role and
// as an admin.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

const walkAdminPassword = "walk-the-routes-2026!"

// walkMissingID is an ID no entity has.
const walkMissingID = "987654321"

// httpAnswer is one raw HTTP exchange.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a httpAnswer) String() string { return fmt.Sprintf("%d %s", a.status, a.body) }

// noRedirectClient does not follow redirects, so they can be checked.
var noRedirectClient = &http.Client{
	Timeout:       2 * time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// rawCall sends one request; hdr holds extra headers ("Authorization",
// "Cookie", "Origin", …). Every answer must carry the security headers.
func rawCall(t *testing.T, base, method, path string, body io.Reader, hdr map[string]string) httpAnswer {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirectClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := httpAnswer{status: resp.StatusCode, header: resp.Header, body: b}
	wantSecurityHeaders(t, method+" "+path, resp.Header)
	return a
}

func wantSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	switch {
	case csp == "":
		t.Errorf("%s: no Content-Security-Policy", what)
	case strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval"):
		t.Errorf("%s: Content-Security-Policy allows unsafe code: %s", what, csp)
	case !strings.Contains(csp, "frame-ancestors 'none'"):
		t.Errorf("%s: Content-Security-Policy without frame-ancestors 'none': %s", what, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, h.Get("X-Content-Type-Options"))
	}
}

func bearerHdr(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok}
}

// accessPolicy is who may call each route: "public", any "signed-in"
// caller, or the one scope needed (auth.Perm names).
var accessPolicy = map[string]string{
	"GET /login":                            "public",
	"POST /login":                           "public",
	"POST /logout":                          "signed-in",
	"GET /{$}":                              "read",
	"GET /findings":                         "read",
	"GET /findings/{id}":                    "read",
	"GET /advisories/{id}":                  "read",
	"GET /assets":                           "read",
	"GET /assets/new":                       "triage",
	"POST /assets":                          "triage",
	"GET /assets/{id}":                      "read",
	"GET /assets/{id}/edit":                 "triage",
	"POST /assets/{id}":                     "triage",
	"POST /assets/{id}/sboms":               "upload",
	"GET /assets/{id}/diff":                 "read",
	"GET /static/{file}":                    "public",
	"GET /feeds":                            "read",
	"GET /feeds/new":                        "admin",
	"POST /feeds":                           "admin",
	"GET /feeds/{id}":                       "read",
	"POST /feeds/{id}":                      "admin",
	"POST /feeds/{id}/sync":                 "triage",
	"POST /feeds/{id}/delete":               "admin",
	"GET /access":                           "signed-in",
	"GET /audit":                            "audit",
	"POST /access/password":                 "signed-in",
	"POST /access/users":                    "admin",
	"POST /access/users/{id}":               "admin",
	"POST /access/users/{id}/password":      "admin",
	"POST /access/tokens":                   "admin",
	"POST /access/tokens/{id}/revoke":       "admin",
	"GET /healthz":                          "public",
	"GET /readyz":                           "public",
	"GET /metrics":                          "read",
	"GET /api/v1/openapi.json":              "public",
	"GET /api/v1/me":                        "signed-in",
	"GET /api/v1/overview":                  "read",
	"GET /api/v1/jobs":                      "read",
	"GET /api/v1/assets":                    "read",
	"POST /api/v1/assets":                   "triage",
	"GET /api/v1/assets/{id}":               "read",
	"PATCH /api/v1/assets/{id}":             "triage",
	"DELETE /api/v1/assets/{id}":            "admin",
	"GET /api/v1/assets/{id}/snapshots":     "read",
	"POST /api/v1/assets/{id}/sboms":        "upload",
	"GET /api/v1/assets/{id}/scans":         "read",
	"POST /api/v1/assets/{id}/scans":        "upload",
	"GET /api/v1/scans/{id}/document":       "read",
	"GET /api/v1/scans/overdue":             "read",
	"POST /api/v1/sboms":                    "upload",
	"POST /api/v1/assets/{id}/sarif":        "upload",
	"GET /api/v1/snapshots/{id}":            "read",
	"GET /api/v1/findings/export":           "read",
	"GET /api/v1/assets/{id}/sbom":          "read",
	"GET /api/v1/assets/{id}/vdr":           "read",
	"GET /api/v1/snapshots/{id}/components": "read",
	"GET /sla":                              "read",
	"GET /scans":                            "read",
	"POST /scans/cadence":                   "admin",
	"POST /assets/{id}/scans":               "upload",
	"POST /sla":                             "admin",
	"GET /api/v1/sla/policy":                "read",
	"POST /api/v1/sla/policy":               "admin",
	"GET /api/v1/sla/figures":               "read",
	"GET /api/v1/settings":                  "admin",
	"PATCH /api/v1/settings":                "admin",
	"GET /api/v1/findings":                  "read",
	"GET /api/v1/findings/{id}":             "read",
	"GET /api/v1/advisories/{id}":           "read",
	"GET /api/v1/nvd/{id}":                  "read",
	"GET /api/v1/feeds":                     "read",

	"GET /notifications":                            "read",
	"POST /notifications/channels":                  "admin",
	"POST /notifications/channels/{id}/test":        "admin",
	"POST /notifications/channels/{id}/delete":      "admin",
	"POST /notifications/rules":                     "admin",
	"POST /notifications/rules/{id}/delete":         "admin",
	"GET /api/v1/notifications/channels":            "read",
	"POST /api/v1/notifications/channels":           "admin",
	"GET /api/v1/notifications/channels/{id}":       "read",
	"DELETE /api/v1/notifications/channels/{id}":    "admin",
	"POST /api/v1/notifications/channels/{id}/test": "admin",
	"GET /api/v1/notifications/rules":               "read",
	"POST /api/v1/notifications/rules":              "admin",
	"DELETE /api/v1/notifications/rules/{id}":       "admin",
	"GET /api/v1/notifications/deliveries":          "read",
	"GET /api/v1/notifications/deliveries/{id}":     "read",
	"POST /api/v1/feeds":                            "admin",
	"GET /api/v1/feeds/{id}":                        "read",
	"PATCH /api/v1/feeds/{id}":                      "admin",
	"DELETE /api/v1/feeds/{id}":                     "admin",
	"POST /api/v1/feeds/{id}/sync":                  "triage",
	"GET /api/v1/tokens":                            "admin",
	"POST /api/v1/tokens":                           "admin",
	"DELETE /api/v1/tokens/{id}":                    "admin",
	"GET /api/v1/users":                             "admin",
	"POST /api/v1/users":                            "admin",
	"PATCH /api/v1/users/{id}":                      "admin",
	"POST /api/v1/users/{id}/password":              "admin",
	"POST /api/v1/me/password":                      "signed-in",
	"GET /api/v1/audit/events":                      "audit",
	"POST /api/v1/findings/{id}/triage":             "triage",
	"GET /api/v1/findings/{id}/history":             "read",
	"POST /api/v1/triage":                           "triage",
	"POST /api/v1/findings/{id}/assign":             "triage",
	"POST /api/v1/findings/{id}/comments":           "triage",
	"POST /api/v1/findings/{id}/ticket":             "triage",
	"GET /api/v1/exceptions":                        "read",
	"POST /api/v1/exceptions":                       "triage",
	"GET /api/v1/exceptions/{id}":                   "read",
	"POST /api/v1/exceptions/{id}/approve":          "admin",
	"POST /api/v1/exceptions/{id}/reject":           "admin",
	"POST /api/v1/exceptions/{id}/revoke":           "admin",
	"POST /findings/triage":                         "triage",
	"POST /findings/{id}/triage":                    "triage",
	"POST /findings/{id}/assign":                    "triage",
	"POST /findings/{id}/comments":                  "triage",
	"POST /findings/{id}/ticket":                    "triage",
	"POST /findings/{id}/exception":                 "triage",
	"GET /exceptions":                               "read",
	"GET /exceptions/{id}":                          "read",
	"POST /exceptions/{id}/approve":                 "admin",
	"POST /exceptions/{id}/reject":                  "admin",
	"POST /exceptions/{id}/revoke":                  "admin",

	// VEX (issue 13).
	"POST /api/v1/vex":            "triage",
	"GET /api/v1/vex":             "read",
	"GET /api/v1/assets/{id}/vex": "read",
	"GET /vex":                    "read",
	"POST /vex":                   "triage",

	// Disclosure: security.txt, the policy and its settings (issue 14, sectxt).
	"GET /.well-known/security.txt":     "public",
	"GET /security.txt":                 "public",
	"GET /security/policy":              "public",
	"GET /settings/disclosure":          "admin",
	"POST /settings/disclosure":         "admin",
	"GET /api/v1/settings/disclosure":   "admin",
	"PATCH /api/v1/settings/disclosure": "admin",
	// Disclosure cases (issue 14, part cases).
	"GET /security/report":                  "public",
	"POST /security/report":                 "public",
	"GET /security/track/":                  "public",
	"POST /security/track/":                 "public",
	"GET /security/acknowledgements":        "public",
	"GET /cases":                            "read",
	"GET /cases/{id}":                       "read",
	"GET /cases/{id}/attachments/{aid}":     "read",
	"POST /cases/{id}/state":                "triage",
	"POST /cases/{id}/messages":             "triage",
	"POST /cases/{id}/edit":                 "triage",
	"POST /cases/{id}/links":                "triage",
	"POST /cases/{id}/links/{lid}/delete":   "triage",
	"POST /cases/{id}/extensions":           "triage",
	"GET /api/v1/cases":                     "read",
	"GET /api/v1/cases/{id}":                "read",
	"PATCH /api/v1/cases/{id}":              "triage",
	"POST /api/v1/cases/{id}/state":         "triage",
	"GET /api/v1/cases/{id}/messages":       "read",
	"POST /api/v1/cases/{id}/messages":      "triage",
	"GET /api/v1/attachments/{id}":          "read",
	"POST /api/v1/cases/{id}/links":         "triage",
	"DELETE /api/v1/cases/{id}/links/{lid}": "triage",
	"POST /api/v1/cases/{id}/extensions":    "triage",
	// CSAF advisories (issue 14, csaf).
	"GET /security-advisories":                      "read",
	"POST /security-advisories":                     "triage",
	"GET /security-advisories/{id}":                 "read",
	"POST /security-advisories/{id}":                "triage",
	"POST /security-advisories/{id}/submit":         "triage",
	"POST /security-advisories/{id}/publish":        "admin",
	"GET /security/advisories":                      "public",
	"GET /.well-known/csaf/provider-metadata.json":  "public",
	"GET /.well-known/csaf/white/index.txt":         "public",
	"GET /.well-known/csaf/white/changes.csv":       "public",
	"GET /.well-known/csaf/white/{year}/{file}":     "public",
	"GET /.well-known/csaf/white/{$}":               "public",
	"GET /.well-known/csaf/white/{year}/{$}":        "public",
	"GET /.well-known/csaf/openpgp/{file}":          "public",
	"GET /api/v1/security-advisories":               "read",
	"POST /api/v1/security-advisories":              "triage",
	"GET /api/v1/security-advisories/{id}":          "read",
	"PATCH /api/v1/security-advisories/{id}":        "triage",
	"POST /api/v1/security-advisories/{id}/submit":  "triage",
	"POST /api/v1/security-advisories/{id}/publish": "admin",
	"GET /api/v1/security-advisories/{id}/csaf":     "read",
	"GET /api/v1/security-advisories/{id}/osv":      "read",
	// CRA (issue 14, part cra).
	"GET /products":                       "read",
	"POST /products":                      "triage",
	"POST /products/{id}/delete":          "admin",
	"GET /cra":                            "read",
	"POST /cra":                           "triage",
	"GET /cra/{id}":                       "read",
	"POST /cra/{id}/drafts":               "triage",
	"POST /cra/{id}/mitigation":           "triage",
	"POST /cra/{id}/submissions":          "triage",
	"POST /outbound-reports":              "triage",
	"POST /outbound-reports/{id}":         "triage",
	"GET /api/v1/products":                "read",
	"PUT /api/v1/assets/{id}/product":     "triage",
	"DELETE /api/v1/assets/{id}/product":  "admin",
	"GET /api/v1/outbound-reports":        "read",
	"POST /api/v1/outbound-reports":       "triage",
	"GET /api/v1/outbound-reports/{id}":   "read",
	"PATCH /api/v1/outbound-reports/{id}": "triage",
	"GET /api/v1/cra":                     "read",
	"POST /api/v1/cra":                    "triage",
	"GET /api/v1/cra/{id}":                "read",
	"PATCH /api/v1/cra/{id}/drafts":       "triage",
	"POST /api/v1/cra/{id}/mitigation":    "triage",
	"POST /api/v1/cra/{id}/submissions":   "triage",
}

// walkException is a request for an exception of one finding.
func walkException(id int64) string {
	return fmt.Sprintf(`{"finding_ids": [%d], "reason": "walk", "expires_at": %q}`, id, time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339))
}

// roleScopes is what each role may do (internal/auth/role.go).
var roleScopes = map[string][]string{
	"admin":    {"read", "upload", "triage", "admin", "audit"},
	"analyst":  {"read", "upload", "triage"},
	"uploader": {"upload"},
	"auditor":  {"read", "audit"},
}

// walkStep is how the walk calls one route of the table.
type walkStep struct {
	route string // "METHOD pattern", as in the table
	// path is what is requested: real IDs for reads; {name} placeholders
	// for IDs the walk creates on its way, filled from ids.
	path  string
	body  string
	ctype string
	want  int // the admin's status
	// entity names what {id} is, for the request with an ID that does not
	// exist: the handler's 404 must say "<entity> <id>".
	entity string
	// after runs after the admin's call, with its answer.
	after func(a httpAnswer)
	// skipAnon: the route is public and calling it anonymously is not
	// harmless (POST /login counts failures); it is checked elsewhere.
	skipAnon bool
}

// TestAuthWalk checks, for every route, that authorization is enforced as
// the table and the OpenAPI document say and that the document names
// exactly the routes the server routes; then login, cookies, cross-origin
// refusal, token revocation and login rate limiting. It runs the server
// in-process (the handler the binary serves, on a real database, with its
// job runner); the spawned binary is kept for crash, replica and shutdown
// tests.
func TestAuthWalk(t *testing.T) {
	t.Parallel()
	webshopSBOM := string(mustRead(t, "../../examples/sbom/webshop.cdx.json"))
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			authWalk(t, e, webshopSBOM)
		})
	}
}

func authWalk(t *testing.T, e storetest.Engine, webshopSBOM string) {
	began := time.Now()
	// Seeded (no --empty): the example asset, its findings and advisories.
	s := startInproc(t, e, inprocOptions{seed: true, jobs: true, adminPassword: walkAdminPassword})
	admin := s.admin
	base := s.URL

	// Existing IDs to read.
	var assets struct{ Items []model.Asset }
	admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &assets)
	if len(assets.Items) != 1 || assets.Items[0].CurrentSnapshotID == 0 {
		t.Fatalf("the seeded asset: %+v", assets.Items)
	}
	shop := assets.Items[0]
	waitMatched(t, admin, shop.CurrentSnapshotID)
	var fs struct{ Items []model.AssetFinding }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings?asset=%d", shop.ID), nil, 200, &fs)
	if len(fs.Items) == 0 {
		t.Fatal("the seeded asset has no findings")
	}
	fnd := fs.Items[0]
	var scans struct{ Items []model.ScanRecord }
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d/scans", shop.ID), nil, 200, &scans)
	if len(scans.Items) == 0 {
		t.Fatal("the seeded asset's upload has no scan record")
	}
	scanID := fmt.Sprint(scans.Items[0].ID)
	// Paging across severities: the seeded findings have several.
	sevs := map[string]bool{}
	for _, f := range pagedAlike(t, admin, client.FindingFilter{Status: "all"}, 1, 2, 3) {
		sevs[f.Severity] = true
	}
	if len(sevs) < 3 {
		t.Errorf("the seeded findings have %d severities; the paging check wants several", len(sevs))
	}
	examplesFeed := feedID(t, admin, "examples")
	var exc model.Exception
	admin.JSON(t, "POST", "/api/v1/exceptions", strings.NewReader(walkException(fnd.ID)), 201, &exc)
	readException := fmt.Sprint(exc.ID)
	// CSAF advisories (issue 14, csaf): one published, for the reads.
	readSecAdv := walkPublishAdvisory(t, admin, shop.ID)

	// The document, anonymously.
	docAns := rawCall(t, base, "GET", "/api/v1/openapi.json", nil, nil)
	if docAns.status != 200 {
		t.Fatalf("GET /api/v1/openapi.json without credentials: %s", docAns)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(docAns.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v (openapi %q)", err, doc.OpenAPI)
	}
	type op struct {
		Scopes    []string          `json:"x-vulndesk-scopes"`
		Security  []json.RawMessage `json:"security"`
		Responses map[string]any    `json:"responses"`
	}
	docOps := map[string]op{} // "METHOD path"
	for p, methods := range doc.Paths {
		for m, rawCall := range methods {
			var o op
			if err := json.Unmarshal(rawCall, &o); err != nil {
				t.Fatalf("openapi.json %s %s: %v", m, p, err)
			}
			docOps[strings.ToUpper(m)+" "+p] = o
		}
	}

	// The table and the document agree, both ways.
	table := map[string]server.RouteInfo{}
	for _, r := range server.Routes() {
		k := r.Method + " " + r.Pattern
		if _, dup := table[k]; dup {
			t.Errorf("route table: %s twice", k)
		}
		table[k] = r
		if r.Page {
			if _, ok := docOps[k]; ok {
				t.Errorf("page route %s is in the OpenAPI document", k)
			}
			continue
		}
		o, ok := docOps[k]
		if !ok {
			t.Errorf("route %s is not in the OpenAPI document", k)
			continue
		}
		if r.Public {
			if o.Security == nil || len(o.Security) != 0 || o.Scopes != nil {
				t.Errorf("public route %s: the document says security %s, scopes %v", k, o.Security, o.Scopes)
			}
			continue
		}
		if !slices.Equal(o.Scopes, r.Scopes) {
			t.Errorf("%s: x-vulndesk-scopes %v, the table needs %v", k, o.Scopes, r.Scopes)
		}
		if len(o.Security) == 0 || o.Responses["401"] == nil || o.Responses["403"] == nil {
			t.Errorf("%s: the document does not say it needs credentials (security %s, responses 401/403)", k, o.Security)
		}
	}
	for k := range docOps {
		if r, ok := table[k]; !ok || r.Page {
			t.Errorf("the OpenAPI document has %s, which is not an API route of the table", k)
		}
	}

	// Tokens of every role, and what each may do by GET /api/v1/me.
	roles := []string{"admin", "analyst", "uploader", "auditor"}
	tokens := map[string]string{"admin": admin.Token}
	scopes := map[string][]string{}
	for _, role := range roles {
		if tokens[role] == "" {
			tokens[role] = s.client(t, role).Token
		}
		var me struct {
			Role   string   `json:"role"`
			Scopes []string `json:"scopes"`
		}
		a := rawCall(t, base, "GET", "/api/v1/me", nil, bearerHdr(tokens[role]))
		if a.status != 200 || json.Unmarshal(a.body, &me) != nil || me.Role != role {
			t.Fatalf("GET /api/v1/me as %s: %s", role, a)
		}
		scopes[role] = me.Scopes
		if want := roleScopes[role]; !slices.Equal(me.Scopes, want) {
			t.Errorf("role %s has scopes %v; want %v", role, me.Scopes, want)
		}
	}

	// A notification channel with a delivery, for the reads.
	var readChannel api.CreatedChannel
	admin.JSON(t, "POST", "/api/v1/notifications/channels", strings.NewReader(`{"name": "walk-read", "kind": "email", "address": "read@example.com"}`), 201, &readChannel)
	var readDelivery model.Delivery
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/notifications/channels/%d/test", readChannel.Channel.ID), nil, 202, &readDelivery)
	chID, delID := fmt.Sprint(readChannel.Channel.ID), fmt.Sprint(readDelivery.ID)

	// A security contact, so that security.txt is served (issue 14, sectxt).
	admin.JSON(t, "PATCH", "/api/v1/settings/disclosure", strings.NewReader(`{"contacts": ["mailto:security@example.org"]}`), 200, nil)
	// A disclosure case with an attachment (issue 14, part cases), and
	// a report form's stamp.
	walkCase, walkCaseToken := walkReport(t, s)
	caseID, caseAtt := fmt.Sprint(walkCase.ID), fmt.Sprint(walkCase.Attachments[0].ID)
	reportBody := walkReportForm(t, base)
	// CRA (issue 14, part cra): the seeded asset as a product with a
	// clock on its finding and an outbound report, for the reads.
	admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", shop.ID), strings.NewReader(`{"support_end": "2031-12-31"}`), 200, nil)
	var readClock model.CRAClock
	admin.JSON(t, "POST", "/api/v1/cra", strings.NewReader(fmt.Sprintf(`{"finding_id": %d}`, fnd.ID)), 201, &readClock)
	var readOutbound model.OutboundReport
	admin.JSON(t, "POST", "/api/v1/outbound-reports", strings.NewReader(fmt.Sprintf(`{"kind": "csirt", "case_id": %s, "finding_id": %d, "recipient": "CERT-Walk", "channel": "email"}`, caseID, fnd.ID)), 201, &readOutbound)
	craID, outID := fmt.Sprint(readClock.ID), fmt.Sprint(readOutbound.ID)

	// The steps: reads first, then writes, deletions last.
	ids := map[string]string{}
	var walkToken string
	sid, aid := fmt.Sprint(shop.CurrentSnapshotID), fmt.Sprint(shop.ID)
	js, form := "application/json", "application/x-www-form-urlencoded"
	steps := []walkStep{
		{route: "GET /login", path: "/login", want: 200},
		{route: "GET /{$}", path: "/", want: 200},
		{route: "GET /findings", path: "/findings", want: 200},
		{route: "GET /findings/{id}", path: fmt.Sprintf("/findings/%d", fnd.ID), want: 200},
		{route: "GET /advisories/{id}", path: "/advisories/" + url.PathEscape(fnd.VulnID), want: 200},
		{route: "GET /assets", path: "/assets", want: 200},
		{route: "GET /assets/new", path: "/assets/new", want: 200},
		{route: "GET /assets/{id}", path: "/assets/" + aid, want: 200},
		{route: "GET /assets/{id}/edit", path: "/assets/" + aid + "/edit", want: 200},
		{route: "GET /assets/{id}/diff", path: "/assets/" + aid + "/diff?from=" + sid + "&to=" + sid, want: 200},
		{route: "GET /static/{file}", path: "/static/app.css", want: 200},
		{route: "GET /healthz", path: "/healthz", want: 200},
		{route: "GET /readyz", path: "/readyz", want: 200},
		{route: "GET /metrics", path: "/metrics", want: 200},
		{route: "GET /api/v1/openapi.json", path: "/api/v1/openapi.json", want: 200},
		{route: "GET /api/v1/me", path: "/api/v1/me", want: 200},
		{route: "GET /api/v1/overview", path: "/api/v1/overview", want: 200},
		{route: "GET /api/v1/jobs", path: "/api/v1/jobs", want: 200},
		{route: "GET /api/v1/assets", path: "/api/v1/assets", want: 200},
		{route: "GET /api/v1/assets/{id}", path: "/api/v1/assets/" + aid, want: 200, entity: "asset"},
		{route: "GET /api/v1/assets/{id}/snapshots", path: "/api/v1/assets/" + aid + "/snapshots", want: 200, entity: "asset"},
		{route: "GET /api/v1/snapshots/{id}", path: "/api/v1/snapshots/" + sid, want: 200, entity: "snapshot"},
		{route: "GET /api/v1/assets/{id}/scans", path: "/api/v1/assets/" + aid + "/scans", want: 200, entity: "asset"},
		{route: "GET /api/v1/scans/{id}/document", path: "/api/v1/scans/" + scanID + "/document", want: 200, entity: "scan record"},
		{route: "GET /api/v1/scans/overdue", path: "/api/v1/scans/overdue", want: 200},
		{route: "GET /api/v1/findings/export", path: "/api/v1/findings/export?format=json", want: 200},
		{route: "GET /api/v1/assets/{id}/sbom", path: "/api/v1/assets/" + aid + "/sbom", want: 200, entity: "asset"},
		{route: "GET /api/v1/assets/{id}/vdr", path: "/api/v1/assets/" + aid + "/vdr", want: 200, entity: "asset"},
		{route: "GET /api/v1/snapshots/{id}/components", path: "/api/v1/snapshots/" + sid + "/components", want: 200, entity: "snapshot"},
		{route: "GET /api/v1/findings", path: "/api/v1/findings", want: 200},
		{route: "GET /api/v1/findings/{id}", path: fmt.Sprintf("/api/v1/findings/%d", fnd.ID), want: 200, entity: "finding"},
		{route: "GET /api/v1/advisories/{id}", path: "/api/v1/advisories/" + url.PathEscape(fnd.VulnID), want: 200, entity: "advisory"},
		{route: "GET /api/v1/nvd/{id}", path: "/api/v1/nvd/CVE-2023-39325", want: 200}, // the example NVD record
		{route: "GET /api/v1/feeds", path: "/api/v1/feeds", want: 200},
		{route: "GET /notifications", path: "/notifications", want: 200},
		{route: "GET /api/v1/notifications/channels", path: "/api/v1/notifications/channels", want: 200},
		{route: "GET /api/v1/notifications/channels/{id}", path: "/api/v1/notifications/channels/" + chID, want: 200, entity: "channel"},
		{route: "GET /api/v1/notifications/rules", path: "/api/v1/notifications/rules", want: 200},
		{route: "GET /api/v1/notifications/deliveries", path: "/api/v1/notifications/deliveries?channel=" + chID, want: 200},
		{route: "GET /api/v1/notifications/deliveries/{id}", path: "/api/v1/notifications/deliveries/" + delID, want: 200, entity: "delivery"},
		{route: "GET /api/v1/feeds/{id}", path: fmt.Sprintf("/api/v1/feeds/%d", examplesFeed), want: 200, entity: "feed"},
		{route: "GET /api/v1/tokens", path: "/api/v1/tokens", want: 200},
		{route: "GET /api/v1/users", path: "/api/v1/users", want: 200},
		{route: "GET /api/v1/audit/events", path: "/api/v1/audit/events", want: 200},
		{route: "GET /feeds", path: "/feeds", want: 200},
		{route: "GET /feeds/new", path: "/feeds/new", want: 200},
		{route: "GET /feeds/{id}", path: fmt.Sprintf("/feeds/%d", examplesFeed), want: 200},
		{route: "GET /access", path: "/access", want: 200},
		{route: "GET /audit", path: "/audit?verify=1", want: 200},
		{route: "GET /sla", path: "/sla", want: 200},
		{route: "GET /scans", path: "/scans", want: 200},
		{route: "GET /api/v1/sla/policy", path: "/api/v1/sla/policy", want: 200},
		{route: "GET /api/v1/sla/figures", path: "/api/v1/sla/figures?by=severity", want: 200},
		{route: "GET /api/v1/settings", path: "/api/v1/settings", want: 200},
		// VEX (issue 13).
		{route: "GET /api/v1/vex", path: "/api/v1/vex?format=cyclonedx", want: 200},
		{route: "GET /api/v1/assets/{id}/vex", path: "/api/v1/assets/" + aid + "/vex", want: 200, entity: "asset"},
		{route: "GET /vex", path: "/vex", want: 200},
		// Disclosure cases (issue 14, part cases).
		{route: "GET /security/report", path: "/security/report", want: 200},
		{route: "GET /security/track/", path: "/security/track/" + walkCaseToken, want: 200},
		{route: "GET /security/acknowledgements", path: "/security/acknowledgements", want: 200},
		{route: "GET /cases", path: "/cases", want: 200},
		{route: "GET /cases/{id}", path: "/cases/" + caseID, want: 200},
		{route: "GET /cases/{id}/attachments/{aid}", path: "/cases/" + caseID + "/attachments/" + caseAtt, want: 200},
		{route: "GET /api/v1/cases", path: "/api/v1/cases?timer_state=on_track", want: 200},
		{route: "GET /api/v1/cases/{id}", path: "/api/v1/cases/" + caseID, want: 200, entity: "case"},
		{route: "GET /api/v1/cases/{id}/messages", path: "/api/v1/cases/" + caseID + "/messages", want: 200, entity: "case"},
		{route: "GET /api/v1/attachments/{id}", path: "/api/v1/attachments/" + caseAtt, want: 200, entity: "attachment"},
		// CSAF advisories (issue 14, csaf): the one published above.
		{route: "GET /api/v1/security-advisories", path: "/api/v1/security-advisories?state=published", want: 200},
		{route: "GET /api/v1/security-advisories/{id}", path: "/api/v1/security-advisories/" + readSecAdv.id, want: 200},
		{route: "GET /api/v1/security-advisories/{id}/csaf", path: "/api/v1/security-advisories/" + readSecAdv.id + "/csaf", want: 200},
		{route: "GET /api/v1/security-advisories/{id}/osv", path: "/api/v1/security-advisories/" + readSecAdv.id + "/osv", want: 200},
		{route: "GET /security-advisories", path: "/security-advisories", want: 200},
		{route: "GET /security-advisories/{id}", path: "/security-advisories/" + readSecAdv.id, want: 200},
		{route: "GET /security/advisories", path: "/security/advisories", want: 200},
		{route: "GET /.well-known/csaf/provider-metadata.json", path: "/.well-known/csaf/provider-metadata.json", want: 200},
		{route: "GET /.well-known/csaf/white/index.txt", path: "/.well-known/csaf/white/index.txt", want: 200},
		{route: "GET /.well-known/csaf/white/changes.csv", path: "/.well-known/csaf/white/changes.csv", want: 200},
		{route: "GET /.well-known/csaf/white/{year}/{file}", path: "/.well-known/csaf/white/" + readSecAdv.path + ".asc", want: 200},
		{route: "GET /.well-known/csaf/white/{$}", path: "/.well-known/csaf/white/", want: 200},
		{route: "GET /.well-known/csaf/white/{year}/{$}", path: "/.well-known/csaf/white/" + strings.Split(readSecAdv.path, "/")[0] + "/", want: 200},
		{route: "GET /.well-known/csaf/openpgp/{file}", path: "/.well-known/csaf/openpgp/" + readSecAdv.fingerprint + ".asc", want: 200},
		// CRA (issue 14, part cra).
		{route: "GET /products", path: "/products?edit=" + aid, want: 200},
		{route: "GET /cra", path: "/cra", want: 200},
		{route: "GET /cra/{id}", path: "/cra/" + craID, want: 200},
		{route: "GET /api/v1/products", path: "/api/v1/products?published=false", want: 200},
		{route: "GET /api/v1/outbound-reports", path: "/api/v1/outbound-reports?kind=csirt&case_id=" + caseID, want: 200},
		{route: "GET /api/v1/outbound-reports/{id}", path: "/api/v1/outbound-reports/" + outID, want: 200, entity: "outbound report"},
		{route: "GET /api/v1/cra", path: "/api/v1/cra?finding_id=" + fmt.Sprint(fnd.ID), want: 200},
		{route: "GET /api/v1/cra/{id}", path: "/api/v1/cra/" + craID, want: 200, entity: "CRA clock"},

		{route: "POST /api/v1/assets", path: "/api/v1/assets", body: `{"name": "walk-asset"}`, ctype: js, want: 201,
			after: func(a httpAnswer) { ids["walkAsset"] = walkJSONID(t, a.body, "id") }},
		{route: "PATCH /api/v1/assets/{id}", path: "/api/v1/assets/" + aid, body: `{"owner": "walk"}`, ctype: js, want: 200, entity: "asset"},
		{route: "POST /api/v1/assets/{id}/sboms", path: "/api/v1/assets/{walkAsset}/sboms", body: webshopSBOM, want: 201, entity: "asset"},
		{route: "POST /api/v1/sboms", path: "/api/v1/sboms?asset=walk-asset", body: webshopSBOM, want: 201},
		{route: "POST /api/v1/assets/{id}/sarif", path: "/api/v1/assets/{walkAsset}/sarif?branch=walk", want: 200, entity: "asset",
			body: `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "walk"}}, "results": [{"ruleId": "W1", "message": {"text": "walk"}}]}]}`},
		{route: "POST /api/v1/assets/{id}/scans", path: "/api/v1/assets/{walkAsset}/scans?tool=OWASP+ZAP&scanned_at=2026-11-30", body: "ZAP report: no alerts", ctype: "text/plain", want: 201, entity: "asset"},
		{route: "POST /assets/{id}/sboms", path: "/assets/{walkAsset}/sboms", body: walkMultipart(webshopSBOM), ctype: walkMultipartType, want: 303},
		{route: "POST /assets", path: "/assets", ctype: form, want: 303,
			body: url.Values{"name": {"walk-page-asset"}, "kind": {"host"}, "criticality": {"2"}, "exposure": {"internal"}, "lifecycle": {"active"}}.Encode()},
		{route: "POST /assets/{id}", path: "/assets/" + aid, ctype: form, want: 303,
			body: url.Values{"name": {shop.Name}, "kind": {shop.Kind}, "criticality": {"2"}, "exposure": {shop.Exposure}, "lifecycle": {shop.Lifecycle}, "owner": {"walk"}}.Encode()},
		// CRA (issue 14, part cra): the walk's asset as a product, a case's
		// clock on the seeded product with its drafts, measure and a
		// submission, outbound reports; through the API and the pages.
		{route: "PUT /api/v1/assets/{id}/product", path: "/api/v1/assets/{walkAsset}/product", ctype: js, want: 200, entity: "asset",
			body: `{"support_end": "2030-06-30", "published": true, "member_states": ["EU"]}`},
		{route: "POST /api/v1/cra", path: "/api/v1/cra", ctype: js, want: 201, body: `{"case_id": ` + caseID + `, "asset_id": ` + aid + `, "title": "walk"}`,
			after: func(a httpAnswer) { ids["walkClock"] = walkJSONID(t, a.body, "id") }},
		{route: "PATCH /api/v1/cra/{id}/drafts", path: "/api/v1/cra/{walkClock}/drafts", ctype: js, want: 200, entity: "CRA clock",
			body: `{"final_report": {"malicious_actor": "walk"}}`},
		{route: "POST /api/v1/cra/{id}/mitigation", path: "/api/v1/cra/{walkClock}/mitigation", ctype: js, want: 200, entity: "CRA clock",
			body: `{"description": "walk"}`},
		{route: "POST /api/v1/cra/{id}/submissions", path: "/api/v1/cra/{walkClock}/submissions", ctype: js, want: 201, entity: "CRA clock",
			body: `{"report": "early_warning", "reference": "walk"}`},
		{route: "POST /api/v1/outbound-reports", path: "/api/v1/outbound-reports", ctype: js, want: 201,
			body:  fmt.Sprintf(`{"kind": "upstream", "finding_id": %d, "recipient": "walk", "upstream_project": "walk", "channel": "email"}`, fnd.ID),
			after: func(a httpAnswer) { ids["walkOutbound"] = walkJSONID(t, a.body, "id") }},
		{route: "PATCH /api/v1/outbound-reports/{id}", path: "/api/v1/outbound-reports/{walkOutbound}", ctype: js, want: 200, entity: "outbound report",
			body: `{"status": "acknowledged"}`},
		{route: "POST /products", path: "/products", ctype: form, want: 303, body: "asset=" + aid + "&support_end=2031-12-31&member_states=DE,+NL&published=1"},
		{route: "POST /cra", path: "/cra", ctype: form, want: 303, body: "case_id=" + caseID + "&asset_id=" + aid + "&title=walk+page&aware_at=2026-01-02T03:04"},
		{route: "POST /cra/{id}/drafts", path: "/cra/{walkClock}/drafts", ctype: form, want: 303, body: "report=notification&nature=walk"},
		{route: "POST /cra/{id}/mitigation", path: "/cra/{walkClock}/mitigation", ctype: form, want: 303, body: "description=walk"},
		{route: "POST /cra/{id}/submissions", path: "/cra/{walkClock}/submissions", ctype: form, want: 303, body: "report=notification&channel=walk"},
		{route: "POST /outbound-reports", path: "/outbound-reports", ctype: form, want: 303,
			body: fmt.Sprintf("kind=upstream&finding_id=%d&recipient=walk&upstream_project=walk&channel=email", fnd.ID)},
		{route: "POST /outbound-reports/{id}", path: "/outbound-reports/{walkOutbound}", ctype: form, want: 303, body: "status=fixed&response=walk&reference=x"},
		{route: "POST /api/v1/findings/{id}/triage", path: fmt.Sprintf("/api/v1/findings/%d/triage", fnd.ID), ctype: js, want: 200, entity: "finding",
			body: `{"state": "under_investigation", "reason": "walk"}`},
		{route: "GET /api/v1/findings/{id}/history", path: fmt.Sprintf("/api/v1/findings/%d/history", fnd.ID), want: 200, entity: "finding"},
		{route: "POST /api/v1/findings/{id}/assign", path: fmt.Sprintf("/api/v1/findings/%d/assign", fnd.ID), ctype: js, want: 200,
			entity: "finding", body: `{"assignee": "team-walk"}`},
		{route: "POST /api/v1/findings/{id}/comments", path: fmt.Sprintf("/api/v1/findings/%d/comments", fnd.ID), ctype: js, want: 200,
			entity: "finding", body: `{"body": "walked"}`},
		{route: "POST /api/v1/findings/{id}/ticket", path: fmt.Sprintf("/api/v1/findings/%d/ticket", fnd.ID), ctype: js, want: 200,
			entity: "finding", body: `{"url": "https://tracker.example/SEC-1", "key": "SEC-1"}`},
		// VEX (issue 13): a statement about the seeded asset's finding.
		{route: "POST /api/v1/vex", path: "/api/v1/vex", ctype: js, want: 200, body: walkVEX(shop.Name, fnd.VulnID)},
		{route: "POST /vex", path: "/vex", body: walkMultipart(walkVEX(shop.Name, fnd.VulnID)), ctype: walkMultipartType, want: 200},
		// CSAF advisories (issue 14, csaf): one through the API, one
		// through the pages, each written, submitted and published.
		{route: "POST /api/v1/security-advisories", path: "/api/v1/security-advisories", ctype: js, want: 201, body: walkAdvisoryJSON(shop.ID),
			after: func(a httpAnswer) { ids["walkSecAdv"] = walkJSONID(t, a.body, "id") }},
		{route: "PATCH /api/v1/security-advisories/{id}", path: "/api/v1/security-advisories/{walkSecAdv}", ctype: js, want: 200, body: `{"summary": "walked"}`},
		{route: "POST /api/v1/security-advisories/{id}/submit", path: "/api/v1/security-advisories/{walkSecAdv}/submit", want: 200},
		{route: "POST /api/v1/security-advisories/{id}/publish", path: "/api/v1/security-advisories/{walkSecAdv}/publish", want: 200},
		{route: "POST /security-advisories", path: "/security-advisories", ctype: form, want: 303, body: "title=walk-page-advisory&profile=csaf_vex",
			after: func(a httpAnswer) {
				ids["walkPageSecAdv"] = strings.TrimPrefix(a.header.Get("Location"), "/security-advisories/")
			}},
		{route: "POST /security-advisories/{id}", path: "/security-advisories/{walkPageSecAdv}", ctype: form, want: 303, body: url.Values{
			"title": {"walk-page-advisory"}, "profile": {"csaf_vex"}, "summary": {"walked"}, "p0_asset": {aid}, "p0_affected": {"<2"},
			"p0_status": {"under_investigation"}, "v0_title": {"walk"}, "v0_description": {"walked"}}.Encode()},
		{route: "POST /security-advisories/{id}/submit", path: "/security-advisories/{walkPageSecAdv}/submit", ctype: form, want: 303},
		{route: "POST /security-advisories/{id}/publish", path: "/security-advisories/{walkPageSecAdv}/publish", ctype: form, want: 303},
		{route: "POST /api/v1/triage", path: "/api/v1/triage", ctype: js, want: 200,
			body: fmt.Sprintf(`{"finding_ids": [%d], "state": "affected", "reason": "walk"}`, fnd.ID)},
		{route: "POST /api/v1/exceptions", path: "/api/v1/exceptions", ctype: js, want: 201, body: walkException(fnd.ID),
			after: func(a httpAnswer) {
				ids["walkException"] = walkJSONID(t, a.body, "id")
				// One an analyst requests, for the admin to approve and revoke.
				b := rawCall(t, base, "POST", "/api/v1/exceptions", strings.NewReader(walkException(fnd.ID)),
					map[string]string{"Content-Type": js, "Authorization": "Bearer " + tokens["analyst"]})
				if b.status != 201 {
					t.Fatalf("an analyst's exception: %s", b)
				}
				ids["analystException"] = walkJSONID(t, b.body, "id")
			}},
		{route: "GET /api/v1/exceptions", path: "/api/v1/exceptions", want: 200},
		{route: "GET /api/v1/exceptions/{id}", path: "/api/v1/exceptions/" + readException, want: 200, entity: "exception"},
		// Four eyes: the admin requested it, so may not approve it.
		{route: "POST /api/v1/exceptions/{id}/approve", path: "/api/v1/exceptions/{walkException}/approve", want: 403, entity: "exception"},
		{route: "POST /api/v1/exceptions/{id}/reject", path: "/api/v1/exceptions/{walkException}/reject", want: 200, entity: "exception",
			after: func(httpAnswer) {
				a := rawCall(t, base, "POST", "/api/v1/exceptions/"+ids["analystException"]+"/approve", nil, bearerHdr(admin.Token))
				if a.status != 200 {
					t.Fatalf("approving the analyst's exception: %s", a)
				}
			}},
		{route: "POST /api/v1/exceptions/{id}/revoke", path: "/api/v1/exceptions/{analystException}/revoke", ctype: js, want: 200,
			entity: "exception", body: `{"reason": "walk"}`},
		// The triage pages: the finding's forms, bulk triage, and an
		// exception requested on the page beside an analyst's, which is
		// approved and revoked.
		{route: "GET /exceptions", path: "/exceptions", want: 200},
		{route: "GET /exceptions/{id}", path: "/exceptions/" + readException, want: 200},
		{route: "POST /findings/{id}/triage", path: fmt.Sprintf("/findings/%d/triage", fnd.ID), ctype: form, want: 303,
			body: "state=under_investigation&reason=walk"},
		{route: "POST /findings/{id}/assign", path: fmt.Sprintf("/findings/%d/assign", fnd.ID), ctype: form, want: 303, body: "assignee=team-walk"},
		{route: "POST /findings/{id}/comments", path: fmt.Sprintf("/findings/%d/comments", fnd.ID), ctype: form, want: 303, body: "comment=walked"},
		{route: "POST /findings/{id}/ticket", path: fmt.Sprintf("/findings/%d/ticket", fnd.ID), ctype: form, want: 303,
			body: url.Values{"ticket_url": {"https://tracker.example/SEC-2"}, "ticket_key": {"SEC-2"}}.Encode()},
		{route: "POST /findings/triage", path: "/findings/triage?" + url.Values{"asset": {aid}, "q": {fnd.Package}}.Encode(), ctype: form, want: 303,
			body: "state=affected&reason=walk"},
		{route: "POST /findings/{id}/exception", path: fmt.Sprintf("/findings/%d/exception", fnd.ID), ctype: form, want: 303,
			body: url.Values{"exception_reason": {"walk"}, "expires": {time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)}}.Encode(),
			after: func(httpAnswer) {
				es, err := s.Store.Exceptions(t.Context(), model.ExceptionRequested)
				if err != nil || len(es) == 0 {
					t.Fatalf("the page's exception: %v, %v", es, err)
				}
				ids["pageException"] = fmt.Sprint(es[0].ID)
				b := rawCall(t, base, "POST", "/api/v1/exceptions", strings.NewReader(walkException(fnd.ID)),
					map[string]string{"Content-Type": js, "Authorization": "Bearer " + tokens["analyst"]})
				if b.status != 201 {
					t.Fatalf("an analyst's exception: %s", b)
				}
				ids["pageAnalystException"] = walkJSONID(t, b.body, "id")
			}},
		{route: "POST /exceptions/{id}/approve", path: "/exceptions/{pageAnalystException}/approve", ctype: form, want: 303},
		{route: "POST /exceptions/{id}/reject", path: "/exceptions/{pageException}/reject", ctype: form, want: 303, body: "reason=walk"},
		{route: "POST /exceptions/{id}/revoke", path: "/exceptions/{pageAnalystException}/revoke", ctype: form, want: 303, body: "reason=walk"},
		// Disclosure cases (issue 14, part cases): a report, the
		// reporter's message, and the case moved, changed and linked.
		{route: "POST /security/report", path: "/security/report", ctype: form, body: reportBody, want: 201},
		{route: "POST /security/track/", path: "/security/track/" + walkCaseToken, ctype: form, body: "message=walked", want: 303},
		{route: "POST /api/v1/cases/{id}/state", path: "/api/v1/cases/" + caseID + "/state", ctype: js, body: `{"state": "acknowledged"}`, want: 200, entity: "case"},
		{route: "POST /cases/{id}/state", path: "/cases/" + caseID + "/state", ctype: form, body: "state=triaging&note=walk", want: 303},
		{route: "PATCH /api/v1/cases/{id}", path: "/api/v1/cases/" + caseID, ctype: js, body: `{"cve": "CVE-2026-12345", "assignee": "walker"}`, want: 200, entity: "case"},
		{route: "POST /cases/{id}/edit", path: "/cases/" + caseID + "/edit", ctype: form, body: "severity=high&assignee=walker&euvd=EUVD-2026-1", want: 303},
		{route: "POST /api/v1/cases/{id}/messages", path: "/api/v1/cases/" + caseID + "/messages", ctype: js, body: `{"body": "walked"}`, want: 201, entity: "case"},
		{route: "POST /cases/{id}/messages", path: "/cases/" + caseID + "/messages", ctype: form, body: "body=walked&internal=yes", want: 303},
		{route: "POST /api/v1/cases/{id}/extensions", path: "/api/v1/cases/" + caseID + "/extensions", ctype: js, body: `{"days": 5, "reason": "walk"}`, want: 200, entity: "case"},
		{route: "POST /cases/{id}/extensions", path: "/cases/" + caseID + "/extensions", ctype: form, body: "days=5&reason=walk", want: 303},
		{route: "POST /api/v1/cases/{id}/links", path: "/api/v1/cases/" + caseID + "/links", ctype: js, body: `{"kind": "asset", "target": "` + aid + `"}`, want: 201, entity: "case",
			after: func(a httpAnswer) { ids["caseLink"] = walkJSONID(t, a.body, "id") }},
		{route: "POST /cases/{id}/links", path: "/cases/" + caseID + "/links", ctype: form, body: fmt.Sprintf("kind=finding&target=%d", fnd.ID), want: 303,
			after: func(httpAnswer) {
				ls, err := s.Store.CaseLinks(t.Context(), walkCase.ID)
				if err != nil || len(ls) != 2 {
					t.Fatalf("the case's links: %v, %v", ls, err)
				}
				ids["casePageLink"] = fmt.Sprint(ls[1].ID)
			}},
		{route: "POST /cases/{id}/links/{lid}/delete", path: "/cases/" + caseID + "/links/{casePageLink}/delete", ctype: form, want: 303},
		{route: "DELETE /api/v1/cases/{id}/links/{lid}", path: "/api/v1/cases/" + caseID + "/links/{caseLink}", want: 204},
		{route: "POST /api/v1/sla/policy", path: "/api/v1/sla/policy", ctype: js, want: 201, body: slaPolicyJSON(3)},
		{route: "PATCH /api/v1/settings", path: "/api/v1/settings", ctype: js, want: 200, body: `{"exception_max_days": 365}`},
		{route: "POST /scans/cadence", path: "/scans/cadence", ctype: formType, want: 303, body: "internet-facing=30&internal=90&isolated=90"},
		{route: "POST /assets/{id}/scans", path: "/assets/{walkAsset}/scans", body: walkScanMultipart(), ctype: walkMultipartType, want: 303},
		{route: "POST /sla", path: "/sla", ctype: formType, want: 303, body: slaFormValues(sla.DefaultPolicy(time.Now()).Input()).Encode()},
		{route: "POST /api/v1/feeds", path: "/api/v1/feeds", ctype: js, want: 201,
			body:  `{"name": "walk-feed", "kind": "kev", "url": "https://kev.example.invalid/kev.json", "enabled": false}`,
			after: func(a httpAnswer) { ids["walkFeed"] = walkJSONID(t, a.body, "id") }},
		{route: "POST /api/v1/notifications/channels", path: "/api/v1/notifications/channels", ctype: js, want: 201,
			body: `{"name": "walk-hook", "kind": "webhook", "url": "https://hooks.example.invalid/vulndesk"}`,
			after: func(a httpAnswer) {
				var out api.CreatedChannel
				if json.Unmarshal(a.body, &out) != nil || out.Channel.ID == 0 || !strings.HasPrefix(out.Secret, "whsec_") {
					t.Fatalf("a new webhook: %s", a.body)
				}
				ids["walkChannel"] = fmt.Sprint(out.Channel.ID)
			}},
		{route: "POST /api/v1/notifications/channels/{id}/test", path: "/api/v1/notifications/channels/" + chID + "/test", want: 202, entity: "channel"},
		{route: "POST /api/v1/notifications/rules", path: "/api/v1/notifications/rules", ctype: js, want: 201,
			body:  `{"channel_id": ` + chID + `, "events": ["finding.new", "sla.breached"], "min_priority": "attend", "tags": ["pci"]}`,
			after: func(a httpAnswer) { ids["walkRule"] = walkJSONID(t, a.body, "id") }},
		{route: "POST /notifications/channels", path: "/notifications/channels", ctype: formType, want: 200,
			body: "name=walk-page-channel&kind=email&address=page%40example.com",
			after: func(httpAnswer) {
				var cs struct{ Items []model.Channel }
				admin.JSON(t, "GET", "/api/v1/notifications/channels", nil, 200, &cs)
				for _, c := range cs.Items {
					if c.Name == "walk-page-channel" {
						ids["walkPageChannel"] = fmt.Sprint(c.ID)
					}
				}
			}},
		{route: "POST /notifications/rules", path: "/notifications/rules", ctype: formType, want: 303,
			body: "channel_id=" + chID + "&events=feed.failing&events=scan.overdue&assets=shop%2C+intranet&digest=1",
			after: func(httpAnswer) {
				var rs struct{ Items []model.NotifyRule }
				admin.JSON(t, "GET", "/api/v1/notifications/rules", nil, 200, &rs)
				for _, r := range rs.Items {
					if r.Digest {
						ids["walkPageRule"] = fmt.Sprint(r.ID)
					}
				}
			}},
		{route: "POST /notifications/channels/{id}/test", path: "/notifications/channels/" + chID + "/test", ctype: formType, want: 303},
		{route: "PATCH /api/v1/feeds/{id}", path: "/api/v1/feeds/{walkFeed}", body: `{"interval_seconds": 7200}`, ctype: js, want: 200, entity: "feed"},
		{route: "POST /api/v1/feeds/{id}/sync", path: fmt.Sprintf("/api/v1/feeds/%d/sync", examplesFeed), want: 202, entity: "feed"},
		{route: "POST /api/v1/tokens", path: "/api/v1/tokens", body: `{"name": "walk-token", "role": "auditor"}`, ctype: js, want: 201,
			after: func(a httpAnswer) {
				var out struct {
					Token string `json:"token"`
					Info  struct {
						ID int64 `json:"id"`
					} `json:"info"`
				}
				json.Unmarshal(a.body, &out)
				walkToken, ids["walkToken"] = out.Token, fmt.Sprint(out.Info.ID)
				if me := rawCall(t, base, "GET", "/api/v1/me", nil, bearerHdr(walkToken)); me.status != 200 {
					t.Errorf("a new token: GET /api/v1/me: %s", me)
				}
			}},
		{route: "POST /api/v1/users", path: "/api/v1/users", body: `{"username": "walker", "role": "auditor"}`, ctype: js, want: 201,
			after: func(a httpAnswer) {
				var out struct {
					User struct {
						ID int64 `json:"id"`
					} `json:"user"`
				}
				json.Unmarshal(a.body, &out)
				ids["walkUser"] = fmt.Sprint(out.User.ID)
			}},
		{route: "PATCH /api/v1/users/{id}", path: "/api/v1/users/{walkUser}", body: `{"role": "analyst"}`, ctype: js, want: 200, entity: "user"},
		{route: "POST /api/v1/users/{id}/password", path: "/api/v1/users/{walkUser}/password", body: `{}`, ctype: js, want: 200, entity: "user"},
		// The walk's admin is a token, which has no password to change.
		{route: "POST /api/v1/me/password", path: "/api/v1/me/password", body: `{"current_password": "a", "new_password": "b"}`, ctype: js, want: 400},
		{route: "POST /feeds", path: "/feeds", ctype: formType, want: 303, body: "name=walk-page-feed&kind=kev&url=https%3A%2F%2Fkev.example.invalid%2Fkev.json",
			after: func(httpAnswer) { ids["walkPageFeed"] = fmt.Sprint(feedID(t, admin, "walk-page-feed")) }},
		{route: "POST /feeds/{id}", path: "/feeds/{walkPageFeed}", ctype: formType, want: 303,
			body: "name=walk-page-feed&kind=kev&url=https%3A%2F%2Fkev.example.invalid%2Fkev.json&interval_seconds=7200"},
		{route: "POST /feeds/{id}/sync", path: fmt.Sprintf("/feeds/%d/sync", examplesFeed), ctype: formType, want: 303},
		{route: "POST /access/password", path: "/access/password", ctype: formType, want: 400,
			body: "current_password=a&new_password=b&repeat_password=b"},
		{route: "POST /access/users", path: "/access/users", ctype: formType, body: "username=page-walker&role=auditor", want: 200,
			after: func(httpAnswer) { ids["pageWalker"] = fmt.Sprint(pageUserID(t, s, "page-walker")) }},
		{route: "POST /access/users/{id}", path: "/access/users/{pageWalker}", ctype: formType, body: "role=analyst", want: 303},
		{route: "POST /access/users/{id}/password", path: "/access/users/{pageWalker}/password", ctype: formType, body: "password=", want: 200},
		{route: "POST /access/tokens", path: "/access/tokens", ctype: formType, body: "name=page-walk-token&role=auditor", want: 200,
			after: func(a httpAnswer) {
				if me := rawCall(t, base, "GET", "/api/v1/me", nil, bearerHdr(newTokenIn(t, a.body))); me.status != 200 {
					t.Errorf("a token made on the access page: GET /api/v1/me: %s", me)
				}
				ids["pageWalkToken"] = fmt.Sprint(pageTokenID(t, s, "page-walk-token"))
			}},
		{route: "POST /access/tokens/{id}/revoke", path: "/access/tokens/{pageWalkToken}/revoke", ctype: formType, want: 303},
		{route: "DELETE /api/v1/tokens/{id}", path: "/api/v1/tokens/{walkToken}", want: 204, entity: "token",
			after: func(httpAnswer) {
				// A revoked token opens nothing.
				for _, p := range []string{"/api/v1/me", "/api/v1/findings", "/metrics"} {
					a := rawCall(t, base, "GET", p, nil, bearerHdr(walkToken))
					wantAPIError(t, "revoked token: GET "+p, a.status, a.body, 401)
				}
			}},
		{route: "DELETE /api/v1/feeds/{id}", path: "/api/v1/feeds/{walkFeed}", want: 204, entity: "feed"},
		{route: "DELETE /api/v1/notifications/rules/{id}", path: "/api/v1/notifications/rules/{walkRule}", want: 204, entity: "rule"},
		{route: "DELETE /api/v1/notifications/channels/{id}", path: "/api/v1/notifications/channels/{walkChannel}", want: 204, entity: "channel"},
		{route: "POST /notifications/rules/{id}/delete", path: "/notifications/rules/{walkPageRule}/delete", ctype: formType, want: 303},
		{route: "POST /notifications/channels/{id}/delete", path: "/notifications/channels/{walkPageChannel}/delete", ctype: formType, want: 303},
		{route: "POST /feeds/{id}/delete", path: "/feeds/{walkPageFeed}/delete", ctype: formType, body: "confirm=yes", want: 303},
		{route: "DELETE /api/v1/assets/{id}/product", path: "/api/v1/assets/{walkAsset}/product", want: 204, entity: "asset"},
		{route: "POST /products/{id}/delete", path: "/products/" + aid + "/delete", ctype: formType, want: 303},
		{route: "DELETE /api/v1/assets/{id}", path: "/api/v1/assets/{walkAsset}", want: 204, entity: "asset"},
		{route: "POST /logout", path: "/logout", want: 303,
			after: func(a httpAnswer) {
				if loc := a.header.Get("Location"); loc != "/login" {
					t.Errorf("POST /logout: Location %q, want /login", loc)
				}
			}},
		// Signing in is the login check below; anonymous wrong
		// passwords would count against the rate limit it tests.
		{route: "POST /login", skipAnon: true},

		// Disclosure (issue 14, sectxt): the contact is set above.
		{route: "GET /.well-known/security.txt", path: "/.well-known/security.txt", want: 200},
		{route: "GET /security.txt", path: "/security.txt", want: 301},
		{route: "GET /security/policy", path: "/security/policy", want: 200},
		{route: "GET /settings/disclosure", path: "/settings/disclosure", want: 200},
		{route: "GET /api/v1/settings/disclosure", path: "/api/v1/settings/disclosure", want: 200},
		{route: "PATCH /api/v1/settings/disclosure", path: "/api/v1/settings/disclosure", ctype: js, want: 200, body: `{"expires_days": 200}`},
		{route: "POST /settings/disclosure", path: "/settings/disclosure", ctype: formType, want: 303, body: walkDisclosureForm()},
	}

	// Every route has a step, and every step is a route.
	stepFor := map[string]bool{}
	for _, st := range steps {
		if _, ok := table[st.route]; !ok {
			t.Errorf("walk step %s is not a route of the table", st.route)
		}
		stepFor[st.route] = true
	}
	for k := range table {
		if !stepFor[k] {
			t.Errorf("route %s has no walk step: add one", k)
		}
	}
	// Who may do what, written down here independently of the table: a
	// change of a route's permission must be a deliberate change of both.
	for k, r := range table {
		want, ok := accessPolicy[k]
		got := "signed-in"
		switch {
		case r.Public:
			got = "public"
		case len(r.Scopes) == 1:
			got = r.Scopes[0]
		case len(r.Scopes) > 1:
			got = strings.Join(r.Scopes, "+")
		}
		if !ok || got != want {
			t.Errorf("route %s needs %q; the access policy says %q", k, got, want)
		}
	}
	for k := range accessPolicy {
		if _, ok := table[k]; !ok {
			t.Errorf("the access policy names %s, which is not a route", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	fill := func(p string, anon bool) string {
		return regexp.MustCompile(`\{(\w+)\}`).ReplaceAllStringFunc(p, func(m string) string {
			if v, ok := ids[m[1:len(m)-1]]; ok && !anon {
				return v
			}
			if anon {
				return "1" // authorization is decided before the ID is read
			}
			t.Fatalf("path %s: %s not known yet", p, m)
			return ""
		})
	}
	headers := func(st walkStep, extra map[string]string) map[string]string {
		h := map[string]string{}
		if st.ctype != "" {
			h["Content-Type"] = st.ctype
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	method := func(st walkStep) string { m, _, _ := strings.Cut(st.route, " "); return m }

	var n401, n403, n404, routed int
	// (a) Nobody: 401 JSON for the API and /metrics, 303 to /login for pages;
	// a bad or malformed token is nobody too. Public reads need nothing.
	for _, st := range steps {
		r := table[st.route]
		m := method(st)
		if r.Public {
			if m == "GET" && !st.skipAnon {
				if a := rawCall(t, base, m, fill(st.path, true), strings.NewReader(st.body), headers(st, nil)); a.status != st.want {
					t.Errorf("%s without credentials: %s; want %d", st.route, a, st.want)
				}
			}
			continue
		}
		for _, cred := range []map[string]string{nil, bearerHdr("vdk_notavalidtokenatall"), {"Authorization": "Basic YWRtaW46YWRtaW4="},
			{"Cookie": "vulndesk_session=forged"}} {
			a := rawCall(t, base, m, fill(st.path, true), strings.NewReader(st.body), headers(st, cred))
			n401++
			what := fmt.Sprintf("%s with credentials %v", st.route, cred)
			if r.Page {
				if loc := a.header.Get("Location"); a.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
					t.Errorf("%s: %d Location %q; want 303 to /login", what, a.status, loc)
				}
				continue
			}
			wantAPIError(t, what, a.status, a.body, 401, "authentication required")
			if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: 401 without WWW-Authenticate: Bearer", what)
			}
		}
	}

	// (b) Each role: 403 where it lacks a scope the route needs; where it
	// has them all, reads answer as they do for the admin.
	for _, role := range roles {
		for _, st := range steps {
			r := table[st.route]
			if r.Public {
				continue
			}
			m := method(st)
			lacks := false
			for _, sc := range r.Scopes {
				lacks = lacks || !slices.Contains(scopes[role], sc)
			}
			what := fmt.Sprintf("%s as %s (scopes %v, needs %v)", st.route, role, scopes[role], r.Scopes)
			if !lacks && m != "GET" {
				continue // the admin's walk below makes the writes
			}
			a := rawCall(t, base, m, fill(st.path, true), strings.NewReader(st.body), headers(st, bearerHdr(tokens[role])))
			if lacks {
				n403++
			}
			switch {
			case lacks && r.Page:
				if a.status != http.StatusForbidden {
					t.Errorf("%s: %s; want 403", what, a)
				}
			case lacks:
				wantAPIError(t, what, a.status, a.body, 403, "role "+role, "needs")
			case a.status != st.want:
				t.Errorf("%s: %s; want %d", what, a, st.want)
			}
		}
	}

	// (c) The admin: every route is really routed and answers as it
	// should; with an ID that does not exist, the handler — not the mux —
	// answers 404 naming the entity.
	for _, st := range steps {
		if st.path == "" {
			continue
		}
		m := method(st)
		if st.entity != "" {
			missing := regexp.MustCompile(`^(/api/v1/(?:notifications/)?[a-z-]+/)[^/?]+`).ReplaceAllString(st.path, "${1}"+walkMissingID)
			if st.entity == "advisory" {
				missing = "/api/v1/advisories/NOPE-0000-" + walkMissingID
			}
			a := rawCall(t, base, m, missing, strings.NewReader(st.body), headers(st, bearerHdr(admin.Token)))
			want := st.entity + " " + walkMissingID
			if st.entity == "advisory" {
				want = "advisory NOPE-0000-" + walkMissingID
			}
			wantAPIError(t, fmt.Sprintf("%s %s as admin", m, missing), a.status, a.body, 404, want)
			n404++
			if strings.Contains(string(a.body), "no such API route") {
				t.Errorf("%s %s: the mux answered, not the handler: %s", m, missing, a.body)
			}
		}
		a := rawCall(t, base, m, fill(st.path, false), strings.NewReader(st.body), headers(st, bearerHdr(admin.Token)))
		if a.status != st.want {
			t.Errorf("%s (%s) as admin: %s; want %d", st.route, fill(st.path, false), a, st.want)
			continue
		}
		if a.status == 404 || a.status == 405 || strings.Contains(string(a.body), "no such API route") {
			t.Errorf("%s as admin: not routed: %s", st.route, a)
		}
		routed++
		if st.after != nil {
			st.after(a)
		}
	}
	// The mux's own 404 for what is not a route, which the checks above
	// tell apart from the handlers' 404s.
	a := rawCall(t, base, "GET", "/api/v1/no-such-thing", nil, bearerHdr(admin.Token))
	wantAPIError(t, "GET /api/v1/no-such-thing", a.status, a.body, 404, "no such API route")

	// The document lists every method each path answers: any other
	// method is not routed, and is answered 405 with Allow naming the
	// documented ones.
	for p := range doc.Paths {
		path := regexp.MustCompile(`\{id\}`).ReplaceAllString(p, walkMissingID)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if _, ok := docOps[m+" "+p]; ok {
				continue
			}
			if _, ok := table[m+" "+p]; ok {
				continue // a page route on the same path
			}
			a := rawCall(t, base, m, path, nil, bearerHdr(admin.Token))
			if a.status != http.StatusMethodNotAllowed || !strings.Contains(string(a.body), "not allowed") {
				t.Errorf("%s %s is not in the document, yet answers %s", m, path, a)
			}
			for dm := range doc.Paths[p] {
				if !strings.Contains(a.header.Get("Allow"), strings.ToUpper(dm)) {
					t.Errorf("%s %s: Allow %q does not name the documented %s", m, path, a.header.Get("Allow"), strings.ToUpper(dm))
				}
			}
		}
	}

	loginChecks(t, s)
	t.Logf("%s: %d routes, %d documented operations; %d anonymous or bad-credential calls refused, %d calls refused 403 to roles without the scope, %d routes answered the admin, %d handler 404s for missing IDs; took %v",
		e.Name, len(table), len(docOps), n401, n403, routed, n404,
		time.Since(began).Round(time.Millisecond))
}

// walkMultipartType is the content type of walkMultipart's bodies.
const walkMultipartType = "multipart/form-data; boundary=walk-boundary-2026"

// walkMultipart is an upload form's body holding the file.
// walkScanMultipart is the asset page's external-scan form.
func walkScanMultipart() string {
	return "--walk-boundary-2026\r\nContent-Disposition: form-data; name=\"tool\"\r\n\r\nZAP\r\n" +
		"--walk-boundary-2026\r\nContent-Disposition: form-data; name=\"scanned_at\"\r\n\r\n2026-11-30\r\n" +
		"--walk-boundary-2026\r\nContent-Disposition: form-data; name=\"report\"; filename=\"zap.html\"\r\n" +
		"Content-Type: text/html\r\n\r\n<html>no alerts</html>\r\n--walk-boundary-2026--\r\n"
}

func walkMultipart(file string) string {
	return "--walk-boundary-2026\r\nContent-Disposition: form-data; name=\"sbom\"; filename=\"walk.cdx.json\"\r\n" +
		"Content-Type: application/json\r\n\r\n" + file + "\r\n--walk-boundary-2026--\r\n"
}

// walkJSONID reads a numeric ID field of a JSON object.
func walkJSONID(t *testing.T, b []byte, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	v, ok := m[field].(float64)
	if !ok || v <= 0 {
		t.Fatalf("no %s in %s", field, b)
	}
	return fmt.Sprint(int64(v))
}

// loginChecks signs in as a person: the cookie, the overview page,
// cross-origin refusal, logout and the limit on wrong passwords.
func loginChecks(t *testing.T, s *inproc) {
	base := s.URL
	form := func(user, pw string) io.Reader {
		return strings.NewReader(url.Values{"username": {user}, "password": {pw}, "next": {"/"}}.Encode())
	}
	formHdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

	a := rawCall(t, base, "GET", "/login", nil, nil)
	if a.status != 200 || !strings.Contains(string(a.body), `name="password"`) {
		t.Errorf("GET /login: %d", a.status)
	}
	// After signing in, "next" leads only to a path of this site: not to
	// another host, however the URL is dressed up for a browser (which
	// drops tabs and line breaks and reads "\" as "/").
	for next, want := range map[string]string{
		"/assets?x=1":                  "/assets?x=1",
		"https://evil.example/":        "/",
		"//evil.example/":              "/",
		"/\\evil.example/":             "/",
		"/\t/evil.example/":            "/",
		"/\n/evil.example/":            "/",
		"\t//evil.example/":            "/",
		"/%2F/evil.example/":           "/%2F/evil.example/",
		"javascript:alert(1)":          "/",
		"/" + strings.Repeat("a", 600): "/",
	} {
		body := strings.NewReader(url.Values{"username": {"admin"}, "password": {walkAdminPassword}, "next": {next}}.Encode())
		a := rawCall(t, base, "POST", "/login", body, formHdr)
		if loc := a.header.Get("Location"); a.status != http.StatusSeeOther || loc != want {
			t.Errorf("POST /login with next %q: %d to %q; want 303 to %q", next, a.status, loc, want)
		}
		page := rawCall(t, base, "GET", "/login?next="+url.QueryEscape(next), nil, nil)
		if want == "/" && strings.Contains(string(page.body), "evil.example") {
			t.Errorf("GET /login?next=%q puts the foreign target in the form", next)
		}
	}
	a = rawCall(t, base, "POST", "/login", form("admin", walkAdminPassword), formHdr)
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/" {
		t.Fatalf("POST /login: %s (Location %q); want 303 to /", a, a.header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == "vulndesk_session" {
			session = c
		}
	}
	if session == nil || session.Value == "" {
		t.Fatalf("POST /login set no session cookie: %v", a.header["Set-Cookie"])
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Errorf("session cookie %q: want HttpOnly, SameSite=Strict, Path=/", a.header.Get("Set-Cookie"))
	}
	cookie := map[string]string{"Cookie": session.Name + "=" + session.Value}

	// The overview page shows the numbers the API has.
	var ov struct {
		Open       int            `json:"open_findings"`
		BySeverity map[string]int `json:"open_by_severity"`
	}
	s.admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
	page := rawCall(t, base, "GET", "/", nil, cookie)
	if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / signed in: %d %s", page.status, page.header.Get("Content-Type"))
	}
	html := string(page.body)
	if ov.Open == 0 {
		t.Errorf("the seeded installation has no open findings: the page check proves little")
	}
	if !strings.Contains(html, fmt.Sprintf(`<span class="n">%d</span> open findings`, ov.Open)) {
		t.Errorf("the overview page does not show %d open findings", ov.Open)
	}
	bars := regexp.MustCompile(`(?s)class="label">(\w+)</text>.*?class="count">(\d+)</text>`).FindAllStringSubmatch(html, -1)
	if len(bars) != 6 {
		t.Errorf("the overview page has %d severity bars, want 6", len(bars))
	}
	for _, m := range bars {
		if fmt.Sprint(ov.BySeverity[m[1]]) != m[2] {
			t.Errorf("the overview page shows %s open %s findings; the API says %d", m[2], m[1], ov.BySeverity[m[1]])
		}
	}
	var me struct{ Name string }
	if a := rawCall(t, base, "GET", "/api/v1/me", nil, cookie); a.status != 200 || json.Unmarshal(a.body, &me) != nil || me.Name != "admin" {
		t.Errorf("GET /api/v1/me with the session: %s", a)
	}

	// Another origin may not use the session to change anything.
	evil := map[string]string{"Cookie": cookie["Cookie"], "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site",
		"Content-Type": "application/json"}
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/api/v1/assets", `{"name": "csrf-asset"}`},
		{"PATCH", "/api/v1/feeds/1", `{"enabled": true}`},
		{"DELETE", "/api/v1/assets/1", ""},
		{"POST", "/api/v1/tokens", `{"name": "csrf", "role": "admin"}`},
		{"POST", "/logout", ""},
		{"POST", "/login", "username=admin&password=x"}, // login CSRF
	} {
		a := rawCall(t, base, req.method, req.path, strings.NewReader(req.body), evil)
		if a.status != http.StatusForbidden {
			t.Errorf("cross-origin %s %s with a session: %s; want 403", req.method, req.path, a)
		}
	}
	var found struct{ Items []model.Asset }
	s.admin.JSON(t, "GET", "/api/v1/assets?q=csrf-asset", nil, 200, &found)
	if len(found.Items) != 0 {
		t.Errorf("a refused cross-origin request created %+v", found.Items)
	}
	if a := rawCall(t, base, "GET", "/", nil, cookie); a.status != 200 {
		t.Errorf("the session ended by a refused cross-origin logout: %d", a.status)
	}
	// The same request from the same origin goes through.
	same := map[string]string{"Cookie": cookie["Cookie"], "Origin": base, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}
	if a := rawCall(t, base, "POST", "/api/v1/assets", strings.NewReader(`{"name": "same-origin-asset"}`), same); a.status != 201 {
		t.Errorf("same-origin POST /api/v1/assets with a session: %s", a)
	}

	// Logout ends the session on the server, not only in the browser.
	a = rawCall(t, base, "POST", "/logout", nil, same)
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/login" {
		t.Errorf("POST /logout: %s", a)
	}
	if a := rawCall(t, base, "GET", "/", nil, cookie); a.status != http.StatusSeeOther {
		t.Errorf("GET / with the session after logout: %d; want 303 to /login", a.status)
	}
	if a := rawCall(t, base, "GET", "/api/v1/me", nil, cookie); a.status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with the session after logout: %d; want 401", a.status)
	}

	// Five wrong passwords are answered 401; the sixth attempt is refused
	// 429 — and so is then the right password.
	for i := 1; i <= 6; i++ {
		a := rawCall(t, base, "POST", "/login", form("admin", fmt.Sprintf("wrong-password-%d", i)), formHdr)
		want := http.StatusUnauthorized
		if i == 6 {
			want = http.StatusTooManyRequests
		}
		if a.status != want {
			t.Errorf("wrong password %d: %d; want %d", i, a.status, want)
		}
		if i == 6 && a.header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		if c := a.header.Get("Set-Cookie"); strings.Contains(c, "vulndesk_session=") {
			t.Errorf("wrong password %d set a cookie: %s", i, c)
		}
	}
	if a := rawCall(t, base, "POST", "/login", form("admin", walkAdminPassword), formHdr); a.status != http.StatusTooManyRequests {
		t.Errorf("the right password while limited: %d; want 429", a.status)
	}
}

// walkVEX is an OpenVEX document that says the vulnerability is under
// investigation in the asset.
func walkVEX(asset, vuln string) string {
	return fmt.Sprintf(`{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "walk", "author": "walk", "timestamp": "2020-01-01T00:00:00Z",
		"statements": [{"vulnerability": {"name": %q}, "products": [{"@id": %q}], "status": "under_investigation"}]}`, vuln, asset)
}

// walkSecAdv is the advisory the walk publishes before it starts.
type walkSecAdv struct{ id, path, fingerprint string }

// walkAdvisoryJSON is a complete advisory about the asset.
func walkAdvisoryJSON(asset int64) string {
	return fmt.Sprintf(`{"title": "walk", "summary": "walked", "products": [{"asset_id": %d, "affected": "<2.0", "fixed": "2.0"}],
		"vulnerabilities": [{"title": "walk", "description": "walked", "remediation": "update",
		"cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}`, asset)
}

// walkPublishAdvisory creates, submits and publishes an advisory about
// the asset (issue 14, csaf), and returns where it is served.
func walkPublishAdvisory(t *testing.T, admin *servertest.Client, asset int64) walkSecAdv {
	t.Helper()
	var a model.SecurityAdvisory
	admin.JSON(t, "POST", "/api/v1/security-advisories", strings.NewReader(walkAdvisoryJSON(asset)), 201, &a)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/submit", a.ID), nil, 200, &a)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/security-advisories/%d/publish", a.ID), nil, 200, &a)
	var pm struct {
		Keys []struct{ Fingerprint string } `json:"public_openpgp_keys"`
	}
	admin.JSON(t, "GET", "/.well-known/csaf/provider-metadata.json", nil, 200, &pm)
	if len(pm.Keys) != 1 || a.InitialReleaseAt == nil {
		t.Fatalf("published advisory %+v; provider keys %+v", a, pm.Keys)
	}
	return walkSecAdv{id: fmt.Sprint(a.ID), path: fmt.Sprintf("%d/%s", a.InitialReleaseAt.Year(), a.FileName), fingerprint: pm.Keys[0].Fingerprint}
}
