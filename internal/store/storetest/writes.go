package storetest

import (
	"context"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// The helpers below set up state for store tests: each runs one of the
// store's transaction writes in a transaction of its own. They record no
// event and queue no job — that is the service's part, which its own tests
// check.

// in runs fn in one transaction and returns what it made.
func in[T any](ctx context.Context, s *store.Store, fn func(*store.Tx) (T, error)) (T, error) {
	var out T
	err := s.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// CreateFeed stores a new feed.
func CreateFeed(ctx context.Context, s *store.Store, f model.Feed) (model.Feed, error) {
	return in(ctx, s, func(tx *store.Tx) (model.Feed, error) { return tx.CreateFeed(ctx, f) })
}

// UpdateFeed stores a changed feed.
func UpdateFeed(ctx context.Context, s *store.Store, f model.Feed) (model.Feed, error) {
	return in(ctx, s, func(tx *store.Tx) (model.Feed, error) { return tx.UpdateFeed(ctx, f) })
}

// DeleteFeed deletes a feed and returns the keys its withdrawn advisories
// named and how many it withdrew.
func DeleteFeed(ctx context.Context, s *store.Store, id int64) (keys []string, withdrawn int, err error) {
	err = s.Transact(ctx, func(tx *store.Tx) error {
		keys, withdrawn, err = tx.DeleteFeed(ctx, id)
		return err
	})
	return keys, withdrawn, err
}

// ApplyAdvisories stores one sync's advisories and returns the keys they
// touch.
func ApplyAdvisories(ctx context.Context, s *store.Store, res store.FeedResult, changed []store.Advisory) ([]string, error) {
	return in(ctx, s, func(tx *store.Tx) ([]string, error) { return tx.ApplyAdvisories(ctx, res, changed) })
}

// ApplyKEV stores a KEV catalogue.
func ApplyKEV(ctx context.Context, s *store.Store, res store.FeedResult, entries []store.KEVEntry) (int, error) {
	return in(ctx, s, func(tx *store.Tx) (int, error) { return tx.ApplyKEV(ctx, res, entries) })
}

// ApplyEPSS stores a day's EPSS scores.
func ApplyEPSS(ctx context.Context, s *store.Store, res store.FeedResult, date time.Time, scores []store.EPSSScore) (int, error) {
	return in(ctx, s, func(tx *store.Tx) (int, error) { return tx.ApplyEPSS(ctx, res, date, scores) })
}

// CreateAsset normalizes and stores a new asset.
func CreateAsset(ctx context.Context, s *store.Store, a model.Asset) (model.Asset, error) {
	if err := a.Normalize(); err != nil {
		return model.Asset{}, err
	}
	return in(ctx, s, func(tx *store.Tx) (model.Asset, error) { return tx.CreateAsset(ctx, a) })
}

// UpdateAsset stores a changed asset.
func UpdateAsset(ctx context.Context, s *store.Store, a model.Asset) (model.Asset, error) {
	return in(ctx, s, func(tx *store.Tx) (model.Asset, error) { return tx.UpdateAsset(ctx, a) })
}

// DeleteAsset deletes an asset.
func DeleteAsset(ctx context.Context, s *store.Store, id int64) error {
	return s.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteAsset(ctx, id) })
}

// Ingest stores a snapshot for the asset (found by ID or name, created
// when create is set) and makes it current.
func Ingest(ctx context.Context, s *store.Store, a model.Asset, create bool, n store.NewSnapshot) (model.Asset, model.Snapshot, error) {
	var snap model.Snapshot
	err := s.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if a, _, err = tx.ResolveAsset(ctx, a, create, nil); err != nil {
			return err
		}
		snap, err = tx.AddSnapshot(ctx, a, n)
		a.CurrentSnapshotID = snap.ID
		return err
	})
	return a, snap, err
}

// CreateUser stores a user with an already hashed password.
func CreateUser(ctx context.Context, s *store.Store, name, passwordHash, role string) (model.User, error) {
	return in(ctx, s, func(tx *store.Tx) (model.User, error) { return tx.CreateUser(ctx, name, passwordHash, role) })
}

// SetPassword stores a user's new password hash.
func SetPassword(ctx context.Context, s *store.Store, userID int64, passwordHash string) error {
	return s.Transact(ctx, func(tx *store.Tx) error { return tx.SetPassword(ctx, userID, passwordHash) })
}

// CreateSession stores a session by its cookie's hash.
func CreateSession(ctx context.Context, s *store.Store, tokenHash string, userID int64, expires time.Time) error {
	return s.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSession(ctx, tokenHash, userID, expires) })
}

// CreateToken stores an API token by its hash.
func CreateToken(ctx context.Context, s *store.Store, tok model.Token, tokenHash string) (model.Token, error) {
	return in(ctx, s, func(tx *store.Tx) (model.Token, error) { return tx.CreateToken(ctx, tok, tokenHash) })
}

// RevokeToken stops a token from working.
func RevokeToken(ctx context.Context, s *store.Store, id int64) error {
	_, err := in(ctx, s, func(tx *store.Tx) (model.Token, error) { return tx.RevokeToken(ctx, id) })
	return err
}

// ApplyFindings records match results (see Tx.ApplyFindings).
func ApplyFindings(ctx context.Context, s *store.Store, results ...store.MatchResult) (store.MatchStats, error) {
	return in(ctx, s, func(tx *store.Tx) (store.MatchStats, error) { return tx.ApplyFindings(ctx, results) })
}

// ApplyNVD stores NVD records for a feed and says what it did.
func ApplyNVD(ctx context.Context, s *store.Store, feedID int64, recs []store.NVDRecord) (store.NVDApplied, error) {
	return in(ctx, s, func(tx *store.Tx) (store.NVDApplied, error) { return tx.ApplyNVD(ctx, feedID, recs) })
}
