package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// resolutionOr is the resolution a finding that is no longer found gets:
// withdrawn when its advisory has been withdrawn (by its publisher, or
// because the feeds that supplied it were deleted), whichever writer —
// a snapshot's match or a re-match — notices first; else the writer's
// own reason, the parameter.
const resolutionOr = `CASE WHEN EXISTS (SELECT 1 FROM advisories w WHERE w.id = findings.vuln_id AND w.withdrawn)
	THEN 'withdrawn' ELSE ? END`

// NewFinding is one match result to record.
type NewFinding struct {
	Key, Ecosystem, Package, Version, PURL, VulnID string
	Aliases                                        []string
	Summary, Severity                              string
	SeverityRank                                   int
	Score                                          float64
	Fix                                            string
	Evidence                                       string
}

// MatchResult is the outcome of matching (part of) one snapshot.
type MatchResult struct {
	AssetID, SnapshotID int64
	// Keys limits the result to these package keys (a re-match after
	// advisories changed); nil means the whole snapshot.
	Keys       []string
	Findings   []NewFinding
	Resolution string
	// Generation is the advisory generation the result was computed at;
	// with CheckGeneration set, a result computed before the advisories
	// last changed is refused with ErrOutdated, so the caller computes it
	// again instead of overwriting a newer re-match.
	Generation      int64
	CheckGeneration bool
}

// ErrOutdated is returned for a match result computed from advisories
// that have since changed.
var ErrOutdated = errors.New("advisories changed while matching")

// ErrStale is returned when a match result is for a snapshot that is no
// longer its asset's current one: the newer snapshot's match wins.
var ErrStale = errors.New("snapshot is no longer current")

// MatchStats says what applying a match result did.
type MatchStats struct{ New, Updated, Reopened, Resolved int }

type existing struct {
	id      int64
	status  string
	aliases string
	hash    string // content_hash
	seen    bool
}

// unchanged reports whether updating e with f would change nothing but
// its snapshot and last-seen time: it is open (so its resolution fields
// are clear) and every field an update writes is equal.
func (e *existing) unchanged(f *NewFinding, aliasesJSON string) bool {
	return e.status == model.FindingOpen && e.aliases == aliasesJSON && e.hash == contentHash(f)
}

// contentHash digests what a match writes into a finding besides its
// aliases (content_hash): comparing it spares reading every summary and
// evidence of the findings a re-match meets again.
func contentHash(f *NewFinding) string {
	h := sha256.New()
	for _, v := range []string{f.Summary, f.Severity, strconv.Itoa(f.SeverityRank),
		strconv.FormatFloat(f.Score, 'g', -1, 64), f.Fix, f.Evidence} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// sortedFindings is how one asset's match result meets its stored
// findings.
type sortedFindings struct {
	fresh   []freshFinding   // not stored yet
	same    []int64          // stored and unchanged: only seen again
	changed []changedFinding // stored, to be updated (or re-opened)
	gone    []int64          // open, and no longer found: to resolve (sorted)
}

type changedFinding struct {
	e           *existing
	f           *NewFinding
	aliasesJSON string
}

// sortFindings sorts a match result against the asset's stored findings
// (old, keyed by key, version and advisory; marked seen as it goes) and
// counts the outcome into st. ApplyMatch and ApplyRematch both write what
// it sorts, one asset or many at a time.
func sortFindings(m *MatchResult, old map[string]*existing, st *MatchStats) sortedFindings {
	var out sortedFindings
	for i := range m.Findings {
		f := &m.Findings[i]
		id := f.Key + "\x00" + f.Version + "\x00" + f.VulnID
		e, ok := old[id]
		if ok && e.seen {
			continue // the same version listed twice in one SBOM
		}
		if !ok {
			out.fresh = append(out.fresh, freshFinding{m.AssetID, m.SnapshotID, f})
			old[id] = &existing{seen: true}
			st.New++
			continue
		}
		e.seen = true
		if e.status == model.FindingResolved {
			st.Reopened++
		} else {
			st.Updated++
		}
		aj := mustJSON(nonNil(f.Aliases))
		if e.unchanged(f, aj) {
			out.same = append(out.same, e.id)
			continue
		}
		out.changed = append(out.changed, changedFinding{e, f, aj})
	}
	for _, e := range old {
		if !e.seen && e.status == model.FindingOpen {
			out.gone = append(out.gone, e.id)
		}
	}
	slices.Sort(out.gone)
	st.Resolved += len(out.gone)
	return out
}

// ApplyMatch records a match result in one transaction: new findings are
// opened, seen ones updated (and re-opened when they had been resolved),
// and open ones no longer found are resolved, naming the snapshot.
func (s *Store) ApplyMatch(ctx context.Context, m MatchResult) (MatchStats, error) {
	var st MatchStats
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st = MatchStats{}
		// The asset's row lock serialises match results of one asset on
		// PostgreSQL (SQLite has one writer anyway).
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT current_snapshot_id FROM assets WHERE id = $1`+lock, m.AssetID).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrStale // the asset was deleted
			}
			return err
		}
		if cur.Int64 != m.SnapshotID {
			return ErrStale
		}
		if m.CheckGeneration {
			var g int64
			if err := tx.QueryRowContext(ctx, `SELECT value FROM generations WHERE name = 'advisories'`).Scan(&g); err != nil {
				return err
			}
			if g != m.Generation {
				return ErrOutdated
			}
		}
		old, err := loadExisting(ctx, tx, m.AssetID, m.Keys)
		if err != nil {
			return err
		}
		t := now()
		// New findings are inserted, and unchanged ones touched, in
		// batches: one statement per row made a 500-component snapshot
		// hundreds of statements (round trips on PostgreSQL).
		sorted := sortFindings(&m, old, &st)
		for _, c := range sorted.changed {
			if err := updateFinding(ctx, tx, m.SnapshotID, c.e, c.f, t); err != nil {
				return err
			}
		}
		if err := insertFindings(ctx, tx, s.dialect, sorted.fresh, t); err != nil {
			return err
		}
		if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET snapshot_id = ?, last_seen = ?`, []any{m.SnapshotID, t}, sorted.same); err != nil {
			return err
		}
		if err := updateByID(ctx, tx, s.dialect, `UPDATE findings SET status = 'resolved', resolved_at = ?, resolution = `+resolutionOr+`,
			resolved_by_snapshot = ?`, []any{t, m.Resolution, m.SnapshotID}, sorted.gone); err != nil {
			return err
		}
		if m.Keys == nil {
			_, err = tx.ExecContext(ctx, `UPDATE snapshots SET matched_at = $1 WHERE id = $2`, t, m.SnapshotID)
		}
		return err
	})
	if err == nil {
		s.written.Add(int64(st.New + st.Resolved + st.Reopened))
	}
	return st, err
}

