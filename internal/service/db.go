package service

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/store"
)

// recordCache is the store seen as an advisorydb.DB, so the service matches
// with exactly the code `vulndesk scan` uses. Decoded records and advisory
// descriptions are cached per package key; the cache is dropped whenever
// the store's advisory generation moves, which every committed feed change
// bumps — on this replica or another.
type recordCache struct {
	st *store.Store

	mu      sync.RWMutex
	gen     int64
	records map[string][]*advisorydb.Record
	infos   map[string]model.AdvisoryInfo
	// metrics are the CVSS metrics of NVD records by CVE ID (nil when
	// none is held); NVD changes move the generation too.
	metrics map[string][]nvd.CVSS
}

// maxCachedKeys bounds the cache; past it the cache starts over.
const maxCachedKeys = 200_000

func newRecordCache(st *store.Store) *recordCache {
	return &recordCache{st: st, gen: -1, records: map[string][]*advisorydb.Record{}, infos: map[string]model.AdvisoryInfo{},
		metrics: map[string][]nvd.CVSS{}}
}

// refresh drops the cache when advisories changed since it was filled,
// and returns the generation matching will see. Each job calls it before
// matching.
func (c *recordCache) refresh(ctx context.Context) (int64, error) {
	g, err := c.st.Generation(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if g != c.gen || len(c.records)+len(c.metrics) > maxCachedKeys {
		c.gen = g
		c.records = map[string][]*advisorydb.Record{}
		c.infos = map[string]model.AdvisoryInfo{}
		c.metrics = map[string][]nvd.CVSS{}
	}
	return g, nil
}

// nvdMetrics returns a lookup of the NVD metrics of the given CVEs,
// reading those the cache does not hold in one query.
func (c *recordCache) nvdMetrics(ctx context.Context, cves []string) (nvd.MetricsFunc, error) {
	c.mu.RLock()
	var missing []string
	for _, id := range cves {
		if _, ok := c.metrics[id]; !ok {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if len(missing) > 0 {
		raw, err := c.st.NVDMetrics(ctx, missing)
		if err != nil {
			return nil, err
		}
		decoded := make(map[string][]nvd.CVSS, len(missing))
		for _, id := range missing {
			var ms []nvd.CVSS
			if r, ok := raw[id]; ok {
				if err := json.Unmarshal([]byte(r), &ms); err != nil {
					return nil, fmt.Errorf("stored NVD metrics of %s: %w", id, err)
				}
			}
			decoded[id] = ms
		}
		c.mu.Lock()
		for id, ms := range decoded {
			c.metrics[id] = ms
		}
		c.mu.Unlock()
	}
	return func(id string) []nvd.CVSS {
		c.mu.RLock()
		defer c.mu.RUnlock()
		return c.metrics[id]
	}, nil
}

// prefetch reads into the cache, in a few queries, the records of the
// keys it does not hold yet (keys without records are cached as empty),
// so that matching then asks the database nothing per package.
func (c *recordCache) prefetch(ctx context.Context, keys []string) error {
	c.mu.RLock()
	var missing []string
	seen := map[string]bool{}
	for _, k := range keys {
		if _, ok := c.records[k]; !ok && k != "" && !seen[k] {
			seen[k] = true
			missing = append(missing, k)
		}
	}
	c.mu.RUnlock()
	if len(missing) == 0 {
		return nil
	}
	raw, err := c.st.RecordsByKeys(ctx, missing)
	if err != nil {
		return err
	}
	decoded := make(map[string][]*advisorydb.Record, len(missing))
	for _, k := range missing {
		recs, err := decodeRecords(k, raw[k])
		if err != nil {
			return err
		}
		decoded[k] = recs
	}
	c.mu.Lock()
	for k, recs := range decoded {
		c.records[k] = recs
	}
	c.mu.Unlock()
	return nil
}

func decodeRecords(key string, raw []string) ([]*advisorydb.Record, error) {
	recs := make([]*advisorydb.Record, 0, len(raw))
	for _, r := range raw {
		rec := &advisorydb.Record{}
		if err := json.Unmarshal([]byte(r), rec); err != nil {
			return nil, fmt.Errorf("stored record of %q: %w", key, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// view binds the cache to one job's context for match.Match.
func (c *recordCache) view(ctx context.Context) advisorydb.DB { return cacheView{c, ctx} }

type cacheView struct {
	c   *recordCache
	ctx context.Context
}

func (v cacheView) Records(key string) ([]*advisorydb.Record, error) {
	c := v.c
	c.mu.RLock()
	recs, ok := c.records[key]
	c.mu.RUnlock()
	if ok {
		return recs, nil
	}
	raw, err := c.st.RecordsByKey(v.ctx, key)
	if err != nil {
		return nil, err
	}
	if recs, err = decodeRecords(key, raw); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.records[key] = recs
	c.mu.Unlock()
	return recs, nil
}

func (v cacheView) Advisory(id string) (model.AdvisoryInfo, bool, error) {
	c := v.c
	c.mu.RLock()
	info, ok := c.infos[id]
	c.mu.RUnlock()
	if ok {
		return info, true, nil
	}
	raw, ok, err := c.st.AdvisoryInfo(v.ctx, id)
	if err != nil || !ok {
		return model.AdvisoryInfo{}, ok, err
	}
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return info, false, fmt.Errorf("stored advisory %s: %w", id, err)
	}
	c.mu.Lock()
	c.infos[id] = info
	c.mu.Unlock()
	return info, true, nil
}

func (v cacheView) Stats() advisorydb.Stats {
	n, _, _ := v.c.st.AdvisoryStats(v.ctx)
	return advisorydb.Stats{Advisories: n}
}
