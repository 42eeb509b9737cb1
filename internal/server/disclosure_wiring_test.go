package server_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/csaf/csaftest"
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

// TestDisclosureAcceptance is the acceptance check, over plain
// http on loopback as a stranger would reach a server behind a proxy:
// after an admin sets only a contact, security.txt (text/plain, the
// contact, one Expires within a year), the policy page and the report
// form answer 200, and the CSAF provider metadata validates against the
// CSAF 2.0 provider schema (../shared/data/csaf).
func TestDisclosureAcceptance(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			p.admin.JSON(t, "PATCH", "/api/v1/settings/disclosure", strings.NewReader(`{"contacts": ["mailto:security@example.org"]}`), 200, nil)
			txt := rawCall(t, p.URL, "GET", "/.well-known/security.txt", nil, nil)
			body := string(txt.body)
			expires := regexp.MustCompile(`(?m)^Expires: (.*)$`).FindAllStringSubmatch(body, -1)
			if txt.status != 200 || !strings.HasPrefix(txt.header.Get("Content-Type"), "text/plain") ||
				!strings.Contains(body, "\nContact: mailto:security@example.org\n") || len(expires) != 1 {
				t.Fatalf("security.txt: %s %q\n%s", txt, txt.header.Get("Content-Type"), body)
			}
			if at, err := time.Parse(time.RFC3339, expires[0][1]); err != nil || !at.After(time.Now()) || !at.Before(time.Now().AddDate(1, 0, 0)) {
				t.Errorf("Expires %q: not within a year", expires[0][1])
			}
			for _, path := range []string{"/security/policy", "/security/report"} {
				if a := rawCall(t, p.URL, "GET", path, nil, nil); a.status != 200 {
					t.Errorf("%s: %s", path, a)
				}
			}
			pm := rawCall(t, p.URL, "GET", "/.well-known/csaf/provider-metadata.json", nil, nil)
			if pm.status != 200 {
				t.Fatalf("provider-metadata.json: %s", pm)
			}
			if err := csaftest.Validate(t, csaftest.Provider, pm.body); err != nil {
				t.Errorf("provider-metadata.json is not valid against the CSAF 2.0 provider schema: %v\n%s", err, pm.body)
			}
		})
	}
}

// TestCasePageCoordination: from a case's page, staff record an
// escalation to the national CSIRT (the form comes back to the case) and
// start a CRA clock for a product; the case page lists both; a case that
// does not exist is refused by name.
func TestCasePageCoordination(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			c, _ := walkReport(t, p)
			p.admin.JSON(t, "PATCH", "/api/v1/settings/disclosure", strings.NewReader(`{"csirt": {"name": "CERT-Bund", "contact": "mailto:certbund@bsi.bund.de"}}`), 200, nil)
			var asset model.Asset
			p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "coordination-shop"}`), 201, &asset)
			p.admin.JSON(t, "PUT", fmt.Sprintf("/api/v1/assets/%d/product", asset.ID), strings.NewReader(`{"name": "Shop", "support_end": "2031-12-31"}`), 200, nil)
			hdr := map[string]string{"Authorization": "Bearer " + p.admin.Token, "Content-Type": "application/x-www-form-urlencoded"}

			a := rawCall(t, p.URL, "POST", "/outbound-reports", strings.NewReader(fmt.Sprintf("kind=csirt&case_id=%d&reference=CB-2026-42", c.ID)), hdr)
			if want := fmt.Sprintf("/cases/%d?done=outbound#coordination", c.ID); a.status != 303 || a.header.Get("Location") != want {
				t.Errorf("the escalation from the case page: %s, Location %q, want %q", a, a.header.Get("Location"), want)
			}
			a = rawCall(t, p.URL, "POST", "/cra", strings.NewReader(fmt.Sprintf("case_id=%d&asset_id=%d&title=exploited+XSS", c.ID, asset.ID)), hdr)
			var clockID int64
			if _, err := fmt.Sscanf(a.header.Get("Location"), "/cra/%d", &clockID); a.status != 303 || err != nil {
				t.Fatalf("starting a clock from the case page: %s, Location %q", a, a.header.Get("Location"))
			}
			page := string(rawCall(t, p.URL, "GET", fmt.Sprintf("/cases/%d?done=outbound", c.ID), nil, hdr).body)
			for _, want := range []string{"Report recorded.", `id="case-outbound"`, "CERT-Bund", "CB-2026-42", `id="case-clocks"`, fmt.Sprintf(`<a href="/cra/%d">`, clockID), ">Shop<"} {
				if !strings.Contains(page, want) {
					t.Errorf("the case page lacks %q", want)
				}
			}
			if a := rawCall(t, p.URL, "POST", "/outbound-reports", strings.NewReader("kind=csirt&case_id=987654"), hdr); a.status != 400 ||
				!strings.Contains(string(a.body), "case_id 987654: no such disclosure case") {
				t.Errorf("an escalation of a missing case: %s", a)
			}
		})
	}
}
