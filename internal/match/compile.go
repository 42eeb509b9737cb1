package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/version"
)

// semverEco is the ecosystem whose ordering is plain SemVer 2.0, used for
// SEMVER ranges whatever the record's ecosystem.
const semverEco = "npm"

// event kinds, in the order they sort when two events share a version.
const (
	kIntroduced = iota
	kLastAffected
	kFixed
	kLimit
)

var kindNames = [...]string{"introduced", "last_affected", "fixed", "limit"}

type event struct {
	kind int
	raw  string
	zero bool // introduced "0": before every version
	v    version.Version
}

type crange struct {
	typ    string // SEMVER or ECOSYSTEM
	events []event
}

// compiled is a record with its versions parsed once.
type compiled struct {
	rec      *advisorydb.Record
	idx      int // position among its package's records
	group    int // alias group among its package's records
	release  string
	ordered  bool // the record's ecosystem has a version ordering
	ranges   []crange
	git      int               // GIT ranges, which need commits rather than versions
	versions map[string]bool   // the explicit list as text; built on first use
	listed   []version.Version // parsed `versions`, for equality that is not textual
	problems []string
}

func compile(r *advisorydb.Record) *compiled {
	_, release := ecosystem.Split(r.Ecosystem)
	c := &compiled{rec: r, release: release, ordered: version.HasOrdering(r.Ecosystem)}
	for _, rg := range r.Ranges {
		switch rg.Type {
		case osv.RangeSemver, osv.RangeEcosystem:
		case osv.RangeGit:
			c.git++
			continue
		default:
			c.problems = append(c.problems, fmt.Sprintf("%s: range type %q is not defined by OSV; skipped", r.ID, rg.Type))
			continue
		}
		eco := r.Ecosystem
		if rg.Type == osv.RangeSemver {
			eco = semverEco
		} else if !c.ordered {
			continue // matched by the explicit versions list only
		}
		cr, err := compileRange(eco, rg)
		if err != nil {
			c.problems = append(c.problems, fmt.Sprintf("%s (%s %s): %v; range skipped", r.ID, r.Ecosystem, r.Package, err))
			continue
		}
		c.ranges = append(c.ranges, cr)
	}
	return c
}

func compileRange(eco string, rg advisorydb.Range) (crange, error) {
	cr := crange{typ: rg.Type, events: make([]event, 0, len(rg.Events))}
	for _, e := range rg.Events {
		ev := event{}
		switch {
		case e.Introduced != "":
			ev.kind, ev.raw = kIntroduced, e.Introduced
			ev.zero = e.Introduced == "0"
		case e.Fixed != "":
			ev.kind, ev.raw = kFixed, e.Fixed
		case e.LastAffected != "":
			ev.kind, ev.raw = kLastAffected, e.LastAffected
		case e.Limit != "":
			ev.kind, ev.raw = kLimit, e.Limit
			if ev.raw == "*" {
				continue // "limit: *" bounds nothing
			}
		default:
			continue
		}
		if !ev.zero {
			v, err := version.Parse(eco, ev.raw)
			if err != nil {
				return cr, fmt.Errorf("%s %q: %w", kindNames[ev.kind], ev.raw, err)
			}
			ev.v = v
		}
		cr.events = append(cr.events, ev)
	}
	sort.SliceStable(cr.events, func(i, j int) bool {
		a, b := cr.events[i], cr.events[j]
		if a.zero || b.zero {
			return a.zero && !b.zero
		}
		if c := a.v.Compare(b.v); c != 0 {
			return c < 0
		}
		return a.kind < b.kind
	})
	return cr, nil
}

// canonicalText is the textual form under which versions of the explicit
// list compare: Go versions without their "v".
func canonicalText(eco, v string) string {
	v = strings.TrimSpace(v)
	if base, _ := ecosystem.Split(eco); base == "Go" {
		return strings.TrimPrefix(v, "v")
	}
	return v
}
