package server_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestPublishedProductsShown: the products the organisation makes and
// has published are listed to strangers, by their public name with their
// support period and security contact, on the policy page, and offered
// on the report form; an unpublished product and the assets' own names
// are not shown.
func TestPublishedProductsShown(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			public := `Infusion <b>Pump</b> "X"`
			for _, a := range []struct {
				asset, body string
			}{
				{"pump-firmware-internal", fmt.Sprintf(`{"name": %q, "support_end": "2031-12-31", "support_policy": "Monthly updates",
					"security_contact": "mailto:psirt@example.org", "published": true}`, public)},
				{"secret-prototype-asset", `{"name": "Unannounced Gadget", "support_end": "2030-01-31", "published": false}`},
			} {
				var asset model.Asset
				p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(fmt.Sprintf(`{"name": %q}`, a.asset)), 201, &asset)
				p.admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", asset.ID), strings.NewReader(a.body), 200, nil)
			}
			escaped := html.EscapeString(public)
			pol := rawCall(t, p.URL, "GET", "/security/policy", nil, nil)
			for _, want := range []string{escaped, "2031-12-31", "Monthly updates", `<a href="mailto:psirt@example.org">`, "supported"} {
				if pol.status != 200 || !strings.Contains(string(pol.body), want) {
					t.Errorf("the policy page (%d) lacks %q", pol.status, want)
				}
			}
			form := rawCall(t, p.URL, "GET", "/security/report", nil, nil)
			if form.status != 200 || !strings.Contains(string(form.body), escaped) {
				t.Errorf("the report form (%d) does not offer %q", form.status, escaped)
			}
			for _, page := range []httpAnswer{pol, form} {
				for _, hidden := range []string{"Unannounced Gadget", "pump-firmware-internal", "secret-prototype-asset", "<b>Pump</b>"} {
					if strings.Contains(string(page.body), hidden) {
						t.Errorf("a public page shows %q", hidden)
					}
				}
			}
		})
	}
}
