package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sarif"
	"github.com/vulndesk/vulndesk/internal/store"
)

// DefaultBranch is the branch a SARIF log is imported for when the caller
// names none: most pipelines that do not say scan the main line.
const DefaultBranch = "main"

// sarifMediaType is the media type of a SARIF log (SARIF 2.1.0, 3.1).
const sarifMediaType = "application/sarif+json"

// maxSARIFNameBytes bounds a branch or tool name of a SARIF import.
const maxSARIFNameBytes = 200

// ImportSARIF imports a SARIF 2.1.0 log for a branch of an asset, in one
// transaction: each run's tool's results become code findings of the
// asset (store.ApplyCodeFindings: new ones opened and assessed, ones seen
// again kept, resolved ones seen again reopened), and the tool's open
// findings on that branch that the log no longer has are resolved —
// never findings of a tool the log has no run of, of another branch or of
// another asset. Each tool's import is a scan record (kind sarif, with the
// tool, the branch, the counts and the raw log, kept once by its hash;
// source is the file name it was sent with), and the import an audit
// event sarif.imported with its counts. limit, when set, holds a token to
// its assets.
func (s *Service) ImportSARIF(ctx context.Context, actor string, assetID int64, branch, source string, data []byte, limit *UploadLimit) (model.SARIFImport, error) {
	if branch == "" {
		branch = DefaultBranch
	}
	if err := checkName("branch", branch); err != nil {
		return model.SARIFImport{}, err
	}
	if err := checkUTF8(data); err != nil {
		return model.SARIFImport{}, inputError(fmt.Errorf("sarif log: %w", err))
	}
	log, err := sarif.Parse(data)
	if errors.Is(err, sarif.ErrTooLarge) {
		return model.SARIFImport{}, tooLargeError(err)
	}
	if err != nil {
		return model.SARIFImport{}, inputError(err)
	}
	tools := log.Tools()
	for _, t := range tools {
		if err := checkName("tool name", t); err != nil {
			return model.SARIFImport{}, err
		}
	}
	byTool := map[string][]sarif.Result{}
	for i, r := range log.Results {
		if err := checkResult(i, &r); err != nil {
			return model.SARIFImport{}, inputError(err)
		}
		byTool[r.Tool] = append(byTool[r.Tool], r)
	}
	// The raw log, kept once by its hash, is every tool's scan record's
	// document; compressed before the transaction.
	raw, err := store.PackDocument(sarifMediaType, data)
	if err != nil {
		return model.SARIFImport{}, err
	}
	out := model.SARIFImport{AssetID: assetID, Branch: branch, Tools: tools, Skipped: log.Skipped}
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.AssetForUpdate(ctx, assetID)
		if err != nil {
			return fmt.Errorf("asset %d: %w", assetID, err)
		}
		if limit != nil {
			if err := limit.authorize(a, false); err != nil {
				return err
			}
		}
		for _, tool := range tools {
			imp := store.CodeImport{AssetID: assetID, Tool: tool, Branch: branch, Results: byTool[tool]}
			c, err := tx.ApplyCodeFindings(ctx, imp)
			if err != nil {
				return fmt.Errorf("importing the results of %s: %w", tool, err)
			}
			rec, err := s.recordPacked(ctx, tx, actor, model.ScanRecord{AssetID: a.ID, Kind: model.ScanSARIF, Tool: tool, Branch: branch,
				Source: source, Summary: fmt.Sprintf("%d results: %d new, %d unchanged, %d resolved, %d reopened, %d suppressed",
					c.Results, c.New, c.Unchanged, c.Resolved, c.Reopened, c.Suppressed)}, &raw)
			if err != nil {
				return err
			}
			if err := tx.NoteCodeScan(ctx, assetID, tool, branch, rec.ID); err != nil {
				return err
			}
			out.Add(c)
			out.ScanRecords = append(out.ScanRecords, rec.ID)
		}
		return tx.AppendEvent(ctx, event(actor, "sarif.imported", "asset", assetID), nil, out)
	})
	if err != nil {
		return model.SARIFImport{}, err
	}
	s.Log.Info("sarif imported", "asset", assetID, "branch", branch, "tools", strings.Join(tools, ","),
		"new", out.New, "resolved", out.Resolved, "results", out.Results)
	return out, nil
}

// checkName checks a branch or tool name: 1 to maxSARIFNameBytes bytes, no
// control characters.
func checkName(what, v string) error {
	if strings.TrimSpace(v) == "" || len(v) > maxSARIFNameBytes {
		return model.Invalidf("%s %.40q: 1 to %d bytes", what, v, maxSARIFNameBytes)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return model.Invalidf("%s %.40q: control characters are not allowed", what, v)
	}
	return nil
}

// maxResultText bounds a result's text field (the reader cuts longer ones
// to about 4,000 bytes).
const maxResultText = 8 << 10

// checkResult refuses a result whose text is not clean text (a NUL, which
// PostgreSQL refuses and SQLite would store), naming the field.
func checkResult(i int, r *sarif.Result) error {
	where := fmt.Sprintf("sarif log: result %d (%s)", i+1, r.Tool)
	for _, f := range []struct{ name, v string }{
		{"tool version", r.ToolVersion}, {"rule ID", r.RuleID}, {"rule name", r.RuleName}, {"message", r.Message},
		{"uri", r.Location.URI}, {"uriBaseId", r.Location.URIBaseID}, {"logical location", r.Location.Logical},
		{"snippet", r.Location.Snippet},
	} {
		if err := checkField(where+": "+f.name, f.v, maxResultText); err != nil {
			return err
		}
	}
	return nil
}
