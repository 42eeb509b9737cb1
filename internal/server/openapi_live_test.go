package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The server's answers are what the document says, checked against its
// schemas (required fields, types, enums, formats): every GET route on the
// seeded data, creations and changes, an uploader's receipt, errors. The
// bodies sent are checked against the request schemas too, and every value
// a query parameter's enum lists is accepted, another refused.
func TestOpenAPIAnswersMatch(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{seed: true, jobs: true})
	_, doc := fetchDocument(t, p)
	c := &docChecker{t: t, doc: doc, base: p.URL, hdr: bearerHdr(p.admin.Token)}

	var assets struct{ Items []model.Asset }
	p.admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &assets)
	if len(assets.Items) != 1 || assets.Items[0].CurrentSnapshotID == 0 {
		t.Fatalf("the seeded asset: %+v", assets.Items)
	}
	shop := assets.Items[0]
	waitMatched(t, p.admin, shop.CurrentSnapshotID)
	var fs struct{ Items []model.AssetFinding }
	p.admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings?asset=%d", shop.ID), nil, 200, &fs)
	if len(fs.Items) == 0 {
		t.Fatal("the seeded asset has no findings")
	}
	ids := map[string]string{"assets": fmt.Sprint(shop.ID), "snapshots": fmt.Sprint(shop.CurrentSnapshotID),
		"findings": fmt.Sprint(fs.Items[0].ID), "advisories": fs.Items[0].VulnID, "nvd": "CVE-2023-39325", "feeds": fmt.Sprint(feedID(t, p.admin, "examples"))}
	var exc model.Exception
	p.admin.JSON(t, "POST", "/api/v1/exceptions", strings.NewReader(walkException(fs.Items[0].ID)), 201, &exc)
	ids["exceptions"] = fmt.Sprint(exc.ID)
	var scans struct{ Items []model.ScanRecord }
	p.admin.JSON(t, "GET", fmt.Sprintf("/api/v1/assets/%d/scans", shop.ID), nil, 200, &scans)
	if len(scans.Items) == 0 {
		t.Fatal("the seeded asset's SBOM upload has no scan record")
	}
	ids["scans"] = fmt.Sprint(scans.Items[0].ID)
	var ch api.CreatedChannel
	p.admin.JSON(t, "POST", "/api/v1/notifications/channels", strings.NewReader(`{"name": "live", "kind": "email", "address": "sec@example.com"}`), 201, &ch)
	var test model.Delivery
	p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/notifications/channels/%d/test", ch.Channel.ID), nil, 202, &test)
	ids["channels"], ids["deliveries"] = fmt.Sprint(ch.Channel.ID), fmt.Sprint(test.ID)
	// Disclosure cases (issue 14, part cases).
	liveCase, _ := walkReport(t, p)
	ids["cases"], ids["attachments"] = fmt.Sprint(liveCase.ID), fmt.Sprint(liveCase.Attachments[0].ID)
	// CSAF advisories (issue 14, csaf): a published one.
	ids["security-advisories"] = walkPublishAdvisory(t, p.admin, shop.ID).id
	// CRA (issue 14, part cra): the seeded asset as a product with a
	// clock (its measure and a submission) and an outbound report.
	p.admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", shop.ID), strings.NewReader(`{"support_end": "2031-12-31", "member_states": ["DE"]}`), 200, nil)
	var clock model.CRAClock
	p.admin.JSON(t, "POST", "/api/v1/cra", strings.NewReader(fmt.Sprintf(`{"finding_id": %d}`, fs.Items[0].ID)), 201, &clock)
	p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cra/%d/mitigation", clock.ID), strings.NewReader(`{"description": "live"}`), 200, nil)
	p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/cra/%d/submissions", clock.ID), strings.NewReader(`{"report": "early_warning"}`), 201, nil)
	var out model.OutboundReport
	p.admin.JSON(t, "POST", "/api/v1/outbound-reports", strings.NewReader(fmt.Sprintf(`{"kind": "csirt", "finding_id": %d, "recipient": "CERT", "channel": "email"}`, fs.Items[0].ID)), 201, &out)
	p.admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/outbound-reports/%d", out.ID), strings.NewReader(`{"status": "acknowledged", "response": "thanks"}`), 200, nil)
	ids["cra"], ids["outbound-reports"] = fmt.Sprint(clock.ID), fmt.Sprint(out.ID)

	// Every GET operation, and its query parameters' enums.
	var gets []string
	for path, item := range doc.Paths.Map() {
		if item.Get != nil {
			gets = append(gets, path)
		}
	}
	sort.Strings(gets)
	for _, pattern := range gets {
		path := regexp.MustCompile(`\{id\}`).ReplaceAllStringFunc(pattern, func(string) string {
			before, _, _ := strings.Cut(pattern, "/{")
			return url.PathEscape(ids[before[strings.LastIndex(before, "/")+1:]])
		})
		c.call("GET", pattern, path, nil, 200)
		for _, prm := range doc.Paths.Value(pattern).Get.Parameters {
			s := prm.Value.Schema.Value
			if s.Items != nil {
				s = s.Items.Value
			}
			for _, v := range s.Enum {
				c.call("GET", pattern, path+"?"+prm.Value.Name+"="+url.QueryEscape(v.(string)), nil, 200)
			}
			if len(s.Enum) > 0 {
				c.call("GET", pattern, path+"?"+prm.Value.Name+"=bogus", nil, 400)
			}
		}
	}
	c.call("GET", "/api/v1/findings", "/api/v1/findings?status=all&severity=critical,HIGH,low,none,unknown,medium&limit=1", nil, 200)
	for _, alias := range fs.Items[0].Aliases {
		c.call("GET", "/api/v1/advisories/{id}", "/api/v1/advisories/"+url.PathEscape(alias), nil, 200)
	}
	c.call("GET", "/api/v1/assets/{id}", "/api/v1/assets/999999", nil, 404)

	// Changes, each body checked against its request schema.
	created := c.call("POST", "/api/v1/assets", "/api/v1/assets", obj{"name": "openapi-check", "tags": []string{"ci"}, "criticality": 1}, 201)
	asset := fmt.Sprint(created["id"])
	c.call("PATCH", "/api/v1/assets/{id}", "/api/v1/assets/"+asset, obj{"owner": "team", "exposure": "internet-facing"}, 200)
	c.call("POST", "/api/v1/assets", "/api/v1/assets", obj{"name": "openapi-check"}, 409)
	c.call("POST", "/api/v1/sboms", "/api/v1/sboms?asset=openapi-upload&create=true&kind=service", rawBody(syntheticSBOM("oa", 3)), 201)
	tok := c.call("POST", "/api/v1/tokens", "/api/v1/tokens", obj{"name": "ci", "role": "uploader", "asset_names": []string{"openapi-*"}}, 201)
	uploader := &docChecker{t: t, doc: doc, base: p.URL, hdr: bearerHdr(tok["token"].(string))}
	receipt := uploader.call("POST", "/api/v1/assets/{id}/sboms", "/api/v1/assets/"+asset+"/sboms", rawBody(syntheticSBOM("oa", 2)), 201)
	if _, full := receipt["asset"].(obj)["kind"]; full {
		t.Errorf("an uploader was answered the whole asset: %v", receipt)
	}
	c.call("GET", "/api/v1/me", "/api/v1/me", nil, 200)
	uploader.call("GET", "/api/v1/me", "/api/v1/me", nil, 200)
	uploader.call("GET", "/api/v1/assets", "/api/v1/assets", nil, 403)
	user := c.call("POST", "/api/v1/users", "/api/v1/users", obj{"username": "openapi", "role": "auditor"}, 201)
	uid := fmt.Sprint(user["user"].(obj)["id"])
	c.call("PATCH", "/api/v1/users/{id}", "/api/v1/users/"+uid, obj{"role": "analyst", "disabled": true}, 200)
	c.call("POST", "/api/v1/users/{id}/password", "/api/v1/users/"+uid+"/password", obj{}, 200)
	c.call("POST", "/api/v1/me/password", "/api/v1/me/password", obj{"current_password": "x", "new_password": "y"}, 400) // a token has none
	c.call("POST", "/api/v1/feeds/{id}/sync", "/api/v1/feeds/"+ids["feeds"]+"/sync", nil, 202)
	c.call("DELETE", "/api/v1/tokens/{id}", "/api/v1/tokens/"+fmt.Sprint(tok["info"].(obj)["id"]), nil, 204)
	c.call("DELETE", "/api/v1/assets/{id}", "/api/v1/assets/"+asset, nil, 204)
}

