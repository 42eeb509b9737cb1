package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestAuditPage: /audit lists the chained events newest first, filters
// them, pages back, and checks the chain on request; auditors and admins
// see it (and its link), analysts get 403 and no link; a tampered event
// is named on the page.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			const pw = "audit-page-2026-pass!"
			p := startInproc(t, e, inprocOptions{adminPassword: pw})
			ctx := context.Background()
			for _, u := range []struct{ name, role string }{{"ann", "auditor"}, {"al", "analyst"}} {
				if _, _, err := p.Svc.CreateUser(ctx, service.NewUser{Name: u.name, Role: u.role, Password: pw}, "test"); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 105 {
				if _, err := p.Svc.CreateAsset(ctx, model.Asset{Name: "audited-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)}, "ann-test"); err != nil {
					t.Fatal(err)
				}
			}
			get := pageGetter(t, p.URL)
			auditor, analyst := signIn(t, p.URL, "ann", pw), signIn(t, p.URL, "al", pw)
			page := get("/audit", auditor, 200)
			// The newest 100: the two sign-ins, then assets.
			if !strings.Contains(page, `href="/audit">Audit log</a>`) || strings.Count(page, "<code>asset.created</code>") != 98 ||
				strings.Count(page, "<code>session.opened</code>") != 2 || !strings.Contains(page, "Older events") {
				t.Errorf("the first page: no nav link, not 98 asset.created and 2 session.opened events, or no link to older ones")
			}
			older := get("/audit?before=50", auditor, 200)
			if strings.Count(older, "<code>") < 49 || strings.Contains(older, "Older events") {
				t.Errorf("the page before seq 50: %d events", strings.Count(older, "<tr>")-1)
			}
			if strings.Contains(get("/", analyst, 200), `href="/audit"`) {
				t.Error("an analyst's navigation links to the audit log")
			}
			get("/audit", analyst, 403)
			if f := get("/audit?kind=session.opened&actor=ann", auditor, 200); strings.Count(f, "<code>session.opened</code>") != 1 {
				t.Error("filtering by kind and actor")
			}
			if v := get("/audit?verify=1", auditor, 200); !strings.Contains(v, "The chain is intact") {
				t.Error("verify on an untouched log")
			}
			if _, err := p.Store.DB().ExecContext(ctx, `UPDATE events SET actor = 'mallory' WHERE seq = 3`); err != nil {
				t.Fatal(err)
			}
			if v := get("/audit?verify=1", auditor, 200); !strings.Contains(v, "The chain is broken at event") || !strings.Contains(v, "seq 3") {
				t.Error("verify does not name the edited event")
			}
		})
	}
}
