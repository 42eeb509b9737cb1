package client

// The exports: findings as a file, an asset's CycloneDX SBOM and VDR.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// ExportFindings streams every finding f selects (its Cursor and Limit
// are not sent) in format: "csv" (the server's default when ""), "json"
// or "ndjson". The caller reads the file from the answer and closes it;
// a transfer the server cut short is a read error, not a clean end.
func (c *Client) ExportFindings(ctx context.Context, f FindingFilter, format string) (io.ReadCloser, error) {
	f.PageQuery = PageQuery{}
	q := f.Query()
	if format != "" {
		q.Set("format", format)
	}
	return c.stream(ctx, "/api/v1/findings/export", q)
}

// stream opens a download: the answer's body as it comes, which the
// caller closes; an error status is an *Error.
func (c *Client) stream(ctx context.Context, path string, q url.Values) (io.ReadCloser, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, readError(http.MethodGet, path, resp)
	}
	return resp.Body, nil
}

// AssetSBOM reads the CycloneDX 1.6 JSON SBOM of an asset's current
// inventory.
func (c *Client) AssetSBOM(ctx context.Context, assetID int64) ([]byte, error) {
	return c.document(ctx, fmt.Sprintf("/api/v1/assets/%d/sbom", assetID))
}

// AssetVDR reads the CycloneDX 1.6 JSON vulnerability disclosure report
// of an asset's open findings.
func (c *Client) AssetVDR(ctx context.Context, assetID int64) ([]byte, error) {
	return c.document(ctx, fmt.Sprintf("/api/v1/assets/%d/vdr", assetID))
}

// document reads a document the server answers whole, at most MaxBody
// bytes.
func (c *Client) document(ctx context.Context, path string) ([]byte, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, readError(http.MethodGet, path, resp)
	}
	data, err := readBounded(resp.Body, MaxBody)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return data, nil
}
