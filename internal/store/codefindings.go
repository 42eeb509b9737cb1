package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/finding"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sarif"
	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// CodeImport is what one SARIF log says about one tool's results on one
// branch of an asset: the results of that tool only.
type CodeImport struct {
	AssetID      int64
	Tool, Branch string
	Results      []sarif.Result
}

// NoRule is the rule ID of a result that names none.
const NoRule = "no-rule"

// codeKey is the package key of a code finding: it keeps code findings
// apart from each other and from package keys (which never start with
// "sarif/"), and with the rule ID as vuln_id it is what decisions and
// their history are keyed by.
func codeKey(tool, branch, fingerprint string) string {
	return "sarif/" + url.PathEscape(tool) + "/" + url.PathEscape(branch) + "/" + fingerprint
}

// storedCode is a code finding of the import's tool and branch.
type storedCode struct {
	id             int64
	status, rating string
}

// ApplyCodeFindings writes a SARIF import of one tool on one branch of an
// asset, keyed by (asset, tool, branch, fingerprint): a result not stored
// yet is a new finding, assessed like a matched one (clock and priority
// from its rating and the asset); one stored open is unchanged (seen now,
// its location and message as the log states them now); one stored
// resolved is reopened; the tool's open findings on the branch that the
// log no longer has are resolved (model.ResolvedByScan). Nothing of
// another tool, branch or asset is read or written, and the dependency
// matcher never touches what this writes (see loadStored). What people
// decided about a finding's key applies to it as to a matched finding
// (afterDetection). The asset's row is locked first, as a match does.
func (t *Tx) ApplyCodeFindings(ctx context.Context, imp CodeImport) (model.SARIFCounts, error) {
	var risk ssvc.Asset
	err := t.tx.QueryRowContext(ctx, `SELECT id, exposure, criticality FROM assets WHERE id = $1`+t.forUpdate(), imp.AssetID).
		Scan(&risk.ID, &risk.Exposure, &risk.Criticality)
	if errors.Is(err, sql.ErrNoRows) {
		return model.SARIFCounts{}, fmt.Errorf("asset %d: %w", imp.AssetID, ErrNotFound)
	}
	if err != nil {
		return model.SARIFCounts{}, fmt.Errorf("locking asset %d: %w", imp.AssetID, err)
	}
	stored := map[string]storedCode{}
	err = queryRows(ctx, t.tx, `SELECT c.fingerprint, f.id, f.status, f.severity FROM code_findings c JOIN findings f ON f.id = c.finding_id
		WHERE c.asset_id = $1 AND c.tool = $2 AND c.branch = $3`, []any{imp.AssetID, imp.Tool, imp.Branch}, func(rows *sql.Rows) error {
		var fp string
		var s storedCode
		err := rows.Scan(&fp, &s.id, &s.status, &s.rating)
		stored[fp] = s
		return err
	})
	if err != nil {
		return model.SARIFCounts{}, fmt.Errorf("reading the code findings of %s on %s: %w", imp.Tool, imp.Branch, err)
	}
	w := findingWrites{at: t.now()}
	st := model.SARIFCounts{}
	var fresh []*sarif.Result
	var unchanged, reopened, rerated []int64
	var seen []*sarif.Result // with seenIDs: results stored before
	var seenIDs []int64
	got := map[string]bool{}
	for i := range imp.Results {
		r := &imp.Results[i]
		if r.Tool != imp.Tool {
			return model.SARIFCounts{}, fmt.Errorf("result of tool %q in an import of %q", r.Tool, imp.Tool)
		}
		if got[r.Fingerprint] {
			continue // the same result in two runs of the tool
		}
		got[r.Fingerprint] = true
		st.Results++
		if r.Suppressed {
			st.Suppressed++
		}
		s, ok := stored[r.Fingerprint]
		switch {
		case !ok:
			fresh = append(fresh, r)
			d := codeDetected(&imp, r)
			w.fresh = append(w.fresh, freshFinding{assetID: imp.AssetID, f: &d})
			continue
		case s.status == model.FindingOpen:
			unchanged = append(unchanged, s.id)
		default:
			reopened = append(reopened, s.id)
		}
		if s.rating != string(r.Severity) {
			rerated = append(rerated, s.id)
		}
		seen, seenIDs = append(seen, r), append(seenIDs, s.id)
	}
	var resolved []int64
	for fp, s := range stored {
		if !got[fp] && s.status == model.FindingOpen {
			resolved = append(resolved, s.id)
		}
	}
	st.New, st.Unchanged, st.Reopened, st.Resolved = len(fresh), len(unchanged), len(reopened), len(resolved)
	if err := t.writeCode(ctx, &w, &imp, fresh, risk); err != nil {
		return model.SARIFCounts{}, err
	}
	if err := t.updateCode(ctx, &w, &imp, seen, seenIDs); err != nil {
		return model.SARIFCounts{}, err
	}
	slices.Sort(reopened)
	if err := updateByID(ctx, t.tx, t.dialect, `UPDATE findings SET status = '`+model.FindingOpen+`', resolved_at = NULL,
		resolution = '', resolved_by_snapshot = NULL`, nil, reopened); err != nil {
		return model.SARIFCounts{}, fmt.Errorf("re-opening code findings: %w", err)
	}
	slices.Sort(resolved)
	if err := updateByID(ctx, t.tx, t.dialect, `UPDATE findings SET status = '`+model.FindingResolved+`', resolved_at = ?,
		resolution = ?`, []any{w.at, model.ResolvedByScan}, resolved); err != nil {
		return model.SARIFCounts{}, fmt.Errorf("resolving code findings: %w", err)
	}
	if len(reopened) > 0 {
		w.reopened = map[string]*rewrite{"": {ids: reopened}}
	}
	if len(resolved) > 0 {
		w.resolved = map[string][]int64{model.ResolvedByScan: resolved}
	}
	as, err := t.afterDetection(ctx, &w)
	if err != nil {
		return model.SARIFCounts{}, err
	}
	// A result whose rating changed (a new security-severity) is assessed
	// again, as a re-rated matched finding is.
	more, err := t.Assess(ctx, slices.DeleteFunc(rerated, func(id int64) bool { return slices.Contains(reopened, id) }), nil, w.at)
	if err != nil {
		return model.SARIFCounts{}, err
	}
	if err := t.ReprioritizedEvents(ctx, append(as.Reprioritized, more.Reprioritized...), w.at); err != nil {
		return model.SARIFCounts{}, err
	}
	t.written += int64(st.New + st.Resolved + st.Reopened)
	return st, nil
}

