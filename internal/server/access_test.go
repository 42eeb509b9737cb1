package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// tokenClient makes an API token through the API and returns its client.
func tokenClient(t *testing.T, p *inproc, body string) *servertest.Client {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	p.admin.JSON(t, "POST", "/api/v1/tokens", strings.NewReader(body), 201, &out)
	return &servertest.Client{URL: p.URL, Token: out.Token}
}

// An uploader uploads, and only that: to the assets its token names,
// creating one only when the token says so; it learns nothing of an asset
// beyond what it sent; and an empty SBOM, which would resolve every finding
// of the asset, goes in only when the upload says it is meant.
func TestUploaderScope(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			p := startInproc(t, e, inprocOptions{seed: true, jobs: true})
			var shop struct{ Items []model.Asset }
			p.admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &shop)
			waitMatched(t, p.admin, shop.Items[0].CurrentSnapshotID)
			sbom := func(prefix string) *bytes.Reader { return bytes.NewReader(syntheticSBOM(prefix, 5)) }
			p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "payroll", "owner": "hr@example.org", "tags": ["team-b"]}`), 201, nil)
			p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(`{"name": "billing-api", "owner": "finance@example.org", "tags": ["team-a"]}`), 201, nil)

			// Unscoped, as tokens made without --create-assets are: every
			// existing asset, no new ones.
			plain := p.client(t, "uploader")
			st, body := plain.Do(t, "POST", "/api/v1/sboms?asset=payroll", sbom("a"))
			if st != 201 {
				t.Fatalf("uploader to an existing asset: %d %s", st, body)
			}
			var receipt map[string]map[string]any
			json.Unmarshal(body, &receipt)
			if len(receipt["asset"]) != 2 || receipt["asset"]["name"] != "payroll" || strings.Contains(string(body), "hr@example.org") {
				t.Errorf("an uploader's receipt shows more than what it sent: %s", body)
			}
			st, body = plain.Do(t, "POST", "/api/v1/sboms?asset=new-one&create=true", sbom("b"))
			wantAPIError(t, "uploader creating an asset", st, body, 403, "may not create assets")

			// Scoped by name, with creation.
			billing := tokenClient(t, p, `{"name": "ci-billing", "role": "uploader", "asset_names": ["billing-*"], "create_assets": true}`)
			billing.JSON(t, "POST", "/api/v1/sboms?asset=billing-api", sbom("c"), 201, nil)
			billing.JSON(t, "POST", "/api/v1/sboms?asset=billing-worker&create=true", sbom("d"), 201, nil)
			for _, q := range []string{"asset=payroll", "asset=payroll-2&create=true", "asset=ghost"} {
				st, body := billing.Do(t, "POST", "/api/v1/sboms?"+q, sbom("e"))
				wantAPIError(t, "billing-* token: "+q, st, body, 403, "only to assets named billing-*")
			}
			var assets struct{ Items []model.Asset }
			p.admin.JSON(t, "GET", "/api/v1/assets?q=payroll", nil, 200, &assets)
			if len(assets.Items) != 1 {
				t.Errorf("a refused upload created an asset: %+v", assets.Items)
			}
			payroll := assets.Items[0].ID
			st, body = billing.Do(t, "POST", "/api/v1/assets/"+fmt.Sprint(payroll)+"/sboms", sbom("f"))
			wantAPIError(t, "billing-* token to payroll by ID", st, body, 403, "only to assets named")

			// Scoped by tag.
			teamA := tokenClient(t, p, `{"name": "ci-team-a", "role": "uploader", "asset_tags": ["team-a"]}`)
			teamA.JSON(t, "POST", "/api/v1/sboms?asset=billing-api", sbom("g"), 201, nil)
			st, body = teamA.Do(t, "POST", "/api/v1/sboms?asset=payroll", sbom("h"))
			wantAPIError(t, "team-a token to a team-b asset", st, body, 403, "tagged team-a")

			// Scopes are for uploader tokens.
			st, body = p.admin.Do(t, "POST", "/api/v1/tokens", strings.NewReader(`{"name": "x", "role": "auditor", "asset_names": ["billing-*"]}`))
			wantAPIError(t, "a scoped auditor token", st, body, 400, "uploader tokens only")

			// An empty SBOM.
			empty := []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}`)
			st, body = plain.Do(t, "POST", "/api/v1/sboms?asset=webshop", bytes.NewReader(empty))
			wantAPIError(t, "an empty SBOM", st, body, 400, "no components", "allow_empty=true")
			var open struct{ Items []model.AssetFinding }
			p.admin.JSON(t, "GET", "/api/v1/findings?asset=webshop", nil, 200, &open)
			if len(open.Items) == 0 {
				t.Fatal("the refused empty SBOM resolved the webshop's findings")
			}
			plain.JSON(t, "POST", "/api/v1/sboms?asset=webshop&allow_empty=true", bytes.NewReader(empty), 201, nil)
		})
	}
}

