package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Text search: what a term matches is looked up first (textTerms). A
// term that matches much is then looked for by walking the list from the
// page's start, a window at a time, in findings_list alone (it holds what
// a term can match), until the page is full; a rarer term, or one whose
// matches the walk did not reach in textWalkRows, has each of its matches
// read from the index that leads with it.
var (
	textWindow   = 1000  // the first window; each next is four times larger
	textWalkRows = 32000 // rows walked at most before the lookup
	// A term is taken to match much with this many advisories, package
	// names or assets.
	denseAdvisories, densePackages, denseAssets = 200, 50, 20
)

func (s *Store) textPage(ctx context.Context, f FindingFilter, lq *listQuery) ([]model.AssetFinding, string, error) {
	t, ok, err := s.textTerms(ctx, f.Text)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return s.textWalk(ctx, f, lq.order)
	}
	if t.none() {
		return []model.AssetFinding{}, "", nil
	}
	match, test := s.textConds(lq, t)
	if len(t.advisories) >= denseAdvisories || len(t.packages) >= densePackages || len(t.assets) >= denseAssets {
		ids, ok, err := s.textWindows(ctx, lq, test)
		if err != nil || ok {
			if err != nil || len(ids) == 0 {
				return []model.AssetFinding{}, "", err
			}
			return s.findingsByID(ctx, ids, lq.limit, lq.order)
		}
	}
	return s.readPage(ctx, lq.lookup(match), lq.args, lq.limit, lq.order)
}

// textConds is the text condition on findings f, its parameters added to
// lq's: as index conditions, one per kind of match (package names,
// advisories, assets) that t holds, and as one test of each row.
func (s *Store) textConds(lq *listQuery, t textTerms) (match []string, test string) {
	var tests []string
	if len(t.packages) > 0 {
		p := lq.arg(s.listParam(t.packages))
		match = append(match, s.inList("LOWER(f.package)", p))
		tests = append(tests, s.inSet("LOWER(f.package)", p, "text"))
	}
	if len(t.advisories) > 0 {
		p := lq.arg(s.listParam(t.advisories))
		match = append(match, s.inList("f.vuln_id", p))
		tests = append(tests, s.inSet("f.vuln_id", p, "text"))
	}
	if len(t.assets) > 0 {
		p := lq.arg(s.listParam(t.assets))
		match = append(match, s.inList("f.asset_id", p))
		tests = append(tests, s.inSet("f.asset_id", p, "bigint"))
	}
	return match, strings.Join(tests, " OR ")
}

// lookup is the statement of the text search's lookup: the page's
// findings among the first page of each match (an index condition on
// findings f).
func (lq *listQuery) lookup(match []string) string {
	cond := lq.lookupWhere()
	if lq.cursor {
		cond = append(cond, lq.afterCursor())
	}
	// Each match's own first page, read from the index that leads with
	// it: the page is among them, and the union sorts a few rows instead
	// of deduplicating every candidate. They order by an expression no
	// index offers, so no plan walks findings_list for its order and
	// filters it (PostgreSQL did, and read every finding when the matches
	// ranked low; so did SQLite without statistics).
	o := lq.order
	var branches []string
	for i, m := range match {
		branches = append(branches, fmt.Sprintf("SELECT * FROM (SELECT %s FROM findings f WHERE %s ORDER BY %s LIMIT %d) AS b%d",
			o.columns("f.", ""), strings.Join(append(slices.Clone(cond), m), " AND "), o.columns("f.", " + 0 DESC"), lq.limit+1, i))
	}
	return `SELECT ` + findingColumns + ` FROM ` + findingsFrom + ` WHERE f.id IN (SELECT id FROM (` + strings.Join(branches, " UNION ") +
		fmt.Sprintf(`) AS candidates ORDER BY %s LIMIT %d)`, o.by(""), lq.limit+1) + ` ORDER BY ` + o.by("f.")
}

