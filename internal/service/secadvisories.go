package service

// The organisation's own security advisories: draft → review → publish as
// CSAF 2.0 and OSV, each published revision's bytes kept as served.

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/vulndesk/vulndesk/internal/csaf"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// CSAFSite is where the advisories are published: the base URL (scheme
// and host, no trailing slash) and the generator's version.
type CSAFSite struct {
	Base, Generator string
}

// TrackingPrefix makes the tracking IDs' prefix from the organisation's
// name: its letters and digits in upper case, at most 16; VD when none.
func TrackingPrefix(organisation string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(organisation) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && b.Len() < 16 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "VD"
	}
	return b.String()
}

// publisher is the advisories' publisher name: the organisation, else
// the site's host.
func publisher(d model.Disclosure, base string) string {
	if d.Organisation != "" {
		return d.Organisation
	}
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "vulndesk"
}

// fillProducts names the products after their assets where no name was
// given, then normalizes the advisory and checks that each asset, and the
// case it names, exists.
func fillProducts(ctx context.Context, tx *store.Tx, a *model.SecurityAdvisory) error {
	ids := make([]int64, 0, len(a.Products))
	for _, p := range a.Products {
		ids = append(ids, p.AssetID)
	}
	names, err := tx.AssetNames(ctx, ids)
	if err != nil {
		return err
	}
	if a.CaseID != nil {
		if err := caseExists(ctx, tx, *a.CaseID); err != nil {
			return err
		}
	}
	for i, p := range a.Products {
		name, ok := names[p.AssetID]
		if !ok {
			return model.Invalidf("products[%d].asset_id %d: no such asset", i, p.AssetID)
		}
		if strings.TrimSpace(p.Name) == "" {
			a.Products[i].Name = name
		}
	}
	return a.Normalize()
}

// CreateSecAdvisory stores a new draft advisory with the next tracking ID.
func (s *Service) CreateSecAdvisory(ctx context.Context, a model.SecurityAdvisory, by string) (model.SecurityAdvisory, error) {
	d, err := s.Disclosure(ctx)
	if err != nil {
		return a, err
	}
	a.CreatedBy = by
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		if err := fillProducts(ctx, tx, &a); err != nil {
			return err
		}
		if a, err = tx.CreateSecAdvisory(ctx, a, TrackingPrefix(d.Organisation)); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "security_advisory.created", "security_advisory", a.ID), nil, a)
	})
	return a, err
}

// UpdateSecAdvisory changes an advisory's content. A draft or one in
// review is edited in place; editing a published one starts its next
// revision: it is a draft again, its published revision still served.
func (s *Service) UpdateSecAdvisory(ctx context.Context, id int64, change func(*model.SecurityAdvisory), by string) (model.SecurityAdvisory, error) {
	var after model.SecurityAdvisory
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.SecAdvisoryForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("security advisory %d: %w", id, err)
		}
		after = before
		after.Products = append([]model.SecAdvProduct(nil), before.Products...)
		after.Vulnerabilities = append([]model.SecAdvVuln(nil), before.Vulnerabilities...)
		change(&after)
		// What the content does not hold stays.
		after.ID, after.TrackingID, after.FileName, after.State = before.ID, before.TrackingID, before.FileName, before.State
		after.Version, after.Revisions = before.Version, before.Revisions
		after.InitialReleaseAt, after.CurrentReleaseAt = before.InitialReleaseAt, before.CurrentReleaseAt
		after.CreatedAt, after.CreatedBy = before.CreatedAt, before.CreatedBy
		if before.Version > 0 && after.Profile != before.Profile {
			return model.Invalidf("profile: a published advisory keeps its profile (%s)", before.Profile)
		}
		if err := fillProducts(ctx, tx, &after); err != nil {
			return err
		}
		kind := "security_advisory.updated"
		if before.State == model.SecAdvPublished {
			after.State, kind = model.SecAdvDraft, "security_advisory.revision_started"
		}
		after.UpdatedAt, after.UpdatedBy = tx.Now().UTC(), by
		if err := tx.UpdateSecAdvisory(ctx, after); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, kind, "security_advisory", id), before, after)
	})
	return after, err
}

// completeIn reads an advisory for a step that needs it in state want
// and complete; why says so when it is in another state.
func completeIn(ctx context.Context, tx *store.Tx, id int64, want, why string) (model.SecurityAdvisory, error) {
	a, err := tx.SecAdvisoryForUpdate(ctx, id)
	if err != nil {
		return a, fmt.Errorf("security advisory %d: %w", id, err)
	}
	if a.State != want {
		return a, fmt.Errorf("security advisory %d is %s: %s: %w", id, a.State, why, model.ErrConflict)
	}
	return a, a.Complete()
}

// SubmitSecAdvisory sends a complete draft to review.
func (s *Service) SubmitSecAdvisory(ctx context.Context, id int64, by string) (model.SecurityAdvisory, error) {
	var after model.SecurityAdvisory
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := completeIn(ctx, tx, id, model.SecAdvDraft, "only a draft is submitted")
		if err != nil {
			return err
		}
		after = before
		after.State, after.UpdatedAt, after.UpdatedBy = model.SecAdvReview, tx.Now().UTC(), by
		if err := tx.UpdateSecAdvisory(ctx, after); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "security_advisory.submitted", "security_advisory", id),
			map[string]string{"state": before.State}, map[string]string{"state": after.State})
	})
	return after, err
}

