package server_test

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// badTexts are the two kinds of text no field may carry, as they appear in
// a URL and inside a JSON string.
var badTexts = []struct {
	name     string
	inURL    string // percent-encoded
	inJSON   string // inside a JSON string literal
	inSBOM   string // inside an SBOM's JSON string literal
	wantWord string // what the 400's message names
}{
	{"NUL", "a%00b", `a\u0000b`, `a\u0000b`, "NUL"},
	{"invalid UTF-8", "a%FFb", "a\xffb", "a\xffb", "UTF-8"},
}

// bodySamples are a valid request body per body schema of the route table,
// with BAD where the bad text goes.
var bodySamples = map[string]string{
	"Asset":             `{"name": "bad-text-asset", "owner": "BAD", "tags": ["ok", "BAD"]}`,
	"Feed":              `{"name": "BAD", "kind": "kev", "url": "https://example.org/kev.json", "enabled": false}`,
	"NewToken":          `{"name": "BAD", "role": "auditor"}`,
	"NewChannel":        `{"name": "BAD", "kind": "email", "address": "sec@example.com"}`,
	"NewRule":           `{"channel_id": 1, "events": ["finding.new"], "assets": ["BAD"]}`,
	"NewUser":           `{"username": "bad-text-user", "role": "auditor", "password": "long enough password BAD"}`,
	"UserChange":        `{"role": "BAD"}`,
	"SetPassword":       `{"password": "a long enough passphrase BAD"}`,
	"OwnPassword":       `{"current_password": "BAD", "new_password": "a long enough passphrase"}`,
	"TriageInput":       `{"state": "affected", "reason": "BAD"}`,
	"Assignment":        `{"assignee": "BAD"}`,
	"Comment":           `{"body": "BAD"}`,
	"Ticket":            `{"url": "https://tracker.example/BAD", "key": "BAD"}`,
	"BulkTriage":        `{"finding_ids": [1], "state": "affected", "reason": "BAD"}`,
	"ExceptionInput":    `{"finding_ids": [1], "reason": "BAD", "expires_at": "2099-01-01T00:00:00Z"}`,
	"ExceptionDecision": `{"reason": "BAD"}`,
	"SLAPolicyInput":    `{"rules": {}, "unknown_as": "BAD", "criticality_percent": {}}`,
	"SettingsPatch":     `{"exception_max_days": 30, "BAD": 1}`,
	// Disclosure settings (issue 14, sectxt).
	"DisclosurePatch": `{"organisation": "BAD", "contacts": ["mailto:BAD@example.org"], "csirt": {"name": "BAD"}}`,
	"sarif": `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gosec"}},
		"results": [{"ruleId": "G101", "message": {"text": "BAD"}}]}]}`,
	// CSAF advisories (issue 14, csaf).
	"SecurityAdvisory": `{"title": "BAD", "summary": "BAD", "vulnerabilities": [{"title": "t", "description": "BAD"}]}`,
	"vex": `{"@context": "https://openvex.dev/ns/v0.2.0", "author": "BAD", "statements": [
		{"vulnerability": {"name": "CVE-2026-0001"}, "products": [{"@id": "pkg:npm/a@1"}], "status": "fixed"}]}`,
	"sbom": `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
		{"type": "library", "name": "BAD", "version": "1.0.0", "purl": "pkg:pypi/requests@2.0.0"}]}`,

	// Disclosure cases (issue 14, part cases).
	"CasePatch":          `{"assignee": "BAD"}`,
	"CaseStateChange":    `{"state": "acknowledged", "note": "BAD"}`,
	"CaseMessageInput":   `{"body": "BAD"}`,
	"CaseLinkInput":      `{"kind": "asset", "target": "BAD"}`,
	"CaseExtensionInput": `{"days": 1, "reason": "BAD"}`,
	// CRA (issue 14, part cra).
	"ProductInput":       `{"name": "BAD", "support_end": "2030-01-01"}`,
	"NewOutboundReport":  `{"kind": "upstream", "finding_id": 1, "recipient": "BAD", "upstream_project": "u", "channel": "email"}`,
	"OutboundUpdate":     `{"response": "BAD"}`,
	"CRAStart":           `{"finding_id": 1, "note": "BAD"}`,
	"CRADraftsPatch":     `{"early_warning": {"details": "BAD"}}`,
	"CRAMitigation":      `{"description": "BAD"}`,
	"CRASubmissionInput": `{"report": "early_warning", "reference": "BAD"}`,
}

// TestBadTextWalk walks the route table: a NUL byte or invalid UTF-8 in
// any path segment, query parameter, form field, JSON field or SBOM field
// is a 400 that names the problem, on both engines, and stores nothing.
// PostgreSQL refused such text with a 500; SQLite stored it.
func TestBadTextWalk(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { badTextWalk(t, e) })
	}
}