// textWindows walks the list from lq's cursor in growing windows and
// returns the IDs of the first limit+1 findings that match (fewer at the
// end of the list); ok is false when textWalkRows rows did not fill the
// page. Each window is one index range after the last row read (see
// rangeAfter) read in index order and left as soon as the page is full;
// the columns read are those of the order's list index (findings_list,
// findings_score_list), so the walk reads the index alone (but for a
// score filter by severity: findings_list holds no score).
func (s *Store) textWindows(ctx context.Context, lq *listQuery, match string) (ids []int64, ok bool, err error) {
	o := lq.order
	at, started := lq.after, lq.cursor
	next := 0 // the range after at that the window reads
	window := textWindow
	for walked := 0; walked < textWalkRows; {
		window = min(window, textWalkRows-walked)
		w := listQuery{where: slices.Clone(lq.where), args: slices.Clone(lq.args), order: o}
		if started {
			w.where = append(w.where, w.rangeAfter(at, next)...)
		}
		q := "SELECT " + o.columns("f.", "") + ", CASE WHEN " + match + " THEN 1 ELSE 0 END FROM findings f"
		if len(w.where) > 0 {
			q += " WHERE " + strings.Join(w.where, " AND ")
		}
		q += fmt.Sprintf(" ORDER BY %s LIMIT %d", o.by("f."), window)
		n := 0
		var hit int
		dests := append(o.dests(&at), &hit)
		err := queryRows(ctx, kept{s}, q, w.args, func(rows *sql.Rows) error {
			if err := rows.Scan(dests...); err != nil {
				return err
			}
			n++
			if hit == 1 {
				if ids = append(ids, at.id); len(ids) > lq.limit {
					return errPageFull
				}
			}
			return nil
		})
		walked += n
		switch {
		case errors.Is(err, errPageFull):
			return ids, true, nil
		case err != nil:
			return nil, false, err
		case n == window:
			started, next = true, 0
			window *= 2
		case started && next < len(o.cols)-1:
			// The range is done; on to the next. Its values of the
			// columns it keeps equal are at's still: the range's rows
			// share them.
			next++
		default:
			return ids, true, nil // the end of the list
		}
	}
	return nil, false, nil
}

// errPageFull stops reading rows once a page is full.
var errPageFull = errors.New("page full")

// findingsByID reads the findings of IDs in o's order.
func (s *Store) findingsByID(ctx context.Context, ids []int64, limit int, o listOrder) ([]model.AssetFinding, string, error) {
	q := `SELECT ` + findingColumns + ` FROM ` + findingsFrom + ` WHERE ` + s.inList("f.id", "$1") + ` ORDER BY ` + o.by("f.")
	return s.readPage(ctx, q, []any{s.listParam(ids)}, limit, o)
}

// ecosystemStatus is the expression findings_ecosystem_list leads with.
const ecosystemStatus = "(f.ecosystem || ' ' || f.status)"

// inList is "expr is one of the list in parameter p", p written by
// listParam: an array on PostgreSQL, a JSON array SQLite reads with
// json_each. Either is one parameter however long the list, and the
// statement text stays short (SQLite parsed a list of thousands of
// literals anew on every search).
func (s *Store) inList(expr, p string) string {
	if s.dialect == Postgres {
		return expr + " = ANY(" + p + ")"
	}
	return expr + " IN (SELECT value FROM json_each(" + p + "))"
}

// inSet is inList as a test of each row: PostgreSQL hashes the set of an
// IN (subquery) once, where "= ANY($1)" compares each element in turn
// unless the plan was made for the array's value.
func (s *Store) inSet(expr, p, elem string) string {
	if s.dialect == Postgres {
		return expr + " IN (SELECT unnest(" + p + "::" + elem + "[]))"
	}
	return s.inList(expr, p)
}

func (s *Store) listParam(v any) any {
	if s.dialect == Postgres {
		return v
	}
	return mustJSON(v)
}

// textWalk serves a text search too common for the candidate lookup: it
// walks the list in its order (by index, in growing chunks) and keeps the
// findings whose package, advisory ID, aliases or asset name contain the
// text, until the page is full. A common term fills a page within the
// first chunk or two; a condition in SQL instead let PostgreSQL's planner
// read and sort every open finding.
func (s *Store) textWalk(ctx context.Context, f FindingFilter, order listOrder) ([]model.AssetFinding, string, error) {
	q := strings.ToLower(f.Text)
	limit := PageSize(f.Limit)
	inner := f
	inner.Text, inner.Limit = "", 200
	var out []model.AssetFinding
	for {
		chunk, next, err := s.Findings(ctx, inner)
		if err != nil {
			return nil, "", err
		}
		for _, fd := range chunk {
			if !textMatch(fd, q) {
				continue
			}
			if len(out) == limit {
				last := out[len(out)-1]
				return out, order.cursor(listKey{score: last.Score, rank: model.Rating(last.Severity).Rank(), id: last.ID}), nil
			}
			out = append(out, fd)
		}
		if next == "" {
			return out, "", nil
		}
		inner.Cursor, inner.Limit = next, 500
	}
}

