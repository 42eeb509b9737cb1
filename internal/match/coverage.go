package match

import (
	"sort"

	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
)

// Unchecked counts, per base ecosystem, the matchable components whose
// ecosystem has no advisory in the database: matching them finds nothing,
// and that says nothing about them (an SBOM of 63 Composer packages scanned
// against Go advisories is not free of vulnerabilities). covered is the
// number of advisories per base ecosystem, as advisorydb.Stats.Ecosystems
// holds it. Components that cannot be matched at all are not counted: they
// are unmatched, with their own reason. The result is sorted by ecosystem.
func Unchecked(comps []model.Component, covered map[string]int) []model.Unchecked {
	counts := map[string]int{}
	for i := range comps {
		c := &comps[i]
		if c.Unmatchable != "" || c.Ecosystem == "" {
			continue
		}
		if base, _ := ecosystem.Split(c.Ecosystem); covered[base] <= 0 {
			counts[base]++
		}
	}
	out := make([]model.Unchecked, 0, len(counts))
	for eco, n := range counts {
		out = append(out, model.Unchecked{Ecosystem: eco, Components: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ecosystem < out[j].Ecosystem })
	if len(out) == 0 {
		return nil
	}
	return out
}
