package server_test

// The typed API client (internal/client) against the real server handler
// in-process, on both engines: every API route answers the client with
// the types it decodes, errors come back as *client.Error with the
// server's status and message, and paging reaches every finding once.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

func TestClient(t *testing.T) {
	t.Parallel()
	shop := mustRead(t, "../../examples/sbom/webshop.cdx.json")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{seed: true, jobs: true})
			rec := &recorder{}
			hc := &http.Client{Transport: rec}
			admin := client.New(p.URL, client.WithToken(p.admin.Token), client.WithHTTPClient(hc), client.WithUserAgent("client-test"))
			ctx := t.Context()

			clientOps(ctx, t, admin)
			clientAssets(ctx, t, admin, shop)
			clientFindings(ctx, t, admin)
			clientSARIF(ctx, t, admin)
			clientExports(ctx, t, admin)
			analyst := client.New(p.URL, client.WithToken(p.client(t, "analyst").Token), client.WithHTTPClient(hc))
			clientTriage(ctx, t, admin, analyst)
			clientVEX(ctx, t, admin)
			clientSLA(ctx, t, admin, analyst)
			clientScans(ctx, t, admin, shop)
			clientFeeds(ctx, t, admin)
			clientNotify(ctx, t, admin, analyst)
			clientDisclosure(ctx, t, admin, analyst) // issue 14, sectxt
			clientCRA(ctx, t, p, admin, analyst)
			clientAccess(ctx, t, p.URL, admin, hc)
			clientErrors(ctx, t, admin)
			clientCases(ctx, t, p, admin, client.New(p.URL, client.WithToken(p.client(t, "auditor").Token), client.WithHTTPClient(hc))) // issue 14, part cases
			clientSecAdvisories(ctx, t, admin, analyst)                                                                                 // CSAF advisories (issue 14, csaf)
			rec.covers(t)
		})
	}
}

// must returns v, or fails the test with err: must(c.Me(ctx))(t).
func must[T any](v T, err error) func(testing.TB) T { return servertest.Must(v, err) }

// wantClientError checks that err is a *client.Error of the status whose
// message mentions want.
func wantClientError(t *testing.T, what string, err error, status int, want string) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) {
		t.Errorf("%s: error %v (%T), want a *client.Error", what, err, err)
		return
	}
	if ce.Status != status || !strings.Contains(ce.Message, want) {
		t.Errorf("%s: %d %q, want %d mentioning %q", what, ce.Status, ce.Message, status, want)
	}
}

func ptr[T any](v T) *T { return &v }

func clientOps(ctx context.Context, t *testing.T, c *client.Client) {
	if h := must(c.Health(ctx))(t); h.Status != "ok" || h.Version != "test" {
		t.Errorf("health: %+v", h)
	}
	if r := must(c.Ready(ctx))(t); r.Status != "ok" || r.Database == "" {
		t.Errorf("ready: %+v", r)
	}
	if m := must(c.Me(ctx))(t); m.Name != "token:test-admin" || m.Role != "admin" || !slices.Contains(m.Scopes, "admin") {
		t.Errorf("me: %+v", m)
	}
	if m := must(c.Metrics(ctx))(t); !strings.Contains(m, "vulndesk_jobs{") {
		t.Errorf("metrics without vulndesk_jobs:\n%.500s", m)
	}
}