// Admins manage users through the API: a role change or disabling signs
// the user out, passwords follow the policy, and people change their own
// password by proving the current one.
func TestUserAdministration(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{})
	var created struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
		Password string `json:"password"`
	}
	p.admin.JSON(t, "POST", "/api/v1/users", strings.NewReader(`{"username": "dana", "role": "analyst"}`), 201, &created)
	id := fmt.Sprint(created.User.ID)
	// Chosen passwords follow the policy.
	for _, weak := range []string{"short", "%s-%s-%s-%s", "password1234567890"} {
		st, body := p.admin.Do(t, "POST", "/api/v1/users", strings.NewReader(`{"username": "erin", "role": "analyst", "password": "`+strings.ReplaceAll(weak, "%s", "erin")+`"}`))
		wantAPIError(t, "user with password "+weak, st, body, 400, "password")
		st, body = p.admin.Do(t, "POST", "/api/v1/users/"+id+"/password", strings.NewReader(`{"password": "`+strings.ReplaceAll(weak, "%s", "dana")+`"}`))
		wantAPIError(t, "setting password "+weak, st, body, 400, "password")
	}
	signIn := func(pw string) (status int, cookie string) {
		a := rawCall(t, p.URL, "POST", "/login", strings.NewReader(url.Values{"username": {"dana"}, "password": {pw}}.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		for _, c := range strings.Split(a.header.Get("Set-Cookie"), ";") {
			if strings.HasPrefix(c, "vulndesk_session=") {
				return a.status, c
			}
		}
		return a.status, ""
	}
	st, cookie := signIn(created.Password)
	if st != 303 || cookie == "" {
		t.Fatalf("dana signs in: %d", st)
	}
	me := func() int {
		return rawCall(t, p.URL, "GET", "/api/v1/me", nil, map[string]string{"Cookie": cookie}).status
	}
	// Her own password: the current one must be right, the new one strong.
	change := func(body string) httpAnswer {
		return rawCall(t, p.URL, "POST", "/api/v1/me/password", strings.NewReader(body),
			map[string]string{"Cookie": cookie, "Content-Type": "application/json"})
	}
	a := change(`{"current_password": "wrong", "new_password": "a much better passphrase 2026"}`)
	wantAPIError(t, "own password, wrong current", a.status, a.body, 403, "current password is wrong")
	a = change(`{"current_password": "` + created.Password + `", "new_password": "qwertyuiopasdfgh"}`)
	wantAPIError(t, "own password, weak new", a.status, a.body, 400, "password")
	if a = change(`{"current_password": "` + created.Password + `", "new_password": "a much better passphrase 2026"}`); a.status != 204 {
		t.Fatalf("own password change: %s", a)
	}
	if me() != 401 {
		t.Error("the session outlived the password change")
	}
	st, cookie = signIn("a much better passphrase 2026")
	if st != 303 {
		t.Fatalf("sign in with the new password: %d", st)
	}
	st, body := p.admin.Do(t, "POST", "/api/v1/me/password", strings.NewReader(`{"current_password": "x", "new_password": "y"}`))
	wantAPIError(t, "a token changing its password", st, body, 400, "sign in as a person")

	// Disabling signs her out and keeps her out; enabling lets her in.
	p.admin.JSON(t, "PATCH", "/api/v1/users/"+id, strings.NewReader(`{"disabled": true}`), 200, nil)
	if me() != 401 {
		t.Error("a disabled user's session still works")
	}
	if st, _ := signIn("a much better passphrase 2026"); st != 401 {
		t.Errorf("a disabled user signed in: %d", st)
	}
	var u struct {
		Role     string `json:"role"`
		Disabled bool   `json:"disabled"`
	}
	p.admin.JSON(t, "PATCH", "/api/v1/users/"+id, strings.NewReader(`{"disabled": false, "role": "auditor"}`), 200, &u)
	if u.Role != "auditor" || u.Disabled {
		t.Errorf("after enabling: %+v", u)
	}
	// An admin's generated reset.
	var reset struct{ Password string }
	p.admin.JSON(t, "POST", "/api/v1/users/"+id+"/password", strings.NewReader(`{}`), 200, &reset)
	if st, _ := signIn(reset.Password); st != 303 || len(reset.Password) < 15 {
		t.Errorf("sign in with the generated password: %d", st)
	}
	st, body = p.admin.Do(t, "PATCH", "/api/v1/users/"+id, strings.NewReader(`{"role": "overlord"}`))
	wantAPIError(t, "an unknown role", st, body, 400, "role")
}
