package advisorydb

import (
	"context"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
)

// DB is a source of records and advisory descriptions. Two implementations:
// Memory (loaded from OSV sources) and Index (a compiled file).
type DB interface {
	// Records returns the records of the package with the given lookup Key.
	Records(key string) ([]*Record, error)
	// Advisory describes one advisory; ok is false when it is unknown.
	Advisory(id string) (info model.AdvisoryInfo, ok bool, err error)
	// Stats counts what the database holds.
	Stats() Stats
}

// Stats counts the contents of a database.
type Stats struct {
	Advisories int            `json:"advisories"`
	Withdrawn  int            `json:"withdrawn"`
	Records    int            `json:"records"`
	Ecosystems map[string]int `json:"ecosystems"` // advisories per base ecosystem
	Sources    []string       `json:"sources"`
}

// Memory is a database held in memory.
type Memory struct {
	byKey    map[string][]*Record
	byID     map[string][]*Record
	infos    map[string]model.AdvisoryInfo
	modified map[string]string
	stats    Stats
}

// NewMemory returns an empty in-memory database.
func NewMemory() *Memory {
	return &Memory{
		byKey:    map[string][]*Record{},
		byID:     map[string][]*Record{},
		infos:    map[string]model.AdvisoryInfo{},
		modified: map[string]string{},
		stats:    Stats{Ecosystems: map[string]int{}},
	}
}

// Add adds one OSV record. When an advisory ID comes twice (a directory and
// an archive holding the same record), the one modified last wins.
func (m *Memory) Add(v *osv.Vulnerability) {
	if prev, ok := m.modified[v.ID]; ok {
		if osv.Time(prev).After(osv.Time(v.Modified)) || prev == v.Modified {
			return
		}
		m.remove(v.ID)
	}
	m.modified[v.ID] = v.Modified
	recs, info := Records(v)
	if v.IsWithdrawn() {
		m.stats.Withdrawn++
		return
	}
	m.infos[v.ID] = info
	m.stats.Advisories++
	seen := map[string]bool{}
	for _, r := range recs {
		k := r.Key()
		m.byKey[k] = append(m.byKey[k], r)
		m.byID[v.ID] = append(m.byID[v.ID], r)
		m.stats.Records++
		if base := baseOf(k); !seen[base] {
			seen[base] = true
			m.stats.Ecosystems[base]++
		}
	}
}

func baseOf(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '|' {
			return key[:i]
		}
	}
	return key
}

func (m *Memory) remove(id string) {
	if _, ok := m.infos[id]; ok {
		m.stats.Advisories--
		delete(m.infos, id)
	} else {
		m.stats.Withdrawn--
	}
	seen := map[string]bool{}
	for _, r := range m.byID[id] {
		k := r.Key()
		list := m.byKey[k][:0]
		for _, x := range m.byKey[k] {
			if x.ID != id {
				list = append(list, x)
			}
		}
		m.byKey[k] = list
		m.stats.Records--
		if b := baseOf(k); !seen[b] {
			seen[b] = true
			m.stats.Ecosystems[b]--
		}
	}
	delete(m.byID, id)
}

// Records implements DB.
func (m *Memory) Records(key string) ([]*Record, error) { return m.byKey[key], nil }

// Advisory implements DB.
func (m *Memory) Advisory(id string) (model.AdvisoryInfo, bool, error) {
	info, ok := m.infos[id]
	return info, ok, nil
}

// Stats implements DB.
func (m *Memory) Stats() Stats { return m.stats }

// Each calls fn for every record key and its records, in no set order.
func (m *Memory) Each(fn func(key string, recs []*Record) error) error {
	for k, rs := range m.byKey {
		if len(rs) == 0 {
			continue
		}
		if err := fn(k, rs); err != nil {
			return err
		}
	}
	return nil
}

// Load reads OSV sources (paths or URLs, see osv.Load) into a new Memory.
func Load(ctx context.Context, sources []string, opts osv.Options) (*Memory, error) {
	m := NewMemory()
	for _, src := range sources {
		if _, err := osv.Load(ctx, src, opts, func(v *osv.Vulnerability) error {
			m.Add(v)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("load advisories: %w", err)
		}
		m.stats.Sources = append(m.stats.Sources, src)
	}
	return m, nil
}