// docChecker calls the server and checks what goes and comes back
// against the document.
type docChecker struct {
	t    *testing.T
	doc  *openapi3.T
	base string
	hdr  map[string]string
}

// rawBody is a request body sent as it is, not as JSON.
type rawBody []byte

// call sends body (nil, an obj sent as JSON, or rawBody) to path, of
// pattern's operation, and checks the answer's status and body against
// the document; it returns the JSON object answered.
func (c *docChecker) call(method, pattern, path string, body any, want int) obj {
	c.t.Helper()
	op := c.doc.Paths.Value(pattern).GetOperation(method)
	var sent io.Reader
	switch b := body.(type) {
	case rawBody:
		sent = bytes.NewReader(b)
	case obj:
		data, _ := json.Marshal(b)
		sent = bytes.NewReader(data)
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		var v any
		_ = json.Unmarshal(data, &v)
		if err := schema.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
			c.t.Errorf("%s %s: the body %s is not what the document asks: %v", method, path, data, err)
		}
	}
	hdr := map[string]string{"Content-Type": "application/json"}
	for k, v := range c.hdr {
		hdr[k] = v
	}
	a := rawCall(c.t, c.base, method, path, sent, hdr)
	if a.status != want {
		c.t.Errorf("%s %s: %s; want %d", method, path, a, want)
		return obj{}
	}
	resp := op.Responses.Status(want)
	if resp == nil {
		c.t.Errorf("%s %s answered %d, which the document does not list", method, path, want)
		return obj{}
	}
	if ct, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); len(a.body) > 0 && ct != "application/json" {
		// An export's file: the document must list its media type.
		if resp.Value.Content.Get(ct) == nil {
			c.t.Errorf("%s %s: answered %s, which the document does not list for %d", method, path, ct, want)
		}
		return obj{}
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil {
		if len(a.body) > 0 && strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
			c.t.Errorf("%s %s: the document says no JSON for %d, the server answered %s", method, path, want, a.body)
		}
		return obj{}
	}
	var v any
	if err := json.Unmarshal(a.body, &v); err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return obj{}
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.EnableFormatValidation()); err != nil {
		c.t.Errorf("%s %s: the answer does not match the document: %v\n%s", method, path, err, a.body)
	}
	m, _ := v.(obj)
	return m
}
