// Package service is what `vulndesk serve` does, apart from HTTP: it turns
// uploaded SBOMs into inventory snapshots, syncs advisory feeds, and keeps
// findings current by matching — with the scan engine's own match.Match —
// whenever either side changes. Work that takes time runs as jobs in the
// store's queue (see Runner), so that with several replicas each job runs
// once.
package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/feed"
	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Service holds what the jobs and the API share.
type Service struct {
	Store *store.Store
	Log   *slog.Logger
	// Sources says what feeds may read (nil: no local file, no loopback,
	// link-local or private address).
	Sources *feed.Policy
	// TempDir holds downloads while a sync runs ("" is the system's).
	TempDir string
	// MaxSBOMBytes bounds an upload (sbom's default when 0).
	MaxSBOMBytes int64
	// MaxKeptDocument bounds a scan's raw document kept with its record,
	// compressed (store's default when 0); a larger one is recorded by
	// its hash only.
	MaxKeptDocument int64
	// SMTP is the relay of email notifications (none: they fail, saying so).
	SMTP SMTP
	// NotifyAttempts and NotifyBackoff bound a delivery's retries
	// (DefaultNotifyAttempts, DefaultNotifyBackoff when 0).
	NotifyAttempts int
	NotifyBackoff  time.Duration
	// Signing holds the server's OpenPGP signing key (csaf).
	Signing SigningKey

	cache *recordCache
	// entries remembers, per OSV feed, the zip entries its last sync read.
	entries entryMemos
	// fetchers are the NVD API feeds' fetchers, with their rate limits.
	fetchers nvdFetchers
	// wake is signalled when work was queued, so a local runner starts at
	// once instead of at its next poll.
	wake chan struct{}
}

// New returns a service over an open store.
func New(st *store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: st, Log: log, cache: newRecordCache(st), wake: make(chan struct{}, 1)}
}

// Wake tells the local runner that a job was queued.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// ErrInvalidInput marks errors caused by what the client sent (a
// malformed or oversized SBOM, a bad field); the API answers them with 4xx.
var ErrInvalidInput = model.ErrInvalid

// classed is err, keeping its message, marked as one of the errors use
// cases answer with (model.ErrInvalid, model.ErrTooLarge, …).
type classed struct{ class, err error }

func (e classed) Error() string   { return e.err.Error() }
func (e classed) Unwrap() []error { return []error{e.class, e.err} }

// inputError marks err as ErrInvalidInput: what the caller sent is wrong.
func inputError(err error) error { return classed{ErrInvalidInput, err} }

// tooLargeError marks err as model.ErrTooLarge: the input is over a
// limit, rather than wrong.
func tooLargeError(err error) error { return classed{model.ErrTooLarge, err} }

// MatchSnapshot matches a snapshot's components and records the findings:
// new ones open, missing ones resolve by upgrade. A snapshot that is no
// longer its asset's current one is skipped.
func (s *Service) MatchSnapshot(ctx context.Context, snapID int64) error {
	snap, err := s.Store.Snapshot(ctx, snapID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // its asset was deleted
	}
	if err != nil {
		return err
	}
	start := time.Now()
	var ph matchPhases
	st, n, err := s.matchAndApply(ctx, store.MatchResult{AssetID: snap.AssetID, SnapshotID: snapID,
		Resolution: model.ResolvedByUpgrade}, int64(snap.Components), &ph)
	if err != nil {
		return err
	}
	if st.Stale > 0 {
		s.Log.Info("snapshot superseded before its match was stored", "snapshot", snapID)
		return nil
	}
	s.Log.Info("snapshot matched", "snapshot", snapID, "asset", snap.AssetID, "components", n,
		"new", st.New, "still_open", st.Updated, "reopened", st.Reopened, "resolved", st.Resolved,
		"took", time.Since(start).Round(time.Millisecond), "read", ph.read.Round(time.Millisecond),
		"match", ph.match.Round(time.Millisecond), "store", ph.store.Round(time.Millisecond))
	return nil
}

// matchPhases is where a snapshot's match spent its time: reading
// components, matching them, storing the findings.
type matchPhases struct{ read, match, store time.Duration }

// since adds the time since t to d and returns now.
func since(d *time.Duration, t time.Time) time.Time {
	now := time.Now()
	*d += now.Sub(t)
	return now
}

