package service

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/vex"
)

// ImportVEX applies a VEX document (OpenVEX or CycloneDX) as triage
// decisions, in one transaction with its audit events; the document is
// kept by its SHA-256 (documents). It is no scan record: a VEX document
// is about products, not a scan of one asset, and must not move an
// asset's scan cadence.
//
// A statement applies to a product: an asset by name (its subcomponents,
// if any, narrow it to those packages), else every asset whose current
// inventory holds the product's purl (with its version, when the purl has
// one), narrowed to the subcomponents when it names them, else the
// inventories holding a subcomponent's purl. It applies to the findings of
// the vulnerability (its name or any alias, through the advisories' IDs
// and aliases) in those packages, and to the packages of the inventory an
// advisory of the vulnerability names but no finding yet has: the decision
// is on the key (asset, vulnerability, package), so a finding detected
// later takes it.
//
// Which decision stands is decided by time: a statement's time is its
// own timestamp (last_updated), else the document's, else the import's
// (and never later than the document's first import). A
// statement replaces a decision made earlier, by a person or by a VEX
// statement of any author; a decision made after it (a person's triage
// after the supplier's statement, or a later statement) stays and is
// reported as kept, so re-importing an old document never undoes a newer
// decision. Within one document the latest statement for a key wins (the
// last one on equal times). A finding whose risk an approved exception
// accepts is never overridden (kept). Statements that match nothing are
// reported as unmatched with the reason.
//
// Not read: the version ranges of CycloneDX affects[].versions and the
// versions of the purls that narrow an asset named by its name; a
// statement applies to the product as inventoried (a document with one
// statement per range of product versions, as CISA's use cases 7 and 8,
// ends with its latest statement).
func (s *Service) ImportVEX(ctx context.Context, actor string, data []byte) (model.VEXImport, error) {
	if len(data) > vex.MaxDocumentSize {
		return model.VEXImport{}, tooLargeError(fmt.Errorf("VEX document of %d bytes: at most %d", len(data), vex.MaxDocumentSize))
	}
	doc, err := vex.Parse(data)
	if errors.Is(err, vex.ErrInvalid) {
		return model.VEXImport{}, inputError(err)
	}
	if err != nil {
		return model.VEXImport{}, err
	}
	mediaType := "application/json"
	if doc.Format == vex.FormatCycloneDX {
		mediaType = "application/vnd.cyclonedx+json"
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			mediaType = "application/vnd.cyclonedx+xml"
		}
	}
	packed, err := store.PackDocument(mediaType, data)
	if err != nil {
		return model.VEXImport{}, err
	}
	res := model.VEXImport{SHA256: packed.SHA256, Format: doc.Format, Author: doc.Author,
		Statements: len(doc.Statements), Unmatched: []model.VEXUnmatched{}, Kept: []model.VEXUnmatched{}}
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		// From the start again when the transaction is retried.
		res.Unmatched, res.Kept, res.Applied, res.Unchanged, res.Findings = res.Unmatched[:0], res.Kept[:0], 0, 0, 0
		now := tx.Now()
		first, err := tx.FirstVEXImport(ctx, packed.SHA256)
		if err != nil {
			return err
		}
		if res.DocumentKept, err = tx.PutDocument(ctx, packed, 0); err != nil {
			return err
		}
		id, err := tx.AddVEXDocument(ctx, store.VEXDocument{SHA256: res.SHA256, DocumentKept: res.DocumentKept, Format: doc.Format, SpecVersion: doc.SpecVersion,
			DocID: doc.ID, Author: doc.Author, IssuedAt: doc.Timestamp, ImportedAt: now, ImportedBy: actor, Statements: len(doc.Statements)})
		if err != nil {
			return err
		}
		res.DocumentID = id
		im := &vexImporter{tx: tx, doc: doc, res: &res, now: now, ceiling: cmp.Or(first, now), actor: actor,
			assets: map[string]int64{}, names: map[int64]string{}}
		if err := im.plan(ctx); err != nil {
			return err
		}
		if err := im.apply(ctx); err != nil {
			return err
		}
		if err := tx.SetVEXCounts(ctx, id, res.Applied, res.Unchanged, len(res.Kept), len(res.Unmatched)); err != nil {
			return err
		}
		e := event(actor, "vex.imported", "vex_document", id)
		e.At = now
		return tx.AppendEvent(ctx, e, nil, map[string]any{"sha256": res.SHA256, "format": doc.Format, "author": doc.Author,
			"document": doc.ID, "statements": res.Statements, "applied": res.Applied, "unchanged": res.Unchanged,
			"kept": len(res.Kept), "unmatched": len(res.Unmatched)})
	})
	if err != nil {
		return model.VEXImport{}, err
	}
	return res, nil
}