// textMatch is the text filter on one finding; q is lower case.
func textMatch(f model.AssetFinding, q string) bool {
	if strings.Contains(strings.ToLower(f.Package), q) || strings.Contains(strings.ToLower(f.VulnID), q) ||
		strings.Contains(strings.ToLower(f.AssetName), q) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.Contains(strings.ToLower(a), q) {
			return true
		}
	}
	return false
}

// maxTextTerms bounds the candidate lookup: a text in the names of more
// packages or advisories than this is served by textWalk.
var maxTextTerms = 5000

// textTerms are what a text search matches: package names (lower case),
// advisories (by ID) and assets.
type textTerms struct {
	packages, advisories []string
	assets               []int64
}

func (t textTerms) none() bool { return len(t.packages)+len(t.advisories)+len(t.assets) == 0 }

// textTerms finds what the text is part of, through small tables rather
// than by reading every finding: the package names findings have
// (finding_packages), the advisories one of whose IDs or aliases holds it
// (in memory) and the asset names. A finding matches when its package,
// its advisory or its asset does. ok is false when the text is too common
// for a lookup to pay.
func (s *Store) textTerms(ctx context.Context, text string) (t textTerms, ok bool, err error) {
	lower := strings.ToLower(text)
	// One query: the package names, the asset names and the advisory
	// generation (which says whether the in-memory IDs are current).
	var gen int64
	err = queryRows(ctx, kept{s}, fmt.Sprintf(`SELECT 'p', name_lc FROM (SELECT name_lc FROM finding_packages
		WHERE name_lc LIKE $1 ESCAPE '\' LIMIT %d) AS p
		UNION ALL SELECT 'a', CAST(id AS TEXT) FROM assets WHERE LOWER(name) LIKE $1 ESCAPE '\'
		UNION ALL SELECT 'g', CAST(value AS TEXT) FROM generations WHERE name = 'advisories'`, maxTextTerms+1),
		[]any{"%" + likeEscape(lower) + "%"}, func(rows *sql.Rows) error {
			var kind, v string
			if err := rows.Scan(&kind, &v); err != nil {
				return err
			}
			var err error
			switch kind {
			case "p":
				t.packages = append(t.packages, v)
			case "a":
				var id int64
				id, err = strconv.ParseInt(v, 10, 64)
				t.assets = append(t.assets, id)
			case "g":
				gen, err = strconv.ParseInt(v, 10, 64)
			}
			return err
		})
	if err != nil || len(t.packages) > maxTextTerms {
		return t, false, err
	}
	t.advisories, ok, err = s.advisoryIDs.search(ctx, s, gen, lower)
	return t, ok && err == nil, err
}

// idIndex holds every advisory's IDs (its own and its aliases) in memory
// for text search: scanning twenty thousand short strings takes well under
// a millisecond, where LIKE over the advisories table took ten. It is
// reloaded when the advisory generation moves.
type idIndex struct {
	mu      sync.Mutex
	gen     int64
	entries []idEntry
}

type idEntry struct {
	lower string // all IDs, lower case, joined by "\n"
	id    string // the advisory's own, as written
}

// search returns the advisories (their own IDs) one of whose IDs or
// aliases contains q, reloading the IDs when the advisory generation is
// no longer gen; ok is false when more than maxTextTerms match.
func (x *idIndex) search(ctx context.Context, s *Store, gen int64, q string) ([]string, bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.entries == nil || x.gen != gen {
		if err := x.load(ctx, s); err != nil {
			return nil, false, err
		}
		x.gen = gen
	}
	var out []string
	n := 0
	for _, e := range x.entries {
		if strings.Contains(e.lower, q) {
			if n++; n > maxTextTerms {
				return nil, false, nil
			}
			out = append(out, e.id)
		}
	}
	return out, true, nil
}

func (x *idIndex) load(ctx context.Context, s *Store) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, aliases FROM advisories`)
	if err != nil {
		return err
	}
	defer rows.Close()
	entries := []idEntry{}
	for rows.Next() {
		var id, al string
		if err := rows.Scan(&id, &al); err != nil {
			return err
		}
		var list []string
		if err := json.Unmarshal([]byte(al), &list); err != nil {
			return fmt.Errorf("aliases of %s: %w", id, err)
		}
		entries = append(entries, idEntry{lower: strings.ToLower(id + "\n" + strings.Join(list, "\n")), id: id})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	x.entries = entries
	return nil
}
