package match

import (
	"sort"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// hit is one record that affects a component, with why.
type hit struct {
	c        *compiled
	evidence []model.Evidence
}

// merge turns the hits on one component into findings: records that are
// the same vulnerability (one names the other, or both name a common alias)
// become one finding carrying every ID.
func merge(comp *model.Component, t *target, hits []hit, ts *targets) []model.Finding {
	if len(hits) == 0 {
		return nil
	}
	type group struct {
		ids  map[string]bool
		hits []hit
	}
	var groups []*group
	for _, h := range hits {
		ids := append([]string{h.c.rec.ID}, h.c.rec.Aliases...)
		var into *group
		kept := groups[:0]
		for _, g := range groups {
			if !intersects(g.ids, ids) {
				kept = append(kept, g)
				continue
			}
			if into == nil {
				into = g
				kept = append(kept, g)
				continue
			}
			for id := range g.ids { // a second group joins the first
				into.ids[id] = true
			}
			into.hits = append(into.hits, g.hits...)
		}
		groups = kept
		if into == nil {
			into = &group{ids: map[string]bool{}}
			groups = append(groups, into)
		}
		for _, id := range ids {
			into.ids[id] = true
		}
		into.hits = append(into.hits, h)
	}
	out := make([]model.Finding, 0, len(groups))
	for _, g := range groups {
		out = append(out, finding(comp, t, g.ids, g.hits, ts))
	}
	return out
}

func intersects(set map[string]bool, ids []string) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

func finding(comp *model.Component, t *target, ids map[string]bool, hits []hit, ts *targets) model.Finding {
	primary := hits[0].c.rec
	for _, h := range hits[1:] {
		if idBefore(h.c.rec.ID, primary.ID) {
			primary = h.c.rec
		}
	}
	f := model.Finding{Component: comp, ID: primary.ID, Severity: primary.Severity}
	for id := range ids {
		if id != primary.ID {
			f.Aliases = append(f.Aliases, id)
		}
	}
	sort.Strings(f.Aliases)
	for _, h := range hits {
		f.Evidence = append(f.Evidence, h.evidence...)
		if severityBefore(h.c.rec.Severity, f.Severity) {
			f.Severity = h.c.rec.Severity
		}
	}
	f.FixedVersions, f.Fix = fixes(t, hits, ts)
	return f
}

// idBefore prefers the advisory database's own IDs (GO-, PYSEC-, RUSTSEC-,
// ...) over GHSA, and GHSA over CVE, then the lexically smaller.
func idBefore(a, b string) bool {
	ra, rb := idRank(a), idRank(b)
	if ra != rb {
		return ra < rb
	}
	return a < b
}

func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return 2
	case strings.HasPrefix(id, "GHSA-"):
		return 1
	}
	return 0
}

var typeRank = map[string]int{"CVSS_V4": 4, "CVSS_V3": 3, "CVSS_V2": 2, "ecosystem": 1}

// severityBefore prefers a vector of a newer CVSS version, then the higher
// score, then a known rating over an unknown one.
func severityBefore(a, b model.Severity) bool {
	if a.Rating == model.RatingUnknown {
		return false
	}
	if b.Rating == model.RatingUnknown {
		return true
	}
	if ta, tb := typeRank[a.Type], typeRank[b.Type]; ta != tb {
		return ta > tb
	}
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Rating.Rank() > b.Rating.Rank()
}

// fixes lists the fixed versions the records name, ascending, and the
// nearest one above the installed version that none of the records affects.
func fixes(t *target, hits []hit, ts *targets) ([]string, string) {
	p := ts.plan(hits)
	for i, c := range p.cands {
		if p.safe[i] && compareTargets(c, t) > 0 {
			return p.all, c.raw
		}
	}
	return p.all, ""
}

// fixPlan is, for one set of matching records, their fixed versions in
// ascending order and whether each is safe: covered by none of the records.
// It depends only on the records, so components of a package share it.
type fixPlan struct {
	all   []string
	cands []*target
	safe  []bool
}

func (ts *targets) plan(hits []hit) *fixPlan {
	key := make([]byte, 0, 8*len(hits))
	for _, h := range hits {
		key = strconv.AppendInt(key, int64(h.c.idx), 36)
		key = append(key, ',')
	}
	if p, ok := ts.plans[string(key)]; ok {
		return p
	}
	p := &fixPlan{}
	seen := map[string]bool{}
	for _, h := range hits {
		for _, e := range h.c.fixedVersions() {
			if !seen[e.raw] {
				seen[e.raw] = true
				p.cands = append(p.cands, ts.get(e.raw))
			}
		}
	}
	sort.SliceStable(p.cands, func(i, j int) bool { return compareTargets(p.cands[i], p.cands[j]) < 0 })
	p.all = make([]string, len(p.cands))
	p.safe = make([]bool, len(p.cands))
	for i, c := range p.cands {
		p.all[i] = c.raw
		p.safe[i] = true
		for _, h := range hits {
			if h.c.covers(c) {
				p.safe[i] = false
				break
			}
		}
	}
	if len(p.all) == 0 {
		p.all = nil
	}
	ts.plans[string(key)] = p
	return p
}

// compareTargets orders two versions by the ecosystem's ordering when both
// parse, else by SemVer, else as text.
func compareTargets(a, b *target) int {
	switch {
	case a.ecoOK && b.ecoOK:
		return a.eco.Compare(b.eco)
	}
	if as, ok := a.semver(); ok {
		if bs, ok := b.semver(); ok {
			return as.Compare(bs)
		}
	}
	return strings.Compare(a.raw, b.raw)
}