type vexKey struct {
	asset      int64
	vuln, pkey string
}

// vexPlanned is the statement that decides a key, and the key's finding
// or findings with their current decision.
type vexPlanned struct {
	st      *vex.Statement
	at      time.Time
	targets []store.VEXTarget
}

type vexImporter struct {
	tx  *store.Tx
	doc *vex.Document
	res *model.VEXImport
	now time.Time
	// ceiling bounds a statement's time: the document's first import.
	ceiling time.Time
	actor   string
	assets  map[string]int64 // by name; 0 for none
	names   map[int64]string
	plans   map[vexKey]*vexPlanned
}

// at is a statement's time: its own, else the document's, else the
// import's; never later than the document's first import, so that a
// document dated in the future (or imported again) cannot outrank the
// decisions people made after it was first imported.
func (im *vexImporter) at(st *vex.Statement) time.Time {
	at := cmp.Or(st.Timestamp, im.doc.Timestamp, im.now)
	if at.After(im.ceiling) {
		at = im.ceiling
	}
	return at.UTC().Truncate(time.Microsecond)
}

// plan finds the keys each statement applies to, the latest statement
// winning each key.
func (im *vexImporter) plan(ctx context.Context) error {
	order := make([]*vex.Statement, len(im.doc.Statements))
	for i := range im.doc.Statements {
		order[i] = &im.doc.Statements[i]
	}
	slices.SortStableFunc(order, func(a, b *vex.Statement) int { return im.at(a).Compare(im.at(b)) })
	im.plans = map[vexKey]*vexPlanned{}
	for _, st := range order {
		if st.Problem != "" {
			im.unmatched(st, "", st.Problem)
			continue
		}
		ids, err := im.tx.AdvisoryIDsByAlias(ctx, append([]string{st.Vulnerability}, st.Aliases...))
		if err != nil {
			return err
		}
		ids = slices.Compact(slices.Sorted(slices.Values(append(ids, append([]string{st.Vulnerability}, st.Aliases...)...))))
		for _, p := range st.Products {
			targets, reason, err := im.resolve(ctx, p)
			if err != nil {
				return err
			}
			if len(targets) == 0 {
				im.unmatched(st, productLabel(p), reason)
				continue
			}
			hits := 0
			var where []string
			for _, t := range targets {
				where = append(where, im.names[t.asset])
				found, err := im.tx.VEXTargets(ctx, t.asset, ids, t.keys)
				if err != nil {
					return err
				}
				for _, f := range found {
					hits++
					if pl := im.plans[vexKey{f.AssetID, f.VulnID, f.Key}]; pl != nil && pl.st == st && slices.ContainsFunc(pl.targets,
						func(g store.VEXTarget) bool { return g.ID == f.ID }) {
						continue // another product of the statement named it too
					}
					k := vexKey{f.AssetID, f.VulnID, f.Key}
					pl := im.plans[k]
					if pl == nil || pl.st != st {
						if pl != nil {
							im.kept(pl.st, k, fmt.Sprintf("statement %d of the same document, of %s, says otherwise", st.Index, day(im.at(st))))
						}
						pl = &vexPlanned{st: st, at: im.at(st)}
						im.plans[k] = pl
					}
					pl.targets = append(pl.targets, f)
				}
			}
			if hits == 0 {
				im.unmatched(st, productLabel(p), fmt.Sprintf("no such vulnerability on it: %s has no finding of %s (nor a package an advisory of it names)",
					strings.Join(slices.Compact(slices.Sorted(slices.Values(where))), ", "), strings.Join(append([]string{st.Vulnerability}, st.Aliases...), ", ")))
			}
		}
	}
	return nil
}

