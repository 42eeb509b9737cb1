package client

// Triage: decisions about findings, their history, and exceptions.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Triage sets a finding's triage state and answers the finding.
func (c *Client) Triage(ctx context.Context, id int64, in model.TriageInput) (model.AssetFinding, error) {
	return sendJSON[model.AssetFinding](ctx, c, http.MethodPost, idPath("/api/v1/findings", id)+"/triage", in, http.StatusOK)
}

// History reads a finding's history, oldest first.
func (c *Client) History(ctx context.Context, id int64) ([]model.HistoryEntry, error) {
	return list[model.HistoryEntry](ctx, c, idPath("/api/v1/findings", id)+"/history", nil)
}

// BulkTriage triages the findings of in.FindingIDs, or without them those
// f selects, with one decision.
func (c *Client) BulkTriage(ctx context.Context, f FindingFilter, in api.BulkTriage) (api.BulkTriaged, error) {
	path := "/api/v1/triage"
	if q := f.Query(); len(q) > 0 {
		path += "?" + q.Encode()
	}
	return sendJSON[api.BulkTriaged](ctx, c, http.MethodPost, path, in, http.StatusOK)
}

// RequestException requests an exception (risk acceptance).
func (c *Client) RequestException(ctx context.Context, in model.ExceptionInput) (model.Exception, error) {
	return sendJSON[model.Exception](ctx, c, http.MethodPost, "/api/v1/exceptions", in, http.StatusCreated)
}

// Exception reads an exception.
func (c *Client) Exception(ctx context.Context, id int64) (model.Exception, error) {
	return get[model.Exception](ctx, c, idPath("/api/v1/exceptions", id), nil)
}

// Exceptions lists exceptions in a state ("" for all), newest first.
func (c *Client) Exceptions(ctx context.Context, state string) ([]model.Exception, error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	return list[model.Exception](ctx, c, "/api/v1/exceptions", q)
}

// DecideException approves, rejects or revokes an exception (verb:
// approve, reject, revoke), with a note (required to revoke).
func (c *Client) DecideException(ctx context.Context, id int64, verb, note string) (model.Exception, error) {
	switch verb {
	case "approve", "reject", "revoke":
	default:
		return model.Exception{}, fmt.Errorf("exception %d: %q is not approve, reject or revoke", id, verb)
	}
	return sendJSON[model.Exception](ctx, c, http.MethodPost, idPath("/api/v1/exceptions", id)+"/"+verb,
		model.ExceptionDecision{Reason: note}, http.StatusOK)
}

// Assign assigns a finding to a person or team ("" unassigns).
func (c *Client) Assign(ctx context.Context, id int64, assignee string) (model.AssetFinding, error) {
	return sendJSON[model.AssetFinding](ctx, c, http.MethodPost, idPath("/api/v1/findings", id)+"/assign", api.Assignment{Assignee: assignee}, http.StatusOK)
}

// Comment adds a comment to a finding's history.
func (c *Client) Comment(ctx context.Context, id int64, body string) (model.AssetFinding, error) {
	return sendJSON[model.AssetFinding](ctx, c, http.MethodPost, idPath("/api/v1/findings", id)+"/comments", api.Comment{Body: body}, http.StatusOK)
}

// SetTicket links a finding to its external ticket (both empty remove it).
func (c *Client) SetTicket(ctx context.Context, id int64, tk model.Ticket) (model.AssetFinding, error) {
	return sendJSON[model.AssetFinding](ctx, c, http.MethodPost, idPath("/api/v1/findings", id)+"/ticket", tk, http.StatusOK)
}
