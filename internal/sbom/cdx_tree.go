package sbom

import (
	"sync"

	"github.com/vulndesk/vulndesk/internal/model"
)

// cdxTree holds the components of a CycloneDX BOM converted to
// model.Component, in document order, before flatten takes out duplicates
// and files and sets scopes. Top-level components may be set from many
// goroutines at once, each converting what it has just decoded, so that a
// large BOM never holds more of its decoded form than one component per
// goroutine.
type cdxTree struct {
	source string
	// comps holds top-level component i at comps[slack+i]. flatten moves
	// the components it keeps to the front of the same array; slack makes
	// room there for the components they nest, so that in most BOMs no
	// second array is needed.
	comps []model.Component
	slack int
	files []bool // whether top-level component i is a file, left out

	mu     sync.Mutex
	nested map[int][]cdxNode // what top-level component i nests
}

// cdxNode is a component nested in a top-level one, or one of the
// subject's, converted, in the order of a walk of the tree that takes
// each component before those it nests.
type cdxNode struct {
	comp  model.Component // only its Ref, for a file
	depth int             // nesting depth; top-level components are at 1
	file  bool            // left out as a file
	below int             // the nodes nested in this one, which follow it
}

// newCdxTree returns a tree for n top-level components, with room for
// about nested components nested in them and for extra after them.
func newCdxTree(source string, n, nested, extra int) *cdxTree {
	return &cdxTree{
		source: source,
		comps:  make([]model.Component, nested+n, nested+n+extra),
		slack:  nested,
		files:  make([]bool, n),
	}
}

// set converts top-level component i and what it nests.
func (t *cdxTree) set(i int, c *cdxComponent, cv *cdxConverter) {
	t.comps[t.slack+i], t.files[i] = cv.convert(c)
	if len(c.Components) == 0 {
		return
	}
	nodes := cv.nodes(nil, c.Components, 2)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.nested == nil {
		t.nested = make(map[int][]cdxNode)
	}
	t.nested[i] = nodes
}

// add converts the next top-level component, c, and what it nests.
func (t *cdxTree) add(c *cdxComponent, cv *cdxConverter) {
	t.comps = append(t.comps, model.Component{})
	t.files = append(t.files, false)
	t.set(len(t.files)-1, c, cv)
}

// sbom returns the SBOM of the tree, whose BOM is d (without its
// components): the subject and its components, after the BOM's own.
func (t *cdxTree) sbom(d *cdxDoc, format string) (model.SBOM, error) {
	sb := model.SBOM{Path: t.source, Format: format}
	var scope map[string]model.Scope
	var root []cdxNode
	if d.Metadata != nil && d.Metadata.Component != nil {
		r := d.Metadata.Component
		sb.Subject = subjectName(r.Name, r.Version)
		scope = cdxScopes(d.Dependencies, r.BOMRef)
		// Components of the subject are parts of it, and as much
		// components of the SBOM as any other.
		root = newCdxConverter(t.source).nodes(nil, r.Components, 1)
	}
	if err := t.flatten(&sb, scope, root); err != nil {
		return model.SBOM{}, err
	}
	return sb, nil
}

// flatten walks the tree in document order, then root, and keeps in
// sb.Components every component but the files (counted in
// sb.FilesLeftOut) and the repeats of a bom-ref, which it skips with all
// they nest, setting each one's scope.
func (t *cdxTree) flatten(sb *model.SBOM, scope map[string]model.Scope, root []cdxNode) error {
	f := cdxFlattener{sbom: sb, scope: scope, out: t.comps[:0], inPlace: true}
	f.seen = make(map[string]struct{}, len(t.comps)+len(root))
	for i := range t.files {
		top := t.comps[t.slack+i]
		// Top-level components after i are still to be read.
		f.limit = t.slack + i + 1
		skip, err := f.take(&top, t.files[i], 1)
		if err == nil && !skip {
			err = f.takeAll(t.nested[i])
		}
		if err != nil {
			return err
		}
	}
	f.limit = cap(t.comps)
	if err := f.takeAll(root); err != nil {
		return err
	}
	if f.inPlace {
		clear(f.out[len(f.out):cap(f.out)]) // what was moved or skipped
	}
	sb.Components = f.out
	return nil
}

// cdxFlattener keeps components, in their order, in out.
type cdxFlattener struct {
	sbom  *model.SBOM
	scope map[string]model.Scope
	seen  map[string]struct{} // bom-refs already taken
	out   []model.Component
	// inPlace says out is the array of the tree, whose elements from
	// limit on are not read yet.
	inPlace bool
	limit   int
}

// takeAll takes nodes, skipping what a repeated bom-ref nests.
func (f *cdxFlattener) takeAll(nodes []cdxNode) error {
	for j := 0; j < len(nodes); j++ {
		n := &nodes[j]
		skip, err := f.take(&n.comp, n.file, n.depth)
		if err != nil {
			return err
		}
		if skip {
			j += n.below
		}
	}
	return nil
}

// take takes one component found at nesting depth depth; skip reports an
// exact repeat of a bom-ref: the same component again, skipped with all
// it nests.
func (f *cdxFlattener) take(c *model.Component, file bool, depth int) (skip bool, err error) {
	if depth > maxNesting {
		return false, newError(ErrTooLarge, f.sbom.Path, "components nested more than %d deep", maxNesting)
	}
	if c.Ref != "" {
		if _, ok := f.seen[c.Ref]; ok {
			return true, nil
		}
	}
	if len(f.out) >= maxComponents {
		return false, newError(ErrTooLarge, f.sbom.Path, "more than %d components", maxComponents)
	}
	if c.Ref != "" {
		f.seen[c.Ref] = struct{}{}
	}
	if file {
		f.sbom.FilesLeftOut++
		return false, nil
	}
	c.Scope = f.scope[c.Ref]
	if f.inPlace && len(f.out) >= f.limit {
		// Nested components outnumber those left out so far: move to an
		// array of their own.
		out := make([]model.Component, len(f.out), cap(f.out)+len(f.out)-f.limit+1)
		copy(out, f.out)
		f.out, f.inPlace = out, false
	}
	f.out = append(f.out, *c)
	return false, nil
}
