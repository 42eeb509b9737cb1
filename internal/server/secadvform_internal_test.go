package server

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// FuzzSecAdvForm reads any body as the advisory edit form (issue 14,
// csaf): no form panics, and what it reads applies to an advisory that
// the model then accepts or refuses with a reason.
func FuzzSecAdvForm(f *testing.F) {
	f.Add("title=t&summary=s&profile=csaf_vex&case_id=3&p0_asset=1&p0_affected=%3C2&p0_status=not_affected&p0_justification=component_not_present" +
		"&v0_title=x&v0_description=d&v0_cvss=CVSS%3A3.1%2FAV%3AN%2FAC%3AL%2FPR%3AN%2FUI%3AN%2FS%3AU%2FC%3AH%2FI%3AH%2FA%3AH&v0_acks=A%0AB")
	f.Add("title=&case_id=-1&p0_asset=x")
	f.Add("p100_asset=1&v50_title=t&p0_asset=99999999999999999999")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/security-advisories/1", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.ParseForm() != nil {
			return
		}
		in, err := secAdvForm(r)
		if err != nil {
			if !strings.Contains(err.Error(), "case_id") && !strings.Contains(err.Error(), "asset_id") {
				t.Fatalf("a form error that names no field: %v", err)
			}
			return
		}
		a := model.SecurityAdvisory{TrackingID: "VD-2026-0001"}
		in.Apply(&a)
		if len(a.Products) > model.MaxSecAdvProducts+1 || len(a.Vulnerabilities) > model.MaxSecAdvVulns+1 {
			t.Fatalf("%d products, %d vulnerabilities read", len(a.Products), len(a.Vulnerabilities))
		}
		_ = a.Normalize()
	})
}
