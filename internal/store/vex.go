package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// VEXSource is the VEX statement a decision comes from.
type VEXSource struct {
	DocumentID int64
	Author     string
	At         time.Time // the statement's time
	Native     string    // the format's own values (JSON)
	Statement  string    // the impact or action statement
}

// columns are the decision's vex_document_id, vex_author, vex_at,
// vex_native and statement: empty for a person's decision.
func (v *VEXSource) columns() []any {
	if v == nil {
		return []any{sql.NullInt64{}, "", sql.NullTime{}, "", ""}
	}
	return []any{sql.NullInt64{Int64: v.DocumentID, Valid: true}, v.Author,
		sql.NullTime{Time: v.At.UTC().Truncate(time.Microsecond), Valid: true}, v.Native, v.Statement}
}

// VEXDocument is an imported VEX document's record.
type VEXDocument struct {
	ID                                 int64
	SHA256, Format, SpecVersion, DocID string
	Author                             string
	IssuedAt, ImportedAt               time.Time
	ImportedBy                         string
	DocumentKept                       bool // the raw document is kept (documents)
	Statements, Applied, Unchanged     int
	Kept, Unmatched                    int
}

// AddVEXDocument records an imported document (its counts are set once
// its statements are applied: SetVEXCounts) and returns its ID.
func (t *Tx) AddVEXDocument(ctx context.Context, d VEXDocument) (int64, error) {
	issued := sql.NullTime{Time: d.IssuedAt.UTC(), Valid: !d.IssuedAt.IsZero()}
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO vex_documents (document_sha256, document_kept, format, spec_version, doc_id, author,
		issued_at, imported_at, imported_by, statements, applied, unchanged, kept, unmatched)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 0, 0, 0) RETURNING id`, d.SHA256, d.DocumentKept, d.Format, d.SpecVersion, d.DocID,
		d.Author, issued, d.ImportedAt.UTC(), d.ImportedBy, d.Statements).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("recording the VEX document: %w", err)
	}
	return id, nil
}

// FirstVEXImport returns when a document (by its SHA-256) was first
// imported; zero when never.
func (t *Tx) FirstVEXImport(ctx context.Context, sha string) (time.Time, error) {
	var at time.Time
	err := t.tx.QueryRowContext(ctx, `SELECT imported_at FROM vex_documents WHERE document_sha256 = $1 ORDER BY imported_at LIMIT 1`,
		sha).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return at.UTC(), err
}

// SetVEXCounts records what became of a document's statements.
func (t *Tx) SetVEXCounts(ctx context.Context, id int64, applied, unchanged, kept, unmatched int) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE vex_documents SET applied = $1, unchanged = $2, kept = $3, unmatched = $4 WHERE id = $5`,
		applied, unchanged, kept, unmatched, id)
	return err
}

// AssetIDsByName returns the IDs of the assets with the given names.
func (t *Tx) AssetIDsByName(ctx context.Context, names []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(names) == 0 {
		return out, nil
	}
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	type row struct {
		name string
		id   int64
	}
	rows, err := queryAll(ctx, t.tx, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.name, &x.id)
	}, `SELECT name, id FROM assets WHERE name IN (`+placeholders(1, len(names))+`)`, args...)
	for _, r := range rows {
		out[r.name] = r.id
	}
	return out, err
}

// InventoryHit is a component of an asset's current inventory.
type InventoryHit struct {
	AssetID                   int64
	Asset, Key, Version, PURL string
}

// InventoryByKey returns the components of every asset's current
// inventory with the package key pkey; or, for "" (a purl no ecosystem
// reads), those whose purl is purl or begins with purl followed by @.
func (t *Tx) InventoryByKey(ctx context.Context, pkey, purl string) ([]InventoryHit, error) {
	q, args := `c.pkey = $1`, []any{pkey}
	if pkey == "" {
		q, args = `(c.purl = $1 OR c.purl LIKE $2)`, []any{purl, strings.NewReplacer("%", `\%`, "_", `\_`).Replace(purl) + "@%"}
		if t.dialect == SQLite {
			q = `(c.purl = $1 OR c.purl LIKE $2 ESCAPE '\')`
		}
	}
	return queryAll(ctx, t.tx, func(r rowScanner) (InventoryHit, error) {
		var h InventoryHit
		return h, r.Scan(&h.AssetID, &h.Asset, &h.Key, &h.Version, &h.PURL)
	}, `SELECT DISTINCT a.id, a.name, c.pkey, c.version, c.purl FROM assets a JOIN components c ON c.snapshot_id = a.current_snapshot_id
		WHERE `+q+` ORDER BY a.id, c.pkey, c.version, c.purl`, args...)
}

