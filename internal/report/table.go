package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Table writes a human-readable report for a terminal: one line per finding
// (most severe first) with the evidence under it, then the ignored
// findings, expired ignore entries, unmatched components, notes and a
// summary line.
type Table struct{}

// maxExamples bounds the components listed per unmatched reason.
const maxExamples = 10

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var ratingColor = map[model.Rating]string{
	model.RatingCritical: "\x1b[1;31m", model.RatingHigh: "\x1b[31m",
	model.RatingMedium: "\x1b[33m", model.RatingLow: "\x1b[36m",
}

// Write implements Format.
func (Table) Write(w io.Writer, res *model.Result, opts Options) error {
	t := &tableWriter{opts: opts, sboms: sbomLabels(res.SBOMs)}
	var active, ignored []*model.Finding
	for i := range res.Findings {
		if f := &res.Findings[i]; f.Suppressed != nil {
			ignored = append(ignored, f)
		} else {
			active = append(active, f)
		}
	}
	sortBySeverity(active)
	sortBySeverity(ignored)

	s := summarize(res)
	switch {
	case len(active) > 0:
		t.findings(active)
	case s.Unchecked > 0:
		t.line(fmt.Sprintf("No vulnerabilities found, but %s not checked (see below).", plural(s.Unchecked, "component was", "components were")))
	default:
		t.line("No vulnerabilities found.")
	}
	if len(ignored) > 0 {
		t.heading("Ignored findings (%d):", len(ignored))
		t.ignored(ignored)
	}
	if n := len(res.ExpiredIgnores); n > 0 {
		t.heading("Expired ignore entries (%d):", n)
		for _, e := range res.ExpiredIgnores {
			s := "  " + Printable(e.ID) + ": no longer applies since " + day(e.Until)
			if e.Reason != "" {
				s += " (" + Printable(e.Reason) + ")"
			}
			t.line(s)
		}
	}
	if len(res.Unchecked) > 0 {
		t.heading("Not checked (%d):", s.Unchecked)
		for _, u := range res.Unchecked {
			t.line("  " + Printable(UncheckedText(u)))
		}
	}
	if len(res.Unmatched) > 0 {
		t.heading("Unmatched components (%d):", len(res.Unmatched))
		t.unmatched(res.Unmatched)
	}
	if s.FilesLeftOut > 0 {
		t.heading("Left out:")
		t.line("  " + filesLeftOutText(s.FilesLeftOut))
	}
	if len(res.Notes) > 0 {
		t.heading("Notes:")
		for _, n := range res.Notes {
			t.line("  - " + Printable(n))
		}
	}
	t.line("")
	t.line(summaryLine(s))
	_, err := w.Write(t.buf.Bytes())
	return err
}

type tableWriter struct {
	opts  Options
	sboms map[string]string // SBOM path → its label; nil for one SBOM
	buf   bytes.Buffer
}

func (t *tableWriter) line(s string) { t.buf.WriteString(s + "\n") }

func (t *tableWriter) paint(color, s string) string {
	if !t.opts.Color || color == "" {
		return s
	}
	return color + s + ansiReset
}

func (t *tableWriter) heading(format string, args ...any) {
	t.line("")
	t.line(t.paint(ansiBold, fmt.Sprintf(format, args...)))
}

