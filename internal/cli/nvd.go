package cli

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/osv"
)

// nvdRecords holds the CVSS metrics of the NVD records found among the
// --db sources, by CVE ID: what gives the findings of advisories that state
// no severity the rating of their CVE aliases.
type nvdRecords struct {
	lim  nvd.Limits
	mu   sync.Mutex
	byID map[string]nvdEntry
}

// nvdEntry is what scan keeps of one record.
type nvdEntry struct {
	modified time.Time
	metrics  []nvd.CVSS
}

func newNVDRecords(lim nvd.Limits) *nvdRecords {
	return &nvdRecords{lim: lim, byID: map[string]nvdEntry{}}
}

// add decodes a document of a --db source that is no OSV (osv.Options.Other)
// as NVD data — a bare `cve` object or a CVE API 2.0 response — and keeps
// its records; for a CVE found twice, the copy modified last. A document
// that is neither is refused, naming it. add may be called from several
// goroutines at once.
func (n *nvdRecords) add(name string, data []byte) error {
	recs, err := nvd.Decode(data, n.lim)
	if errors.Is(err, nvd.ErrNotCVE) {
		return fmt.Errorf("%s: neither OSV nor NVD data: %w (it lacks the id and modified OSV requires); %w", name, osv.ErrNotOSV, err)
	}
	if err != nil {
		return &nvd.Error{Name: name, Err: err}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range recs {
		r := &recs[i]
		m, _ := r.LastModifiedTime() // the decoder checked that it parses
		if old, ok := n.byID[r.ID]; ok && !m.After(old.modified) {
			continue
		}
		n.byID[r.ID] = nvdEntry{modified: m, metrics: r.Metrics}
	}
	return nil
}

// metrics is an nvd.MetricsFunc over the records held.
func (n *nvdRecords) metrics(cve string) []nvd.CVSS { return n.byID[cve].metrics }

// rate gives the findings of res the severity rule (nvd.Rate: an advisory
// that states none takes its CVE aliases' NVD rating) and lists with each
// advisory every CVSS vector known for it.
func (n *nvdRecords) rate(res *model.Result) {
	if len(n.byID) > 0 {
		for i := range res.Findings {
			nvd.Rate(&res.Findings[i], n.metrics)
		}
	}
	for id, a := range res.Advisories {
		if r := a.Severity.Rating; r != "" && r != model.RatingUnknown {
			a.Severity.From, a.Severity.Record = model.SeverityFromAdvisory, a.ID
		}
		a.CVSS = nil
		if a.Severity.Vector != "" {
			a.CVSS = append(a.CVSS, a.Severity)
		}
		a.CVSS = append(a.CVSS, nvd.Vectors(a.ID, a.Aliases, n.metrics)...)
		res.Advisories[id] = a
	}
}
