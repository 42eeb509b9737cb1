package server_test

// security.txt, the policy page and the disclosure settings, served by the
// real server over loopback (plain http and TLS) on both engines.

import (
	"bytes"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/cli"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestSecurityTxtServed is the acceptance check: after an admin sets one
// contact and nothing else, a stranger gets security.txt as text/plain
// with that Contact and exactly one Expires within a year, it passes
// `vulndesk securitytxt check` (over plain http on loopback and over TLS),
// and the policy page answers a stranger too.
func TestSecurityTxtServed(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			stranger := func(path string) httpAnswer { return rawCall(t, p.URL, "GET", path, nil, nil) }

			// Nothing set, plain http: no Contact can be made, so nothing is served.
			if a := stranger("/.well-known/security.txt"); a.status != http.StatusNotFound || !strings.Contains(string(a.body), "no Contact") {
				t.Fatalf("before any contact: %s", a)
			}
			p.admin.JSON(t, "PATCH", "/api/v1/settings/disclosure", strings.NewReader(`{"contacts": ["mailto:security@example.org"]}`), 200, nil)

			a := stranger("/.well-known/security.txt")
			if a.status != 200 || a.header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("security.txt: %s (%s)", a, a.header.Get("Content-Type"))
			}
			cc := regexp.MustCompile(`^public, max-age=(\d+)$`).FindStringSubmatch(a.header.Get("Cache-Control"))
			if n, err := strconv.Atoi(safeIndex(cc, 1)); err != nil || n < 1 || n > 86400 {
				t.Errorf("Cache-Control %q: public, for at most a day", a.header.Get("Cache-Control"))
			}
			body := string(a.body)
			if !strings.Contains(body, "Contact: mailto:security@example.org\n") || strings.Contains(body, "http://") {
				t.Errorf("security.txt:\n%s", body)
			}
			expires := regexp.MustCompile(`(?m)^Expires: (.*)$`).FindAllStringSubmatch(body, -1)
			if len(expires) != 1 {
				t.Fatalf("%d Expires fields:\n%s", len(expires), body)
			}
			at, err := time.Parse(time.RFC3339, expires[0][1])
			if now := time.Now(); err != nil || !at.After(now) || !at.Before(now.AddDate(1, 0, 0)) {
				t.Errorf("Expires %q: want within a year", expires[0][1])
			}
			// It is clear-signed with the server's key, the one the CSAF
			// provider publishes; the check verifies it with that key.
			k, err := p.Server.OpenPGPKey(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			key := filepath.Join(t.TempDir(), "key.asc")
			if err := os.WriteFile(key, k.PublicArmored(), 0o600); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(body, "-----BEGIN PGP SIGNED MESSAGE-----\n") {
				t.Errorf("security.txt is not clear-signed:\n%s", body)
			}
			// The warnings: plain http, and a signed file without Canonical
			// (no https address to make it from).
			checkWithCLI(t, p.URL+"/.well-known/security.txt", "", key, "valid: 0 error(s), 2 warning(s)")

			// /security.txt redirects to it.
			if a := stranger("/security.txt"); a.status != http.StatusMovedPermanently || a.header.Get("Location") != "/.well-known/security.txt" {
				t.Errorf("/security.txt: %s Location %q", a, a.header.Get("Location"))
			}

			// Over TLS the file has its web URIs, made from the address it was reached at.
			tlsSrv := httptest.NewTLSServer(p.Server.Handler())
			defer tlsSrv.Close()
			ca := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := tlsSrv.Client().Get(tlsSrv.URL + "/.well-known/security.txt")
			if err != nil {
				t.Fatal(err)
			}
			var tb bytes.Buffer
			tb.ReadFrom(res.Body)
			res.Body.Close()
			for _, want := range []string{"Canonical: " + tlsSrv.URL + "/.well-known/security.txt\n", "Contact: mailto:security@example.org\nContact: " + tlsSrv.URL + "/security/report\n",
				"Policy: " + tlsSrv.URL + "/security/policy\n", "Acknowledgments: " + tlsSrv.URL + "/security/acknowledgements\n",
				"CSAF: " + tlsSrv.URL + "/.well-known/csaf/provider-metadata.json\n", "Preferred-Languages: en\n"} {
				if !strings.Contains(tb.String(), want) {
					t.Errorf("over TLS, security.txt lacks %q:\n%s", want, tb.String())
				}
			}
			checkWithCLI(t, tlsSrv.URL+"/.well-known/security.txt", ca, key, "valid: 0 error(s), 0 warning(s)")
			checkWithCLI(t, tlsSrv.URL+"/security.txt", ca, key, "valid: 0 error(s), 1 warning(s)") // the warning: the redirect

			// The policy page answers a stranger, with the contact.
			a = stranger("/security/policy")
			if a.status != 200 || !strings.Contains(string(a.body), `<a href="mailto:security@example.org">security@example.org</a>`) ||
				!strings.Contains(string(a.body), `href="/security/report"`) || strings.Contains(string(a.body), `action="/logout"`) {
				t.Errorf("the policy page:\n%s", a.body)
			}
		})
	}
}