// codeDetected is a result as the findings row stores it: its rule as the
// advisory, its file as the package, its message as the summary.
func codeDetected(imp *CodeImport, r *sarif.Result) finding.Detected {
	summary := cmp.Or(r.Message, r.RuleName)
	if line, _, cut := strings.Cut(summary, "\n"); cut {
		summary = line
	}
	if len(summary) > 300 {
		summary = strings.ToValidUTF8(summary[:300], "") + "…"
	}
	return finding.Detected{Key: codeKey(imp.Tool, imp.Branch, r.Fingerprint), Package: cmp.Or(r.Location.URI, r.Location.Logical),
		VulnID: cmp.Or(r.RuleID, NoRule), Summary: summary, Severity: string(r.Severity), SeverityRank: r.Severity.Rank(),
		Score: r.Score, Evidence: "[]"}
}

// codeDetail is a result's code_findings values after finding_id, asset_id,
// tool, branch and fingerprint.
func codeDetail(r *sarif.Result) []any {
	l := r.Location
	return []any{r.ToolVersion, r.FingerprintFrom, cmp.Or(r.RuleID, NoRule), r.RuleName, l.URI, l.URIBaseID, l.StartLine, l.EndLine,
		l.Logical, l.Snippet, r.Level, r.Message, r.Suppressed}
}

const codeDetailCols = `tool_version, fingerprint_from, rule, rule_name, uri, uri_base_id, start_line, end_line,
	logical, snippet, level, message, suppressed`

// writeCode stores the new code findings: their findings rows, assessed
// before they are written (assessFresh), of kind code, and their details.
func (t *Tx) writeCode(ctx context.Context, w *findingWrites, imp *CodeImport, fresh []*sarif.Result, risk ssvc.Asset) error {
	if len(fresh) == 0 {
		return nil
	}
	if err := t.assessFresh(ctx, w, map[int64]ssvc.Asset{imp.AssetID: risk}); err != nil {
		return err
	}
	ids, err := insertFindings(ctx, t.tx, t.dialect, w.fresh, w.at)
	if err != nil {
		return err
	}
	w.freshIDs = ids
	slices.Sort(ids)
	if err := updateByID(ctx, t.tx, t.dialect, `UPDATE findings SET kind = '`+model.KindCode+`'`, nil, ids); err != nil {
		return fmt.Errorf("marking %d code findings: %w", len(ids), err)
	}
	// The IDs by package key, which holds the fingerprint.
	byKey := map[string]int64{}
	for _, args := range idChunks(ids, 500) {
		err := queryRows(ctx, t.tx, `SELECT id, pkey FROM findings WHERE id IN (`+rowPlaceholders(t.dialect, 1, len(args))+`)`, args,
			func(rows *sql.Rows) error {
				var id int64
				var k string
				err := rows.Scan(&id, &k)
				byKey[k] = id
				return err
			})
		if err != nil {
			return fmt.Errorf("reading the new code findings: %w", err)
		}
	}
	rows := make([][]any, len(fresh))
	for i, r := range fresh {
		id, ok := byKey[codeKey(imp.Tool, imp.Branch, r.Fingerprint)]
		if !ok {
			return fmt.Errorf("code finding %s of %s: not stored", r.Fingerprint, imp.Tool)
		}
		rows[i] = append([]any{id, imp.AssetID, imp.Tool, imp.Branch, r.Fingerprint}, codeDetail(r)...)
	}
	if err := insertMany(ctx, t.tx, t.dialect, `INSERT INTO code_findings (finding_id, asset_id, tool, branch, fingerprint, `+
		codeDetailCols+`) VALUES `, rows, ""); err != nil {
		return fmt.Errorf("storing %d code findings: %w", len(rows), err)
	}
	return nil
}