// meta is what a document of the advisory says beyond its content; a
// published revision is final, a preview draft (never published) or
// interim (the next revision).
func (s *Service) csafMeta(ctx context.Context, a model.SecurityAdvisory, site CSAFSite, final bool) (csaf.Meta, error) {
	d, err := s.Disclosure(ctx)
	if err != nil {
		return csaf.Meta{}, err
	}
	now := s.Store.Now().UTC().Truncate(time.Second)
	m := csaf.Meta{Publisher: publisher(d, site.Base), Namespace: site.Base, Generator: site.Generator,
		Revisions: append([]model.SecAdvRevision(nil), a.Revisions...), Initial: now, Current: now}
	if a.InitialReleaseAt != nil {
		m.Initial = *a.InitialReleaseAt
	}
	m.SelfURL = site.Base + csaf.WellKnown + "/white/" + secAdvPath(a, m.Initial)
	summary := a.RevisionSummary
	if summary == "" {
		summary = map[bool]string{true: "Initial version", false: "Update"}[a.Version == 0]
	}
	switch {
	case final:
		m.Status, m.Version = "final", a.Version+1
	case a.Version == 0:
		m.Status, m.Version = "draft", 0
	default:
		m.Status, m.Version = "interim", a.Version+1
	}
	m.Revisions = append(m.Revisions, model.SecAdvRevision{Number: m.Version, Date: now, Summary: summary})
	return m, nil
}

// secAdvPath is a document's path below the white directory: the year of
// its initial release and its file name.
func secAdvPath(a model.SecurityAdvisory, initial time.Time) string {
	return fmt.Sprintf("%d/%s", initial.Year(), model.CSAFFileName(a.TrackingID))
}

// PreviewSecAdvisory writes the advisory as it stands as CSAF and OSV: a
// draft (never published) or the next revision, interim.
func (s *Service) PreviewSecAdvisory(ctx context.Context, a model.SecurityAdvisory, site CSAFSite) (csafDoc, osvDoc []byte, err error) {
	m, err := s.csafMeta(ctx, a, site, false)
	if err != nil {
		return nil, nil, err
	}
	if csafDoc, err = csaf.Document(a, m); err != nil {
		return nil, nil, err
	}
	osvDoc, err = csaf.OSV(a, m)
	return csafDoc, osvDoc, err
}

// PublishSecAdvisory publishes an advisory in review as its next
// revision: the CSAF and OSV bytes are made once, hashed, signed with the
// server's key and kept, and from then on served as they are.
func (s *Service) PublishSecAdvisory(ctx context.Context, id int64, site CSAFSite, by string) (model.SecurityAdvisory, error) {
	key, err := s.SigningKey(ctx)
	if err != nil {
		return model.SecurityAdvisory{}, err
	}
	var after model.SecurityAdvisory
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := completeIn(ctx, tx, id, model.SecAdvReview, "only one in review is published")
		if err != nil {
			return err
		}
		m, err := s.csafMeta(ctx, before, site, true)
		if err != nil {
			return err
		}
		doc, err := csaf.Document(before, m)
		if err != nil {
			return err
		}
		osv, err := csaf.OSV(before, m)
		if err != nil {
			return err
		}
		sig, err := key.SignDetached(doc)
		if err != nil {
			return err
		}
		s256, s512 := sha256.Sum256(doc), sha512.Sum512(doc)
		rev := m.Revisions[len(m.Revisions)-1]
		rev.PublishedBy, rev.SHA256 = by, hex.EncodeToString(s256[:])
		f := store.SecAdvFile{AdvisoryID: id, Number: rev.Number, Path: secAdvPath(before, m.Initial), CSAF: doc, OSV: osv,
			SHA256: rev.SHA256, SHA512: hex.EncodeToString(s512[:]), Signature: string(sig), KeyFingerprint: key.Fingerprint()}
		if err := tx.AddSecAdvRevision(ctx, rev, f); err != nil {
			return err
		}
		after = before
		initial, current := m.Initial, m.Current
		after.State, after.Version, after.RevisionSummary = model.SecAdvPublished, rev.Number, ""
		after.InitialReleaseAt, after.CurrentReleaseAt = &initial, &current
		after.Revisions = append(after.Revisions, rev)
		after.UpdatedAt, after.UpdatedBy = tx.Now().UTC(), by
		if err := tx.UpdateSecAdvisory(ctx, after); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "security_advisory.published", "security_advisory", id),
			map[string]any{"state": before.State, "version": before.Version},
			map[string]any{"state": after.State, "version": after.Version, "path": f.Path, "sha256": f.SHA256})
	})
	return after, err
}

// SignatureOf returns a published file's detached signature: the one
// kept, or a new one when the server's key changed since (a key file
// configured after a generated key signed).
func (s *Service) SignatureOf(ctx context.Context, f store.SecAdvFile) ([]byte, error) {
	key, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	if f.KeyFingerprint == key.Fingerprint() {
		return []byte(f.Signature), nil
	}
	return key.SignDetached(f.CSAF)
}

// CSAFProviderMetadata writes provider-metadata.json for the site: its
// last_updated is the newest publication (the key's fingerprint and the
// site decide the rest).
func (s *Service) CSAFProviderMetadata(ctx context.Context, site CSAFSite) ([]byte, error) {
	key, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.Disclosure(ctx)
	if err != nil {
		return nil, err
	}
	files, err := s.Store.SecAdvFiles(ctx)
	if err != nil {
		return nil, err
	}
	updated := s.Store.Now().UTC().Truncate(time.Second)
	if len(files) > 0 {
		updated = files[0].PublishedAt
	}
	return csaf.Provider(site.Base, publisher(d, site.Base), key.Fingerprint(), updated)
}
