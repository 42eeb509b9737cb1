package client

// The CRA part: products with their support period, outbound reports
// (to the national CSIRT, to upstream maintainers) and CRA Art. 14
// clocks.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

const productsPath, outboundPath, craPath = "/api/v1/products", "/api/v1/outbound-reports", "/api/v1/cra"

// Products lists the products, only the published ones when published.
func (c *Client) Products(ctx context.Context, published bool) ([]model.Product, error) {
	var q url.Values
	if published {
		q = url.Values{"published": {"true"}}
	}
	return list[model.Product](ctx, c, productsPath, q)
}

// SetProduct marks an asset as a product or replaces what is said of it.
func (c *Client) SetProduct(ctx context.Context, assetID int64, in api.ProductInput) (model.Product, error) {
	return sendJSON[model.Product](ctx, c, http.MethodPut, fmt.Sprintf("/api/v1/assets/%d/product", assetID), in, http.StatusOK)
}

// UnmarkProduct says an asset is no longer a product.
func (c *Client) UnmarkProduct(ctx context.Context, assetID int64) error {
	return c.remove(ctx, fmt.Sprintf("/api/v1/assets/%d/product", assetID))
}

// OutboundFilter narrows the outbound reports listed; zero values match
// all.
type OutboundFilter struct {
	CaseID, FindingID int64
	Kind              string
	Limit             int
}

// OutboundReports lists outbound reports, newest sent first.
func (c *Client) OutboundReports(ctx context.Context, f OutboundFilter) ([]model.OutboundReport, error) {
	q := linkQuery(f.CaseID, f.FindingID)
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return list[model.OutboundReport](ctx, c, outboundPath, q)
}

// RecordOutbound records a report the team sent.
func (c *Client) RecordOutbound(ctx context.Context, in api.NewOutboundReport) (model.OutboundReport, error) {
	return sendJSON[model.OutboundReport](ctx, c, http.MethodPost, outboundPath, in, http.StatusCreated)
}

// OutboundReport reads one outbound report.
func (c *Client) OutboundReport(ctx context.Context, id int64) (model.OutboundReport, error) {
	return get[model.OutboundReport](ctx, c, idPath(outboundPath, id), nil)
}

// UpdateOutbound records what became of an outbound report.
func (c *Client) UpdateOutbound(ctx context.Context, id int64, u model.OutboundUpdate) (model.OutboundReport, error) {
	return sendJSON[model.OutboundReport](ctx, c, http.MethodPatch, idPath(outboundPath, id), u, http.StatusOK)
}

// CRAClocks lists the clocks (of a case or finding when not 0) and the
// candidates.
func (c *Client) CRAClocks(ctx context.Context, caseID, findingID int64) (api.CRAList, error) {
	return get[api.CRAList](ctx, c, craPath, linkQuery(caseID, findingID))
}

// StartCRAClock flags a finding or case as actively exploited in a
// product and starts its clock.
func (c *Client) StartCRAClock(ctx context.Context, in model.CRAStart) (model.CRAClock, error) {
	return sendJSON[model.CRAClock](ctx, c, http.MethodPost, craPath, in, http.StatusCreated)
}

// CRAClock reads one clock.
func (c *Client) CRAClock(ctx context.Context, id int64) (model.CRAClock, error) {
	return get[model.CRAClock](ctx, c, idPath(craPath, id), nil)
}

// SaveCRADrafts saves the drafts the patch carries.
func (c *Client) SaveCRADrafts(ctx context.Context, id int64, p model.CRADraftsPatch) (model.CRAClock, error) {
	return sendJSON[model.CRAClock](ctx, c, http.MethodPatch, idPath(craPath, id)+"/drafts", p, http.StatusOK)
}

// RecordCRAMitigation records that a corrective or mitigating measure is
// available.
func (c *Client) RecordCRAMitigation(ctx context.Context, id int64, m model.CRAMitigation) (model.CRAClock, error) {
	return sendJSON[model.CRAClock](ctx, c, http.MethodPost, idPath(craPath, id)+"/mitigation", m, http.StatusOK)
}

// RecordCRASubmission records a report's submission.
func (c *Client) RecordCRASubmission(ctx context.Context, id int64, in model.CRASubmissionInput) (model.CRASubmission, error) {
	return sendJSON[model.CRASubmission](ctx, c, http.MethodPost, idPath(craPath, id)+"/submissions", in, http.StatusCreated)
}

// linkQuery asks for what belongs to a case or finding (those not 0).
func linkQuery(caseID, findingID int64) url.Values {
	q := url.Values{}
	if caseID != 0 {
		q.Set("case_id", strconv.FormatInt(caseID, 10))
	}
	if findingID != 0 {
		q.Set("finding_id", strconv.FormatInt(findingID, 10))
	}
	return q
}
