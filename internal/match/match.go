// Package match decides which advisories affect which components: it groups
// components by package, evaluates each advisory's ranges and explicit
// versions for the component's version, merges advisories that are aliases
// of one another into one finding, and finds the nearest fixed version.
package match

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/version"
)

// Outcome is what matching a set of components produced.
type Outcome struct {
	Findings  []model.Finding
	Unmatched []model.Component
	Notes     []string
	// Advisories describes every advisory record a finding merges.
	Advisories map[string]model.AdvisoryInfo
}

// Match matches every component against the database. Components that
// cannot be matched come back in Unmatched with their reason; none is
// dropped. The work is spread over all cores, one package at a time.
func Match(ctx context.Context, db advisorydb.DB, comps []model.Component) (Outcome, error) {
	var out Outcome
	groups := map[string][]int{}
	var keys []string
	for i := range comps {
		c := &comps[i]
		if c.Unmatchable != "" {
			out.Unmatched = append(out.Unmatched, *c)
			continue
		}
		k := advisorydb.Key(c.Ecosystem, c.Package)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Strings(keys)

	results := make([]keyResult, len(keys))
	var next sync.WaitGroup
	idx := make(chan int)
	var firstErr error
	var errOnce sync.Once
	workers := runtime.GOMAXPROCS(0)
	for range workers {
		next.Add(1)
		go func() {
			defer next.Done()
			for i := range idx {
				r, err := matchKey(db, keys[i], groups[keys[i]], comps)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					continue
				}
				results[i] = r
			}
		}()
	}
	for i := range keys {
		if ctx.Err() != nil {
			break
		}
		idx <- i
	}
	close(idx)
	next.Wait()
	if firstErr != nil {
		return out, firstErr
	}
	if err := ctx.Err(); err != nil {
		return out, err
	}
	notes := map[string]bool{}
	n, u := 0, len(out.Unmatched)
	for _, r := range results {
		n += len(r.findings)
		u += len(r.unmatched)
	}
	// Findings go out by rating, highest first; within a rating in package
	// order, as the keys are sorted and each key's findings too (sortKey).
	// A counting pass places them without a global sort.
	var start [6]int
	for _, r := range results {
		for i := range r.findings {
			start[r.findings[i].Severity.Rating.Rank()]++
		}
	}
	for rank, next := 5, 0; rank >= 0; rank-- {
		start[rank], next = next, next+start[rank]
	}
	out.Findings = make([]model.Finding, n)
	out.Unmatched = slices.Grow(out.Unmatched, u-len(out.Unmatched))
	for _, r := range results {
		for i := range r.findings {
			rank := r.findings[i].Severity.Rating.Rank()
			out.Findings[start[rank]] = r.findings[i]
			start[rank]++
		}
		out.Unmatched = append(out.Unmatched, r.unmatched...)
		for _, n := range r.notes {
			notes[n] = true
		}
	}
	out.Advisories = map[string]model.AdvisoryInfo{}
	for _, r := range results {
		maps.Copy(out.Advisories, r.advisories)
	}
	for n := range notes {
		out.Notes = append(out.Notes, n)
	}
	sort.Strings(out.Notes)
	return out, nil
}

// keyResult is what matching the components of one package produced.
type keyResult struct {
	findings   []model.Finding
	unmatched  []model.Component
	notes      []string
	advisories map[string]model.AdvisoryInfo
}

func matchKey(db advisorydb.DB, key string, idxs []int, comps []model.Component) (keyResult, error) {
	var res keyResult
	recs, err := db.Records(key)
	if err != nil {
		return res, fmt.Errorf("look up %q: %w", key, err)
	}
	if len(recs) == 0 {
		return res, nil
	}
	// Records come in load order, which parallel loading does not fix;
	// order them so that output is the same on every run.
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b *advisorydb.Record) int { return strings.Compare(a.ID, b.ID) })
	cs := make([]*compiled, len(recs))
	for i, r := range recs {
		cs[i] = compile(r)
		cs[i].idx = i
		res.notes = append(res.notes, cs[i].problems...)
		if !cs[i].ordered {
			base, _ := ecosystem.Split(r.Ecosystem)
			res.notes = append(res.notes, fmt.Sprintf("ecosystem %s has no version ordering: its advisories were matched on their explicit versions lists only", base))
		}
	}
	groupRecords(cs)
	// Components in version order, so findings come out sorted without
	// moving them (see sortKey for the full order).
	idxs = slices.Clone(idxs)
	slices.SortFunc(idxs, func(a, b int) int {
		ca, cb := &comps[a], &comps[b]
		return cmp.Or(
			strings.Compare(ca.Version, cb.Version),
			strings.Compare(ca.Source, cb.Source),
			strings.Compare(ca.Ref, cb.Ref),
			strings.Compare(ca.Package, cb.Package),
		)
	})
	ts := &targets{m: map[string]*target{}, plans: map[string]*fixPlan{}}
	// First the hits of every component, then the findings in a slice of
	// the right size: growing it would copy large structs again and again.
	type pending struct {
		comp   *model.Component
		t      *target
		lo, hi int // its hits in all
	}
	var all []hit
	var pend []pending
	groups := 0
	for _, ci := range idxs {
		comp := &comps[ci]
		_, release := ecosystem.Split(comp.Ecosystem)
		t := newTarget(comp.Ecosystem, comp.Version)
		if !t.ecoOK && version.HasOrdering(comp.Ecosystem) {
			c := *comp
			c.Unmatchable = fmt.Sprintf("version %q is not a valid %s version: only explicit versions lists were checked", comp.Version, comp.Ecosystem)
			res.unmatched = append(res.unmatched, c)
		}
		lo := len(all)
		for _, c := range cs {
			if c.release != "" && release != "" && c.release != release {
				continue
			}
			if ev := c.affects(t); len(ev) > 0 {
				all = append(all, hit{c: c, evidence: ev})
			} else if len(c.ranges) == 0 && len(c.rec.Versions) == 0 && c.git > 0 {
				res.notes = append(res.notes, fmt.Sprintf("%s names %s only by GIT commit ranges and lists no versions: it cannot be matched by version", c.rec.ID, c.rec.Package))
			}
		}
		if len(all) > lo {
			pend = append(pend, pending{comp: comp, t: t, lo: lo, hi: len(all)})
			groups += countGroups(all[lo:])
		}
	}
	res.findings = make([]model.Finding, 0, groups)
	for _, p := range pend {
		ts.eco = p.comp.Ecosystem
		res.findings = merge(res.findings, p.comp, p.t, all[p.lo:p.hi], ts)
	}
	if err := describe(db, &res); err != nil {
		return res, err
	}
	return res, nil
}

// describe looks up the advisory records the findings of one package merge
// (their evidence names them; aliases such as CVE IDs are not records) and
// gives each finding its primary advisory's summary.
func describe(db advisorydb.DB, res *keyResult) error {
	res.advisories = map[string]model.AdvisoryInfo{}
	for i := range res.findings {
		f := &res.findings[i]
		for _, ev := range f.Evidence {
			if _, done := res.advisories[ev.Advisory]; done {
				continue
			}
			info, ok, err := db.Advisory(ev.Advisory)
			if err != nil {
				return fmt.Errorf("describe %s: %w", ev.Advisory, err)
			}
			if ok {
				res.advisories[ev.Advisory] = info
			}
		}
		f.Summary = res.advisories[f.ID].Summary
	}
	return nil
}
