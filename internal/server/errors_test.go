package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestErrorStatuses: each kind of error a use case answers with reaches
// the caller with its status and a message that names the problem, on
// both engines (a name clash is a unique violation each engine reports
// its own way).
func TestErrorStatuses(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			p := startInproc(t, e, inprocOptions{})
			auth := map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": "application/json"}
			call := func(method, path, body string) httpAnswer {
				return rawCall(t, p.URL, method, path, strings.NewReader(body), auth)
			}
			if a := call("POST", "/api/v1/assets", `{"name":"billing-api"}`); a.status != 201 {
				t.Fatalf("creating an asset: %s", a)
			}
			a := call("POST", "/api/v1/assets", `{"name":"x","kind":"toaster"}`)
			wantAPIError(t, "a bad field", a.status, a.body, 400, "kind")
			a = call("POST", "/api/v1/assets", `{"name":"billing-api"}`)
			wantAPIError(t, "a name taken", a.status, a.body, 409, "billing-api")
			a = call("POST", "/api/v1/feeds", `{"name":"kev","kind":"kev","url":"https://feeds.example/kev.json"}`)
			if a.status != 201 {
				t.Fatalf("creating a feed: %s", a)
			}
			a = call("POST", "/api/v1/feeds", `{"name":"kev","kind":"kev","url":"https://feeds.example/kev.json"}`)
			wantAPIError(t, "a feed name taken", a.status, a.body, 409, "kev")
			a = call("GET", "/api/v1/assets/99999", "")
			wantAPIError(t, "a missing asset", a.status, a.body, 404, "asset 99999")
			a = call("GET", "/api/v1/findings?cursor=no.such.cursor", "")
			wantAPIError(t, "a bad cursor", a.status, a.body, 400, "cursor")
			a = call("POST", "/api/v1/assets", `{"name":"`+strings.Repeat("x", 2<<20)+`"}`)
			wantAPIError(t, "a body over the JSON limit", a.status, a.body, 413, "larger than")

			// An uploader held to billing-* may not upload elsewhere.
			a = call("POST", "/api/v1/tokens", `{"name":"ci","role":"uploader","asset_names":["billing-*"]}`)
			var tok struct{ Token string }
			if a.status != 201 || json.Unmarshal(a.body, &tok) != nil {
				t.Fatalf("creating a scoped token: %s", a)
			}
			up := func(asset string, sbom []byte) httpAnswer {
				return rawCall(t, p.URL, "POST", "/api/v1/sboms?asset="+asset+"&create=true", bytes.NewReader(sbom),
					map[string]string{"Authorization": "Bearer " + tok.Token, "Content-Type": "application/json"})
			}
			a = up("payroll", syntheticSBOM("p", 3))
			wantAPIError(t, "an upload outside the token's scope", a.status, a.body, 403, "billing-*")
			// An SBOM that holds more than the parser takes is too large,
			// not malformed.
			a = up("billing-api", nestedSBOM(80))
			wantAPIError(t, "components nested 80 deep", a.status, a.body, 413, "nested")
			a = up("billing-api", []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":`))
			wantAPIError(t, "a truncated SBOM", a.status, a.body, 400, "CycloneDX")
		})
	}
}

// nestedSBOM is a CycloneDX document whose components nest depth deep.
func nestedSBOM(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[`)
	for i := range depth {
		fmt.Fprintf(&b, `{"type":"library","name":"n%d","version":"1.0.0","purl":"pkg:pypi/n%d@1.0.0","components":[`, i, i)
	}
	b.WriteString(strings.Repeat("]}", depth))
	b.WriteString(`]}`)
	return b.Bytes()
}