func clientAssets(ctx context.Context, t *testing.T, c *client.Client, sbom []byte) {
	// Create, change, upload to, read and delete an asset.
	a := must(c.CreateAsset(ctx, api.AssetInput{Name: ptr("client-test"), Owner: ptr("team-a")}))(t)
	if a.ID == 0 || a.Kind != "application" || a.Criticality != 3 || a.Owner != "team-a" {
		t.Errorf("created %+v", a)
	}
	u := must(c.UpdateAsset(ctx, a.ID, api.AssetInput{Owner: ptr("team-b"), Tags: &[]string{"pci"}}))(t)
	if u.Name != "client-test" || u.Owner != "team-b" || !slices.Equal(u.Tags, []string{"pci"}) {
		t.Errorf("updated %+v", u)
	}
	r := must(c.Upload(ctx, a.ID, sbom, client.UploadOptions{Source: "shop.cdx.json"}))(t)
	if r.Asset.ID != a.ID || r.Asset.Name != "client-test" || r.Snapshot.Components == 0 || r.Snapshot.Source != "shop.cdx.json" {
		t.Errorf("upload receipt %+v", r)
	}
	servertest.Eventually(t, 30*time.Second, "the upload's match", func() bool {
		return !must(c.Snapshot(ctx, r.Snapshot.ID))(t).MatchedAt.IsZero()
	})
	if ss := must(c.Snapshots(ctx, a.ID))(t); len(ss) != 1 || ss[0].ID != r.Snapshot.ID {
		t.Errorf("snapshots %+v", ss)
	}
	first := must(c.Components(ctx, r.Snapshot.ID, client.PageQuery{Limit: 2}))(t)
	next := must(c.Components(ctx, r.Snapshot.ID, client.PageQuery{Limit: 2, Cursor: first.NextCursor}))(t)
	if len(first.Items) != 2 || first.NextCursor == "" || len(next.Items) == 0 || next.Items[0].ID <= first.Items[1].ID {
		t.Errorf("components: %d then %d (cursor %q)", len(first.Items), len(next.Items), first.NextCursor)
	}
	if got := must(c.Assets(ctx, client.AssetQuery{Text: "team-b"}))(t); len(got.Items) != 1 || got.Items[0].ID != a.ID {
		t.Errorf("assets?q=team-b: %+v", got.Items)
	}

	// Uploaded by name, created with a kind.
	byName := must(c.UploadByName(ctx, "client-made", sbom, client.UploadOptions{Create: true, Kind: "container-image"}))(t)
	if made := must(c.Asset(ctx, byName.Asset.ID))(t); made.Name != "client-made" || made.Kind != "container-image" {
		t.Errorf("created by upload: %+v", made)
	}
	_, err := c.UploadByName(ctx, "client-absent", sbom, client.UploadOptions{})
	wantClientError(t, "upload to an absent asset without create", err, 404, "create=true")

	if err := c.DeleteAsset(ctx, byName.Asset.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Asset(ctx, byName.Asset.ID)
	wantClientError(t, "a deleted asset", err, 404, fmt.Sprintf("asset %d", byName.Asset.ID))
}

func clientFindings(ctx context.Context, t *testing.T, c *client.Client) {
	f := client.FindingFilter{Asset: "client-test", Status: "all"}
	one := must(c.Findings(ctx, client.FindingFilter{Asset: f.Asset, Status: f.Status, PageQuery: client.PageQuery{Limit: 500}}))(t)
	if len(one.Items) < 3 || one.NextCursor != "" {
		t.Fatalf("findings of client-test: %d, next %q; the paging check wants several on one page", len(one.Items), one.NextCursor)
	}
	f.Limit = 2
	pages := 0
	for _, err := range c.FindingPages(ctx, f) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
	}
	paged := must(c.AllFindings(ctx, f))(t)
	if pages != (len(one.Items)+1)/2 || !slices.EqualFunc(paged, one.Items, func(a, b model.AssetFinding) bool { return a.ID == b.ID }) {
		t.Errorf("%d findings in %d pages of 2, %d in one page", len(paged), pages, len(one.Items))
	}
	high := must(c.AllFindings(ctx, client.FindingFilter{Severity: []string{"critical", "high"}, Ecosystem: "golang"}))(t)
	for _, fd := range high {
		if fd.Severity != "critical" && fd.Severity != "high" || fd.Ecosystem != "Go" {
			t.Errorf("severity=critical,high&ecosystem=golang answered %s %s %s", fd.VulnID, fd.Severity, fd.Ecosystem)
		}
	}
	fd := must(c.Finding(ctx, one.Items[0].ID))(t)
	if fd.ID != one.Items[0].ID || fd.VulnID == "" || fd.AssetName != "client-test" {
		t.Errorf("finding %+v", fd)
	}
	if rec := must(c.NVDRecord(ctx, "CVE-2023-39325"))(t); !strings.Contains(string(rec), `"id":"CVE-2023-39325"`) {
		t.Errorf("the example NVD record: %s", rec)
	}
	if adv := must(c.Advisory(ctx, fd.VulnID))(t); adv.ID != fd.VulnID {
		t.Errorf("advisory %s answered %s", fd.VulnID, adv.ID)
	}
	for _, fd := range must(c.AllFindings(ctx, client.FindingFilter{Text: "client-test", Status: "all"}))(t) {
		if fd.AssetName != "client-test" {
			t.Errorf("q=client-test answered a finding of %s", fd.AssetName)
		}
	}
	for _, fd := range must(c.AllFindings(ctx, client.FindingFilter{KEV: true}))(t) {
		if !fd.KEV {
			t.Errorf("kev=true answered %s, which is not in KEV", fd.VulnID)
		}
	}
}

