package client

// Scan records: an asset's scans with their raw documents, external scans
// recorded with their report, the assets overdue for a scan.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// ScanRecords reads one page of an asset's scan records, newest first.
func (c *Client) ScanRecords(ctx context.Context, assetID int64, pq PageQuery) (api.Page[model.ScanRecord], error) {
	return get[api.Page[model.ScanRecord]](ctx, c, idPath("/api/v1/assets", assetID)+"/scans", pq.add(url.Values{}))
}

// RecordExternalScan records a scan run outside vulndesk on the asset,
// with its report (sent as contentType; "" for application/octet-stream).
func (c *Client) RecordExternalScan(ctx context.Context, assetID int64, in model.ExternalScan, report []byte, contentType string) (model.ScanRecord, error) {
	q := url.Values{"tool": {in.Tool}, "scanned_at": {in.ScannedAt.UTC().Format(time.RFC3339)}}
	if in.Summary != "" {
		q.Set("summary", in.Summary)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	var out model.ScanRecord
	err := c.call(ctx, request{method: http.MethodPost, path: idPath("/api/v1/assets", assetID) + "/scans", query: q,
		body: bytes.NewReader(report), contentType: contentType, want: http.StatusCreated, out: &out})
	return out, err
}

// ScanDocument opens the raw document behind a scan record, as it was
// sent; the caller closes it.
func (c *Client) ScanDocument(ctx context.Context, id int64) (io.ReadCloser, error) {
	return c.stream(ctx, idPath("/api/v1/scans", id)+"/document", nil)
}

// OverdueScans lists the assets overdue for a scan, with the cadence in
// force.
func (c *Client) OverdueScans(ctx context.Context) (api.OverdueScans, error) {
	return get[api.OverdueScans](ctx, c, "/api/v1/scans/overdue", nil)
}
