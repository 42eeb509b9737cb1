package client

import (
	"context"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// DisclosureSettings reads the disclosure settings, the security.txt
// served and its warnings (admins).
func (c *Client) DisclosureSettings(ctx context.Context) (api.DisclosureSettings, error) {
	return get[api.DisclosureSettings](ctx, c, "/api/v1/settings/disclosure", nil)
}

// UpdateDisclosureSettings changes the disclosure settings p gives (admins).
func (c *Client) UpdateDisclosureSettings(ctx context.Context, p model.DisclosurePatch) (api.DisclosureSettings, error) {
	return sendJSON[api.DisclosureSettings](ctx, c, http.MethodPatch, "/api/v1/settings/disclosure", p, http.StatusOK)
}