func clientFeeds(ctx context.Context, t *testing.T, c *client.Client) {
	f := must(c.CreateFeed(ctx, api.FeedInput{Name: ptr("client-kev"), Kind: ptr("kev"), URL: ptr("https://kev.example.invalid/kev.json"), Enabled: ptr(false)}))(t)
	if f.ID == 0 || f.Enabled || f.Interval != 3600 {
		t.Errorf("created feed %+v", f)
	}
	if u := must(c.UpdateFeed(ctx, f.ID, api.FeedInput{Interval: ptr(7200)}))(t); u.Interval != 7200 || u.Kind != "kev" {
		t.Errorf("updated feed %+v", u)
	}
	if g := must(c.Feed(ctx, f.ID))(t); g.Interval != 7200 {
		t.Errorf("read feed %+v", g)
	}
	if fs := must(c.Feeds(ctx))(t); !slices.ContainsFunc(fs, func(x model.Feed) bool { return x.ID == f.ID }) {
		t.Errorf("feeds without %d: %+v", f.ID, fs)
	}
	examples := feedIDIn(t, must(c.Feeds(ctx))(t), "examples")
	q := must(c.SyncFeed(ctx, examples, true))(t)
	if q.JobID == 0 {
		t.Errorf("sync: %+v", q)
	}
	if js := must(c.Jobs(ctx, model.JobSyncFeed, 10))(t); !slices.ContainsFunc(js, func(j model.Job) bool { return j.ID == q.JobID }) {
		t.Errorf("jobs of kind sync-feed without %d", q.JobID)
	}
	if err := c.DeleteFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Feed(ctx, f.ID)
	wantClientError(t, "a deleted feed", err, 404, fmt.Sprintf("feed %d", f.ID))
	if o := must(c.Overview(ctx))(t); o.Assets < 2 || o.Advisories == 0 || len(o.Feeds) == 0 {
		t.Errorf("overview %+v", o.Summary)
	}
}

func feedIDIn(t *testing.T, fs []model.Feed, name string) int64 {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			return f.ID
		}
	}
	t.Fatalf("no feed %q", name)
	return 0
}

func clientAccess(ctx context.Context, t *testing.T, url string, c *client.Client, hc *http.Client) {
	tok := must(c.CreateToken(ctx, api.NewToken{Name: "client-ci", Role: "uploader", AssetNames: []string{"client-*"}}))(t)
	if !strings.HasPrefix(tok.Token, "vdk_") || tok.Info.Name != "client-ci" {
		t.Errorf("created token %+v", tok.Info)
	}
	if ts := must(c.Tokens(ctx))(t); !slices.ContainsFunc(ts, func(x model.Token) bool { return x.ID == tok.Info.ID }) {
		t.Errorf("tokens without %d", tok.Info.ID)
	}
	up := client.New(url, client.WithToken(tok.Token), client.WithHTTPClient(hc))
	if m := must(up.Me(ctx))(t); m.Role != "uploader" {
		t.Errorf("uploader's me: %+v", m)
	}
	_, err := up.CreateAsset(ctx, api.AssetInput{Name: ptr("client-nope")})
	wantClientError(t, "an uploader creating an asset", err, 403, "role uploader")
	err = up.ChangeOwnPassword(ctx, "a", "b")
	wantClientError(t, "a token changing its password", err, 400, "token")
	if err := c.RevokeToken(ctx, tok.Info.ID); err != nil {
		t.Fatal(err)
	}
	_, err = up.Me(ctx)
	wantClientError(t, "a revoked token", err, 401, "authentication required")

	if p := must(c.AuditEvents(ctx, client.AuditQuery{Kind: "token.revoked", PageQuery: client.PageQuery{Limit: 10}}))(t); len(p.Items) != 1 ||
		p.Items[0].ObjectID != fmt.Sprint(tok.Info.ID) || len(p.Items[0].Hash) != 64 {
		t.Errorf("audit events of kind token.revoked: %+v", p.Items)
	}
	_, err = up.AuditEvents(ctx, client.AuditQuery{})
	wantClientError(t, "a revoked token reading the audit log", err, 401, "authentication required")

	cu := must(c.CreateUser(ctx, api.NewUser{Username: "carol", Role: "auditor"}))(t)
	if cu.User.Username != "carol" || cu.Password == "" {
		t.Errorf("created user %+v (password given: %v)", cu.User, cu.Password != "")
	}
	if u := must(c.UpdateUser(ctx, cu.User.ID, api.UserChange{Role: ptr("analyst")}))(t); u.Role != "analyst" {
		t.Errorf("updated user %+v", u)
	}
	if np := must(c.SetPassword(ctx, cu.User.ID, ""))(t); np.Password == "" || np.Password == cu.Password {
		t.Errorf("set password: generated none or the same")
	}
	if us := must(c.Users(ctx))(t); !slices.ContainsFunc(us, func(x model.User) bool { return x.Username == "carol" && x.Role == "analyst" }) {
		t.Errorf("users without carol the analyst: %+v", us)
	}
}

