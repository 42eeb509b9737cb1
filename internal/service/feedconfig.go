package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// CreateFeed configures a feed and, when it is enabled, queues its first
// sync. Its source must be one the server lets feeds read (see
// NewSources): otherwise an ErrInvalidInput error names the rule it
// breaks, and the source only redacted. Credentials in its URL are kept
// apart, never shown (model.Feed.SecretURL).
func (s *Service) CreateFeed(ctx context.Context, f model.Feed, by string) (model.Feed, error) {
	if err := s.setSource(&f, f.URL); err != nil {
		return model.Feed{}, err
	}
	if err := f.Normalize(); err != nil {
		return model.Feed{}, err
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if f, err = tx.CreateFeed(ctx, f); err != nil {
			return err
		}
		if f.Enabled {
			if _, _, err := tx.Enqueue(ctx, syncJob(model.FeedPayload{FeedID: f.ID})); err != nil {
				return err
			}
		}
		return tx.AppendEvent(ctx, event(by, "feed.created", "feed", f.ID), nil, f)
	})
	if err == nil && f.Enabled {
		s.Wake()
	}
	return f, err
}

// UpdateFeed changes a feed's configuration: change edits a copy of it as
// stored. A URL equal to the one shown (redacted) keeps the credentials
// stored with it; any other is checked as CreateFeed checks it, and
// replaces them.
func (s *Service) UpdateFeed(ctx context.Context, id int64, change func(*model.Feed), by string) (model.Feed, error) {
	var after model.Feed
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.FeedForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("feed %d: %w", id, err)
		}
		after = before
		change(&after)
		switch {
		case after.URL == before.URL:
		case strings.Contains(after.URL, feed.RedactedMark) && before.SecretURL != "":
			// An edited copy of the shown URL: its placeholders would
			// become the credentials.
			return inputError(fmt.Errorf("url: it still holds %s placeholders: send the whole URL with its credentials, or the URL as shown to keep them", feed.RedactedMark))
		default:
			if err := s.setSource(&after, after.URL); err != nil {
				return err
			}
		}
		if err := after.Normalize(); err != nil {
			return err
		}
		if after, err = tx.UpdateFeed(ctx, after); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "feed.changed", "feed", id), before, after)
	})
	return after, err
}

// setSource checks src and sets the feed's URL to it redacted, and its
// secret URL to src when that hides something.
func (s *Service) setSource(f *model.Feed, src string) error {
	if strings.TrimSpace(src) == "" {
		return nil // the store says it is required
	}
	if err := s.Sources.Check(src); err != nil {
		return inputError(fmt.Errorf("url: %w", err))
	}
	shown, secret := feed.Redact(src)
	f.URL, f.SecretURL = shown, ""
	if secret {
		f.SecretURL = src
	}
	return nil
}

// DeleteFeed removes a feed, withdraws the advisories only it supplied and
// queues the re-match of the packages they named, where the findings only
// they caused resolve as withdrawn.
func (s *Service) DeleteFeed(ctx context.Context, id int64, by string) error {
	var n int
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.FeedForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("feed %d: %w", id, err)
		}
		keys, withdrawn, err := tx.DeleteFeed(ctx, id)
		if err != nil {
			return err
		}
		n = withdrawn
		if len(keys) > 0 {
			if _, _, err := tx.Enqueue(ctx, rematchJob(keys)); err != nil {
				return err
			}
		}
		return tx.AppendEvent(ctx, event(by, "feed.deleted", "feed", id), before, nil)
	})
	if err != nil {
		return err
	}
	s.entries.set(id, nil)
	s.Log.Info("feed deleted", "feed", id, "advisories_withdrawn", n, "by", by)
	s.Wake()
	return nil
}

// QueueSync queues a feed sync; a sync of the same feed that is already
// queued or running — on any replica — is returned instead of a second.
func (s *Service) QueueSync(ctx context.Context, feedID int64, force bool, by string) (int64, bool, error) {
	var id int64
	var created bool
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.FeedForUpdate(ctx, feedID); err != nil {
			return fmt.Errorf("feed %d: %w", feedID, err)
		}
		var err error
		if id, created, err = tx.Enqueue(ctx, syncJob(model.FeedPayload{FeedID: feedID, Force: force})); err != nil || !created {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "feed.sync_requested", "feed", feedID), nil, map[string]any{"job": id, "force": force})
	})
	if err == nil && created {
		s.Wake()
	}
	return id, created, err
}

// syncJob is the job that syncs a feed; one per feed is queued or runs.
func syncJob(p model.FeedPayload) store.NewJob {
	return store.NewJob{Kind: model.JobSyncFeed, DedupeKey: fmt.Sprintf("sync-feed:%d", p.FeedID), Payload: mustJSON(p)}
}

// rematchJob is the job that re-matches the components of package keys.
func rematchJob(keys []string) store.NewJob {
	return store.NewJob{Kind: model.JobRematch, Payload: mustJSON(model.RematchPayload{Keys: keys})}
}

// HideFeedCredentials moves credentials that feed URLs stored before they
// were kept apart into the secret URL, so that they are no longer shown.
// It changes nothing on a second run.
func (s *Service) HideFeedCredentials(ctx context.Context) error {
	feeds, err := s.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	for _, f := range feeds {
		shown, secret := feed.Redact(f.URL)
		if !secret || f.SecretURL != "" {
			continue // nothing to hide, or hidden already (url is shown)
		}
		err := s.Store.Transact(ctx, func(tx *store.Tx) error {
			after := f
			after.SecretURL, after.URL = f.URL, shown
			if _, err := tx.UpdateFeed(ctx, after); err != nil {
				return err
			}
			return tx.AppendEvent(ctx, event(ActorSystem, "feed.credentials_hidden", "feed", f.ID), map[string]string{"url": shown}, after)
		})
		if err != nil {
			return fmt.Errorf("feed %s: hiding the credentials of its URL: %w", f.Name, err)
		}
		s.Log.Info("feed URL credentials hidden: they are kept, and shown redacted", "feed", f.Name)
	}
	return nil
}