func loadExisting(ctx context.Context, tx *sql.Tx, assetID int64, keys []string) (map[string]*existing, error) {
	out := map[string]*existing{}
	scan := func(q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v, vid string
			e := &existing{}
			if err := rows.Scan(&e.id, &k, &v, &vid, &e.status, &e.aliases, &e.hash); err != nil {
				return err
			}
			out[k+"\x00"+v+"\x00"+vid] = e
		}
		return rows.Err()
	}
	const q = `SELECT id, pkey, version, vuln_id, status, aliases, content_hash FROM findings WHERE asset_id = $1`
	if keys == nil {
		return out, scan(q, assetID)
	}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := []any{assetID}
		for _, k := range part {
			args = append(args, k)
		}
		if err := scan(q+` AND pkey IN (`+placeholders(2, len(part))+`)`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// updateByID runs an UPDATE of findings, whose SET clause takes args as
// "?", on the findings with the given IDs, 500 at a time.
func updateByID(ctx context.Context, tx *sql.Tx, d Dialect, set string, args []any, ids []int64) error {
	return updateByIDWhere(ctx, tx, d, set, args, ids, "")
}

// updateByIDWhere is updateByID with a further condition (no parameters)
// that rows must meet to be written.
func updateByIDWhere(ctx context.Context, tx *sql.Tx, d Dialect, set string, args []any, ids []int64, cond string) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		all := make([]any, 0, len(args)+len(part))
		all = append(all, args...)
		for _, id := range part {
			all = append(all, id)
		}
		q := set + ` WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + `)`
		if cond != "" {
			q += " AND " + cond
		}
		if _, err := tx.ExecContext(ctx, numbered(d, q), all...); err != nil {
			return err
		}
	}
	return nil
}

// numbered turns the "?" of a statement into "$1", "$2"… for PostgreSQL;
// SQLite takes "?" as they are (see rowPlaceholders). The statement must
// hold no "?" but its parameters.
func numbered(d Dialect, q string) string {
	if d == SQLite {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rescoreExploit marks a finding with the KEV and EPSS data of its IDs
// (its own and its aliases), after they changed.
func rescoreExploit(ctx context.Context, tx *sql.Tx, id int64, vulnID string, aliases []string) error {
	ids := append([]string{vulnID}, aliases...)
	args := []any{id}
	for _, a := range ids {
		args = append(args, a)
	}
	in := `IN (` + placeholders(2, len(ids)) + `)`
	_, err := tx.ExecContext(ctx, `UPDATE findings SET kev = EXISTS (SELECT 1 FROM kev WHERE cve `+in+`),
		epss = (SELECT MAX(score) FROM epss WHERE cve `+in+`) WHERE id = $1`, args...)
	return err
}

func updateFinding(ctx context.Context, tx *sql.Tx, snapID int64, e *existing, f *NewFinding, t time.Time) error {
	aliases := f.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	aj := mustJSON(aliases)
	_, err := tx.ExecContext(ctx, `UPDATE findings SET aliases = $1, summary = $2, severity = $3, severity_rank = $4,
		score = $5, fix = $6, evidence = $7, status = 'open', snapshot_id = $8, last_seen = $9, resolved_at = NULL,
		resolution = '', resolved_by_snapshot = NULL, content_hash = $11 WHERE id = $10`,
		aj, f.Summary, f.Severity, f.SeverityRank, f.Score, f.Fix, f.Evidence, snapID, t, e.id, contentHash(f))
	if err != nil || aj == e.aliases {
		return err
	}
	return rescoreExploit(ctx, tx, e.id, f.VulnID, aliases)
}