func badTextWalk(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{seed: true})
	admin := p.admin
	ids := realIDs(t, p)
	before := storedNames(t, p)
	fill := func(pattern string) string {
		return regexp.MustCompile(`\{(\w+)\}`).ReplaceAllStringFunc(pattern, func(m string) string {
			return ids[m[1:len(m)-1]]
		})
	}
	checked := 0
	for _, rt := range server.Routes() {
		route := rt.Method + " " + rt.Pattern
		for _, bad := range badTexts {
			want := func(what string, a httpAnswer) {
				t.Helper()
				checked++
				if a.status != 400 || !strings.Contains(string(a.body), bad.wantWord) {
					t.Errorf("%s, %s in %s: %s; want 400 naming %s", route, bad.name, what, a, bad.wantWord)
				}
			}
			hdr := bearerHdr(admin.Token)
			// Each path segment.
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(rt.Pattern, -1) {
				path := strings.Replace(fill(strings.Replace(rt.Pattern, m[0], "\x01", 1)), "\x01", bad.inURL, 1)
				want("path segment {"+m[1]+"}", rawCall(t, p.URL, rt.Method, path, nil, hdr))
			}
			base := fill(strings.TrimSuffix(rt.Pattern, "{$}"))
			// Each query parameter, and a parameter's name.
			for _, q := range append(rt.Query, bad.inURL) {
				name, value := q, bad.inURL
				if q == bad.inURL {
					name, value = bad.inURL, "1"
				}
				want("query parameter "+name, rawCall(t, p.URL, rt.Method, base+"?"+name+"="+value, nil, hdr))
			}
			// The body.
			// The form is the sign-in's, below; a file is a scan's report,
			// binary by nature (a PDF), whose text fields are the query
			// parameters checked above.
			if rt.Body != "" && rt.Body != "form" && rt.Body != "file" && rt.Body != "report" { // report: below
				sample, ok := bodySamples[rt.Body]
				if !ok {
					t.Fatalf("%s takes a %s body: add a sample to bodySamples", route, rt.Body)
				}
				body := strings.ReplaceAll(sample, "BAD", bad.inJSON)
				if rt.Body == "sbom" || rt.Body == "sarif" {
					body = strings.ReplaceAll(sample, "BAD", bad.inSBOM)
				}
				if rt.Pattern == "/api/v1/sboms" {
					base += "?asset=bad-text-sbom&create=true"
				}
				want("the body", rawCall(t, p.URL, rt.Method, base, strings.NewReader(body),
					map[string]string{"Authorization": "Bearer " + admin.Token, "Content-Type": "application/json"}))
			}
		}
	}
	// The sign-in form.
	for _, bad := range badTexts {
		for _, field := range []string{"username", "password"} {
			form := url.Values{"username": {"admin"}, "password": {"x"}}.Encode()
			form = strings.Replace(form, field+"="+map[string]string{"username": "admin", "password": "x"}[field], field+"="+bad.inURL, 1)
			a := rawCall(t, p.URL, "POST", "/login", strings.NewReader(form),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			checked++
			if a.status != 400 || !strings.Contains(string(a.body), bad.wantWord) {
				t.Errorf("POST /login, %s in %s: %s; want 400 naming %s", bad.name, field, a, bad.wantWord)
			}
		}
	}
	// The public report form and tracking messages (issue 14, part
	// cases): bad text in any field of either encoding, nothing stored.
	checked += badTextReports(t, p)
	if after := storedNames(t, p); after != before {
		t.Errorf("bad text was stored:\nbefore %s\nafter  %s", before, after)
	}
	t.Logf("%s: %d requests with bad text, all refused", e.Name, checked)
}

// realIDs are IDs that exist on the seeded server, by wildcard name.
func realIDs(t *testing.T, p *inproc) map[string]string {
	t.Helper()
	var assets struct{ Items []model.Asset }
	p.admin.JSON(t, "GET", "/api/v1/assets", nil, 200, &assets)
	if len(assets.Items) == 0 {
		t.Fatal("no seeded asset")
	}
	shop := assets.Items[0]
	var fs struct{ Items []model.AssetFinding }
	p.admin.JSON(t, "GET", "/api/v1/findings?status=all", nil, 200, &fs)
	ids := map[string]string{"id": fmt.Sprint(shop.ID), "file": "app.css"}
	ids["aid"], ids["lid"] = "1", "1" // a case's attachment and link (issue 14, part cases)
	ids["year"] = "2026"              // CSAF advisories (issue 14, csaf): /.well-known/csaf/white/{year}/{file}
	if len(fs.Items) > 0 {
		ids["finding"] = fmt.Sprint(fs.Items[0].ID)
	}
	return ids
}

// storedNames is a fingerprint of what the walk could have written.
func storedNames(t *testing.T, p *inproc) string {
	t.Helper()
	var b bytes.Buffer
	for _, path := range []string{"/api/v1/assets", "/api/v1/feeds", "/api/v1/tokens", "/api/v1/users"} {
		_, body := p.admin.Do(t, "GET", path, nil)
		n := strings.Count(string(body), `"id":`)
		fmt.Fprintf(&b, "%s: %d; ", path, n)
	}
	return b.String()
}
