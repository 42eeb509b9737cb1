package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// User is a person who signs in to the web interface.
type User struct {
	ID           int64     `json:"id" doc:"the user's ID"`
	Username     string    `json:"username" doc:"the sign-in name: 1–64 letters, digits, . _ - or @"`
	PasswordHash string    `json:"-"`
	Role         string    `json:"role" doc:"what the user may do"`
	Disabled     bool      `json:"disabled" doc:"a disabled user cannot sign in"`
	CreatedAt    time.Time `json:"created_at" doc:"when the user was created (UTC, RFC 3339)"`
}

// Token is an API token for machines. Only its hash is kept.
type Token struct {
	ID   int64  `json:"id" doc:"the token's ID"`
	Name string `json:"name" doc:"a label for the token, 1–100 characters"`
	Role string `json:"role" doc:"what the token may do"`
	// AssetNames (globs, as path.Match reads them) and AssetTags hold an
	// uploader token to the assets they name; both empty: every asset.
	AssetNames []string `json:"asset_names" doc:"asset names or globs (billing-*) an uploader token may upload to; with asset_tags both empty, every asset"`
	AssetTags  []string `json:"asset_tags" doc:"an uploader token may also upload to the assets that carry one of these tags"`
	// CreateAssets lets an upload with the token create the asset it
	// names (within AssetNames).
	CreateAssets bool      `json:"create_assets" doc:"whether an upload with the token may create the asset it names (within asset_names)"`
	CreatedBy    string    `json:"created_by" doc:"who created the token"`
	CreatedAt    time.Time `json:"created_at" doc:"when the token was created (UTC, RFC 3339)"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero" doc:"when the token was last used (UTC, RFC 3339); absent when never"`
	RevokedAt    time.Time `json:"revoked_at,omitzero" doc:"when the token was revoked (UTC, RFC 3339); absent while it works"`
}

// CreateUser adds a user; ErrConflict when the name is taken.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash, role string) (User, error) {
	u := User{Username: username, PasswordHash: passwordHash, Role: role, CreatedAt: now()}
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		username, passwordHash, role, u.CreatedAt).Scan(&u.ID)
	if isUnique(err) {
		return User{}, fmt.Errorf("user %q: %w", username, ErrConflict)
	}
	return u, err
}

// SetPassword replaces a user's password hash and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

const userColumns = `id, username, password_hash, role, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UpdateUser sets a user's role and whether the user is disabled. A user
// disabled, or given another role, is signed out everywhere: a session
// must not outlive the rights it was opened with.
func (s *Store) UpdateUser(ctx context.Context, id int64, role string, disabled bool) (User, error) {
	var u User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if u.Role == role && u.Disabled == disabled {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, disabled = $2 WHERE id = $3`, role, disabled, id); err != nil {
			return err
		}
		u.Role, u.Disabled = role, disabled
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
	return u, err
}

// UserByName finds a user by login name.
func (s *Store) UserByName(ctx context.Context, username string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
}

// Users lists every user.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{} // an empty list, not null, in the API
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers counts users; first start creates an admin when there are none.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession keeps a browser session by the hash of its cookie value.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, now(), expires.UTC())
	return err
}

// SessionUser returns the user of a live session; ErrNotFound when the
// session is unknown, expired or its user disabled.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.password_hash, u.role, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, tokenHash, now()))
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// PruneSessions deletes expired sessions.
func (s *Store) PruneSessions(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now())
	return err
}

// CreateToken keeps a new API token by its hash; t says its name, role and
// scope.
func (s *Store) CreateToken(ctx context.Context, t Token, tokenHash string) (Token, error) {
	t.CreatedAt = now()
	if t.AssetNames == nil {
		t.AssetNames = []string{}
	}
	if t.AssetTags == nil {
		t.AssetTags = []string{}
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, role, asset_names, asset_tags,
		create_assets, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		t.Name, tokenHash, t.Role, mustJSON(t.AssetNames), mustJSON(t.AssetTags), t.CreateAssets,
		t.CreatedBy, t.CreatedAt).Scan(&t.ID)
	return t, s.noteFull(err)
}

const tokenColumns = `id, name, role, asset_names, asset_tags, create_assets, created_by, created_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var names, tags string
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.Name, &t.Role, &names, &tags, &t.CreateAssets, &t.CreatedBy, &t.CreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	if err != nil {
		return Token{}, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timeOf(used), timeOf(revoked)
	if err := json.Unmarshal([]byte(names), &t.AssetNames); err != nil {
		return t, err
	}
	return t, json.Unmarshal([]byte(tags), &t.AssetTags)
}

// TokenByHash finds a live (not revoked) token and records its use; the
// last-used time is written at most once a minute per token.
func (s *Store) TokenByHash(ctx context.Context, tokenHash string) (Token, error) {
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
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops a token from working; ErrNotFound when there is no such
// live token.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
