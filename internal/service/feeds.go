package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Feed size limits: what one download may be.
const (
	maxOSVArchive = 4 << 30   // osv.dev's largest all.zip is well under this
	maxKEVBytes   = 64 << 20  // the KEV catalogue is about 1.5 MB
	maxEPSSBytes  = 256 << 20 // the EPSS CSV is about 10 MB unpacked
)

// SyncFeed fetches a feed and stores what changed: for OSV, only the
// advisories whose content differs from what is stored are re-processed,
// and only the package keys they name are queued for re-matching. Content
// that has not changed since the last sync (same ETag or same SHA-256) is
// not processed again unless force is set. Every outcome is written to the
// feed's health.
func (s *Service) SyncFeed(ctx context.Context, feedID int64, force bool) error {
	f, err := s.Store.Feed(ctx, feedID)
	if err != nil {
		return err
	}
	if err := s.Store.FeedAttempted(ctx, f.ID); err != nil {
		return err
	}
	start := time.Now()
	changed, err := s.syncFeed(ctx, f, force)
	if err != nil {
		if ctx.Err() == nil {
			if ferr := s.Store.FeedFailed(context.WithoutCancel(ctx), f.ID, err); ferr != nil {
				s.Log.Error("recording the feed's failure in its health", "feed", f.Name, "error", ferr)
			}
		}
		s.Log.Warn("feed sync failed", "feed", f.Name, "error", err)
		return err
	}
	s.Log.Info("feed synced", "feed", f.Name, "kind", f.Kind, "changed", changed, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (s *Service) syncFeed(ctx context.Context, f model.Feed, force bool) (int, error) {
	src, ok := sources[f.Kind]
	if !ok {
		return 0, fmt.Errorf("feed %s: unknown kind %q", f.Name, f.Kind)
	}
	if r, ok := src.(remoteSource); ok && feed.IsNetwork(f.Source()) {
		return r.Remote(ctx, s, f, force)
	}
	etag := f.ETag
	if force {
		etag = ""
	}
	got, err := s.Sources.Fetch(ctx, f.Source(), s.tempDir(), etag, src.MaxBytes())
	if err != nil {
		return 0, err
	}
	if got.Temp {
		defer os.Remove(got.Path)
	}
	// A directory has no single content hash: every advisory in it is
	// compared with what is stored, each sync.
	if !got.Dir && (got.NotModified || (!force && got.SHA256 == f.ContentHash && f.ContentHash != "")) {
		return 0, s.Store.FeedUnchanged(ctx, f.ID)
	}
	n, err := src.Store(ctx, s, f, got)
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.afterExploitSync(ctx, f.Kind)
}

// afterExploitSync follows a KEV or EPSS sync that changed something: the
// priorities (and, for KEV, the deadlines) of the findings concerned are
// computed again, and a vulnerability that entered KEV revokes its
// exceptions.
func (s *Service) afterExploitSync(ctx context.Context, kind string) error {
	switch kind {
	case model.FeedKEV:
		if err := s.reassess(ctx, 0, true, false); err != nil {
			return err
		}
		_, err := s.EndExceptions(ctx)
		return err
	case model.FeedEPSS:
		return s.reassess(ctx, 0, false, true)
	}
	return nil
}

// syncOSV loads every advisory at path and stores those that changed.
func (s *Service) syncOSV(ctx context.Context, f model.Feed, path, hash, etag string) (int, error) {
	stored, err := s.Store.AdvisoryHashes(ctx)
	if err != nil {
		return 0, err
	}
	linked, err := s.Store.FeedAdvisories(ctx, f.ID)
	if err != nil {
		return 0, err
	}
	byID := map[string]store.Advisory{}
	modified := map[string]time.Time{}
	items := 0
	// seen reports whether a record is the newest copy of its advisory read
	// so far, noting it; an unchanged newest copy undoes a changed older one.
	seen := func(id string, m time.Time, h string) bool {
		items++
		if prev, dup := modified[id]; dup && !m.After(prev) {
			return false // an older copy of one already read
		}
		modified[id] = m
		if stored[id] == h {
			delete(byID, id)
			return false
		}
		return true
	}
	// Zip entries that did not change since the last sync (same name,
	// CRC-32 and size, and every record in them still stored as read)
	// are not read again: a revision of a few advisories no longer
	// decodes the thousands around them.
	prev, next := s.entries.get(f.ID), map[string]*entryMemo{}
	var cur *entryMemo
	opts := osv.Options{
		Known: func(e osv.Entry) bool {
			m, ok := prev[e.Name]
			if !ok || m.crc != e.CRC32 || m.size != e.Size {
				return false
			}
			for _, r := range m.recs {
				if stored[r.id] != r.hash {
					return false
				}
			}
			for _, r := range m.recs {
				seen(r.id, r.modified, r.hash)
			}
			next[e.Name] = m
			return true
		},
		From: func(e osv.Entry) {
			cur = nil
			if e.Name != "" {
				cur = &entryMemo{crc: e.CRC32, size: e.Size}
				next[e.Name] = cur
			}
		},
	}
	// Long syncs say how far they are, every few seconds.
	lastLog := time.Now()
	opts.Progress = func(done, total int64) {
		reportProgress(ctx, done, total, fmt.Sprintf("files read, %d advisories", items))
		if time.Since(lastLog) >= 5*time.Second {
			lastLog = time.Now()
			s.Log.Info("feed sync progress", "feed", f.Name, "files", done, "of", total, "advisories", items)
		}
	}
	st, err := osv.Load(ctx, path, opts, func(v *osv.Vulnerability) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		h := hex.EncodeToString(sum[:])
		m := osv.Time(v.Modified)
		if cur != nil {
			cur.recs = append(cur.recs, memoRecord{id: v.ID, modified: m, hash: h})
		}
		if !seen(v.ID, m, h) {
			return nil
		}
		a, err := toAdvisory(v, h)
		if err != nil {
			return err
		}
		byID[v.ID] = a
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	s.Log.Debug("osv feed read", "feed", f.Name, "files", st.Files, "unchanged_entries_skipped", st.Skipped)
	changed := make([]store.Advisory, 0, len(byID))
	for _, a := range byID {
		changed = append(changed, a)
	}
	// What the feed holds unchanged is recorded as its too: deleting
	// another feed that also has it must not withdraw it.
	var held []string
	for id := range modified {
		if _, ok := byID[id]; !ok && !linked[id] {
			held = append(held, id)
		}
	}
	var keys []string
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if keys, err = tx.ApplyAdvisories(ctx, store.FeedResult{FeedID: f.ID, ContentHash: hash, ETag: etag, Items: items, Held: held}, changed); err != nil {
			return err
		}
		if len(keys) > 0 {
			if _, _, err := tx.Enqueue(ctx, rematchJob(keys)); err != nil {
				return err
			}
		}
		return syncedEvent(ctx, tx, f, items, len(changed))
	})
	if err != nil {
		return 0, err
	}
	s.entries.set(f.ID, next)
	if len(keys) > 0 {
		s.Wake()
	}
	return len(changed), nil
}

// entryMemos remembers, per feed, the zip entries its last successful
// sync read: their CRC-32 and size, and the advisories (with their content
// hashes) each held. It lives as long as the process; after a restart the
// first sync reads everything.
type entryMemos struct {
	mu    sync.Mutex
	feeds map[int64]map[string]*entryMemo
}

type entryMemo struct {
	crc  uint32
	size uint64
	recs []memoRecord
}

type memoRecord struct {
	id       string
	modified time.Time
	hash     string
}

func (m *entryMemos) get(feedID int64) map[string]*entryMemo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.feeds[feedID]
}

