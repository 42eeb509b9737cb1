package client

// The audit log.

import (
	"context"
	"net/url"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// AuditQuery filters the audit log; zero fields select all.
type AuditQuery struct {
	ObjectType, ObjectID, Actor, Kind string
	Since, Until                      time.Time
	PageQuery
}

// AuditEvents reads one page of the audit log in chain order (admins and
// auditors).
func (c *Client) AuditEvents(ctx context.Context, f AuditQuery) (api.Page[model.AuditEvent], error) {
	q := url.Values{}
	for k, v := range map[string]string{"object_type": f.ObjectType, "object_id": f.ObjectID, "actor": f.Actor, "kind": f.Kind} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, v := range map[string]time.Time{"since": f.Since, "until": f.Until} {
		if !v.IsZero() {
			q.Set(k, v.Format(time.RFC3339Nano))
		}
	}
	return get[api.Page[model.AuditEvent]](ctx, c, "/api/v1/audit/events", f.add(q))
}
