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
repeat it to combine sources. Without --db, $VULNDESK_DB is used.

Exit codes: 0 no finding at or above --fail-on; 3 findings at or above it;
2 usage or input error; 1 internal error.

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
	fs.Var(&dbs, "db", "advisory source: index file, OSV file, zip, directory or https URL (repeatable)")
	format := fs.String("format", "table", "output format: "+strings.Join(report.Names, ", "))
	failOn := fs.String("fail-on", "low", "exit 3 when a finding at or above this severity remains: none (never), low, medium, high, critical")
	ignorePath := fs.String("ignore", "", "ignore file (YAML: ignore: [{id, reason, until}])")
	outPath := fs.String("output", "", "write the report to this file instead of stdout")
	maxSBOM := fs.Int64("max-sbom-bytes", sbom.DefaultMaxBytes, "refuse SBOM files larger than this")
	noProgress := fs.Bool("no-progress", false, "never draw a progress bar")
	fs.Usage = func() { fmt.Fprint(e.stderr, scanUsage); fs.PrintDefaults() }
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("scan: %v", err)
	}
	if len(paths) == 0 {
		return usagef("scan: no SBOM given (vulndesk scan [flags] SBOM...)")
	}
	threshold := model.Rating(strings.ToLower(*failOn))
	if !slices.Contains(failOnRatings, threshold) {
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

	db, closeDB, err := openDB(ctx, dbs, newProgress(e.stderr, !*noProgress))
	if err != nil {
		return err
	}
	defer closeDB()

	outcome, err := match.Match(ctx, db, comps)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	res.Findings, res.Unmatched, res.Notes, res.Advisories = outcome.Findings, outcome.Unmatched, outcome.Notes, outcome.Advisories
	now := clock().UTC()
	if ign != nil {
		res.ExpiredIgnores = ign.Apply(res.Findings, now)
		for _, x := range res.ExpiredIgnores {
			fmt.Fprintf(e.stderr, "vulndesk: ignore entry %s expired on %s and no longer applies (reason was: %s)\n", x.ID, x.Until.Format("2006-01-02"), x.Reason)
		}
	}

	if err := writeReport(e, *outPath, out, res, report.Options{
		ToolName: "vulndesk", ToolVersion: Version(), Now: now, FailOn: threshold,
		Color: *outPath == "" && isTerminal(e.stdout),
	}); err != nil {
		return err
	}
	if n := gate(res.Findings, threshold); n > 0 {
		fmt.Fprintf(e.stderr, "vulndesk: %d finding(s) at or above --fail-on %s\n", n, threshold)
		return errFindings
	}
	return nil
}

// gate counts the active findings that fail the threshold.
func gate(fs []model.Finding, threshold model.Rating) int {
	n := 0
	for i := range fs {
		if fs[i].Suppressed == nil && fs[i].Severity.Rating.Fails(threshold) {
			n++
		}
	}
	return n
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
