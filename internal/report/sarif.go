package report

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/vulndesk/vulndesk/internal/model"
)

// SARIF writes a SARIF 2.1.0 log with one run: one rule per advisory ID and
// one result per finding, located in the SBOM the component came from.
//
// An ignored finding stays a result and carries a suppression of kind
// "external" (the ignore entry lives outside the scanned artifact), status
// "accepted", and the ignore reason and date as its justification, so that
// SARIF viewers show it as suppressed rather than dropping it.
type SARIF struct{}

// fingerprintKey names vulndesk's partial fingerprint; its version changes
// if the way it is computed ever does.
const fingerprintKey = "vulndesk/v1"

// securitySeverity maps a rating without a score to a representative
// GitHub "security-severity" (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0,
// low > 0).
var securitySeverity = map[model.Rating]string{
	model.RatingCritical: "9.5", model.RatingHigh: "8.0", model.RatingMedium: "5.5",
	model.RatingLow: "2.0", model.RatingNone: "0.0",
}

// sarifLevel is the result level of a rating: error for critical and
// high, warning for medium, note for low and none. An advisory that states
// no severity (most Go advisories) gets warning: it could be anything, and
// note would hide it among the harmless.
func sarifLevel(r model.Rating) string {
	switch r {
	case model.RatingCritical, model.RatingHigh:
		return sarif.LevelError
	case model.RatingMedium:
		return sarif.LevelWarning
	case model.RatingLow, model.RatingNone:
		return sarif.LevelNote
	}
	return sarif.LevelWarning
}

// Write implements Format.
func (SARIF) Write(w io.Writer, res *model.Result, opts Options) error {
	run := sarif.NewRunWithInformationURI(opts.toolName(), "https://github.com/vulndesk/vulndesk")
	if opts.ToolVersion != "" {
		run.Tool.Driver.WithVersion(opts.ToolVersion)
	}

	first := map[string]*model.Finding{}
	for i := range res.Findings {
		if f := &res.Findings[i]; first[f.ID] == nil {
			first[f.ID] = f
		}
	}
	ids := make([]string, 0, len(first))
	for id := range first {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		run.Tool.Driver.AddRule(sarifRule(res, first[id]))
	}

	for i := range res.Findings {
		run.AddResult(sarifResult(&res.Findings[i], index[res.Findings[i].ID]))
	}
	run.AddInvocation(sarifInvocation(res))

	return writeJSON(w, sarif.NewReport().AddRun(run))
}

func sarifRule(res *model.Result, f *model.Finding) *sarif.ReportingDescriptor {
	adv, ok := res.Advisories[f.ID]
	if !ok {
		adv = model.AdvisoryInfo{ID: f.ID, Aliases: f.Aliases, Summary: f.Summary}
	}
	summary := adv.Summary
	if summary == "" {
		summary = f.ID
	}
	sev := advisorySeverity(res, f)
	props := sarif.NewPropertyBag().WithTags([]string{"security", "vulnerability"})
	if sev.Score > 0 {
		props.Add("security-severity", strconv.FormatFloat(sev.Score, 'f', 1, 64))
	} else if s, ok := securitySeverity[rating(sev)]; ok {
		props.Add("security-severity", s)
	}
	props.Add("rating", string(rating(sev)))
	if sev.Vector != "" {
		props.Add("cvss-vector", sev.Vector)
	}
	if from := sev.Provenance(); from != "" {
		props.Add("severity-source", from)
	}
	text, markdown := sarifHelp(&adv, summary)
	return sarif.NewRule(f.ID).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(summary)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(firstNonEmpty(adv.Details, summary))).
		WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(markdown)).
		WithHelpURI(osvURL(f.ID)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(rating(sev)))).
		WithProperties(props)
}

// sarifHelp renders an advisory's details, aliases and references as plain
// text and as Markdown.
func sarifHelp(a *model.AdvisoryInfo, summary string) (text, markdown string) {
	var t, m strings.Builder
	fmt.Fprintf(&t, "%s: %s\n", a.ID, summary)
	fmt.Fprintf(&m, "**%s**: %s\n", a.ID, summary)
	if a.Details != "" {
		t.WriteString("\n" + a.Details + "\n")
		m.WriteString("\n" + a.Details + "\n")
	}
	if len(a.Aliases) > 0 {
		t.WriteString("\nAliases: " + strings.Join(a.Aliases, ", ") + "\n")
		m.WriteString("\nAliases: " + strings.Join(a.Aliases, ", ") + "\n")
	}
	t.WriteString("\nReferences:\n- " + osvURL(a.ID) + "\n")
	m.WriteString("\nReferences:\n- <" + osvURL(a.ID) + ">\n")
	for _, r := range a.References {
		t.WriteString("- " + r + "\n")
		m.WriteString("- <" + r + ">\n")
	}
	return t.String(), m.String()
}

func sarifResult(f *model.Finding, ruleIndex int) *sarif.Result {
	fix := "no fix known"
	if f.Fix != "" {
		fix = "fix: " + f.Fix
	}
	msg := fmt.Sprintf("%s is affected by %s (%s)", nameVersion(f.Component), f.ID, fix)

	loc := sarif.NewLocation().WithLogicalLocations([]*sarif.LogicalLocation{
		sarif.NewLogicalLocation().WithName(nameVersion(f.Component)).
			WithFullyQualifiedName(productID(f.Component)).WithKind("module"),
	})
	if f.Component.Source != "" {
		uri := (&url.URL{Path: f.Component.Source}).EscapedPath()
		loc.WithPhysicalLocation(sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri)))
	}

	props := sarif.NewPropertyBag()
	props.Add("purl", f.Component.PURL)
	props.Add("ecosystem", f.Component.Ecosystem)
	if len(f.Aliases) > 0 {
		props.Add("aliases", f.Aliases)
	}
	if f.Fix != "" {
		props.Add("fixed-version", f.Fix)
	}

	r := sarif.NewRuleResult(f.ID).WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(rating(f.Severity))).
		WithMessage(sarif.NewTextMessage(msg)).
		WithLocations([]*sarif.Location{loc}).
		WithPartialFingerprints(map[string]string{fingerprintKey: shortHash(32, productID(f.Component), f.ID)}).
		WithProperties(props)
	if s := f.Suppressed; s != nil {
		r.WithSuppressions([]*sarif.Suppression{
			sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(ignoredText(s)),
		})
	}
	return r
}

// sarifInvocation reports the components not checked, the file entries
// left out, the expired ignore entries and the notes as tool execution
// notifications.
func sarifInvocation(res *model.Result) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, u := range res.Unchecked {
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelWarning).
			WithMessage(sarif.NewTextMessage("not checked: " + UncheckedText(u))))
	}
	if n := filesLeftOut(res); n > 0 {
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelNote).
			WithMessage(sarif.NewTextMessage("left out: " + filesLeftOutText(n))))
	}
	for _, e := range res.ExpiredIgnores {
		msg := fmt.Sprintf("ignore entry for %s no longer applies since %s", e.ID, day(e.Until))
		if e.Reason != "" {
			msg += " (" + e.Reason + ")"
		}
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelWarning).WithMessage(sarif.NewTextMessage(msg)))
	}
	for _, n := range res.Notes {
		inv.AddToolExecutionNotification(sarif.NewNotification().WithLevel(sarif.LevelNote).WithMessage(sarif.NewTextMessage(n)))
	}
	return inv
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