func (m *entryMemos) set(feedID int64, entries map[string]*entryMemo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.feeds == nil {
		m.feeds = map[int64]map[string]*entryMemo{}
	}
	m.feeds[feedID] = entries
}

// toAdvisory turns an OSV record into what the store keeps.
func toAdvisory(v *osv.Vulnerability, hash string) (store.Advisory, error) {
	recs, info := advisorydb.Records(v)
	infoJSON, err := json.Marshal(info)
	if err != nil {
		return store.Advisory{}, err
	}
	a := store.Advisory{
		ID: v.ID, Summary: truncate(info.Summary, 500), Severity: string(info.Severity.Rating), Score: info.Severity.Score,
		Aliases: info.Aliases, Info: string(infoJSON), Withdrawn: v.IsWithdrawn(),
		Published: info.Published, Modified: info.Modified, ContentHash: hash,
	}
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return a, err
		}
		a.Records = append(a.Records, store.AdvisoryRecord{Key: r.Key(), JSON: string(b)})
	}
	return a, nil
}

// CleanTemp removes downloads left behind by a sync that died (a crash, a
// kill -9). Only files older than a day are touched: a sync in progress,
// even of the largest feed, is far younger, so this is safe while another
// process shares the directory.
func (s *Service) CleanTemp() {
	dir := s.tempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "vulndesk-feed-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				s.Log.Info("removed a download left by an interrupted sync", "file", e.Name())
			}
		}
	}
}