// AdvisoryIDsByAlias returns the IDs of the advisories known by any of
// ids (an ID or an alias).
func (t *Tx) AdvisoryIDsByAlias(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryAll(ctx, t.tx, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT DISTINCT advisory_id FROM advisory_aliases WHERE alias IN (`+placeholders(1, len(ids))+`) ORDER BY advisory_id`, args...)
}

// VEXTarget is a decision key a VEX statement applies to: a finding of
// it (ID 0 when nothing is detected yet, but an advisory of the
// vulnerability names a package of the inventory) with what is decided
// about its key.
type VEXTarget struct {
	Triaged
	Decided                 bool // a decision exists
	Decision, Justification string
	DecidedBy               string
	DecidedAt               time.Time
	VEXAuthor               string
	VEXAt                   time.Time // zero for a person's decision
}

// VEXTargets returns the findings of asset with one of vulnIDs (in the
// packages keys; every package for nil), and the keys of packages of its
// current inventory an advisory among vulnIDs names that have no finding
// of it, each with its decision.
func (t *Tx) VEXTargets(ctx context.Context, asset int64, vulnIDs, keys []string) ([]VEXTarget, error) {
	if len(vulnIDs) == 0 {
		return nil, nil
	}
	args := []any{asset}
	for _, v := range vulnIDs {
		args = append(args, v)
	}
	vulns := placeholders(2, len(vulnIDs))
	pk, pkc := "", ""
	if keys != nil {
		if len(keys) == 0 {
			return nil, nil
		}
		for _, k := range keys {
			args = append(args, k)
		}
		list := placeholders(2+len(vulnIDs), len(keys))
		pk, pkc = ` AND f.pkey IN (`+list+`)`, ` AND c.pkey IN (`+list+`)`
	}
	decisionCols := `d.state IS NOT NULL, COALESCE(d.state, ''), COALESCE(d.justification, ''), COALESCE(d.decided_by, ''),
		d.decided_at, COALESCE(d.vex_author, ''), d.vex_at`
	scan := func(r rowScanner) (VEXTarget, error) {
		var x VEXTarget
		var closed, decided, vexAt sql.NullTime
		err := r.Scan(&x.ID, &x.AssetID, &x.VulnID, &x.Key, &x.State, &x.Status, &closed, &x.Exception,
			&x.Decided, &x.Decision, &x.Justification, &x.DecidedBy, &decided, &x.VEXAuthor, &vexAt)
		x.ClosedAt, x.DecidedAt, x.VEXAt = timeOf(closed), timeOf(decided), timeOf(vexAt)
		return x, err
	}
	found, err := queryAll(ctx, t.tx, scan, `SELECT `+triagedCols+`, `+decisionCols+` FROM `+triagedFrom+`
		WHERE f.asset_id = $1 AND f.vuln_id IN (`+vulns+`)`+pk+` ORDER BY f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the findings of a VEX statement: %w", err)
	}
	undetected, err := queryAll(ctx, t.tx, scan, `SELECT DISTINCT 0, a.id, r.advisory_id, c.pkey, '`+model.StateNew+`', '', CAST(NULL AS TIMESTAMP),
		COALESCE(d.exception_id, 0), `+decisionCols+`
		FROM assets a JOIN components c ON c.snapshot_id = a.current_snapshot_id
		JOIN advisory_records r ON r.pkey = c.pkey AND r.advisory_id IN (`+vulns+`)
		LEFT JOIN decisions d ON d.asset_id = a.id AND d.vuln_id = r.advisory_id AND d.pkey = c.pkey
		WHERE a.id = $1 AND c.pkey <> ''`+pkc+` AND NOT EXISTS (SELECT 1 FROM findings f
			WHERE f.asset_id = a.id AND f.vuln_id = r.advisory_id AND f.pkey = c.pkey)
		ORDER BY r.advisory_id, c.pkey`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the inventory of a VEX statement: %w", err)
	}
	return append(found, undetected...), nil
}

// VEXDecision is a decision as an export writes it: a finding's state
// with what was decided about its key.
type VEXDecision struct {
	Asset, VulnID          string
	Aliases                []string
	PURL, Package, Version string
	State, Justification   string
	Reason, Statement      string
	At                     time.Time
	Native                 string
	ExceptionID            int64
	ExceptionUntil         time.Time
	ExceptionReason        string
}

// VEXDecisions returns, for the asset (0: every asset), each dependency
// finding someone (or a VEX statement) decided about in a state other
// than new (a code finding of a SARIF log has no product a VEX names),
// at most limit of them (the caller asks one more to tell it was cut),
// in the order of asset, vulnerability and package.
func (s *Store) VEXDecisions(ctx context.Context, asset int64, limit int) ([]VEXDecision, error) {
	where, args := ``, []any{limit}
	if asset != 0 {
		where, args = ` AND f.asset_id = $2`, append(args, asset)
	}
	return queryAll(ctx, s.db, func(r rowScanner) (VEXDecision, error) {
		var x VEXDecision
		var aliases, dstate string
		var until sql.NullTime
		var exc sql.NullInt64
		err := r.Scan(&x.Asset, &x.VulnID, &aliases, &x.PURL, &x.Package, &x.Version, &x.State, &dstate, &x.Justification,
			&x.Reason, &x.Statement, &x.At, &x.Native, &exc, &until, &x.ExceptionReason)
		if err == nil && aliases != "" {
			err = json.Unmarshal([]byte(aliases), &x.Aliases)
		}
		if x.State != dstate {
			// Detection changed it since (fixed by an upgrade, reopened):
			// the decision's justification and native values are not this state's.
			x.Justification, x.Native, x.Reason, x.Statement = "", "", "", ""
		}
		x.ExceptionID, x.ExceptionUntil, x.At = exc.Int64, timeOf(until), x.At.UTC()
		return x, err
	}, `SELECT a.name, f.vuln_id, f.aliases, f.purl, f.package, f.version, f.state, d.state, d.justification, d.reason, d.statement,
		d.decided_at, d.vex_native, d.exception_id, x.expires_at, COALESCE(x.reason, '')
		FROM decisions d JOIN findings f ON f.asset_id = d.asset_id AND f.vuln_id = d.vuln_id AND f.pkey = d.pkey
		JOIN assets a ON a.id = f.asset_id LEFT JOIN exceptions x ON x.id = d.exception_id
		WHERE f.state <> '`+model.StateNew+`' AND f.kind = '`+model.KindDependency+`'`+where+` ORDER BY a.name, f.vuln_id, f.purl, f.id LIMIT $1`, args...)
}