// apply records the planned decisions, one Decide per statement.
func (im *vexImporter) apply(ctx context.Context) error {
	byStatement := map[*vex.Statement][]store.VEXTarget{}
	keys := slices.SortedFunc(maps.Keys(im.plans), func(a, b vexKey) int {
		return cmp.Or(cmp.Compare(a.asset, b.asset), strings.Compare(a.vuln, b.vuln), strings.Compare(a.pkey, b.pkey))
	})
	for _, k := range keys {
		pl := im.plans[k]
		t, st := pl.targets[0], pl.st
		if t.Exception != 0 && t.Decision == model.StateRiskAccepted {
			im.kept(st, k, fmt.Sprintf("its risk is accepted by exception %d, which a VEX statement does not override", t.Exception))
			continue
		}
		if t.Decided && t.Decision != model.StateNew {
			prev, who := t.DecidedAt, t.DecidedBy
			if !t.VEXAt.IsZero() {
				prev, who = t.VEXAt, cmp.Or(t.VEXAuthor, "an unnamed author")+"'s VEX statement"
			}
			if prev.After(pl.at) {
				im.kept(st, k, fmt.Sprintf("%s decided %s at %s, after the statement (%s)", who, t.Decision,
					prev.UTC().Format(time.RFC3339), pl.at.Format(time.RFC3339)))
				continue
			}
			if t.Decision == st.State && t.Justification == st.Justification && !t.VEXAt.IsZero() && t.VEXAt.Equal(pl.at) && t.VEXAuthor == im.doc.Author {
				im.res.Unchanged++
				continue
			}
		}
		im.res.Applied++
		byStatement[st] = append(byStatement[st], pl.targets...)
	}
	stmts := slices.SortedFunc(maps.Keys(byStatement), func(a, b *vex.Statement) int { return cmp.Compare(a.Index, b.Index) })
	for _, st := range stmts {
		fs := byStatement[st]
		native, _ := json.Marshal(st.Native)
		text := cleanText(st.Statement)
		reason := cleanText(fmt.Sprintf("VEX %s statement %d of %s by %s", im.doc.Format, st.Index, cmp.Or(im.doc.ID, "a document without ID"),
			cmp.Or(im.doc.Author, "an unnamed author")))
		if text != "" {
			reason = cleanText(reason + ": " + text)
		}
		triaged := make([]store.Triaged, len(fs))
		for i, f := range fs {
			triaged[i] = f.Triaged
		}
		if err := im.tx.Decide(ctx, triaged, store.Decision{State: st.State, Justification: st.Justification, Reason: reason,
			Actor: im.actor, At: im.now, VEX: &store.VEXSource{DocumentID: im.res.DocumentID, Author: im.doc.Author, At: im.at(st),
				Native: string(native), Statement: text}}); err != nil {
			return err
		}
		for _, f := range triaged {
			if f.ID == 0 {
				continue
			}
			im.res.Findings++
			e := event(im.actor, "finding.triaged", "finding", f.ID)
			e.At = im.now
			if err := im.tx.AppendEvent(ctx, e, map[string]string{"state": f.State}, map[string]any{"state": st.State,
				"justification": st.Justification, "reason": reason, "vex_document": im.res.DocumentID}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (im *vexImporter) unmatched(st *vex.Statement, product, reason string) {
	im.res.Unmatched = append(im.res.Unmatched, model.VEXUnmatched{Statement: st.Index, Vulnerability: st.Vulnerability,
		Product: product, Reason: reason})
}

func (im *vexImporter) kept(st *vex.Statement, k vexKey, reason string) {
	im.res.Kept = append(im.res.Kept, model.VEXUnmatched{Statement: st.Index, Vulnerability: k.vuln, Product: k.pkey,
		Asset: im.names[k.asset], Reason: reason})
}

// vexTarget is an asset a product names, narrowed to some packages (nil
// for all of them).
type vexTarget struct {
	asset int64
	keys  []string
}

// resolve finds the assets and packages a product names; reason says why
// there are none.
func (im *vexImporter) resolve(ctx context.Context, p vex.Product) ([]vexTarget, string, error) {
	var subKeys []string
	for _, sc := range p.Subcomponents {
		if k := purlKey(sc.PURL); k != "" {
			subKeys = append(subKeys, k)
		}
	}
	if len(p.Subcomponents) > 0 && len(subKeys) == 0 {
		subKeys = []string{} // named, but none vulndesk reads: nothing of the asset
	}
	names := slices.Compact(slices.Sorted(slices.Values(nonEmpty(p.Name, p.ID, p.BOMRef))))
	var ask []string
	for _, n := range names {
		if _, ok := im.assets[n]; !ok {
			ask = append(ask, n)
		}
	}
	got, err := im.tx.AssetIDsByName(ctx, ask)
	if err != nil {
		return nil, "", err
	}
	for _, n := range ask {
		im.assets[n] = got[n]
		if got[n] != 0 {
			im.names[got[n]] = n
		}
	}
	var out []vexTarget
	for _, n := range names {
		if id := im.assets[n]; id != 0 && !slices.ContainsFunc(out, func(t vexTarget) bool { return t.asset == id }) {
			out = append(out, vexTarget{asset: id, keys: subKeys})
		}
	}
	if len(out) > 0 {
		return out, "", nil
	}
	if p.PURL != "" {
		hits, err := im.inventory(ctx, p.PURL)
		if err != nil {
			return nil, "", err
		}
		for _, h := range hits {
			im.names[h.AssetID] = h.Asset
			keys := subKeys
			if len(p.Subcomponents) == 0 {
				keys = []string{h.Key}
			}
			out = addTarget(out, h.AssetID, keys)
		}
	}
	for _, sc := range p.Subcomponents {
		if len(out) > 0 || sc.PURL == "" {
			break
		}
		hits, err := im.inventory(ctx, sc.PURL)
		if err != nil {
			return nil, "", err
		}
		for _, h := range hits {
			im.names[h.AssetID] = h.Asset
			out = addTarget(out, h.AssetID, []string{h.Key})
		}
	}
	if len(out) > 0 {
		return out, "", nil
	}
	what := "no asset named " + strings.Join(quoteAll(names), " or ")
	if len(names) == 0 {
		what = "no name"
	}
	if purls := nonEmpty(append([]string{p.PURL}, subPURLs(p)...)...); len(purls) > 0 {
		what += " and no component " + strings.Join(purls, " or ") + " in any asset's current inventory"
	}
	return nil, "unknown product: " + what, nil
}

// inventory returns the components of the assets' current inventories a
// purl names: the same package (any version for a purl without one).
func (im *vexImporter) inventory(ctx context.Context, purl string) ([]store.InventoryHit, error) {
	pkg, err := ecosystem.FromPURL(purl)
	if err != nil {
		return im.tx.InventoryByKey(ctx, "", purl)
	}
	hits, err := im.tx.InventoryByKey(ctx, advisorydb.Key(pkg.Ecosystem, pkg.Name), "")
	if err != nil || pkg.Version == "" {
		return hits, err
	}
	return slices.DeleteFunc(hits, func(h store.InventoryHit) bool { return h.Version != pkg.Version }), nil
}

func addTarget(out []vexTarget, asset int64, keys []string) []vexTarget {
	for i := range out {
		if out[i].asset == asset {
			if out[i].keys != nil {
				out[i].keys = slices.Compact(slices.Sorted(slices.Values(append(out[i].keys, keys...))))
			}
			return out
		}
	}
	return append(out, vexTarget{asset: asset, keys: keys})
}

// purlKey is the package key of a purl's package; "" when no ecosystem
// reads it.
func purlKey(purl string) string {
	if purl == "" {
		return ""
	}
	pkg, err := ecosystem.FromPURL(purl)
	if err != nil {
		return ""
	}
	return advisorydb.Key(pkg.Ecosystem, pkg.Name)
}

func productLabel(p vex.Product) string {
	s := p.Label()
	if subs := subPURLs(p); len(subs) > 0 {
		s += " (" + strings.Join(subs, ", ") + ")"
	}
	return s
}

func subPURLs(p vex.Product) []string {
	var out []string
	for _, sc := range p.Subcomponents {
		if l := sc.Label(); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// cleanText makes a document's text a note: valid UTF-8 without control
// characters but line breaks and tabs, at most model.MaxNoteLen bytes.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD"))
	if len(s) > model.MaxNoteLen {
		s = s[:model.MaxNoteLen]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// MaxVEXExport bounds the decisions one VEX export writes.
const MaxVEXExport = 100_000

// ExportVEX writes the decisions about the findings of an asset (0: of
// every asset) as an OpenVEX ("" or "openvex") or CycloneDX VEX document:
// each finding's state with its justification and its impact or action
// statement (a VEX statement's, else the reason given), the values of the
// document it came from when it is exported to that format again.
func (s *Service) ExportVEX(ctx context.Context, w io.Writer, asset int64, format string) error {
	write := vex.WriteOpenVEX
	switch format {
	case "", vex.FormatOpenVEX:
	case vex.FormatCycloneDX:
		write = vex.WriteCycloneDX
	default:
		return model.Invalidf("format %q: openvex or cyclonedx", format)
	}
	if asset != 0 {
		if _, err := s.Store.Asset(ctx, asset); err != nil {
			return fmt.Errorf("asset %d: %w", asset, err)
		}
	}
	ds, err := s.Store.VEXDecisions(ctx, asset, MaxVEXExport+1)
	if err != nil {
		return err
	}
	if len(ds) > MaxVEXExport {
		return tooLargeError(fmt.Errorf("more than %d decisions: export the assets one at a time (GET /api/v1/assets/{id}/vex)", MaxVEXExport))
	}
	x := vex.Export{Author: "vulndesk", Tooling: "vulndesk", Timestamp: time.Now().UTC(), Entries: make([]vex.Entry, 0, len(ds))}
	seen := map[string]bool{}
	for _, d := range ds {
		k := d.Asset + "\x00" + d.VulnID + "\x00" + d.PURL + "\x00" + d.Package + "\x00" + d.Version
		if seen[k] {
			continue
		}
		seen[k] = true
		e := vex.Entry{Asset: d.Asset, VulnID: d.VulnID, Aliases: slices.DeleteFunc(d.Aliases, func(a string) bool { return a == d.VulnID }),
			PURL: d.PURL, Package: d.Package, Version: d.Version, State: d.State, Justification: d.Justification,
			Statement: cmp.Or(d.Statement, d.Reason), At: d.At}
		if d.State == model.StateRiskAccepted {
			e.Statement = fmt.Sprintf("Risk accepted by exception %d", d.ExceptionID)
			if !d.ExceptionUntil.IsZero() {
				e.Statement += " until " + day(d.ExceptionUntil)
			}
			if d.ExceptionReason != "" {
				e.Statement += ": " + d.ExceptionReason
			}
		}
		if d.Native != "" {
			var n vex.Native
			if json.Unmarshal([]byte(d.Native), &n) == nil {
				e.Native = &n
			}
		}
		x.Entries = append(x.Entries, e)
	}
	return write(w, x)
}
