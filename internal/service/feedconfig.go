package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
)

// CreateFeed configures a feed. Its source must be one the server lets
// feeds read (see NewSources): otherwise an ErrInvalidInput error names
// the rule it breaks, and the source only redacted. Credentials in its
// URL are kept apart, never shown (model.Feed.SecretURL).
func (s *Service) CreateFeed(ctx context.Context, f model.Feed) (model.Feed, error) {
	if err := s.setSource(&f, f.URL); err != nil {
		return model.Feed{}, err
	}
	return s.Store.CreateFeed(ctx, f)
}

// UpdateFeed changes a feed's configuration. A URL equal to the one shown
// (redacted) keeps the credentials stored with it; any other is checked
// as CreateFeed checks it, and replaces them.
func (s *Service) UpdateFeed(ctx context.Context, f model.Feed) (model.Feed, error) {
	old, err := s.Store.Feed(ctx, f.ID)
	if err != nil {
		return model.Feed{}, fmt.Errorf("feed %d: %w", f.ID, err)
	}
	switch {
	case f.URL == old.URL:
		f.SecretURL = old.SecretURL
	case strings.Contains(f.URL, feed.RedactedMark) && old.SecretURL != "":
		// An edited copy of the shown URL: its placeholders would become
		// the credentials.
		return model.Feed{}, inputError{fmt.Errorf("url: it still holds %s placeholders: send the whole URL with its credentials, or the URL as shown to keep them", feed.RedactedMark)}
	default:
		if err := s.setSource(&f, f.URL); err != nil {
			return model.Feed{}, err
		}
	}
	return s.Store.UpdateFeed(ctx, f)
}

// setSource checks src and sets the feed's URL to it redacted, and its
// secret URL to src when that hides something.
func (s *Service) setSource(f *model.Feed, src string) error {
	if strings.TrimSpace(src) == "" {
		return nil // the store says it is required
	}
	if err := s.Sources.Check(src); err != nil {
		return inputError{fmt.Errorf("url: %w", err)}
	}
	shown, secret := feed.Redact(src)
	f.URL, f.SecretURL = shown, ""
	if secret {
		f.SecretURL = src
	}
	return nil
}

// DeleteFeed removes a feed and withdraws the advisories only it supplied;
// the findings only they caused resolve as withdrawn when the re-match it
// queues has run (see store.DeleteFeed).
func (s *Service) DeleteFeed(ctx context.Context, id int64) error {
	n, err := s.Store.DeleteFeed(ctx, id)
	if err != nil {
		return fmt.Errorf("feed %d: %w", id, err)
	}
	s.entries.set(id, nil)
	s.Log.Info("feed deleted", "feed", id, "advisories_withdrawn", n)
	s.Wake()
	return nil
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
		f.SecretURL, f.URL = f.URL, shown
		if _, err := s.Store.UpdateFeed(ctx, f); err != nil {
			return fmt.Errorf("feed %s: hiding the credentials of its URL: %w", f.Name, err)
		}
		s.Log.Info("feed URL credentials hidden: they are kept, and shown redacted", "feed", f.Name)
	}
	return nil
}
