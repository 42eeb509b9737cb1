package client

// Feeds: the advisory, KEV and EPSS sources the server syncs.

import (
	"context"
	"net/http"
	"net/url"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Feeds lists the configured feeds with their health.
func (c *Client) Feeds(ctx context.Context) ([]model.Feed, error) {
	return list[model.Feed](ctx, c, "/api/v1/feeds", nil)
}

// Feed reads one feed's configuration and health.
func (c *Client) Feed(ctx context.Context, id int64) (model.Feed, error) {
	return get[model.Feed](ctx, c, idPath("/api/v1/feeds", id), nil)
}

// CreateFeed configures a feed; an enabled one is synced at once.
func (c *Client) CreateFeed(ctx context.Context, in api.FeedInput) (model.Feed, error) {
	return sendJSON[model.Feed](ctx, c, http.MethodPost, "/api/v1/feeds", in, http.StatusCreated)
}

// UpdateFeed changes the fields set in in and keeps the others.
func (c *Client) UpdateFeed(ctx context.Context, id int64, in api.FeedInput) (model.Feed, error) {
	return sendJSON[model.Feed](ctx, c, http.MethodPatch, idPath("/api/v1/feeds", id), in, http.StatusOK)
}

// DeleteFeed deletes a feed.
func (c *Client) DeleteFeed(ctx context.Context, id int64) error {
	return c.remove(ctx, idPath("/api/v1/feeds", id))
}

// SyncFeed queues a sync of a feed (force: process the content even when
// it has not changed). Queued is false when one was queued or running
// already; JobID names that job either way.
func (c *Client) SyncFeed(ctx context.Context, id int64, force bool) (api.Queued, error) {
	q := url.Values{}
	if force {
		q.Set("force", "true")
	}
	var out api.Queued
	err := c.call(ctx, request{method: http.MethodPost, path: idPath("/api/v1/feeds", id) + "/sync", query: q, want: http.StatusAccepted, out: &out})
	return out, err
}
