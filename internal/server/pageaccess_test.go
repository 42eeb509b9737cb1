package server_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// The access pages' test strings.
const (
	xssToken     = `<script>alert("tok")</script>`
	accessUserPW = "correct horse battery staple 7"
	accessNewPW  = "an even longer passphrase 2026"
)

// TestAccessPages checks /access on both engines: a person changes their
// own password (a wrong current one, a repeat that differs and a weak one
// are refused in words); an admin creates a token shown once that works
// and then is revoked, creates users (a generated password shown once),
// changes a role and sets a password; names with HTML render escaped;
// others see no admin section and are refused its forms; a cross-origin
// post changes nothing.
func TestAccessPages(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			accessPages(t, e)
		})
	}
}

// newTokenIn is the API token a page shows once in #new-token.
func newTokenIn(t *testing.T, body []byte) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)id="new-token".*?<code class="secret">(vdk_[A-Za-z0-9_-]+)</code>`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no new token shown: %s", body)
	}
	return string(m[1])
}

// newPasswordIn is the generated password a page shows once.
func newPasswordIn(t *testing.T, body []byte) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)id="new-password".*?<code class="secret">([^<]+)</code>`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no generated password shown: %s", body)
	}
	return html.UnescapeString(string(m[1]))
}

// pageUserID is the ID of a stored user.
func pageUserID(t *testing.T, p *inproc, name string) int64 {
	t.Helper()
	u, err := p.Store.UserByName(context.Background(), name)
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u.ID
}

// pageTokenID is the ID of the newest stored token of a name.
func pageTokenID(t *testing.T, p *inproc, name string) int64 {
	t.Helper()
	ts, err := p.Store.Tokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, tk := range ts {
		if tk.Name == name {
			id = tk.ID
		}
	}
	if id == 0 {
		t.Fatalf("no token %q", name)
	}
	return id
}

