package client

// Assets, their inventory snapshots and components, and SBOM uploads.

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// PageQuery asks for one page of a paged list.
type PageQuery struct {
	// Cursor is the previous page's NextCursor ("" for the first page).
	Cursor string
	// Limit is the page size, 1–500 (0: the server's default, 50).
	Limit int
}

func (p PageQuery) add(q url.Values) url.Values {
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	return q
}

// AssetQuery filters the asset list.
type AssetQuery struct {
	// Text keeps the assets with it in their name or owner.
	Text string
	PageQuery
}

// Assets reads one page of assets.
func (c *Client) Assets(ctx context.Context, f AssetQuery) (api.Page[model.Asset], error) {
	q := url.Values{}
	if f.Text != "" {
		q.Set("q", f.Text)
	}
	return get[api.Page[model.Asset]](ctx, c, "/api/v1/assets", f.add(q))
}

// Asset reads one asset.
func (c *Client) Asset(ctx context.Context, id int64) (model.Asset, error) {
	return get[model.Asset](ctx, c, idPath("/api/v1/assets", id), nil)
}

// CreateAsset creates an asset from the fields set in in.
func (c *Client) CreateAsset(ctx context.Context, in api.AssetInput) (model.Asset, error) {
	return sendJSON[model.Asset](ctx, c, http.MethodPost, "/api/v1/assets", in, http.StatusCreated)
}

// UpdateAsset changes the fields set in in and keeps the others.
func (c *Client) UpdateAsset(ctx context.Context, id int64, in api.AssetInput) (model.Asset, error) {
	return sendJSON[model.Asset](ctx, c, http.MethodPatch, idPath("/api/v1/assets", id), in, http.StatusOK)
}

// DeleteAsset deletes an asset with its snapshots and findings.
func (c *Client) DeleteAsset(ctx context.Context, id int64) error {
	return c.remove(ctx, idPath("/api/v1/assets", id))
}

// Snapshots lists an asset's inventory snapshots.
func (c *Client) Snapshots(ctx context.Context, assetID int64) ([]model.Snapshot, error) {
	return list[model.Snapshot](ctx, c, idPath("/api/v1/assets", assetID)+"/snapshots", nil)
}

// Snapshot reads one snapshot; its MatchedAt is set once its findings are.
func (c *Client) Snapshot(ctx context.Context, id int64) (model.Snapshot, error) {
	return get[model.Snapshot](ctx, c, idPath("/api/v1/snapshots", id), nil)
}

// Components reads one page of a snapshot's components.
func (c *Client) Components(ctx context.Context, snapshotID int64, pq PageQuery) (api.Page[model.SnapshotComponent], error) {
	return get[api.Page[model.SnapshotComponent]](ctx, c, idPath("/api/v1/snapshots", snapshotID)+"/components", pq.add(url.Values{}))
}

// UploadOptions are the query parameters of an upload.
type UploadOptions struct {
	// Source is the file name recorded with the snapshot (at most 255
	// characters).
	Source string
	// AllowEmpty lets an SBOM without components in, which resolves every
	// finding of the asset.
	AllowEmpty bool
	// Create and Kind apply to an upload by name: create the asset, of
	// this kind (default application), when it does not exist.
	Create bool
	Kind   string
}

func (o UploadOptions) query() url.Values {
	q := url.Values{}
	if o.Source != "" {
		q.Set("source", o.Source)
	}
	if o.AllowEmpty {
		q.Set("allow_empty", "true")
	}
	return q
}

// Upload stores an SBOM document as a new snapshot of the asset with this
// ID. The receipt is what every uploader may read; a caller who may read
// assets can fetch the whole asset with Asset.
func (c *Client) Upload(ctx context.Context, assetID int64, sbom []byte, o UploadOptions) (api.UploadReceipt, error) {
	return c.upload(ctx, idPath("/api/v1/assets", assetID)+"/sboms", o.query(), sbom)
}

// UploadByName stores an SBOM document for the asset with this name,
// creating it when o.Create says so.
func (c *Client) UploadByName(ctx context.Context, asset string, sbom []byte, o UploadOptions) (api.UploadReceipt, error) {
	q := o.query()
	q.Set("asset", asset)
	if o.Create {
		q.Set("create", "true")
	}
	if o.Kind != "" {
		q.Set("kind", o.Kind)
	}
	return c.upload(ctx, "/api/v1/sboms", q, sbom)
}

func (c *Client) upload(ctx context.Context, path string, q url.Values, sbom []byte) (api.UploadReceipt, error) {
	var r api.UploadReceipt
	err := c.call(ctx, request{method: http.MethodPost, path: path, query: q, body: bytes.NewReader(sbom),
		contentType: "application/octet-stream", want: http.StatusCreated, out: &r})
	return r, err
}

// SARIFOptions are a SARIF import's settings.
type SARIFOptions struct {
	// Branch is the branch the log is of ("": the server's default, main).
	Branch string
	// Source is the file name to record with the scan.
	Source string
}

// ImportSARIF imports a SARIF 2.1.0 log as code findings of the asset.
func (c *Client) ImportSARIF(ctx context.Context, assetID int64, log []byte, o SARIFOptions) (model.SARIFImport, error) {
	q := url.Values{}
	if o.Branch != "" {
		q.Set("branch", o.Branch)
	}
	if o.Source != "" {
		q.Set("source", o.Source)
	}
	var out model.SARIFImport
	err := c.call(ctx, request{method: http.MethodPost, path: idPath("/api/v1/assets", assetID) + "/sarif", query: q,
		body: bytes.NewReader(log), contentType: "application/sarif+json", want: http.StatusOK, out: &out})
	return out, err
}
