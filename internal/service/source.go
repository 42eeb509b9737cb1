package service

import (
	"context"
	"fmt"
	"os"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Source is one kind of feed: how much one download of it may weigh, and
// how what was fetched is read and stored: OSV, CISA KEV, FIRST EPSS and
// NVD; CSAF plugs in here.
type Source interface {
	// MaxBytes bounds one download.
	MaxBytes() int64
	// Store reads what was fetched (a file, or for sources that take
	// one, a directory) and stores what changed — its data, the feed's
	// health, the re-matching it calls for and its event — and says how
	// many items changed.
	Store(ctx context.Context, s *Service, f model.Feed, got feed.Fetched) (changed int, err error)
}

// sources are the feed kinds there are.
var sources = map[string]Source{model.FeedOSV: osvSource{}, model.FeedKEV: kevSource{}, model.FeedEPSS: epssSource{},
	model.FeedNVD: nvdSource{}}

// remoteSource is a Source that reads a network source itself — a paged
// API rather than one download (NVD's CVE API) — through the feed
// policy's client.
type remoteSource interface {
	Source
	// Remote syncs f from its network source and says how many items
	// changed; force starts an incremental source over.
	Remote(ctx context.Context, s *Service, f model.Feed, force bool) (changed int, err error)
}

// osvSource reads OSV advisories: osv.dev's <Ecosystem>/all.zip, a
// directory, or a file (see syncOSV).
type osvSource struct{}

func (osvSource) MaxBytes() int64 { return maxOSVArchive } // osv.dev's largest all.zip is well under this

func (osvSource) Store(ctx context.Context, s *Service, f model.Feed, got feed.Fetched) (int, error) {
	if got.Dir {
		return s.syncOSV(ctx, f, got.Path, "", "")
	}
	return s.syncOSV(ctx, f, got.Path, got.SHA256, got.ETag)
}

// kevSource reads CISA's Known Exploited Vulnerabilities catalogue (JSON)
// and re-marks which findings are known exploited.
type kevSource struct{}

func (kevSource) MaxBytes() int64 { return maxKEVBytes }

func (kevSource) Store(ctx context.Context, s *Service, f model.Feed, got feed.Fetched) (int, error) {
	r, err := openFile(f, got)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cat, err := feed.ParseKEV(f.URL, r, maxKEVBytes)
	if err != nil {
		return 0, err
	}
	entries := make([]store.KEVEntry, len(cat.Entries))
	for i, e := range cat.Entries {
		entries[i] = store.KEVEntry{CVE: e.CVE, Vendor: e.Vendor, Product: e.Product, Name: e.Name,
			DateAdded: e.DateAdded, DueDate: e.DueDate, Ransomware: e.Ransomware, Catalog: cat.Version}
	}
	reportProgress(ctx, int64(len(entries)), int64(len(entries)), "entries read")
	res := store.FeedResult{FeedID: f.ID, ContentHash: got.SHA256, ETag: got.ETag, Items: len(entries)}
	var n int
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.ApplyKEV(ctx, res, entries); err != nil {
			return err
		}
		return syncedEvent(ctx, tx, f, len(entries), n)
	})
	return n, err
}

// epssSource reads FIRST's EPSS scores (CSV, plain or gzip) and re-scores
// findings.
type epssSource struct{}

func (epssSource) MaxBytes() int64 { return maxEPSSBytes }

func (epssSource) Store(ctx context.Context, s *Service, f model.Feed, got feed.Fetched) (int, error) {
	r, err := openFile(f, got)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	data, err := feed.ParseEPSS(f.URL, r, maxEPSSBytes)
	if err != nil {
		return 0, err
	}
	seen := make(map[string]bool, len(data.Scores))
	scores := make([]store.EPSSScore, 0, len(data.Scores))
	for _, e := range data.Scores {
		if seen[e.CVE] {
			continue
		}
		seen[e.CVE] = true
		scores = append(scores, store.EPSSScore{CVE: e.CVE, Score: e.Score, Percentile: e.Percentile, Model: data.Model})
	}
	reportProgress(ctx, int64(len(scores)), int64(len(scores)), "scores read")
	res := store.FeedResult{FeedID: f.ID, ContentHash: got.SHA256, ETag: got.ETag, Items: len(scores)}
	var n int
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.ApplyEPSS(ctx, res, data.Date, scores); err != nil {
			return err
		}
		return syncedEvent(ctx, tx, f, len(scores), n)
	})
	return n, err
}

// openFile opens a fetched file; a directory is a source of OSV
// advisories and NVD records only.
func openFile(f model.Feed, got feed.Fetched) (*os.File, error) {
	if got.Dir {
		return nil, fmt.Errorf("feed %s: a directory is a source of OSV advisories or NVD records only, not of %s", f.Name, f.Kind)
	}
	return os.Open(got.Path)
}

// syncedEvent records a sync that changed something; one that changed
// nothing is the feed's health alone.
func syncedEvent(ctx context.Context, tx *store.Tx, f model.Feed, items, changed int) error {
	if changed == 0 {
		return nil
	}
	return tx.AppendEvent(ctx, event(ActorSystem, "feed.synced", "feed", f.ID), nil,
		map[string]any{"feed": f.Name, "kind": f.Kind, "items": items, "changed": changed})
}