func accessPages(t *testing.T, e storetest.Engine) {
	p := startInproc(t, e, inprocOptions{adminPassword: pagesPW})
	admin := signIn(t, p.URL, "admin", pagesPW)
	get := pageGetter(t, p.URL)
	post := func(path string, form url.Values, hdr map[string]string) httpAnswer {
		return postForm(t, p.URL, path, form, hdr)
	}
	ctx := context.Background()

	page := get("/access", admin, 200)
	for _, w := range []string{`id="password-form"`, `id="token-form"`, `id="user-form"`, "<h2>Users</h2>", "<h2>API tokens</h2>"} {
		if !strings.Contains(page, w) {
			t.Errorf("GET /access as admin does not show %q", w)
		}
	}

	// A token: shown once, works, listed escaped, revoked.
	a := post("/access/tokens", url.Values{"name": {xssToken}, "role": {"uploader"}, "asset_names": {"web-*\r\nPACS Radiologie, Haus 2\n"}, "asset_tags": {""}}, admin)
	wantPage(t, "POST /access/tokens", a, 200, `id="new-token"`, "Copy it now; it is not shown again", "Token "+xssToken+" created.")
	secret := newTokenIn(t, a.body)
	wantEscaped(t, "POST /access/tokens", a.body, xssToken)
	if me := rawCall(t, p.URL, "GET", "/api/v1/me", nil, bearerHdr(secret)); me.status != 200 || !strings.Contains(string(me.body), "uploader") {
		t.Errorf("the new token on GET /api/v1/me: %s", me)
	}
	page = get("/access", admin, 200)
	if strings.Contains(page, secret) || strings.Contains(page, `id="new-token"`) {
		t.Errorf("the token's secret is shown again on the next load")
	}
	wantEscaped(t, "GET /access", []byte(page), xssToken)
	// One name a line: asset names hold spaces and commas.
	for _, w := range []string{"<code>web-*</code>", "<code>PACS Radiologie, Haus 2</code>", "active"} {
		if !strings.Contains(page, w) {
			t.Errorf("the token's row does not show %q", w)
		}
	}
	tokID := pageTokenID(t, p, xssToken)
	a = post(fmt.Sprintf("/access/tokens/%d/revoke", tokID), nil, admin)
	if a.status != 303 || a.header.Get("Location") != "/access?done=token-revoked" {
		t.Fatalf("revoking: %s", a)
	}
	wantPage(t, "GET /access after revoking", rawCall(t, p.URL, "GET", "/access?done=token-revoked", nil, admin), 200, "Token revoked", "revoked just now")
	if me := rawCall(t, p.URL, "GET", "/api/v1/me", nil, bearerHdr(secret)); me.status != 401 {
		t.Errorf("a revoked token on GET /api/v1/me: %s; want 401", me)
	}
	wantPage(t, "revoking again", post(fmt.Sprintf("/access/tokens/%d/revoke", tokID), nil, admin), 404, fmt.Sprintf("token %d", tokID))
	wantPage(t, "a token with a bad scope", post("/access/tokens", url.Values{"name": {"ci"}, "role": {"auditor"}, "asset_names": {"web-*"}}, admin),
		400, "asset scopes hold uploader tokens only", `>web-*</textarea>`, `value="ci"`)

	// Users: one with a generated password shown once, one with a chosen
	// one; a role changed, a password set; bad names refused in words.
	a = post("/access/users", url.Values{"username": {"gen-user"}, "role": {"auditor"}, "password": {""}}, admin)
	wantPage(t, "POST /access/users (generated)", a, 200, `id="new-password"`, "User gen-user created.", "Copy it now")
	signIn(t, p.URL, "gen-user", newPasswordIn(t, a.body))
	a = post("/access/users", url.Values{"username": {"ann"}, "role": {"auditor"}, "password": {accessUserPW}}, admin)
	if a.status != 303 || a.header.Get("Location") != "/access?done=user-created" {
		t.Fatalf("POST /access/users: %s", a)
	}
	wantPage(t, "POST /access/users again", post("/access/users", url.Values{"username": {"ann"}, "role": {"auditor"}}, admin), 409, "ann")
	a = post("/access/users", url.Values{"username": {"<b>x</b>"}, "role": {"auditor"}}, admin)
	wantPage(t, "POST /access/users (bad name)", a, 400, "1–64 letters, digits")
	wantEscaped(t, "POST /access/users (bad name)", a.body, "<b>x</b>")
	wantPage(t, "POST /access/users (bad role)", post("/access/users", url.Values{"username": {"bob"}, "role": {"boss"}}, admin), 400, "role")
	annID := pageUserID(t, p, "ann")
	if a := post(fmt.Sprintf("/access/users/%d", annID), url.Values{"role": {"analyst"}}, admin); a.status != 303 {
		t.Errorf("changing ann's role: %s", a)
	}
	if u, _ := p.Store.User(ctx, annID); u.Role != "analyst" || u.Disabled {
		t.Errorf("ann after the change: %+v", u)
	}
	adminID := pageUserID(t, p, "admin")
	wantPage(t, "disabling oneself", post(fmt.Sprintf("/access/users/%d", adminID), url.Values{"role": {"admin"}, "disabled": {"true"}}, admin),
		400, "you cannot disable yourself")
	a = post(fmt.Sprintf("/access/users/%d/password", pageUserID(t, p, "gen-user")), url.Values{"password": {""}}, admin)
	wantPage(t, "setting a generated password", a, 200, "Password of gen-user set")
	signIn(t, p.URL, "gen-user", newPasswordIn(t, a.body))

	// Ann (no admin) sees her password form only and is refused the rest.
	ann := signIn(t, p.URL, "ann", accessUserPW)
	page = get("/access", ann, 200)
	if !strings.Contains(page, `id="password-form"`) || strings.Contains(page, `id="token-form"`) || strings.Contains(page, "<h2>Users</h2>") {
		t.Errorf("GET /access as an analyst: the admin section shows, or the password form does not")
	}
	before, _ := p.Store.Tokens(ctx)
	for path, form := range map[string]url.Values{
		"/access/tokens":                                  {"name": {"mine"}, "role": {"admin"}},
		"/access/users":                                   {"username": {"mallory"}, "role": {"admin"}},
		fmt.Sprintf("/access/users/%d", annID):            {"role": {"admin"}},
		fmt.Sprintf("/access/users/%d/password", adminID): {"password": {accessNewPW}},
		fmt.Sprintf("/access/tokens/%d/revoke", tokID):    {},
	} {
		wantPage(t, "POST "+path+" as an analyst", post(path, form, ann), 403, "role analyst may not")
	}
	if u, _ := p.Store.User(ctx, annID); u.Role != "analyst" {
		t.Errorf("ann made herself %s", u.Role)
	}
	// From another site, even the admin's forms do nothing.
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		h["Cookie"] = admin["Cookie"]
		if a := post("/access/tokens", url.Values{"name": {"csrf"}, "role": {"admin"}}, h); a.status != 403 {
			t.Errorf("a cross-origin token form (%v): %s; want 403", h, a)
		}
	}
	if after, _ := p.Store.Tokens(ctx); len(after) != len(before) {
		t.Errorf("refused forms created tokens: %d before, %d after", len(before), len(after))
	}

	// Ann changes her password: mistakes in words, then it works and her
	// sessions end.
	pw := func(cur, next, again string) url.Values {
		return url.Values{"current_password": {cur}, "new_password": {next}, "repeat_password": {again}}
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{pw("wrong password here", accessNewPW, accessNewPW), "your current password is wrong"},
		{pw(accessUserPW, accessNewPW, accessNewPW+"x"), "the new password and its repeat differ"},
		{pw(accessUserPW, "short", "short"), "password"},
	} {
		wantPage(t, "changing the password", post("/access/password", c.form, ann), 400, c.want, `id="password-form"`, `class="error"`)
	}
	wantPage(t, "changing the password", post("/access/password", pw(accessUserPW, accessNewPW, accessNewPW), ann), 200,
		"Password changed", "Sign in with the new password")
	if a := rawCall(t, p.URL, "GET", "/access", nil, ann); a.status != 303 {
		t.Errorf("the old session after the change: %s; want 303 to /login", a)
	}
	signIn(t, p.URL, "ann", accessNewPW)
	if a := postForm(t, p.URL, "/login", url.Values{"username": {"ann"}, "password": {accessUserPW}}, nil); a.status != 401 {
		t.Errorf("signing in with the old password: %s; want 401", a)
	}

	// A token has no password to change, and no admin section unless admin.
	auditor := bearerHdr(p.client(t, "auditor").Token)
	if page := get("/access", auditor, 200); !strings.Contains(page, "an API token, which has no password") || strings.Contains(page, `id="token-form"`) {
		t.Errorf("GET /access with an auditor token")
	}
}