// updateCode writes what the log says now of the results stored before:
// seen now, their rating, summary, file, location and message.
func (t *Tx) updateCode(ctx context.Context, w *findingWrites, imp *CodeImport, seen []*sarif.Result, ids []int64) error {
	set := strings.Split(strings.Join(strings.Fields(codeDetailCols), " "), ", ")
	for i, r := range seen {
		d := codeDetected(imp, r)
		// A new rating is dated (severity_since), as a re-rated matched
		// finding's is: the SET reads the row as it was.
		if _, err := t.tx.ExecContext(ctx, `UPDATE findings SET last_seen = $1, summary = $2, severity = $3, severity_rank = $4,
			score = $5, package = $6, content_hash = $7, severity_since = CASE WHEN severity <> $3 THEN $1 ELSE severity_since END
			WHERE id = $8`,
			w.at, d.Summary, d.Severity, d.SeverityRank, d.Score, d.Package, d.Hash(), ids[i]); err != nil {
			return fmt.Errorf("updating code finding %d: %w", ids[i], err)
		}
		vals := codeDetail(r)
		q := "UPDATE code_findings SET "
		for j, c := range set {
			if j > 0 {
				q += ", "
			}
			q += fmt.Sprintf("%s = $%d", c, j+1)
		}
		q += fmt.Sprintf(" WHERE finding_id = $%d", len(set)+1)
		if _, err := t.tx.ExecContext(ctx, q, append(vals, ids[i])...); err != nil {
			return fmt.Errorf("updating code finding %d: %w", ids[i], err)
		}
	}
	return nil
}

// fillCode reads the code details of the code findings among fs.
func (s *Store) fillCode(ctx context.Context, db querier, fs []model.AssetFinding) error {
	at := map[int64]int{}
	var ids []int64
	for i := range fs {
		if fs[i].Kind == model.KindCode {
			at[fs[i].ID] = i
			ids = append(ids, fs[i].ID)
		}
	}
	for _, args := range idChunks(ids, 500) {
		err := queryRows(ctx, db, `SELECT finding_id, tool, branch, fingerprint, `+codeDetailCols+`, scan_record_id FROM code_findings
			WHERE finding_id IN (`+rowPlaceholders(s.dialect, 1, len(args))+`)`, args, func(rows *sql.Rows) error {
			var id int64
			var c model.CodeFinding
			var rec sql.NullInt64
			l := &c.Location
			if err := rows.Scan(&id, &c.Tool, &c.Branch, &c.Fingerprint, &c.ToolVersion, &c.FingerprintFrom, &c.Rule, &c.RuleName,
				&l.URI, &l.URIBaseID, &l.StartLine, &l.EndLine, &l.Logical, &l.Snippet, &c.Level, &c.Message, &c.Suppressed, &rec); err != nil {
				return err
			}
			c.ScanRecordID = rec.Int64
			fs[at[id]].Code = &c
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading code findings: %w", err)
		}
	}
	return nil
}

// NoteCodeScan records the scan record of an import of a tool's log on a
// branch of an asset (after ApplyCodeFindings) on the findings it saw:
// those of the tool and branch open now.
func (t *Tx) NoteCodeScan(ctx context.Context, assetID int64, tool, branch string, scanRecordID int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE code_findings SET scan_record_id = $1 WHERE asset_id = $2 AND tool = $3 AND branch = $4
		AND finding_id IN (SELECT id FROM findings WHERE asset_id = $2 AND status = '`+model.FindingOpen+`')`, scanRecordID, assetID, tool, branch)
	if err != nil {
		return fmt.Errorf("noting scan record %d on the code findings of %s on %s: %w", scanRecordID, tool, branch, err)
	}
	return nil
}
