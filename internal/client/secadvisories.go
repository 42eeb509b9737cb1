package client

// Own security advisories (CSAF): write, submit, publish, read as CSAF
// and OSV.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// SecurityAdvisories lists own security advisories in a state ("" for
// all), newest first.
func (c *Client) SecurityAdvisories(ctx context.Context, state string) ([]model.SecurityAdvisory, error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	return list[model.SecurityAdvisory](ctx, c, "/api/v1/security-advisories", q)
}

// CreateSecurityAdvisory creates a draft advisory.
func (c *Client) CreateSecurityAdvisory(ctx context.Context, in api.SecurityAdvisoryInput) (model.SecurityAdvisory, error) {
	return sendJSON[model.SecurityAdvisory](ctx, c, http.MethodPost, "/api/v1/security-advisories", in, http.StatusCreated)
}

// SecurityAdvisory reads an advisory with its revisions.
func (c *Client) SecurityAdvisory(ctx context.Context, id int64) (model.SecurityAdvisory, error) {
	return get[model.SecurityAdvisory](ctx, c, idPath("/api/v1/security-advisories", id), nil)
}

// UpdateSecurityAdvisory changes the fields set in in; on a published
// advisory it starts the next revision.
func (c *Client) UpdateSecurityAdvisory(ctx context.Context, id int64, in api.SecurityAdvisoryInput) (model.SecurityAdvisory, error) {
	return sendJSON[model.SecurityAdvisory](ctx, c, http.MethodPatch, idPath("/api/v1/security-advisories", id), in, http.StatusOK)
}

// SubmitSecurityAdvisory sends a draft to review.
func (c *Client) SubmitSecurityAdvisory(ctx context.Context, id int64) (model.SecurityAdvisory, error) {
	return c.moveSecurityAdvisory(ctx, id, "submit")
}

// PublishSecurityAdvisory publishes an advisory in review as its next
// revision.
func (c *Client) PublishSecurityAdvisory(ctx context.Context, id int64) (model.SecurityAdvisory, error) {
	return c.moveSecurityAdvisory(ctx, id, "publish")
}

func (c *Client) moveSecurityAdvisory(ctx context.Context, id int64, verb string) (model.SecurityAdvisory, error) {
	var out model.SecurityAdvisory
	err := c.call(ctx, request{method: http.MethodPost, path: idPath("/api/v1/security-advisories", id) + "/" + verb,
		want: http.StatusOK, out: &out})
	return out, err
}

// SecurityAdvisoryDocument reads an advisory as format "csaf" or "osv":
// the published bytes, or a preview while it is not published.
func (c *Client) SecurityAdvisoryDocument(ctx context.Context, id int64, format string) ([]byte, error) {
	if format != "csaf" && format != "osv" {
		return nil, fmt.Errorf("security advisory %d: format %q is not csaf or osv", id, format)
	}
	return c.document(ctx, idPath("/api/v1/security-advisories", id)+"/"+format)
}
