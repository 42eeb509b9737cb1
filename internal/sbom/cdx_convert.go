package sbom

import (
	"slices"

	"github.com/vulndesk/vulndesk/internal/model"
)

// cdxConverter converts decoded CycloneDX components to model.Component
// for one goroutine. It shares one string among fields that are equal (a
// purl that is also the bom-ref, a package that is also the name) and
// among components (hash algorithms, license ids, ecosystems, reasons), so
// that a large SBOM costs little more than its distinct strings.
type cdxConverter struct {
	source   string
	strs     map[string]string // shared strings, at most maxShared
	licenses []string          // reused for each component's licenses
}

// maxShared bounds the strings a cdxConverter shares: enough for all
// license ids, hash algorithms, ecosystems and reasons of real SBOMs, and
// no more, whatever a document holds.
const maxShared = 4096

func newCdxConverter(source string) *cdxConverter {
	return &cdxConverter{source: source, strs: make(map[string]string)}
}

// share returns the string equal to s that the converter shares.
func (cv *cdxConverter) share(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := cv.strs[s]; ok {
		return v
	}
	if len(cv.strs) < maxShared {
		cv.strs[s] = s
	}
	return s
}

// convert converts one component, without what it nests; file reports a
// file, left out, whose component has only its Ref.
func (cv *cdxConverter) convert(c *cdxComponent) (m model.Component, file bool) {
	if leaveOut(bool(c.Type), c.PURL) {
		return model.Component{Ref: c.BOMRef}, true
	}
	purl := c.PURL
	if purl == c.BOMRef {
		purl = c.BOMRef
	}
	m = newComponent(cv.source, c.BOMRef, c.Name, c.Version, purl)
	if m.Package == m.Name {
		m.Package = m.Name
	}
	m.Ecosystem, m.Unmatchable = cv.share(m.Ecosystem), cv.share(m.Unmatchable)
	if c.CPE != "" {
		m.CPEs = []string{c.CPE}
	}
	m.Hashes = cv.hashes(c.Hashes)
	m.Licenses = cv.licensesOf(c.Licenses)
	return m, false
}

// hashes converts the hashes that have a value; nil if none has.
func (cv *cdxConverter) hashes(list []cdxHash) []model.Hash {
	n := 0
	for _, h := range list {
		if h.Content != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]model.Hash, 0, n)
	for _, h := range list {
		if h.Content != "" {
			out = append(out, model.Hash{Algorithm: cv.share(h.Alg), Value: h.Content})
		}
	}
	return out
}

// licensesOf returns the licenses of a licenses array, cleaned (see
// cleanLicenses): each license's id, or else its name, and expressions.
func (cv *cdxConverter) licensesOf(list []cdxLicense) []string {
	ls := cv.licenses[:0]
	for _, l := range list {
		switch {
		case l.License != nil && l.License.ID != "":
			ls = append(ls, l.License.ID)
		case l.License != nil:
			ls = append(ls, l.License.Name)
		}
		ls = append(ls, l.Expression)
	}
	cv.licenses = ls
	defer clear(ls) // keep no component's strings
	ls = cleanLicenses(ls)
	if len(ls) == 0 {
		return nil
	}
	for i, l := range ls {
		ls[i] = cv.share(l)
	}
	return slices.Clone(ls)
}

// nodes appends the components of list, found at nesting depth depth, and
// what they nest, converted, to nodes.
func (cv *cdxConverter) nodes(nodes []cdxNode, list []cdxComponent, depth int) []cdxNode {
	for i := range list {
		k := len(nodes)
		m, file := cv.convert(&list[i])
		nodes = append(nodes, cdxNode{comp: m, depth: depth, file: file})
		nodes = cv.nodes(nodes, list[i].Components, depth+1)
		nodes[k].below = len(nodes) - k - 1
	}
	return nodes
}
