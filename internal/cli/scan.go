package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/ignore"
	"github.com/vulndesk/vulndesk/internal/match"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/sbom"
)

const scanUsage = `Usage: vulndesk scan [flags] SBOM...

Matches the components of one or more SBOMs (CycloneDX 1.2-1.7 JSON/XML,
SPDX 2.2/2.3 JSON/tag-value) against OSV advisories and reports findings.

--db takes a compiled index (vulndesk db build), an OSV JSON file, a zip
(osv.dev's <Ecosystem>/all.zip), a directory of either, or an https URL;
repeat it to combine sources. Without --db, $VULNDESK_DB is used. NVD
records may be given the same way, alone or mixed with OSV: files of bare
CVE API 2.0 'cve' objects or whole CVE API response pages. A JSON file that
is neither OSV (an id and modified) nor NVD is refused, naming it.

A finding whose advisory states no severity (most Go advisories) takes the
rating of the NVD records of its CVE aliases: NVD's own analysis first, then
the CNA's, newest CVSS version. Reports say where each severity came from.
Findings of no known severity fail only with --fail-on-unknown. Components
whose ecosystem has no advisory in the database are reported as not checked,
and fail only with --fail-on-unchecked.

Exit codes: 0 nothing fails; 3 findings at or above --fail-on remain (or of
unknown severity, with --fail-on-unknown), or components were not checked
(with --fail-on-unchecked); 2 usage or input error; 1 internal error.

Flags:
`

// clock is the time written into reports; tests fix it.
var clock = time.Now

// ratings accepted by --fail-on, lowest first.
var failOnRatings = []model.Rating{model.RatingNone, model.RatingLow, model.RatingMedium, model.RatingHigh, model.RatingCritical}

func runScan(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var dbs multiFlag
	fs.Var(&dbs, "db", "advisory source: index file, OSV file, zip, directory or https URL; NVD CVE records (files or directories) rate the findings of advisories that state no severity (repeatable)")
	format := fs.String("format", "table", "output format: "+strings.Join(report.Names, ", "))
	failOn := fs.String("fail-on", "low", "exit 3 when a finding at or above this severity remains: none (never), low, medium, high, critical")
	failOnUnknown := fs.Bool("fail-on-unknown", false, "exit 3 also when a finding of unknown severity remains (its advisory states none and no NVD record rates its CVEs)")
	failOnUnchecked := fs.Bool("fail-on-unchecked", false, "exit 3 when components were not checked: the database has no advisory of their ecosystem")
	ignorePath := fs.String("ignore", "", "ignore file (YAML: ignore: [{id, reason, until}])")
	outPath := fs.String("output", "", "write the report to this file instead of stdout")
	maxSBOM := fs.Int64("max-sbom-bytes", sbom.DefaultMaxBytes, "refuse SBOM files larger than this")
	noProgress := fs.Bool("no-progress", false, "never draw a progress bar")
	fs.Usage = func() { fmt.Fprint(e.stderr, scanUsage); fs.PrintDefaults() }
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError("scan", err)
	}
	if len(paths) == 0 {
		return usagef("scan: no SBOM given (vulndesk scan [flags] SBOM...)")
	}
	gate := model.Gate{Threshold: model.Rating(strings.ToLower(*failOn)), Unknown: *failOnUnknown}
	if !slices.Contains(failOnRatings, gate.Threshold) {
		return usagef("scan: --fail-on %q: want none, low, medium, high or critical", *failOn)
	}
	out, err := report.ByName(*format)
	if err != nil {
		return usagef("scan: --format: %v", err)
	}
	if len(dbs) == 0 {
		if env := os.Getenv("VULNDESK_DB"); env != "" {
			dbs = multiFlag{env}
		} else {
			return usagef("scan: no advisory database: give --db (an index from 'vulndesk db build', an OSV zip, directory or file) or set VULNDESK_DB")
		}
	}
	var ign *ignore.File
	if *ignorePath != "" {
		if ign, err = ignore.Read(*ignorePath); err != nil {
			return err
		}
	}

	res := &model.Result{}
	var comps []model.Component
	for _, p := range paths {
		doc, err := sbom.Read(p, sbom.Options{MaxBytes: *maxSBOM})
		if err != nil {
			return err
		}
		comps = append(comps, doc.Components...)
		res.SBOMs = append(res.SBOMs, doc)
	}

	db, cves, closeDB, err := openDB(ctx, dbs, newProgress(e.stderr, !*noProgress))
	if err != nil {
		return err
	}
	defer closeDB()

	outcome, err := match.Match(ctx, db, comps)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	res.Findings, res.Unmatched, res.Notes, res.Advisories = outcome.Findings, outcome.Unmatched, outcome.Notes, outcome.Advisories
	cves.rate(res) // before the gate, which then sees the NVD ratings
	res.Unchecked = match.Unchecked(comps, db.Stats().Ecosystems)
	now := clock().UTC()
	if ign != nil {
		res.ExpiredIgnores = ign.Apply(res.Findings, now)
		for _, x := range res.ExpiredIgnores {
			warnf(e, "ignore entry %s expired on %s and no longer applies (reason was: %s)", x.ID, x.Until.Format("2006-01-02"), x.Reason)
		}
	}
	// Said on stderr too where the report is not a table on stdout:
	// OpenVEX has no place for it, and CI logs show stderr.
	if _, table := out.(report.Table); !table || *outPath != "" {
		for _, u := range res.Unchecked {
			warnf(e, "not checked: %s", report.UncheckedText(u))
		}
	}

	if err := writeReport(e, *outPath, out, res, report.Options{
		ToolName: "vulndesk", ToolVersion: Version(), Now: now, Gate: gate,
		Color: *outPath == "" && isTerminal(e.stdout),
	}); err != nil {
		return err
	}
	if n := failing(res.Findings, gate); n > 0 {
		warnf(e, "%d finding(s) fail %s", n, gateFlags(gate))
		return errFindings
	}
	if n := uncheckedCount(res.Unchecked); n > 0 && *failOnUnchecked {
		warnf(e, "%d component(s) not checked (--fail-on-unchecked)", n)
		return errUnchecked
	}
	return nil
}

// failing counts the active findings that fail the gate.
func failing(fs []model.Finding, gate model.Gate) int {
	n := 0
	for i := range fs {
		if fs[i].Suppressed == nil && gate.Fails(fs[i].Severity.Rating) {
			n++
		}
	}
	return n
}

// gateFlags names the flags that make findings fail.
func gateFlags(g model.Gate) string {
	s := "--fail-on " + string(g.Threshold)
	if g.Unknown {
		s += " or --fail-on-unknown"
	}
	return s
}

func uncheckedCount(us []model.Unchecked) int {
	n := 0
	for _, u := range us {
		n += u.Components
	}
	return n
}

// warnf writes a message on stderr, with what came from SBOMs, advisories
// or the ignore file made safe for a terminal.
func warnf(e *env, format string, a ...any) {
	fmt.Fprintln(e.stderr, "vulndesk: "+report.Printable(fmt.Sprintf(format, a...)))
}

func writeReport(e *env, path string, f report.Format, res *model.Result, opts report.Options) error {
	if path == "" {
		return f.Write(e.stdout, res, opts)
	}
	tmp, err := os.CreateTemp(dirOf(path), ".vulndesk-report-*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := f.Write(tmp, res, opts); err != nil {
		tmp.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
