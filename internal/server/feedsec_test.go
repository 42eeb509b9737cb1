package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// secretLine is the first line of files that must never show through a
// feed's error: a password hash, as /etc/shadow holds.
const secretLine = "root:$6$S3CR3T-HASH:19000:0:99999:7:::"

// noSecret fails the test when an answer quotes secretLine (or a part).
func noSecret(t *testing.T, what string, body []byte, secrets ...string) {
	t.Helper()
	for _, s := range append([]string{"S3CR3T", "root:"}, secrets...) {
		if strings.Contains(string(body), s) {
			t.Errorf("%s shows %q: %s", what, s, body)
		}
	}
}

// TestFeedSourceRules: a feed source outside --feed-dir, inside the data
// directory, the database by any path, or on a loopback, link-local or
// private address is refused when configured (POST or PATCH), with a 400
// that names the rule and echoes nothing of the file. A file in a feed
// directory that is no feed fails to sync with an error naming the line,
// not its content, wherever feeds and jobs are read.
func TestFeedSourceRules(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dataDir, feedDir, outside := filepath.Join(root, "data"), filepath.Join(root, "feeds"), filepath.Join(root, "outside")
	for _, d := range []string{feedDir, outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	shadow := filepath.Join(outside, "shadow")
	notAFeed := filepath.Join(feedDir, "not-a-feed.json")
	for _, p := range []string{shadow, notAFeed} {
		if err := os.WriteFile(p, []byte(secretLine+"\nbin:*:19000:0:99999:7:::\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := servertest.Options{DataDir: dataDir, Args: []string{"--empty", "--feed-dir", feedDir}}
	p := servertest.Start(t, o)
	admin := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}
	db := filepath.Join(dataDir, "vulndesk.db")
	if err := os.Symlink(db, filepath.Join(feedDir, "db-link.json")); err != nil {
		t.Fatal(err)
	}
	hardLinked := os.Link(db, filepath.Join(feedDir, "db-hard.json")) == nil

	for _, tc := range []struct{ src, rule string }{
		{shadow, "--feed-dir"},
		{"file://" + shadow, "--feed-dir"},
		{"/etc/shadow", "--feed-dir"},
		{"/proc/self/environ", "--feed-dir"},
		{filepath.Join(feedDir, "..", "outside", "shadow"), "--feed-dir"},
		{db, "data directory"},
		{db + "-wal", "data directory"},
		{dataDir, "data directory"},
		{filepath.Join(feedDir, "db-link.json"), "data directory"},
		{p.URL + "/api/v1/overview", "loopback"}, // the server itself: a port scanner
		{"http://localhost:22/", "loopback"},
		{"https://[::1]:5432/", "loopback"},
		{"https://169.254.169.254/latest/meta-data/iam/security-credentials/", "link-local"},
		{"https://[fe80::1]/x", "link-local"},
		{"https://10.0.0.1/kev.json", "private"},
		{"https://192.168.1.1/kev.json", "private"},
		{"http://10.0.0.1/kev.json", "plain http only to a loopback host"},
	} {
		for _, kind := range []string{"kev", "osv"} {
			body := fmt.Sprintf(`{"name": "bad-%s", "kind": %q, "url": %q}`, kind, kind, tc.src)
			st, b := admin.Do(t, "POST", "/api/v1/feeds", strings.NewReader(body))
			wantAPIError(t, "POST "+tc.src, st, b, 400, tc.rule)
			noSecret(t, "POST "+tc.src, b, "SQLite")
		}
	}
	if hardLinked {
		st, b := admin.Do(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "hard", "kind": "kev", "url": %q}`, filepath.Join(feedDir, "db-hard.json"))))
		wantAPIError(t, "a hard link to the database", st, b, 400, "database files")
	}
	var feeds struct{ Items []model.Feed }
	admin.JSON(t, "GET", "/api/v1/feeds", nil, 200, &feeds)
	for _, f := range feeds.Items {
		if strings.HasPrefix(f.Name, "bad") || f.Name == "hard" {
			t.Errorf("a refused feed was stored: %+v", f)
		}
	}

	// A PATCH to a refused source changes nothing.
	var ok model.Feed
	admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "later", "kind": "kev", "url": %q, "enabled": false}`,
		filepath.Join(feedDir, "kev.json"))), 201, &ok)
	st, b := admin.Do(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", ok.ID), strings.NewReader(fmt.Sprintf(`{"url": %q}`, shadow)))
	wantAPIError(t, "PATCH to a file outside --feed-dir", st, b, 400, "--feed-dir")
	st, b = admin.Do(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", ok.ID), strings.NewReader(`{"url": "https://169.254.169.254/latest"}`))
	wantAPIError(t, "PATCH to the metadata service", st, b, 400, "link-local")
	var after model.Feed
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", ok.ID), nil, 200, &after)
	if after.URL != filepath.Join(feedDir, "kev.json") {
		t.Errorf("after refused PATCHes the feed reads %q", after.URL)
	}

	// A file in a feed directory that is no feed: its syncs fail, saying
	// where, not what.
	var ids []int64
	for _, kind := range []string{"kev", "epss", "osv"} {
		var f model.Feed
		admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "shadow-%s", "kind": %q, "url": %q}`, kind, kind, notAFeed)), 201, &f)
		ids = append(ids, f.ID)
	}
	for _, id := range ids {
		var f model.Feed
		servertest.Eventually(t, e2eWait, fmt.Sprintf("feed %d to fail its sync", id), func() bool {
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", id), nil, 200, &f)
			return f.LastError != ""
		})
		if !strings.Contains(f.LastError, "line 1") {
			t.Errorf("feed %s: last_error %q does not name the line", f.Name, f.LastError)
		}
	}
	for _, path := range []string{"/api/v1/feeds", "/api/v1/jobs?kind=sync-feed&limit=500", "/api/v1/overview"} {
		_, b := admin.Do(t, "GET", path, nil)
		noSecret(t, path, b)
	}
	noSecret(t, "the server log", []byte(p.Stderr()))
}

// feedID is the ID of the feed with the given name.
func feedID(t *testing.T, c *servertest.Client, name string) int64 {
	t.Helper()
	return feedNamed(t, c, name).ID
}

// feedNamed is the feed with the given name, as the API shows it now.
func feedNamed(t *testing.T, c *servertest.Client, name string) model.Feed {
	t.Helper()
	feeds := servertest.Must(c.API().Feeds(servertest.Ctx(t)))(t)
	for _, f := range feeds {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no feed %q in %+v", name, feeds)
	return model.Feed{}
}

// TestFeedCredentialsNeverShown: credentials in a feed URL are used to
// fetch it and never shown: not in the API's feeds, jobs or overview, not
// in errors, not in the log. A PATCH that sends the URL shown back keeps
// them; a new URL replaces them.
func TestFeedCredentialsNeverShown(t *testing.T) {
	t.Parallel()
	const kev = `{"catalogVersion": "1", "dateReleased": "2025-01-02T00:00:00Z", "count": 1, "vulnerabilities": [
		{"cveID": "CVE-2024-0001", "vendorProject": "v", "product": "p", "vulnerabilityName": "n", "dateAdded": "2024-01-02",
		 "shortDescription": "d", "requiredAction": "r", "dueDate": "2024-01-23", "knownRansomwareCampaignUse": "Unknown", "notes": ""}]}`
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, pw, _ := r.BasicAuth(); u != "mirror-user" || pw != "PA55W0RD" || r.URL.Query().Get("token") != "T0KEN-VALUE" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, kev)
	}))
	t.Cleanup(mirror.Close)
	o := servertest.Options{DataDir: t.TempDir(), Args: []string{"--empty", "--allow-private-feeds"}} // the mirror is on loopback
	p := servertest.Start(t, o)
	admin := &servertest.Client{URL: p.URL, Token: servertest.Token(t, o, "admin")}
	host := strings.TrimPrefix(mirror.URL, "http://")
	src := "http://mirror-user:PA55W0RD@" + host + "/kev.json?token=T0KEN-VALUE&v=1"
	shown := "http://REDACTED@" + host + "/kev.json?token=REDACTED&v=1"
	secrets := []string{"PA55W0RD", "T0KEN-VALUE", "mirror-user", "WR0NG"}

	st, b := admin.Do(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(`{"name": "kev", "kind": "kev", "url": %q}`, src)))
	if st != 201 {
		t.Fatalf("POST: %d %s", st, b)
	}
	noSecret(t, "POST", b, secrets...)
	var g model.Feed
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	synced := func(n int) {
		t.Helper()
		servertest.Eventually(t, e2eWait, fmt.Sprintf("sync %d", n), func() bool {
			admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", g.ID), nil, 200, &g)
			return g.Syncs >= n || g.LastError != ""
		})
	}
	synced(1)
	if g.Items != 1 || g.LastError != "" {
		t.Fatalf("the first sync, with the credentials: %+v", g)
	}
	var shownFeed model.Feed
	admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", g.ID), nil, 200, &shownFeed)
	if shownFeed.URL != shown {
		t.Errorf("url shown %q, want %q", shownFeed.URL, shown)
	}

	// The URL shown, sent back, keeps the credentials.
	admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", g.ID), strings.NewReader(fmt.Sprintf(`{"url": %q, "interval_seconds": 7200}`, shown)), 200, nil)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync?force=true", g.ID), nil, 202, nil)
	synced(2)
	if g.LastError != "" || g.Syncs != 2 {
		t.Fatalf("a sync after a PATCH that sent the URL shown: %+v", g)
	}

	// An edited copy of the URL shown would make its placeholders the
	// credentials: refused, and the stored ones kept.
	edited := strings.Replace(shown, "/kev.json", "/kev.json?x=1&", 1)
	st, body := admin.Do(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", g.ID), strings.NewReader(fmt.Sprintf(`{"url": %q}`, edited)))
	wantAPIError(t, "PATCH with an edited copy of the URL shown", st, body, 400, "REDACTED placeholders")

	// Other credentials replace them; the failure does not show them.
	wrong := "http://mirror-user:WR0NG@" + host + "/kev.json?token=WR0NG"
	admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/feeds/%d", g.ID), strings.NewReader(fmt.Sprintf(`{"url": %q}`, wrong)), 200, nil)
	admin.JSON(t, "POST", fmt.Sprintf("/api/v1/feeds/%d/sync?force=true", g.ID), nil, 202, nil)
	servertest.Eventually(t, e2eWait, "the sync with the wrong credentials to fail", func() bool {
		admin.JSON(t, "GET", fmt.Sprintf("/api/v1/feeds/%d", g.ID), nil, 200, &g)
		return g.LastError != ""
	})
	if !strings.Contains(g.LastError, "401") {
		t.Errorf("last_error %q, want the mirror's 401", g.LastError)
	}
	for _, path := range []string{"/api/v1/feeds", fmt.Sprintf("/api/v1/feeds/%d", g.ID), "/api/v1/jobs?limit=500", "/api/v1/overview"} {
		_, b := admin.Do(t, "GET", path, nil)
		noSecret(t, path, b, secrets...)
	}
	noSecret(t, "the server log", []byte(p.Stderr()), secrets...)
}

// TestDeletingExamplesWithdraws: the seeded example advisories match the
// example asset; deleting the examples feed withdraws them, and their
// findings resolve as withdrawn instead of leaking into real data.
func TestDeletingExamplesWithdraws(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			s := startE2E(t, e, nil)
			admin := s.admin
			examples := feedID(t, admin, "examples")
			// The example asset's own match first: the re-match that the
			// example NVD record queues can find one of its findings
			// before it.
			var assets struct{ Items []model.Asset }
			admin.JSON(t, "GET", "/api/v1/assets?q=webshop", nil, 200, &assets)
			if len(assets.Items) != 1 {
				t.Fatalf("the example asset: %+v", assets.Items)
			}
			waitMatched(t, admin, assets.Items[0].CurrentSnapshotID)
			var vdx []model.AssetFinding
			servertest.Eventually(t, e2eWait, "the example findings", func() bool {
				vdx = vdx[:0]
				for _, f := range findingPages(t, admin, client.FindingFilter{Status: "all"}, 500) {
					if strings.HasPrefix(f.VulnID, "VDX-") {
						vdx = append(vdx, f)
					}
				}
				return len(vdx) > 0
			})
			admin.JSON(t, "DELETE", fmt.Sprintf("/api/v1/feeds/%d", examples), nil, 204, nil)
			servertest.Eventually(t, e2eWait, "the example findings to resolve", func() bool {
				for _, f := range findingPages(t, admin, client.FindingFilter{Status: "all"}, 500) {
					if strings.HasPrefix(f.VulnID, "VDX-") && f.Status != "resolved" {
						return false
					}
				}
				return true
			})
			waitJobsDone(t, admin, "rematch")
			n := 0
			for _, f := range findingPages(t, admin, client.FindingFilter{Status: "all"}, 500) {
				if strings.HasPrefix(f.VulnID, "VDX-") {
					n++
					if f.Resolution != "withdrawn" {
						t.Errorf("finding %d (%s): resolution %q, want withdrawn", f.ID, f.VulnID, f.Resolution)
					}
				}
			}
			if n != len(vdx) {
				t.Errorf("%d example findings after the deletion, %d before", n, len(vdx))
			}
			var ov struct {
				Advisories int `json:"advisories"`
				Open       int `json:"open_findings"`
			}
			admin.JSON(t, "GET", "/api/v1/overview", nil, 200, &ov)
			if ov.Advisories != 0 || ov.Open != 0 {
				t.Errorf("overview after deleting the examples: %+v, want no advisories and nothing open", ov)
			}
		})
	}
}
