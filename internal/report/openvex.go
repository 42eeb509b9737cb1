package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/openvex/go-vex/pkg/vex"

	"github.com/vulndesk/vulndesk/internal/model"
)

// OpenVEX writes an OpenVEX 0.2.0 document with one "affected" statement per
// finding; findings that differ in nothing a statement shows (the same
// advisory and purl in two SBOMs) share one statement.
//
// Ignored findings are "affected" too. An ignore entry records an accepted
// risk, not an exploitability analysis: "not_affected" would require one of
// the spec's justifications, which vulndesk cannot vouch for, and consumers
// that apply VEX (Trivy, Grype, Dependency-Track) would then silence the
// vulnerability everywhere for good. "under_investigation" is not true
// either. So the statement stays "affected" and its action_statement says
// that the risk is accepted, until when and why, followed by the fix.
type OpenVEX struct{}

// openVEXNamespace prefixes the document @id, which is derived from the
// document's content so that the same result always gets the same @id.
const openVEXNamespace = "https://openvex.dev/docs/public/vulndesk-"

// Write implements Format.
func (OpenVEX) Write(w io.Writer, res *model.Result, opts Options) error {
	ts := opts.Now.UTC()
	doc := vex.VEX{
		Metadata: vex.Metadata{
			Context:   vex.ContextLocator(),
			Author:    opts.toolName(),
			Timestamp: &ts,
			Version:   1,
			Tooling:   strings.TrimSpace(opts.toolName() + " " + opts.ToolVersion),
		},
		Statements: []vex.Statement{},
	}
	seen := map[string]bool{}
	idParts := []string{strconv.FormatInt(ts.Unix(), 10), doc.Author}
	for i := range res.Findings {
		f := &res.Findings[i]
		st := vex.Statement{
			Vulnerability: vex.Vulnerability{
				Name:        vex.VulnerabilityID(f.ID),
				Description: f.Summary,
				Aliases:     vexAliases(f.Aliases),
			},
			Products:        []vex.Product{{Component: vex.Component{ID: productID(f.Component)}}},
			Status:          vex.StatusAffected,
			ActionStatement: vexAction(f),
		}
		key := f.ID + "\x00" + st.Products[0].ID + "\x00" + st.ActionStatement
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := st.Validate(); err != nil {
			return fmt.Errorf("openvex statement for %s: %w", f.ID, err)
		}
		doc.Statements = append(doc.Statements, st)
		idParts = append(idParts, key, strings.Join(f.Aliases, ","), f.Summary)
	}
	doc.ID = openVEXNamespace + shortHash(64, idParts...)
	return writeJSON(w, &doc)
}

func vexAliases(aliases []string) []vex.VulnerabilityID {
	if len(aliases) == 0 {
		return nil
	}
	out := make([]vex.VulnerabilityID, len(aliases))
	for i, a := range aliases {
		out[i] = vex.VulnerabilityID(a)
	}
	return out
}

// vexAction is the statement's action_statement: the fix, preceded for an
// ignored finding by the accepted risk.
func vexAction(f *model.Finding) string {
	fix := fixAction(f) + "."
	s := f.Suppressed
	if s == nil {
		return fix
	}
	var b strings.Builder
	b.WriteString("Risk accepted: ignored")
	if !s.Until.IsZero() {
		b.WriteString(" until " + day(s.Until))
	}
	if s.Reason != "" {
		b.WriteString(" (" + s.Reason + ")")
	}
	b.WriteString(". " + fix)
	return b.String()
}
