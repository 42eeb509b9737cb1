package client

// Operations: health, readiness, metrics, who the caller is, the overview
// and the job queue.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Health reads /healthz: the server is alive.
func (c *Client) Health(ctx context.Context) (api.Health, error) {
	return get[api.Health](ctx, c, "/healthz", nil)
}

// Ready reads /readyz. A server that is not ready answers 503 with a
// Health saying why; Ready returns that Health together with the *Error.
func (c *Client) Ready(ctx context.Context) (api.Health, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/readyz"})
	if err != nil {
		return api.Health{}, err
	}
	defer resp.Body.Close()
	data, err := readBounded(resp.Body, maxErrorBody)
	if err != nil {
		return api.Health{}, fmt.Errorf("GET /readyz: %w", err)
	}
	var h api.Health
	if err := json.Unmarshal(data, &h); err != nil {
		return api.Health{}, fmt.Errorf("GET /readyz: %d: decode the answer: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return h, &Error{Status: resp.StatusCode, Message: h.Status, Method: http.MethodGet, Path: "/readyz"}
	}
	return h, nil
}

// Metrics reads /metrics, the Prometheus text exposition.
func (c *Client) Metrics(ctx context.Context) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/metrics"})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", readError(http.MethodGet, "/metrics", resp)
	}
	data, err := readBounded(resp.Body, MaxBody)
	if err != nil {
		return "", fmt.Errorf("GET /metrics: %w", err)
	}
	return string(data), nil
}

// Me says who the caller is: its name, role and scopes.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	return get[api.Me](ctx, c, "/api/v1/me", nil)
}

// Overview reads the overview: counts, feeds and the job queue.
func (c *Client) Overview(ctx context.Context) (api.Overview, error) {
	return get[api.Overview](ctx, c, "/api/v1/overview", nil)
}

// Jobs lists the newest background jobs, of one kind ("" for every kind),
// at most limit of them (0: the server's default, 50).
func (c *Client) Jobs(ctx context.Context, kind string, limit int) ([]model.Job, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return list[model.Job](ctx, c, "/api/v1/jobs", q)
}
