package client

// Access: API tokens, users and passwords.

import (
	"context"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Tokens lists the API tokens (never their secrets).
func (c *Client) Tokens(ctx context.Context) ([]model.Token, error) {
	return list[model.Token](ctx, c, "/api/v1/tokens", nil)
}

// CreateToken creates an API token; the answer holds its secret, shown
// this once.
func (c *Client) CreateToken(ctx context.Context, in api.NewToken) (api.CreatedToken, error) {
	return sendJSON[api.CreatedToken](ctx, c, http.MethodPost, "/api/v1/tokens", in, http.StatusCreated)
}

// RevokeToken revokes an API token.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.remove(ctx, idPath("/api/v1/tokens", id))
}

// Users lists the users.
func (c *Client) Users(ctx context.Context) ([]model.User, error) {
	return list[model.User](ctx, c, "/api/v1/users", nil)
}

// CreateUser creates a user; without a password one is generated and
// answered once.
func (c *Client) CreateUser(ctx context.Context, in api.NewUser) (api.CreatedUser, error) {
	return sendJSON[api.CreatedUser](ctx, c, http.MethodPost, "/api/v1/users", in, http.StatusCreated)
}

// UpdateUser changes a user's role or disables or enables them.
func (c *Client) UpdateUser(ctx context.Context, id int64, in api.UserChange) (model.User, error) {
	return sendJSON[model.User](ctx, c, http.MethodPatch, idPath("/api/v1/users", id), in, http.StatusOK)
}

// SetPassword sets a user's password and ends their sessions; an empty
// password has one generated and answered once.
func (c *Client) SetPassword(ctx context.Context, id int64, password string) (api.NewPassword, error) {
	return sendJSON[api.NewPassword](ctx, c, http.MethodPost, idPath("/api/v1/users", id)+"/password", api.SetPassword{Password: password}, http.StatusOK)
}

// ChangeOwnPassword changes the signed-in user's own password (an API
// token has none: the server refuses it).
func (c *Client) ChangeOwnPassword(ctx context.Context, current, next string) error {
	body, err := jsonBody(api.OwnPassword{Current: current, New: next})
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: http.MethodPost, path: "/api/v1/me/password", body: body, contentType: "application/json", want: http.StatusNoContent})
}