// Rematch re-matches, in every asset's current snapshot, only the
// components of the given package keys: what changed advisories name. The
// findings no longer found resolve as advisory-changed (withdrawn when
// their advisory was; see finding.Reason). The components of all assets are
// read at once, each distinct one matched once, and the results applied
// in batches of assets, a transaction each.
func (s *Service) Rematch(ctx context.Context, keys []string) error {
	start := time.Now()
	comps, err := s.Store.CurrentComponentsWithKeys(ctx, keys)
	if err != nil {
		return err
	}
	// Per asset (the components come ordered by asset).
	var targets []rematchTarget
	for i := 0; i < len(comps); {
		j := i
		t := rematchTarget{assetID: comps[i].AssetID, snapID: comps[i].SnapshotID}
		for ; j < len(comps) && comps[j].AssetID == t.assetID; j++ {
			t.comps = append(t.comps, comps[j].SnapshotComponent)
		}
		present := map[string]bool{}
		for _, c := range t.comps {
			present[c.Key] = true
		}
		for _, k := range keys {
			if present[k] {
				t.scope = append(t.scope, k)
				present[k] = false // a key listed twice
			}
		}
		targets = append(targets, t)
		i = j
	}
	var batches [][]rematchTarget
	per := rematchAssets[s.Store.Dialect()]
	for b := 0; b < len(targets); b += per {
		batches = append(batches, targets[b:min(b+per, len(targets))])
	}
	total, err := s.rematchPipelined(ctx, batches)
	if err != nil {
		return err
	}
	s.Log.Info("advisory changes re-matched", "keys", len(keys), "assets", len(targets), "new", total.New,
		"resolved", total.Resolved, "reopened", total.Reopened, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rematchAssets is how many assets' results go in one transaction, by
// engine. SQLite writes every page a transaction touched to its log, so
// fewer, larger transactions touch each index page fewer times;
// PostgreSQL gains more from pipelining smaller ones.
var rematchAssets = map[store.Dialect]int{store.SQLite: 500, store.Postgres: 200}

// rematchApplied, when set (by tests), is called after each batch of a
// pipelined re-match is written, with whether the batch was outdated.
var rematchApplied func(outdated bool)

// rematchTarget is one asset's current snapshot to re-match: its
// components of the changed keys, and those keys.
type rematchTarget struct {
	assetID, snapID int64
	comps           []model.SnapshotComponent
	scope           []string
}

// rematchPipelined matches and applies the batches, matching the next
// batch while the database writes the one before (on PostgreSQL the
// writes are mostly waiting). When the advisories change under it, the
// pipeline stops and the rest goes one batch at a time, each matched again
// until it applies (rematchBatch).
func (s *Service) rematchPipelined(ctx context.Context, batches [][]rematchTarget) (store.MatchStats, error) {
	var total store.MatchStats
	memo := &matchMemo{}
	nDone, nAll := 0, 0 // assets, for the progress report
	for _, b := range batches {
		nAll += len(b)
	}
	type matched struct {
		results []store.MatchResult
		err     error
	}
	next := make(chan matched, 1)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for _, b := range batches {
			r, err := s.rematchResults(ctx, b, memo)
			select {
			case next <- matched{r, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	halt := func() { // after it, the memo is this goroutine's alone
		close(stop)
		<-done
	}
	for i := range batches {
		m := <-next
		if m.err != nil {
			halt()
			return total, m.err
		}
		st, err := s.applyRematch(ctx, m.results)
		if rematchApplied != nil {
			rematchApplied(errors.Is(err, store.ErrOutdated))
		}
		if errors.Is(err, store.ErrOutdated) {
			halt()
			for _, b := range batches[i:] {
				st, err := s.rematchBatch(ctx, b, memo)
				if err != nil {
					return total, err
				}
				total.Add(st)
				nDone += len(b)
				reportProgress(ctx, int64(nDone), int64(nAll), "assets re-matched")
			}
			return total, nil
		}
		if err != nil {
			halt()
			return total, err
		}
		total.Add(st)
		nDone += len(batches[i])
		reportProgress(ctx, int64(nDone), int64(nAll), "assets re-matched")
	}
	<-done
	return total, nil
}

// rematchBatch matches a batch of assets and applies their results in one
// transaction; a result for a snapshot no longer current is skipped (the
// newer snapshot's own match covers it). When the advisories change while
// it matches, the batch is computed again, as in matchAndApply.
func (s *Service) rematchBatch(ctx context.Context, targets []rematchTarget, memo *matchMemo) (store.MatchStats, error) {
	for attempt := 0; ; attempt++ {
		results, err := s.rematchResults(ctx, targets, memo)
		if err != nil {
			return store.MatchStats{}, err
		}
		st, err := s.applyRematch(ctx, results)
		if !errors.Is(err, store.ErrOutdated) || attempt == 4 {
			return st, err
		}
		s.Log.Info("advisories changed while re-matching; matching again", "assets", len(targets))
	}
}

// rematchResults matches a batch of assets against the current advisories.
func (s *Service) rematchResults(ctx context.Context, targets []rematchTarget, memo *matchMemo) ([]store.MatchResult, error) {
	gen, err := s.cache.refresh(ctx)
	if err != nil {
		return nil, err
	}
	// Every distinct component of the batch in one match (those of
	// earlier batches are in the memo already).
	var all []model.SnapshotComponent
	for _, t := range targets {
		all = append(all, t.comps...)
	}
	if err := s.primeMemo(ctx, all, gen, memo); err != nil {
		return nil, err
	}
	results := make([]store.MatchResult, len(targets))
	for i, t := range targets {
		found, err := s.matchMemoized(ctx, t.comps, gen, memo)
		if err != nil {
			return nil, err
		}
		results[i] = store.MatchResult{AssetID: t.assetID, SnapshotID: t.snapID, Keys: t.scope, Findings: found,
			Resolution: model.ResolvedByAdvisory, Generation: gen, CheckGeneration: true}
	}
	return results, nil
}

// matchAndApply matches a snapshot's components and records the result.
// The components are read and matched matchPage at a time, so that a
// snapshot of a million components never sits in memory whole: only its
// findings are gathered. When the advisories change while it matches, the
// result is computed again: a stale result must not overwrite the
// re-match the change queued. It returns the number of components; it
// reports its progress against total, the snapshot's count.
func (s *Service) matchAndApply(ctx context.Context, m store.MatchResult, total int64, ph *matchPhases) (store.MatchStats, int, error) {
	for attempt := 0; ; attempt++ {
		t := time.Now()
		gen, err := s.cache.refresh(ctx)
		if err != nil {
			return store.MatchStats{}, 0, err
		}
		m.Findings = nil
		n, after := 0, int64(0)
		for {
			comps, err := s.Store.ComponentsPage(ctx, m.SnapshotID, after, matchPage)
			if err != nil {
				return store.MatchStats{}, n, err
			}
			t = since(&ph.read, t)
			if len(comps) == 0 {
				break
			}
			found, err := s.match(ctx, comps)
			if err != nil {
				return store.MatchStats{}, n, err
			}
			t = since(&ph.match, t)
			m.Findings = append(m.Findings, found...)
			n, after = n+len(comps), comps[len(comps)-1].ID
			reportProgress(ctx, int64(n), max(total, int64(n)), "components matched")
		}
		m.Generation, m.CheckGeneration = gen, true
		st, err := s.applyMatch(ctx, m)
		since(&ph.store, t)
		if !errors.Is(err, store.ErrOutdated) || attempt == 4 {
			return st, n, err
		}
		s.Log.Info("advisories changed while matching; matching again", "asset", m.AssetID, "snapshot", m.SnapshotID)
	}
}

// applyMatch records a snapshot's match in one transaction, with its
// event; a result for a snapshot no longer current is skipped (Stale).
func (s *Service) applyMatch(ctx context.Context, m store.MatchResult) (store.MatchStats, error) {
	var st store.MatchStats
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if st, err = tx.ApplyFindings(ctx, []store.MatchResult{m}); err != nil || st.Stale > 0 {
			return err
		}
		return tx.AppendEvent(ctx, event(ActorSystem, "snapshot.matched", "snapshot", m.SnapshotID), nil, st)
	})
	return st, err
}

// applyRematch records a batch of a re-match in one transaction, with one
// event for the batch (not one per finding: a re-match touches most
// assets).
func (s *Service) applyRematch(ctx context.Context, results []store.MatchResult) (store.MatchStats, error) {
	var st store.MatchStats
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if st, err = tx.ApplyFindings(ctx, results); err != nil || len(results) == 0 {
			return err
		}
		return tx.AppendEvent(ctx, event(ActorSystem, "findings.rematched", "advisories", results[0].Generation), nil,
			rematchEvent{Assets: len(results), MatchStats: st})
	})
	return st, err
}

// rematchEvent is what the event of a re-match batch records.
type rematchEvent struct {
	Assets int `json:"assets"`
	store.MatchStats
}

// matchPage is how many components a snapshot's match reads at a time.
const matchPage = 20000

// matchMemo holds, for one re-match, the findings of every distinct
// component at one advisory generation, so that a package version found in
// a thousand assets is matched once rather than a thousand times. What a
// component matches depends only on its ecosystem, package, version and
// purl, which are also all a finding takes from it.
type matchMemo struct {
	gen   int64
	found map[string][]finding.Detected // by componentIdentity
}

func componentIdentity(eco, pkg, version, purl string) string {
	return eco + "\x00" + pkg + "\x00" + version + "\x00" + purl
}

// matchMemoized is match through memo, when memo is not nil.
func (s *Service) matchMemoized(ctx context.Context, comps []model.SnapshotComponent, gen int64, memo *matchMemo) ([]finding.Detected, error) {
	if memo == nil {
		return s.match(ctx, comps)
	}
	if err := s.primeMemo(ctx, comps, gen, memo); err != nil {
		return nil, err
	}
	var out []finding.Detected
	for _, c := range comps {
		out = append(out, memo.found[componentIdentity(c.Ecosystem, c.Package, c.Version, c.PURL)]...)
	}
	return out, nil
}

// primeMemo matches, in one call, the components memo does not know yet
// at generation gen (a memo of another generation is emptied first).
func (s *Service) primeMemo(ctx context.Context, comps []model.SnapshotComponent, gen int64, memo *matchMemo) error {
	if memo.found == nil || memo.gen != gen {
		memo.gen, memo.found = gen, map[string][]finding.Detected{}
	}
	var todo []model.SnapshotComponent
	for _, c := range comps {
		k := componentIdentity(c.Ecosystem, c.Package, c.Version, c.PURL)
		if _, ok := memo.found[k]; !ok {
			memo.found[k] = nil
			todo = append(todo, c)
		}
	}
	if len(todo) > 0 {
		found, err := s.match(ctx, todo)
		if err != nil {
			memo.found = nil // its new entries are empty, not known
			return err
		}
		for _, f := range found {
			k := componentIdentity(f.Ecosystem, f.Package, f.Version, f.PURL)
			memo.found[k] = append(memo.found[k], f)
		}
	}
	return nil
}

// match runs the scan engine over stored components.
func (s *Service) match(ctx context.Context, comps []model.SnapshotComponent) ([]finding.Detected, error) {
	mc := make([]model.Component, len(comps))
	keys := make([]string, len(comps))
	for i := range comps {
		mc[i], keys[i] = comps[i].Component, comps[i].Key
	}
	if err := s.cache.prefetch(ctx, keys); err != nil {
		return nil, err
	}
	out, err := match.Match(ctx, s.cache.view(ctx), mc)
	if err != nil {
		return nil, err
	}
	var cves []string
	for _, f := range out.Findings {
		cves = append(cves, nvd.CVEs(f.ID, f.Aliases)...)
	}
	metrics, err := s.cache.nvdMetrics(ctx, cves)
	if err != nil {
		return nil, err
	}
	found := make([]finding.Detected, 0, len(out.Findings))
	for i := range out.Findings {
		f := &out.Findings[i]
		nvd.Rate(f, metrics) // severity from aliases, where the advisory states none
		ev, err := json.Marshal(f.Evidence)
		if err != nil {
			return nil, err
		}
		info, err := json.Marshal(model.SeverityInfo{Severity: f.Severity, Conflicts: f.Conflicts})
		if err != nil {
			return nil, err
		}
		c := f.Component
		found = append(found, finding.Detected{
			Key: advisorydb.Key(c.Ecosystem, c.Package), Ecosystem: c.Ecosystem, Package: c.Package,
			Version: c.Version, PURL: c.PURL, VulnID: f.ID, Aliases: f.Aliases, Summary: truncate(f.Summary, 500),
			Severity: string(f.Severity.Rating), SeverityRank: f.Severity.Rating.Rank(), Score: f.Severity.Score,
			SeverityInfo: string(info), Fix: f.Fix, Evidence: string(ev),
		})
	}
	return found, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// tempDir returns where downloads go.
func (s *Service) tempDir() string {
	if s.TempDir != "" {
		os.MkdirAll(s.TempDir, 0o700)
		return s.TempDir
	}
	return os.TempDir()
}

// RunJob does one claimed job.
func (s *Service) RunJob(ctx context.Context, j model.Job) error {
	switch j.Kind {
	case model.JobMatchSnapshot:
		var p model.SnapshotPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			return fmt.Errorf("job %d payload: %w", j.ID, err)
		}
		return s.MatchSnapshot(ctx, p.SnapshotID)
	case model.JobRematch:
		var p model.RematchPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			return fmt.Errorf("job %d payload: %w", j.ID, err)
		}
		return s.Rematch(ctx, p.Keys)
	case model.JobSyncFeed:
		var p model.FeedPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			return fmt.Errorf("job %d payload: %w", j.ID, err)
		}
		if p.Scheduled {
			f, err := s.Store.Feed(ctx, p.FeedID)
			if err != nil {
				return err
			}
			if f.LastAttemptAt.After(j.CreatedAt) {
				s.Log.Info("scheduled sync skipped: the feed was synced after it was queued", "feed", f.Name)
				return nil
			}
		}
		return s.SyncFeed(ctx, p.FeedID, p.Force)
	case model.JobNotify:
		_, err := s.DetectNotifications(ctx)
		return err
	case model.JobDeliver:
		var p model.DeliverPayload
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			return fmt.Errorf("job %d payload: %w", j.ID, err)
		}
		return s.Deliver(ctx, p.DeliveryID)
	}
	return fmt.Errorf("job %d: unknown kind %q", j.ID, j.Kind)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on plain data
	}
	return string(b)
}
