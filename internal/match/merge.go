package match

import (
	"slices"
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

// merge appends to dst the findings of the hits on one component, ordered
// by ID: records of one alias group (see groupRecords) become one finding
// carrying every ID.
func merge(dst []model.Finding, comp *model.Component, t *target, hits []hit, ts *targets) []model.Finding {
	if len(hits) == 0 {
		return dst
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].c.group < hits[j].c.group })
	from := len(dst)
	out := dst
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].c.group == hits[i].c.group {
			j++
		}
		out = append(out, finding(comp, t, hits[i:j], ts))
		i = j
	}
	slices.SortFunc(out[from:], func(a, b model.Finding) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// countGroups counts the alias groups among hits, so the number of
// findings they make.
func countGroups(hits []hit) int {
	n := 0
	for i, h := range hits {
		first := true
		for _, g := range hits[:i] {
			if g.c.group == h.c.group {
				first = false
				break
			}
		}
		if first {
			n++
		}
	}
	return n
}

// groupRecords gives the records of one package alias groups: two records
// are one vulnerability when one names the other or both name a common alias
// (a GHSA and a PYSEC of one CVE), and so, transitively, are their groups.
func groupRecords(cs []*compiled) {
	parent := make([]int, len(cs))
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, c := range cs {
		parent[i] = i
		for k := -1; k < len(c.rec.Aliases); k++ {
			id := c.rec.ID
			if k >= 0 {
				id = c.rec.Aliases[k]
			}
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	for i, c := range cs {
		c.group = find(i)
	}
}

func finding(comp *model.Component, t *target, hits []hit, ts *targets) model.Finding {
	primary := hits[0].c.rec
	var ids []string
	for _, h := range hits {
		if IDBefore(h.c.rec.ID, primary.ID) {
			primary = h.c.rec
		}
		ids = append(ids, h.c.rec.ID)
		ids = append(ids, h.c.rec.Aliases...)
	}
	f := model.Finding{Component: comp, ID: primary.ID, Severity: primary.Severity}
	slices.Sort(ids)
	for i, id := range ids {
		if id != primary.ID && (i == 0 || id != ids[i-1]) {
			f.Aliases = append(f.Aliases, id)
		}
	}
	from := primary.ID
	for _, h := range hits {
		f.Evidence = append(f.Evidence, h.evidence...)
		if severityBefore(h.c.rec.Severity, f.Severity) {
			f.Severity, from = h.c.rec.Severity, h.c.rec.ID
		}
	}
	if f.Severity.Rating != model.RatingUnknown {
		f.Severity.From, f.Severity.Record = model.SeverityFromAdvisory, from
	}
	f.FixedVersions, f.Fix = fixes(t, hits, ts)
	return f
}

// IDBefore orders advisory IDs for choosing a primary one: it prefers the advisory database's own IDs (GO-, PYSEC-, RUSTSEC-,
// ...) over GHSA, and GHSA over CVE, then the lexically smaller.
func IDBefore(a, b string) bool {
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
