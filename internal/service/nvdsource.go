package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/nvd/nvdfetch"
	"github.com/vulndesk/vulndesk/internal/store"
)

// maxNVDFile bounds one file of NVD records, which is decoded whole: an
// API page is a few MB, and a mirror keeps a file a CVE or a page; a
// larger dump is split into pages for an air-gapped site.
const maxNVDFile = 256 << 20

// nvdSource reads NVD's CVE records: the CVE API 2.0 (paged, by
// lastModified window from where the last sync stopped), or a local
// directory or file of bare `cve` objects or API response pages. What it
// stores rates the findings of advisories that alias the CVEs.
type nvdSource struct{}

func (nvdSource) MaxBytes() int64 { return maxNVDFile }

// Store reads a local file or directory whole, then stores what changed
// in one transaction: a file that does not decode fails the sync before
// anything is written.
func (nvdSource) Store(ctx context.Context, s *Service, f model.Feed, got feed.Fetched) (int, error) {
	byID := map[string]store.NVDRecord{}
	items := 0
	_, err := nvd.Walk(ctx, got.Path, nvd.Limits{MaxFileBytes: maxNVDFile}, func(_ string, r *nvd.Record) error {
		items++
		reportProgress(ctx, int64(items), 0, "records read")
		rec, err := nvdRecord(r)
		if err != nil {
			return err
		}
		if prev, ok := byID[rec.ID]; !ok || rec.LastModified.After(prev.LastModified) {
			byID[rec.ID] = rec
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	recs := make([]store.NVDRecord, 0, len(byID))
	for _, r := range byID {
		recs = append(recs, r)
	}
	res := store.FeedResult{FeedID: f.ID, ContentHash: got.SHA256, ETag: got.ETag, Items: items}
	return s.storeNVD(ctx, f, recs, &res, 0, time.Time{})
}

// storeNVD stores a batch of NVD records in one transaction with the
// re-match by alias that their changed ratings call for; with res (the
// last batch of a sync) it also records the feed's health — the sync's
// changes are earlier (by earlier batches) and this batch's — its
// position (through, for the API) and its event.
func (s *Service) storeNVD(ctx context.Context, f model.Feed, recs []store.NVDRecord, res *store.FeedResult, earlier int, through time.Time) (int, error) {
	var applied store.NVDApplied
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if applied, err = tx.ApplyNVD(ctx, f.ID, recs); err != nil {
			return err
		}
		if len(applied.Keys) > 0 {
			if _, _, err := tx.Enqueue(ctx, rematchJob(applied.Keys)); err != nil {
				return err
			}
		}
		if res == nil {
			return nil
		}
		if err := tx.NVDFeedSynced(ctx, *res, earlier+applied.Written, through); err != nil {
			return err
		}
		return syncedEvent(ctx, tx, f, res.Items, earlier+applied.Written)
	})
	if err != nil {
		return 0, err
	}
	if len(applied.Keys) > 0 {
		s.Log.Info("NVD ratings changed", "feed", f.Name, "cves", len(applied.Rerated), "packages_to_rematch", len(applied.Keys))
		s.Wake()
	}
	return applied.Written, nil
}

// nvdRecord is r as the store keeps it.
func nvdRecord(r *nvd.Record) (store.NVDRecord, error) {
	lm, err := r.LastModifiedTime()
	if err != nil {
		return store.NVDRecord{}, err
	}
	pub, _ := r.PublishedTime() // checked by the decoder; a missing one is zero
	metrics := r.Metrics
	if metrics == nil {
		metrics = []nvd.CVSS{}
	}
	m, err := json.Marshal(metrics)
	if err != nil {
		return store.NVDRecord{}, err
	}
	whole, err := json.Marshal(r)
	if err != nil {
		return store.NVDRecord{}, err
	}
	sum := sha256.Sum256(whole)
	return store.NVDRecord{ID: r.ID, VulnStatus: r.VulnStatus, Published: pub, LastModified: lm,
		Metrics: string(m), Record: string(whole), ContentHash: hex.EncodeToString(sum[:])}, nil
}

// Remote syncs from the CVE API: on the first sync (or with force) every
// record NVD holds, page by page; after that, every record modified since
// the feed's position, in windows of at most 120 days. Each page is
// stored in a transaction of its own. The position moves only once every
// page is stored, so a sync that fails is tried again from where the last
// one succeeded; pages stored before the failure are NVD's own records
// and stay.
func (nvdSource) Remote(ctx context.Context, s *Service, f model.Feed, force bool) (int, error) {
	ft, err := s.nvdFetcher(f)
	if err != nil {
		return 0, err
	}
	// A record NVD modifies while the sync runs is asked for again by
	// the next one, which starts where this one started.
	end := time.Now().UTC().Truncate(time.Second)
	changed := 0
	last := time.Now()
	storePage := func(ctx context.Context, p nvdfetch.Progress, page []nvd.Record) error {
		recs := make([]store.NVDRecord, 0, len(page))
		for i := range page {
			r, err := nvdRecord(&page[i])
			if err != nil {
				return err
			}
			recs = append(recs, r)
		}
		n, err := s.storeNVD(ctx, f, recs, nil, 0, time.Time{})
		changed += n
		reportProgress(ctx, int64(p.Done), int64(p.TotalResults), fmt.Sprintf("records of window %d of %d stored", p.Window, p.Windows))
		if time.Since(last) >= 5*time.Second || p.Window == p.Windows && p.Done >= p.TotalResults {
			last = time.Now()
			s.Log.Info("feed sync progress", "feed", f.Name, "window", p.Window, "windows", p.Windows,
				"records", p.Records, "changed", changed)
		}
		return err
	}
	var p nvdfetch.Progress
	switch {
	case f.SyncedThrough.IsZero() || force:
		p, err = ft.All(ctx, storePage)
	case f.SyncedThrough.Before(end):
		p, err = ft.Modified(ctx, f.SyncedThrough, end, storePage)
	default: // synced this very second: nothing to ask
		end = f.SyncedThrough
	}
	if err != nil {
		return 0, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	res := store.FeedResult{FeedID: f.ID, Items: p.Records}
	if _, err := s.storeNVD(ctx, f, nil, &res, changed, end); err != nil {
		return 0, err
	}
	return changed, nil
}

// nvdFetcher returns the feed's fetcher, kept across syncs so that its
// rate limit holds across them; it is rebuilt when the source changes.
// The feed's source is the API's URL; an apiKey query parameter in it is
// taken out and sent as the apiKey header instead.
func (s *Service) nvdFetcher(f model.Feed) (*nvdfetch.Fetcher, error) {
	src := f.Source()
	client, err := s.Sources.Client(src)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	q := u.Query()
	key := ""
	for k, v := range q {
		if strings.EqualFold(k, "apiKey") && len(v) > 0 {
			key = v[0]
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	s.fetchers.mu.Lock()
	defer s.fetchers.mu.Unlock()
	if ft, ok := s.fetchers.byFeed[f.ID]; ok && ft.BaseURL == u.String() && ft.APIKey == key {
		return ft, nil
	}
	ft := &nvdfetch.Fetcher{BaseURL: u.String(), APIKey: key, HTTP: client, Log: s.Log.With("feed", f.Name)}
	if s.fetchers.byFeed == nil {
		s.fetchers.byFeed = map[int64]*nvdfetch.Fetcher{}
	}
	s.fetchers.byFeed[f.ID] = ft
	return ft, nil
}

// nvdFetchers holds one fetcher per NVD API feed.
type nvdFetchers struct {
	mu     sync.Mutex
	byFeed map[int64]*nvdfetch.Fetcher
}