func clientErrors(ctx context.Context, t *testing.T, c *client.Client) {
	_, err := c.Asset(ctx, 999999)
	wantClientError(t, "an absent asset", err, 404, "asset 999999")
	_, err = c.Findings(ctx, client.FindingFilter{Severity: []string{"dire"}})
	wantClientError(t, "a bad severity", err, 400, "severity")
	_, err = c.Advisory(ctx, "CVE-1999-0001")
	wantClientError(t, "an unknown advisory", err, 404, "CVE-1999-0001")
	_, err = c.CreateAsset(ctx, api.AssetInput{Name: ptr("client-test")})
	wantClientError(t, "a second asset of the same name", err, 409, "")
	// The error names the call, for logs.
	if err != nil && !strings.Contains(err.Error(), "POST /api/v1/assets") {
		t.Errorf("error %q does not name the call", err)
	}
}

// recorder is a transport that remembers the requests it carries, so the
// test can check that the client reaches every API route, and only with
// the query parameters each documents.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) covers(t *testing.T) {
	t.Helper()
	mux := http.NewServeMux()
	query := map[string][]string{}
	for _, rt := range server.Routes() {
		pattern := rt.Method + " " + rt.Pattern
		mux.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
		query[pattern] = rt.Query
	}
	hit := map[string]bool{}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, req := range r.reqs {
		_, pattern := mux.Handler(req)
		if pattern == "" {
			t.Errorf("the client sent %s %s, which no route serves", req.Method, req.URL.Path)
			continue
		}
		hit[pattern] = true
		for name := range req.URL.Query() {
			if !slices.Contains(query[pattern], name) {
				t.Errorf("the client sent %s with query parameter %q, which the route does not document", pattern, name)
			}
		}
	}
	for _, rt := range server.Routes() {
		pattern := rt.Method + " " + rt.Pattern
		if !rt.Page && rt.Pattern != "/api/v1/openapi.json" && !hit[pattern] {
			t.Errorf("no client call reached %s", pattern)
		}
	}
}

func clientSARIF(ctx context.Context, t *testing.T, c *client.Client) {
	assets := must(c.Assets(ctx, client.AssetQuery{Text: "client-test"}))(t)
	if len(assets.Items) != 1 {
		t.Fatalf("assets named client-test: %+v", assets.Items)
	}
	log := []byte(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "gosec"}},
		"results": [{"ruleId": "G101", "level": "error", "message": {"text": "hard-coded credential"},
			"locations": [{"physicalLocation": {"artifactLocation": {"uri": "main.go"}, "region": {"startLine": 7}}}]}]}]}`)
	got := must(c.ImportSARIF(ctx, assets.Items[0].ID, log, client.SARIFOptions{Source: "gosec.sarif"}))(t)
	if got.New != 1 || got.Results != 1 || got.Branch != "main" || !slices.Equal(got.Tools, []string{"gosec"}) {
		t.Errorf("sarif import: %+v", got)
	}
	code := must(c.Findings(ctx, client.FindingFilter{Asset: "client-test", Kind: "code"}))(t)
	if len(code.Items) != 1 || code.Items[0].Code == nil || code.Items[0].Code.Location.StartLine != 7 || code.Items[0].VulnID != "G101" {
		t.Errorf("code findings: %+v", code.Items)
	}
}
