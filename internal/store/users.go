package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// CreateUser adds a user; ErrConflict when the name is taken.
func (t *Tx) CreateUser(ctx context.Context, username, passwordHash, role string) (model.User, error) {
	u := model.User{Username: username, PasswordHash: passwordHash, Role: role, CreatedAt: now()}
	err := t.tx.QueryRowContext(ctx,
		`INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		username, passwordHash, role, u.CreatedAt).Scan(&u.ID)
	if isUnique(err) {
		return model.User{}, fmt.Errorf("user %q: %w", username, ErrConflict)
	}
	return u, err
}

// SetPassword replaces a user's password hash and ends their sessions.
func (t *Tx) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}

const userColumns = `id, username, password_hash, role, disabled, created_at`

func scanUser(row rowScanner) (model.User, error) {
	var u model.User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.User{}, ErrNotFound
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (model.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserForUpdate reads a user inside the transaction, its row locked until
// the transaction ends (on PostgreSQL).
func (t *Tx) UserForUpdate(ctx context.Context, id int64) (model.User, error) {
	return scanUser(t.tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`+t.forUpdate(), id))
}

// UpdateUser sets a user's role and whether the user is disabled, and
// signs the user out everywhere: a session must not outlive the rights it
// was opened with.
func (t *Tx) UpdateUser(ctx context.Context, id int64, role string, disabled bool) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE users SET role = $1, disabled = $2 WHERE id = $3`, role, disabled, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
	return err
}

// UserByName finds a user by login name.
func (s *Store) UserByName(ctx context.Context, username string) (model.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
}

// Users lists every user.
func (s *Store) Users(ctx context.Context) ([]model.User, error) {
	return queryAll(ctx, s.db, scanUser, `SELECT `+userColumns+` FROM users ORDER BY id`)
}

// CountUsers counts users; first start creates an admin when there are none.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession keeps a browser session by the hash of its cookie value.
func (t *Tx) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, now(), expires.UTC())
	return err
}

// SessionUser returns the user of a live session; ErrNotFound when the
// session is unknown, expired or its user disabled.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (model.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, tokenHash, now()))
}

// DeleteSession ends a session (logout).
func (t *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// PruneSessions deletes expired sessions.
func (s *Store) PruneSessions(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now())
	return err
}

// CreateToken keeps a new API token by its hash; tok says its name, role
// and scope.
func (t *Tx) CreateToken(ctx context.Context, tok model.Token, tokenHash string) (model.Token, error) {
	tok.CreatedAt = now()
	if tok.AssetNames == nil {
		tok.AssetNames = []string{}
	}
	if tok.AssetTags == nil {
		tok.AssetTags = []string{}
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, asset_names, asset_tags,
		create_assets, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		tok.Name, tokenHash, tok.Role, mustJSON(tok.AssetNames), mustJSON(tok.AssetTags), tok.CreateAssets,
		tok.CreatedBy, tok.CreatedAt).Scan(&tok.ID)
	return tok, err
}

const tokenColumns = `id, name, role, asset_names, asset_tags, create_assets, created_by, created_at, last_used_at, revoked_at`

func scanToken(row rowScanner) (model.Token, error) {
	var t model.Token
	var names, tags string
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.Name, &t.Role, &names, &tags, &t.CreateAssets, &t.CreatedBy, &t.CreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Token{}, ErrNotFound
	}
	if err != nil {
		return model.Token{}, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timeOf(used), timeOf(revoked)
	if err := json.Unmarshal([]byte(names), &t.AssetNames); err != nil {
		return t, err
	}
	return t, json.Unmarshal([]byte(tags), &t.AssetTags)
}

// TokenByHash finds a live (not revoked) token and records its use; the
// last-used time is written at most once a minute per token.
func (s *Store) TokenByHash(ctx context.Context, tokenHash string) (model.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx,
		`SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash))
	if err != nil {
		return t, err
	}
	n := now()
	if n.Sub(t.LastUsedAt) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, n, t.ID); err != nil {
			return t, err
		}
		t.LastUsedAt = n
	}
	return t, nil
}

// Tokens lists every token, revoked ones too.
func (s *Store) Tokens(ctx context.Context) ([]model.Token, error) {
	return queryAll(ctx, s.db, scanToken, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id`)
}

// RevokeToken stops a token from working and returns it as it was;
// ErrNotFound when there is no such live token.
func (t *Tx) RevokeToken(ctx context.Context, id int64) (model.Token, error) {
	tok, err := scanToken(t.tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND revoked_at IS NULL`+t.forUpdate(), id))
	if err != nil {
		return tok, err
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, now(), id)
	return tok, err
}
