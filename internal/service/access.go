package service

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// The use cases of access: users and API tokens. The API, the CLI and the
// first start call these, so that a rule (a valid name, a strong enough
// password) holds however the account is made.

// NewUser is a user to create. An empty Password is generated.
type NewUser struct {
	Name, Role, Password string
}

// CreateUser validates and creates a user; it returns the generated
// password, to be shown once, when none was given.
func (s *Service) CreateUser(ctx context.Context, n NewUser, by string) (model.User, string, error) {
	if err := validUsername(n.Name); err != nil {
		return model.User{}, "", err
	}
	role, err := auth.ParseRole(n.Role)
	if err != nil {
		return model.User{}, "", inputError(fmt.Errorf("role: %w", err))
	}
	hash, generated, err := passwordHash(n.Name, n.Password)
	if err != nil {
		return model.User{}, "", err
	}
	var u model.User
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		if u, err = tx.CreateUser(ctx, n.Name, hash, string(role)); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "user.created", "user", u.ID), nil, u)
	})
	if err != nil {
		return model.User{}, "", err
	}
	s.Log.Info("user created", "user", u.Username, "role", u.Role, "by", by)
	return u, generated, nil
}

// SetPassword gives a user a new password (generated when pw is empty,
// and then returned) and signs the user out everywhere.
func (s *Service) SetPassword(ctx context.Context, userID int64, pw, by string) (string, error) {
	var generated string
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserForUpdate(ctx, userID)
		if err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		var hash string
		if hash, generated, err = passwordHash(u.Username, pw); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		// The event says that it changed, not what to: no hash is logged.
		return tx.AppendEvent(ctx, event(by, "user.password_set", "user", u.ID), nil, map[string]string{"username": u.Username})
	})
	if err != nil {
		return "", err
	}
	s.Log.Info("password set", "user", userID, "by", by)
	return generated, nil
}

// ErrWrongPassword: the current password given to change it is wrong.
var ErrWrongPassword = errors.New("the current password is wrong")

// ChangeOwnPassword changes a signed-in user's password, proven by the
// current one; every session of the user ends, the caller's too.
func (s *Service) ChangeOwnPassword(ctx context.Context, userID int64, current, next string) error {
	if next == "" {
		return inputError(errors.New("new_password: required"))
	}
	u, err := s.Store.User(ctx, userID)
	if err != nil {
		return err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongPassword
	}
	_, err = s.SetPassword(ctx, userID, next, u.Username)
	return err
}

// UserChange is what an admin may change of a user; nil leaves a field.
type UserChange struct {
	Role     *string
	Disabled *bool
}

// UpdateUser changes a user's role or disables them; a change signs the
// user out. An admin cannot disable or demote themselves, so that the
// last admin cannot lock everyone out by mistake.
func (s *Service) UpdateUser(ctx context.Context, id int64, c UserChange, byUserID int64, by string) (model.User, error) {
	var after model.User
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.UserForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		after = before
		if c.Role != nil {
			r, err := auth.ParseRole(*c.Role)
			if err != nil {
				return inputError(fmt.Errorf("role: %w", err))
			}
			after.Role = string(r)
		}
		if c.Disabled != nil {
			after.Disabled = *c.Disabled
		}
		if id == byUserID && (after.Disabled || after.Role != string(auth.RoleAdmin)) {
			return inputError(errors.New("you cannot disable yourself or take away your own admin role; another admin can"))
		}
		if after == before {
			return nil
		}
		if err := tx.UpdateUser(ctx, id, after.Role, after.Disabled); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "user.changed", "user", id), before, after)
	})
	if err != nil {
		return model.User{}, err
	}
	s.Log.Info("user changed", "user", after.Username, "role", after.Role, "disabled", after.Disabled, "by", by)
	return after, nil
}

