// Package client is a typed client of the vulndesk JSON API: the push
// command, the server's tests and the benchmark harness speak to a server
// through it, with the request and response types of internal/api and
// internal/model, so the shapes are written once.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
)

// Answers are read up to these sizes, so a broken or hostile server cannot
// make a client hold an unbounded body.
const (
	// MaxBody bounds a JSON answer: a findings page of 500 with evidence
	// is a few MiB.
	MaxBody = 64 << 20
	// maxErrorBody bounds an error answer, which is one short message.
	maxErrorBody = 1 << 20
)

// Client calls one vulndesk server. It is safe for concurrent use.
type Client struct {
	base      string
	token     string
	userAgent string
	hc        *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken authenticates every request with an API token (vdk_…).
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sends the requests with hc (its transport, timeouts and
// TLS configuration) instead of http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent names the caller in the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// New returns a client of the server at baseURL (https://host[:port], a
// trailing slash or not).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), hc: http.DefaultClient, userAgent: "vulndesk-client"}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL is the server's URL as the client uses it.
func (c *Client) BaseURL() string { return c.base }

// request is one call: where it goes, what it sends, the success status it
// expects and where the JSON answer goes (nil: none is read).
type request struct {
	method, path string
	query        url.Values
	body         io.Reader
	contentType  string
	want         int
	out          any
}

// jsonBody encodes v as a request body.
func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode request body: %w", err)
	}
	return bytes.NewReader(b), nil
}

// send makes the HTTP request of r; the caller closes the answer's body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, r.body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	return resp, nil
}

// call sends r and decodes the answer: into r.out when the status is
// r.want, into an *Error otherwise.
func (c *Client) call(ctx context.Context, r request) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != r.want {
		return readError(r.method, r.path, resp)
	}
	if r.out == nil {
		_, err := io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBody))
		return err
	}
	data, err := readBounded(resp.Body, MaxBody)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if err := json.Unmarshal(data, r.out); err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", r.method, r.path, err)
	}
	return nil
}

// errTooLarge is the error of an answer over its bound.
var errTooLarge = errors.New("answer too large")

// readBounded reads at most limit bytes, and fails rather than return a
// silently cut body.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	return data, nil
}

// Raw sends a request to path (with its query string, if any) as it is,
// and returns the answer's status and body whatever the status: for tests
// that probe malformed requests, and for callers that time requests
// without decoding the answers. Only a failure to send or read is an
// error.
func (c *Client) Raw(ctx context.Context, method, path, contentType string, body io.Reader) (int, []byte, error) {
	resp, err := c.send(ctx, request{method: method, path: path, body: body, contentType: contentType})
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := readBounded(resp.Body, MaxBody)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp.StatusCode, data, nil
}

// get reads path (with query q) and decodes the answer as a T.
func get[T any](ctx context.Context, c *Client, path string, q url.Values) (T, error) {
	var out T
	err := c.call(ctx, request{method: http.MethodGet, path: path, query: q, want: http.StatusOK, out: &out})
	return out, err
}

// list reads an unpaged list (api.Page without a cursor) and returns its
// items.
func list[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	p, err := get[api.Page[T]](ctx, c, path, q)
	return p.Items, err
}

// remove deletes the resource at path: 204.
func (c *Client) remove(ctx context.Context, path string) error {
	return c.call(ctx, request{method: http.MethodDelete, path: path, want: http.StatusNoContent})
}

// sendJSON sends in as a JSON body and decodes the answer as a T.
func sendJSON[T any](ctx context.Context, c *Client, method, path string, in any, want int) (T, error) {
	var out T
	body, err := jsonBody(in)
	if err != nil {
		return out, err
	}
	err = c.call(ctx, request{method: method, path: path, body: body, contentType: "application/json", want: want, out: &out})
	return out, err
}

// idPath is a resource path with an ID: /api/v1/assets/7.
func idPath(collection string, id int64) string { return fmt.Sprintf("%s/%d", collection, id) }
