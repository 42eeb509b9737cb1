package client

// Disclosure cases (issue 14, part cases): reports strangers sent through
// the public form, and what the team does with them.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/vulndesk/vulndesk/internal/model"
)

const casesPath = "/api/v1/cases"

// Cases lists cases, newest first: in one state and with a timer in one
// timer state ("" for any).
func (c *Client) Cases(ctx context.Context, state, timerState string) ([]model.Case, error) {
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	if timerState != "" {
		q.Set("timer_state", timerState)
	}
	return list[model.Case](ctx, c, casesPath, q)
}

// Case reads a case with its messages, attachments, links and extensions.
func (c *Client) Case(ctx context.Context, id int64) (model.CaseDetail, error) {
	return get[model.CaseDetail](ctx, c, idPath(casesPath, id), nil)
}

// PatchCase changes the fields of a case the patch sets.
func (c *Client) PatchCase(ctx context.Context, id int64, p model.CasePatch) (model.Case, error) {
	return sendJSON[model.Case](ctx, c, http.MethodPatch, idPath(casesPath, id), p, http.StatusOK)
}

// MoveCase moves a case to another state.
func (c *Client) MoveCase(ctx context.Context, id int64, ch model.CaseStateChange) (model.Case, error) {
	return sendJSON[model.Case](ctx, c, http.MethodPost, idPath(casesPath, id)+"/state", ch, http.StatusOK)
}

// CaseMessages lists a case's messages, internal notes too.
func (c *Client) CaseMessages(ctx context.Context, id int64) ([]model.CaseMessage, error) {
	return list[model.CaseMessage](ctx, c, idPath(casesPath, id)+"/messages", nil)
}

// PostCaseMessage sends the reporter a message, or adds an internal note.
func (c *Client) PostCaseMessage(ctx context.Context, id int64, in model.CaseMessageInput) (model.CaseMessage, error) {
	return sendJSON[model.CaseMessage](ctx, c, http.MethodPost, idPath(casesPath, id)+"/messages", in, http.StatusCreated)
}

// LinkCase links a case to an asset, finding or advisory.
func (c *Client) LinkCase(ctx context.Context, id int64, in model.CaseLinkInput) (model.CaseLink, error) {
	return sendJSON[model.CaseLink](ctx, c, http.MethodPost, idPath(casesPath, id)+"/links", in, http.StatusCreated)
}

// UnlinkCase removes a link of a case.
func (c *Client) UnlinkCase(ctx context.Context, id, link int64) error {
	return c.remove(ctx, fmt.Sprintf("%s/links/%d", idPath(casesPath, id), link))
}

// ExtendCase extends a case's disclosure date.
func (c *Client) ExtendCase(ctx context.Context, id int64, in model.CaseExtensionInput) (model.Case, error) {
	return sendJSON[model.Case](ctx, c, http.MethodPost, idPath(casesPath, id)+"/extensions", in, http.StatusOK)
}

// CaseAttachment opens a case attachment's bytes; the caller closes it.
func (c *Client) CaseAttachment(ctx context.Context, id int64) (io.ReadCloser, error) {
	return c.stream(ctx, idPath("/api/v1/attachments", id), nil)
}
