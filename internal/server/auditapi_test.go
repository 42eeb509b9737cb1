package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

type auditPage struct {
	Items      []model.AuditEvent `json:"items"`
	NextCursor string             `json:"next_cursor"`
}

// GET /api/v1/audit/events: admins and auditors read the chain, in seq
// order with its hashes, filtered and paged; analysts and uploaders may
// not.
func TestAuditEventsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			p := startInproc(t, e, inprocOptions{})
			var ids []int64
			for _, name := range []string{"billing", "payroll", "<script>alert(1)</script>"} {
				var a model.Asset
				p.admin.JSON(t, "POST", "/api/v1/assets", strings.NewReader(fmt.Sprintf(`{"name": %q}`, name)), 201, &a)
				ids = append(ids, a.ID)
			}
			p.admin.JSON(t, "PATCH", fmt.Sprintf("/api/v1/assets/%d", ids[1]), strings.NewReader(`{"owner": "hr@example.org"}`), 200, nil)

			auditor := p.client(t, "auditor")
			var all auditPage
			auditor.JSON(t, "GET", "/api/v1/audit/events?limit=500", nil, 200, &all)
			if len(all.Items) < 4 || all.NextCursor != "" {
				t.Fatalf("got %d events, cursor %q", len(all.Items), all.NextCursor)
			}
			for i, ev := range all.Items {
				if ev.Seq != int64(i+1) || len(ev.Hash) != 64 || (i > 0 && ev.PrevHash != all.Items[i-1].Hash) || (i == 0 && ev.PrevHash != "") {
					t.Fatalf("event %d is not chained to the one before: %+v", i, ev)
				}
			}
			r, err := p.Store.VerifyAudit(context.Background())
			if err != nil || !r.OK || r.Head != all.Items[len(all.Items)-1].Hash {
				t.Fatalf("verify: %+v %v", r, err)
			}
			changed := all.Items[len(all.Items)-1]
			if changed.Kind != "asset.changed" || changed.ObjectID != fmt.Sprint(ids[1]) || !strings.Contains(string(changed.After), "hr@example.org") {
				t.Errorf("last event: %+v", changed)
			}

			for _, role := range []string{"analyst", "uploader"} {
				st, body := p.client(t, role).Do(t, "GET", "/api/v1/audit/events", nil)
				wantAPIError(t, role, st, body, 403)
			}
			p.admin.JSON(t, "GET", "/api/v1/audit/events", nil, 200, nil)

			byAdmin := 0
			for _, ev := range all.Items {
				if ev.Actor == changed.Actor {
					byAdmin++
				}
			}
			count := func(query string) int {
				t.Helper()
				var pg auditPage
				auditor.JSON(t, "GET", "/api/v1/audit/events?"+query, nil, 200, &pg)
				return len(pg.Items)
			}
			for q, want := range map[string]int{
				fmt.Sprintf("object_type=asset&object_id=%d", ids[1]): 2,
				"kind=asset.changed":                      1,
				"kind=asset.created&object_type=asset":    3,
				"actor=" + url.QueryEscape(changed.Actor): byAdmin,
				"actor=nobody":                            0,
				"since=" + url.QueryEscape(all.Items[0].At.Format("2006-01-02T15:04:05.999999999Z07:00")): len(all.Items),
				"since=2999-01-01T00:00:00Z":        0,
				"until=2000-01-01T00:00:00Z":        0,
				"until=2999-01-01T00:00:00%2B02:00": len(all.Items),
			} {
				if got := count(q); got != want {
					t.Errorf("%s: %d events, want %d", q, got, want)
				}
			}
			for _, q := range []string{"since=yesterday", "until=2026-13-01T00:00:00Z", "cursor=x", "limit=0"} {
				st, body := auditor.Do(t, "GET", "/api/v1/audit/events?"+q, nil)
				wantAPIError(t, q, st, body, 400)
			}

			// Paged two at a time, the pages make up the whole chain.
			var paged []model.AuditEvent
			next := "/api/v1/audit/events?limit=2"
			for next != "" {
				var pg auditPage
				auditor.JSON(t, "GET", next, nil, 200, &pg)
				paged = append(paged, pg.Items...)
				next = ""
				if pg.NextCursor != "" {
					next = "/api/v1/audit/events?limit=2&cursor=" + url.QueryEscape(pg.NextCursor)
				}
			}
			if len(paged) != len(all.Items) || paged[len(paged)-1].Hash != all.Items[len(all.Items)-1].Hash {
				t.Errorf("paged: %d events, want %d", len(paged), len(all.Items))
			}
		})
	}
}
