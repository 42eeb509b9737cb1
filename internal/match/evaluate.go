package match

import (
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/version"
)

// target is one version, parsed once for each ordering it may be compared
// under: the ecosystem's at once, SemVer when a SEMVER range first asks.
type target struct {
	raw    string
	text   string
	eco    version.Version
	ecoOK  bool
	sem    version.Version
	semOK  bool
	semSet bool
}

func newTarget(eco, raw string) *target {
	t := &target{raw: raw, text: canonicalText(eco, raw)}
	if v, err := version.Parse(eco, raw); err == nil {
		t.eco, t.ecoOK = v, true
	}
	return t
}

// semver returns the version parsed as SemVer 2.0.
func (t *target) semver() (version.Version, bool) {
	if !t.semSet {
		t.semSet = true
		if v, err := version.Parse(semverEco, t.raw); err == nil {
			t.sem, t.semOK = v, true
		}
	}
	return t.sem, t.semOK
}

// targets caches parsed versions for the components of one package, so a
// fixed version shared by many findings is parsed once.
type targets struct {
	eco   string
	m     map[string]*target
	plans map[string]*fixPlan
}

func (ts *targets) get(raw string) *target {
	t, ok := ts.m[raw]
	if !ok {
		t = newTarget(ts.eco, raw)
		ts.m[raw] = t
	}
	return t
}

// affects tells whether the record covers the version and why.
func (c *compiled) affects(t *target) []model.Evidence {
	var out []model.Evidence
	for i := range c.ranges {
		if ev, ok := c.inRange(&c.ranges[i], t); ok {
			out = append(out, ev)
		}
	}
	if len(out) > 0 {
		return out
	}
	if c.isListed(t) {
		return []model.Evidence{{
			Advisory: c.rec.ID, Ecosystem: c.rec.Ecosystem, Package: c.rec.Package,
			RangeType: "VERSIONS",
			Reason:    fmt.Sprintf("%s is listed in the advisory's affected versions", t.raw),
		}}
	}
	return nil
}

// covers reports whether the record covers the version, without building
// the explanation.
func (c *compiled) covers(t *target) bool {
	for i := range c.ranges {
		if _, ok := c.introIndex(&c.ranges[i], t); ok {
			return true
		}
	}
	return c.isListed(t)
}

// isListed reports whether the version is in the record's explicit list:
// textually, or — where the record has no range to evaluate — equal under
// the ecosystem's ordering ("1.0" and "1.0.0" in PyPI).
func (c *compiled) isListed(t *target) bool {
	if len(c.rec.Versions) == 0 {
		return false
	}
	if c.versions == nil {
		// Built only when a range did not already decide: PyPI records list
		// hundreds of versions that most scans never need.
		c.versions = make(map[string]bool, len(c.rec.Versions))
		for _, v := range c.rec.Versions {
			c.versions[canonicalText(c.rec.Ecosystem, v)] = true
		}
	}
	if c.versions[t.text] {
		return true
	}
	if !c.ordered || !t.ecoOK || len(c.ranges) > 0 {
		return false
	}
	if c.listed == nil {
		c.listed = make([]version.Version, 0, len(c.rec.Versions))
		for _, s := range c.rec.Versions {
			if v, err := version.Parse(c.rec.Ecosystem, s); err == nil {
				c.listed = append(c.listed, v)
			}
		}
	}
	for _, v := range c.listed {
		if t.eco.Compare(v) == 0 {
			return true
		}
	}
	return false
}

// inRange evaluates one range as the OSV schema specifies: events sorted by
// version, the last one at or below the version decides.
func (c *compiled) inRange(r *crange, t *target) (model.Evidence, bool) {
	intro, ok := c.introIndex(r, t)
	if !ok {
		return model.Evidence{}, false
	}
	return c.explain(r, t, intro), true
}

// introIndex evaluates the range for the version and returns the index of
// the introduced event that makes it affected.
func (c *compiled) introIndex(r *crange, t *target) (int, bool) {
	v, ok := t.eco, t.ecoOK
	if r.typ == osv.RangeSemver {
		v, ok = t.semver()
	}
	if !ok {
		return 0, false
	}
	vulnerable, intro := false, -1
	for i := range r.events {
		e := &r.events[i]
		if e.zero {
			vulnerable, intro = true, i
			continue
		}
		cmp := v.Compare(e.v)
		if cmp < 0 {
			break
		}
		switch e.kind {
		case kIntroduced:
			vulnerable, intro = true, i
		case kFixed, kLimit:
			vulnerable = false
		case kLastAffected:
			if cmp > 0 {
				vulnerable = false
			}
		}
	}
	return intro, vulnerable
}

// explain says why the range covers the version, given the introduced
// event that opens it.
func (c *compiled) explain(r *crange, t *target, intro int) model.Evidence {
	ev := model.Evidence{
		Advisory: c.rec.ID, Ecosystem: c.rec.Ecosystem, Package: c.rec.Package,
		RangeType: r.typ, Introduced: r.events[intro].raw,
	}
	lower := ">= introduced " + ev.Introduced
	if r.events[intro].zero {
		lower = "introduced 0 (all versions)"
	}
	upper := "no fixed version"
	for _, e := range r.events[intro+1:] {
		switch e.kind {
		case kFixed:
			ev.Fixed, upper = e.raw, "< fixed "+e.raw
		case kLastAffected:
			ev.LastAffected, upper = e.raw, "<= last_affected "+e.raw
		case kLimit:
			ev.Limit, upper = e.raw, "< limit "+e.raw
		default:
			continue
		}
		break
	}
	ev.Reason = t.raw + ": " + lower + ", " + upper + " (" + r.typ + " range)"
	return ev
}

// fixedVersions lists the fixed events of the records' ranges.
func (c *compiled) fixedVersions() []event {
	var out []event
	for _, r := range c.ranges {
		for _, e := range r.events {
			if e.kind == kFixed {
				out = append(out, e)
			}
		}
	}
	return out
}
