package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
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
	t := &tableWriter{opts: opts}
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

	if len(active) == 0 {
		t.line("No vulnerabilities found.")
	} else {
		t.findings(active)
	}
	if len(ignored) > 0 {
		t.heading("Ignored findings (%d):", len(ignored))
		t.ignored(ignored)
	}
	if n := len(res.ExpiredIgnores); n > 0 {
		t.heading("Expired ignore entries (%d):", n)
		for _, e := range res.ExpiredIgnores {
			s := "  " + clean(e.ID) + ": no longer applies since " + day(e.Until)
			if e.Reason != "" {
				s += " (" + clean(e.Reason) + ")"
			}
			t.line(s)
		}
	}
	if len(res.Unmatched) > 0 {
		t.heading("Unmatched components (%d):", len(res.Unmatched))
		t.unmatched(res.Unmatched)
	}
	if len(res.Notes) > 0 {
		t.heading("Notes:")
		for _, n := range res.Notes {
			t.line("  - " + clean(n))
		}
	}
	t.line("")
	t.line(summaryLine(res))
	_, err := w.Write(t.buf.Bytes())
	return err
}

type tableWriter struct {
	opts Options
	buf  bytes.Buffer
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

// findings writes the main table. The evidence lines are added after
// alignment, so that they neither widen nor split the columns, and colours
// are added after alignment too, so that escape codes do not count as width.
func (t *tableWriter) findings(fs []*model.Finding) {
	gate := t.opts.FailOn != "" && t.opts.FailOn != model.RatingNone
	rows := []string{"SEVERITY\tID\tPACKAGE\tFIX\tECOSYSTEM"}
	labels := []string{"SEVERITY"}
	for _, f := range fs {
		label := severityLabel(f.Severity)
		fix := "no fix"
		if f.Fix != "" {
			fix = clean(f.Fix)
		}
		rows = append(rows, label+"\t"+idLabel(f)+"\t"+clean(nameVersion(f.Component))+"\t"+fix+"\t"+clean(f.Component.Ecosystem))
		labels = append(labels, label)
	}
	for i, l := range columns(rows) {
		mark := ""
		if gate {
			mark = "  "
			if i > 0 && fs[i-1].Severity.Rating.Fails(t.opts.FailOn) {
				mark = "! "
			}
		}
		color := ansiBold
		if i > 0 {
			color = ratingColor[rating(fs[i-1].Severity)]
		}
		n := len(labels[i])
		t.line(strings.TrimRight(mark+t.paint(color, l[:n])+l[n:], " "))
		if i > 0 {
			if why := whyLine(fs[i-1]); why != "" {
				t.line(t.paint(ansiDim, "    ↳ "+why))
			}
		}
	}
	if gate {
		t.line("")
		t.line("! = fails --fail-on " + string(t.opts.FailOn) + " (at or above it, or of unknown severity)")
	}
}

func (t *tableWriter) ignored(fs []*model.Finding) {
	var rows []string
	for _, f := range fs {
		rows = append(rows, "  "+severityLabel(f.Severity)+"\t"+idLabel(f)+"\t"+clean(nameVersion(f.Component))+"\t"+clean(strings.TrimPrefix(ignoredText(f.Suppressed), "Ignored ")))
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
		groups[reason] = append(groups[reason], clean(productID(&cs[i])))
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
		s := fmt.Sprintf("  %s (%d): ", clean(r), len(ex))
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

// severityLabel is "CRITICAL 9.8", or just the rating without a score.
func severityLabel(s model.Severity) string {
	l := strings.ToUpper(clean(string(rating(s))))
	if s.Score > 0 {
		l += " " + strconv.FormatFloat(s.Score, 'f', 1, 64)
	}
	return l
}

// idLabel is the ID with the number of aliases, "GHSA-xxxx (+2)".
func idLabel(f *model.Finding) string {
	if len(f.Aliases) == 0 {
		return clean(f.ID)
	}
	return fmt.Sprintf("%s (+%d)", clean(f.ID), len(f.Aliases))
}

// whyLine is the first evidence's reason, its advisory and how many more
// entries matched.
func whyLine(f *model.Finding) string {
	if len(f.Evidence) == 0 {
		return ""
	}
	e := f.Evidence[0]
	s := clean(e.Reason) + " (" + clean(e.Advisory) + ")"
	if n := len(f.Evidence) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return s
}

// summaryLine is "N findings (C critical, …) in K components of S SBOMs;
// I ignored; X unmatched".
func summaryLine(res *model.Result) string {
	s := summarize(res)
	r := s.ByRating
	counts := fmt.Sprintf("%d critical, %d high, %d medium, %d low, %d unknown", r.Critical, r.High, r.Medium, r.Low, r.Unknown)
	if r.None > 0 {
		counts += fmt.Sprintf(", %d none", r.None)
	}
	line := fmt.Sprintf("%s (%s) in %s of %s", plural(s.Findings, "finding"), counts,
		plural(s.Components, "component"), plural(s.SBOMs, "SBOM"))
	if s.Suppressed > 0 {
		line += fmt.Sprintf("; %d ignored", s.Suppressed)
	}
	return line + fmt.Sprintf("; %d unmatched", s.Unmatched)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// clean replaces control characters, which could drive the terminal, in
// text that comes from SBOMs and advisories.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return '�'
		}
		return r
	}, s)
}