func safeIndex(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// checkWithCLI runs `vulndesk securitytxt check URL` in-process and wants
// it to pass with the summary line want.
func checkWithCLI(t *testing.T, u, ca, key, want string) {
	t.Helper()
	args := []string{"securitytxt", "check", u, "--key", key}
	if ca != "" {
		args = append(args, "--ca", ca)
	}
	var out, errOut bytes.Buffer
	if code := cli.Main(t.Context(), args, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "verified cryptographically with the key given") {
		t.Errorf("securitytxt check %s: exit %d, want 0 and %q\n%s%s", u, code, want, out.String(), errOut.String())
	}
}

// TestDisclosureSettingsReflected: edits show on the policy page and in
// security.txt, hostile text is shown escaped, a bad form value is refused
// with its message and the values sent kept, every change is one audit
// event, and only admins see the settings.
func TestDisclosureSettingsReflected(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			admin := func(method, path, body string) httpAnswer {
				h := map[string]string{"Authorization": "Bearer " + p.admin.Token}
				if method == "POST" {
					h["Content-Type"] = formType
				} else if body != "" {
					h["Content-Type"] = "application/json"
				}
				return rawCall(t, p.URL, method, path, strings.NewReader(body), h)
			}
			policy := func() string {
				a := rawCall(t, p.URL, "GET", "/security/policy", nil, nil)
				if a.status != 200 {
					t.Fatalf("policy: %s", a)
				}
				return string(a.body)
			}
			// The defaults: the timers' promises, and the sentence for no CSIRT.
			for _, want := range []string{"within <strong>3 business days</strong>", "within <strong>10 business days</strong>",
				"<td class=\"num\">30 days</td>", "<strong>90 days</strong>", "by at most\n  45 days", "<strong>7 days</strong>",
				"the\n  CSIRT of your country", `href="/security/acknowledgements"`, "good faith"} {
				if !strings.Contains(policy(), want) {
					t.Errorf("the default policy lacks %q", want)
				}
			}
			// Settings with markup, and changed timers.
			const hostile = `<script>alert("x")</script>`
			a := admin("PATCH", "/api/v1/settings/disclosure", `{"organisation": "`+strings.ReplaceAll(hostile, `"`, `\"`)+`", "scope": "`+
				strings.ReplaceAll(hostile, `"`, `\"`)+` scope\n\nsecond paragraph", "contacts": ["mailto:sec@example.org", "tel:+31-20-555-0123"],
				"csirt": {"name": "NCSC-NL", "url": "https://www.ncsc.nl/", "contact": "mailto:cert@ncsc.nl"},
				"timers": {"acknowledge_business_days": 2, "fix_days": {"critical": 14}, "max_extension_days": 0}}`)
			if a.status != 200 {
				t.Fatalf("PATCH: %s", a)
			}
			pol := policy()
			if strings.Contains(pol, hostile) {
				t.Errorf("the policy page shows the markup as markup")
			}
			for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; scope</p>", "<p>second paragraph</p>",
				"within <strong>2 business days</strong>", "<td class=\"num\">14 days</td>", "this policy allows no extension",
				"<strong>NCSC-NL</strong>", `<a href="https://www.ncsc.nl/">`, `<a href="mailto:cert@ncsc.nl">cert@ncsc.nl</a>`, "phone &#43;31-20-555-0123"} {
				if !strings.Contains(pol, want) {
					t.Errorf("the edited policy lacks %q", want)
				}
			}
			txt := rawCall(t, p.URL, "GET", "/.well-known/security.txt", nil, nil)
			// The organisation is in a comment line as it was given: a text
			// file (served with nosniff) has no markup.
			if !strings.Contains(string(txt.body), "# The security contacts of "+hostile+"\n") ||
				!strings.Contains(string(txt.body), "Contact: mailto:sec@example.org\nContact: tel:+31-20-555-0123\n") {
				t.Errorf("security.txt after the edit:\n%s", txt.body)
			}

			// The settings page: a bad value is refused, named, and what was sent is kept.
			form := url.Values{"organisation": {"Page Org"}, "contacts": {"mailto:sec@example.org\nhttp://insecure.example.org/"},
				"preferred_languages": {"en, nl"}, "expires_days": {"400"}, "acknowledge_business_days": {"2"}, "triage_business_days": {"10"},
				"fix_days_critical": {"14"}, "fix_days_high": {"60"}, "fix_days_medium": {"90"}, "fix_days_low": {"180"},
				"disclosure_days": {"90"}, "exploited_disclosure_days": {"7"}, "max_extension_days": {"0"}}
			a = admin("POST", "/settings/disclosure", form.Encode())
			if a.status != 400 || !strings.Contains(string(a.body), "Nothing was changed: contacts &#34;http://insecure.example.org/&#34;") ||
				!strings.Contains(string(a.body), "Page Org") {
				t.Errorf("a bad form: %d\n%s", a.status, a.body)
			}
			form.Set("contacts", "mailto:sec@example.org")
			form.Set("triage_business_days", "ten")
			if a = admin("POST", "/settings/disclosure", form.Encode()); a.status != 400 || !strings.Contains(string(a.body), "triage business days &#34;ten&#34;: a whole number of days") {
				t.Errorf("a word for a number: %d\n%s", a.status, a.body)
			}
			form.Set("triage_business_days", "10")
			a = admin("POST", "/settings/disclosure", form.Encode())
			if a.status != 400 || !strings.Contains(string(a.body), "expires_days 400: 1–364 days") {
				t.Errorf("expires_days 400: %d\n%s", a.status, a.body)
			}
			form.Set("expires_days", "30")
			if a = admin("POST", "/settings/disclosure", form.Encode()); a.status != 303 || a.header.Get("Location") != "/settings/disclosure?saved=1" {
				t.Fatalf("a good form: %s", a)
			}
			page := admin("GET", "/settings/disclosure?saved=1", "")
			if page.status != 200 || !strings.Contains(string(page.body), "The disclosure settings are saved.") || !strings.Contains(string(page.body), `value="Page Org"`) ||
				!strings.Contains(string(page.body), "no https base_url") {
				t.Errorf("the settings page after saving:\n%s", page.body)
			}
			// The form sends every field: the CSIRT not in it is now none.
			if pol := policy(); !strings.Contains(pol, "of Page Org") || strings.Contains(pol, "NCSC-NL") || !strings.Contains(pol, "You may write in: en, nl.") {
				t.Errorf("the policy after the form:\n%s", pol)
			}

			// Every change was one audit event, and the chain holds.
			var events struct {
				Items []struct {
					Kind     string `json:"kind"`
					ObjectID string `json:"object_id"`
				} `json:"items"`
			}
			p.admin.JSON(t, "GET", "/api/v1/audit/events?object_type=setting&object_id=disclosure", nil, 200, &events)
			if len(events.Items) != 2 || events.Items[0].Kind != "setting.changed" {
				t.Errorf("audit events %+v: want 2 setting.changed", events.Items)
			}
			// Only admins.
			analyst := p.client(t, "analyst")
			if got, _ := analyst.Do(t, "GET", "/settings/disclosure", nil); got != 403 {
				t.Errorf("an analyst reads the settings page: %d", got)
			}
			if got, _ := analyst.Do(t, "PATCH", "/api/v1/settings/disclosure", strings.NewReader(`{"expires_days": 30}`)); got != 403 {
				t.Errorf("an analyst changes the settings: %d", got)
			}
		})
	}
}