// columns aligns rows of tab-separated cells with text/tabwriter and
// returns the aligned lines.
func columns(rows []string) []string {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	tw.Flush()
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// findings writes the main table: one row per finding, with the
// advisory's title, where its severity comes from and the first evidence
// under it. Those lines are added
// after alignment, so that they neither widen nor split the columns, and
// colours are added after alignment too, so that escape codes do not count
// as width. The SBOM column is there when several SBOMs were scanned.
func (t *tableWriter) findings(fs []*model.Finding) {
	gate := t.opts.Gate.On()
	head := "SEVERITY\tID\tCVE\tPACKAGE\tFIX\tECOSYSTEM"
	if t.sboms != nil {
		head += "\tSBOM"
	}
	rows := []string{head}
	labels := []string{"SEVERITY"}
	for _, f := range fs {
		label := severityLabel(f.Severity)
		row := label + "\t" + Printable(f.ID) + "\t" + cveLabel(f) + "\t" + Printable(nameVersion(f.Component)) + "\t" +
			fixLabel(f) + "\t" + Printable(f.Component.Ecosystem)
		if t.sboms != nil {
			row += "\t" + t.sboms[f.Component.Source]
		}
		rows = append(rows, row)
		labels = append(labels, label)
	}
	for i, l := range columns(rows) {
		mark := ""
		if gate {
			mark = "  "
			if i > 0 && t.opts.Gate.Fails(rating(fs[i-1].Severity)) {
				mark = "! "
			}
		}
		color := ansiBold
		if i > 0 {
			color = ratingColor[rating(fs[i-1].Severity)]
		}
		n := len(labels[i])
		t.line(strings.TrimRight(mark+t.paint(color, l[:n])+l[n:], " "))
		if i == 0 {
			continue
		}
		if title := titleLine(fs[i-1]); title != "" {
			t.line("    " + title)
		}
		if from := severitySourceLine(fs[i-1]); from != "" {
			t.line(t.paint(ansiDim, "    "+from))
		}
		if why := whyLine(fs[i-1]); why != "" {
			t.line(t.paint(ansiDim, "    ↳ "+why))
		}
	}
	if gate {
		t.line("")
		t.line("! = fails " + gateText(t.opts.Gate))
	}
}

// gateText says what fails the gate, for the table's legend.
func gateText(g model.Gate) string {
	var parts []string
	if g.Threshold != "" && g.Threshold != model.RatingNone {
		parts = append(parts, "--fail-on "+string(g.Threshold)+" (at or above it)")
	}
	if g.Unknown {
		parts = append(parts, "--fail-on-unknown (no severity stated)")
	}
	return strings.Join(parts, " or ")
}

func (t *tableWriter) ignored(fs []*model.Finding) {
	var rows []string
	for _, f := range fs {
		row := "  " + severityLabel(f.Severity) + "\t" + Printable(f.ID) + "\t" + cveLabel(f) + "\t" +
			Printable(nameVersion(f.Component)) + "\t" + Printable(strings.TrimPrefix(ignoredText(f.Suppressed), "Ignored "))
		rows = append(rows, row)
	}
	for _, l := range columns(rows) {
		t.line(l)
	}
}

// unmatched groups the components by reason (largest group first) and
// lists up to maxExamples of each.
func (t *tableWriter) unmatched(cs []model.Component) {
	groups := map[string][]string{}
	for i := range cs {
		reason := cs[i].Unmatchable
		if reason == "" {
			reason = "unknown reason"
		}
		groups[reason] = append(groups[reason], Printable(productID(&cs[i])))
	}
	reasons := make([]string, 0, len(groups))
	for r := range groups {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := len(groups[reasons[i]]), len(groups[reasons[j]])
		return a > b || a == b && reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		ex := groups[r]
		s := fmt.Sprintf("  %s (%d): ", Printable(r), len(ex))
		if len(ex) > maxExamples {
			s += strings.Join(ex[:maxExamples], ", ") + fmt.Sprintf(", … (+%d more)", len(ex)-maxExamples)
		} else {
			s += strings.Join(ex, ", ")
		}
		t.line(s)
	}
}

// sortBySeverity orders findings by rating and score (highest first), then
// package, version and ID.
func sortBySeverity(fs []*model.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := rating(a.Severity).Rank(), rating(b.Severity).Rank(); ra != rb {
			return ra > rb
		}
		if a.Severity.Score != b.Severity.Score {
			return a.Severity.Score > b.Severity.Score
		}
		if pa, pb := pkgName(a.Component), pkgName(b.Component); pa != pb {
			return pa < pb
		}
		if a.Component.Version != b.Component.Version {
			return a.Component.Version < b.Component.Version
		}
		return a.ID < b.ID
	})
}
