package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Who calls: people sign in for a session, machines send an API token.

// ErrWrongSignIn: the user does not exist, is disabled, or the password is
// wrong. Which one is not told.
var ErrWrongSignIn = errors.New("wrong user name or password")

// dummyHash is checked when the user does not exist, so a wrong name takes
// as long as a wrong password and names cannot be probed by timing.
// It is made on first use, not at start: every vulndesk command (scan too)
// would otherwise pay 64 MiB and a tenth of a second for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("not-a-real-password-at-all")
	return h
})

// passwordChecks bounds concurrent password checks: argon2id takes 64 MiB
// a check, so a burst of sign-ins cannot exhaust memory.
var passwordChecks = make(chan struct{}, 4)

// CheckSignIn waits out delay (the sign-in limiter's backoff), then checks
// name's password: the user, or ErrWrongSignIn.
func (s *Service) CheckSignIn(ctx context.Context, delay time.Duration, name, pw string) (model.User, error) {
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return model.User{}, ctx.Err()
		}
	}
	select {
	case passwordChecks <- struct{}{}:
		defer func() { <-passwordChecks }()
	case <-ctx.Done():
		return model.User{}, ctx.Err()
	}
	u, err := s.Store.UserByName(ctx, name)
	hash := dummyHash()
	if err == nil && !u.Disabled {
		hash = u.PasswordHash
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return model.User{}, err
	}
	ok, cerr := auth.CheckPassword(hash, pw)
	if err != nil || u.Disabled || cerr != nil || !ok {
		return model.User{}, ErrWrongSignIn
	}
	return u, nil
}

// OpenSession opens a browser session for a user who proved their
// password, and returns the cookie's value; only its hash is kept.
func (s *Service) OpenSession(ctx context.Context, u model.User, addr string) (string, error) {
	tok := auth.NewToken("")
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSession(ctx, auth.HashToken(tok), u.ID, time.Now().Add(auth.SessionTTL)); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(u.Username, "session.opened", "user", u.ID), nil, map[string]string{"address": addr})
	})
	return tok, err
}

// CloseSession ends a session (sign-out) by the hash of its cookie value.
func (s *Service) CloseSession(ctx context.Context, who model.User, sessionHash string) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, sessionHash); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(who.Username, "session.closed", "user", who.ID), nil, nil)
	})
}

// SessionUser is the user of a live session cookie value; ErrNotFound when
// the session is unknown, expired or its user disabled.
func (s *Service) SessionUser(ctx context.Context, cookie string) (model.User, string, error) {
	h := auth.HashToken(cookie)
	u, err := s.Store.SessionUser(ctx, h)
	return u, h, err
}

// TokenFor is the live API token of a secret, its last use recorded;
// ErrNotFound when there is none.
func (s *Service) TokenFor(ctx context.Context, secret string) (model.Token, error) {
	return s.Store.TokenByHash(ctx, auth.HashToken(secret))
}