// UserByName finds a user for the CLI.
func (s *Service) UserByName(ctx context.Context, name string) (model.User, error) {
	u, err := s.Store.UserByName(ctx, name)
	if err != nil {
		return u, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// passwordHash hashes pw, or a generated password when pw is empty (then
// returned). A chosen password must pass the policy.
func passwordHash(username, pw string) (hash, generated string, err error) {
	if pw == "" {
		generated = auth.NewPassword()
		pw = generated
	} else if err := auth.CheckPasswordPolicy(username, pw); err != nil {
		return "", "", inputError(fmt.Errorf("password: %w", err))
	}
	hash, err = auth.HashPassword(pw)
	if err != nil {
		return "", "", inputError(fmt.Errorf("password: %w", err))
	}
	return hash, generated, nil
}

func validUsername(u string) error {
	ok := u != "" && len(u) <= 64
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-@", c)) {
			ok = false
		}
	}
	if !ok {
		return inputError(fmt.Errorf("username %q: 1–64 letters, digits, '.', '_', '-' or '@'", u))
	}
	return nil
}

// NewToken is an API token to create.
type NewToken struct {
	Name, Role            string
	AssetNames, AssetTags []string
	CreateAssets          bool
}

// CreateToken validates and creates an API token and returns its secret,
// to be shown once: only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, n NewToken, by string) (model.Token, string, error) {
	if n.Name == "" || len(n.Name) > 100 {
		return model.Token{}, "", inputError(errors.New("name: 1–100 characters"))
	}
	role, err := auth.ParseRole(n.Role)
	if err != nil {
		return model.Token{}, "", inputError(fmt.Errorf("role: %w", err))
	}
	if len(n.AssetNames)+len(n.AssetTags) > 0 && role != auth.RoleUploader {
		return model.Token{}, "", inputError(fmt.Errorf("asset scopes hold uploader tokens only: a %s token reads every asset", role))
	}
	if len(n.AssetNames) > 100 || len(n.AssetTags) > 100 {
		return model.Token{}, "", inputError(errors.New("at most 100 asset names and 100 asset tags"))
	}
	for _, p := range n.AssetNames {
		if _, err := path.Match(p, ""); err != nil || p == "" || len(p) > 200 {
			return model.Token{}, "", inputError(fmt.Errorf("asset name %q: an asset name or a glob such as billing-*", p))
		}
	}
	for _, t := range n.AssetTags {
		if t == "" || len(t) > 64 {
			return model.Token{}, "", inputError(fmt.Errorf("asset tag %q: 1–64 characters", t))
		}
	}
	secret := auth.NewToken(auth.APITokenPrefix)
	var t model.Token
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		t, err = tx.CreateToken(ctx, model.Token{Name: n.Name, Role: string(role), AssetNames: n.AssetNames,
			AssetTags: n.AssetTags, CreateAssets: n.CreateAssets, CreatedBy: by}, auth.HashToken(secret))
		if err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "token.created", "token", t.ID), nil, t)
	})
	if err != nil {
		return model.Token{}, "", err
	}
	s.Log.Info("API token created", "token", t.ID, "name", t.Name, "role", t.Role, "by", by)
	return t, secret, nil
}

// RevokeToken stops a token from working.
func (s *Service) RevokeToken(ctx context.Context, id int64, by string) error {
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.RevokeToken(ctx, id)
		if err != nil {
			return fmt.Errorf("token %d: %w", id, err)
		}
		return tx.AppendEvent(ctx, event(by, "token.revoked", "token", id), before, nil)
	})
	if err != nil {
		return err
	}
	s.Log.Info("API token revoked", "token", id, "by", by)
	return nil
}

// TokenAllows tells whether a token may upload to the asset (by name and
// tags): within its asset names or tags, or anywhere when it has neither.
func TokenAllows(t model.Token, a model.Asset) bool {
	if len(t.AssetNames) == 0 && len(t.AssetTags) == 0 {
		return true
	}
	for _, p := range t.AssetNames {
		if ok, _ := path.Match(p, a.Name); ok {
			return true
		}
	}
	for _, tag := range t.AssetTags {
		if slices.Contains(a.Tags, tag) {
			return true
		}
	}
	return false
}
