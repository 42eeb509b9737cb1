package csaf

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzAdvisoryInput decodes an advisory as the API does (strictly),
// normalizes it, and writes what passes as CSAF and OSV: no input makes
// the writers fail or panic, and what they write is JSON.
func FuzzAdvisoryInput(f *testing.F) {
	f.Add([]byte(`{"title": "t", "summary": "s", "products": [{"asset_id": 1, "affected": ">=1.0, <1.4.2", "fixed": "1.4.2"}],
		"vulnerabilities": [{"cve": "CVE-2026-1234", "title": "x", "description": "d", "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "remediation": "r", "acknowledgements": ["A"]}]}`))
	f.Add([]byte(`{"title": "v", "profile": "csaf_vex", "products": [{"asset_id": 2, "name": "p", "affected": "vers:generic/*", "status": "not_affected", "justification": "component_not_present"}],
		"vulnerabilities": [{"title": "x", "description": "d", "cwe": "CWE-79", "cwe_name": "XSS"}]}`))
	f.Add([]byte(`{"title": "", "tlp": "RED", "case_id": -1}`))
	f.Add([]byte(`{"products": [{"asset_id": 1, "affected": "<=", "status": "under_investigation"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var v api.SecurityAdvisoryInput
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.DisallowUnknownFields()
		if dec.Decode(&v) != nil {
			return
		}
		a := model.SecurityAdvisory{TrackingID: "VD-2026-0001"}
		v.Apply(&a)
		if a.Normalize() != nil {
			return
		}
		for _, status := range []string{"draft", "final"} {
			m := meta(1)
			m.Status = status
			doc, err := Document(a, m)
			if err != nil || !json.Valid(doc) {
				t.Fatalf("CSAF of a valid advisory: %v\n%s", err, doc)
			}
			osv, err := OSV(a, m)
			if err != nil || !json.Valid(osv) {
				t.Fatalf("OSV of a valid advisory: %v\n%s", err, osv)
			}
		}
	})
}
