package client

// The SLA policy, the SLA figures and the settings.

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// SLAPolicies reads the SLA policy in force and every version, newest
// first.
func (c *Client) SLAPolicies(ctx context.Context) (api.SLAPolicies[sla.Policy], error) {
	return get[api.SLAPolicies[sla.Policy]](ctx, c, "/api/v1/sla/policy", nil)
}

// SetSLAPolicy records the next version of the SLA policy (admins).
func (c *Client) SetSLAPolicy(ctx context.Context, in sla.PolicyInput) (sla.Policy, error) {
	return sendJSON[sla.Policy](ctx, c, http.MethodPost, "/api/v1/sla/policy", in, http.StatusCreated)
}

// SLAFigures reads the SLA figures of [from, to) (zero times: the server's
// defaults, the 90 days to now), grouped by by ("severity", "asset" or ""
// for none).
func (c *Client) SLAFigures(ctx context.Context, from, to time.Time, by string) (api.SLAFigureReport, error) {
	q := url.Values{}
	for name, t := range map[string]time.Time{"from": from, "to": to} {
		if !t.IsZero() {
			q.Set(name, t.UTC().Format(time.RFC3339Nano))
		}
	}
	if by != "" {
		q.Set("by", by)
	}
	return get[api.SLAFigureReport](ctx, c, "/api/v1/sla/figures", q)
}

// Settings reads the settings (admins).
func (c *Client) Settings(ctx context.Context) (api.Settings, error) {
	return get[api.Settings](ctx, c, "/api/v1/settings", nil)
}

// UpdateSettings changes the settings ch gives (admins).
func (c *Client) UpdateSettings(ctx context.Context, ch api.SettingsPatch) (api.Settings, error) {
	return sendJSON[api.Settings](ctx, c, http.MethodPatch, "/api/v1/settings", ch, http.StatusOK)
}
