package client

// VEX: import a document's statements as decisions, export decisions.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/vulndesk/vulndesk/internal/model"
)

// MaxVEXExport bounds the VEX document an export reads.
const MaxVEXExport = 256 << 20

// ImportVEX sends an OpenVEX or CycloneDX VEX document; the answer says
// how many statements were applied and which matched nothing.
func (c *Client) ImportVEX(ctx context.Context, doc []byte) (model.VEXImport, error) {
	var r model.VEXImport
	err := c.call(ctx, request{method: http.MethodPost, path: "/api/v1/vex", body: bytes.NewReader(doc),
		contentType: "application/json", want: http.StatusOK, out: &r})
	return r, err
}

// ExportVEX reads the decisions about an asset's findings (every asset's
// for 0) as a VEX document: format "openvex" (or "") or "cyclonedx".
func (c *Client) ExportVEX(ctx context.Context, asset int64, format string) ([]byte, error) {
	path := "/api/v1/vex"
	if asset != 0 {
		path = idPath("/api/v1/assets", asset) + "/vex"
	}
	q := url.Values{}
	if format != "" {
		q.Set("format", format)
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, readError(http.MethodGet, path, resp)
	}
	data, err := readBounded(resp.Body, MaxVEXExport)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return data, nil
}
