package client

// Notifications: channels (webhooks, email), the rules that say what
// each hears of, and the delivery log.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

const channelsPath, rulesPath, deliveriesPath = "/api/v1/notifications/channels", "/api/v1/notifications/rules", "/api/v1/notifications/deliveries"

// Channels lists the notification channels.
func (c *Client) Channels(ctx context.Context) ([]model.Channel, error) {
	return list[model.Channel](ctx, c, channelsPath, nil)
}

// Channel reads one channel (never its secret).
func (c *Client) Channel(ctx context.Context, id int64) (model.Channel, error) {
	return get[model.Channel](ctx, c, idPath(channelsPath, id), nil)
}

// CreateChannel creates a channel; a webhook's signing secret is in the
// answer, this once.
func (c *Client) CreateChannel(ctx context.Context, in api.NewChannel) (api.CreatedChannel, error) {
	return sendJSON[api.CreatedChannel](ctx, c, http.MethodPost, channelsPath, in, http.StatusCreated)
}

// DeleteChannel deletes a channel with its rules and deliveries.
func (c *Client) DeleteChannel(ctx context.Context, id int64) error {
	return c.remove(ctx, idPath(channelsPath, id))
}

// TestChannel queues a test message to a channel and returns its delivery.
func (c *Client) TestChannel(ctx context.Context, id int64) (model.Delivery, error) {
	var out model.Delivery
	err := c.call(ctx, request{method: http.MethodPost, path: idPath(channelsPath, id) + "/test", want: http.StatusAccepted, out: &out})
	return out, err
}

// Rules lists the notification rules.
func (c *Client) Rules(ctx context.Context) ([]model.NotifyRule, error) {
	return list[model.NotifyRule](ctx, c, rulesPath, nil)
}

// CreateRule creates a rule.
func (c *Client) CreateRule(ctx context.Context, in api.NewRule) (model.NotifyRule, error) {
	return sendJSON[model.NotifyRule](ctx, c, http.MethodPost, rulesPath, in, http.StatusCreated)
}

// DeleteRule deletes a rule.
func (c *Client) DeleteRule(ctx context.Context, id int64) error {
	return c.remove(ctx, idPath(rulesPath, id))
}

// Deliveries lists deliveries, newest first: of one channel when channel
// is not 0, in one state when state is not "".
func (c *Client) Deliveries(ctx context.Context, channel int64, state string, limit int) ([]model.Delivery, error) {
	q := url.Values{}
	if channel != 0 {
		q.Set("channel", strconv.FormatInt(channel, 10))
	}
	if state != "" {
		q.Set("status", state)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return list[model.Delivery](ctx, c, deliveriesPath, q)
}

// Delivery reads one delivery with the log of its attempts.
func (c *Client) Delivery(ctx context.Context, id int64) (model.Delivery, error) {
	return get[model.Delivery](ctx, c, idPath(deliveriesPath, id), nil)
}
