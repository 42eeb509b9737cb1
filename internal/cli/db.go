package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/osv"
)

const dbUsage = `Usage:
  vulndesk db build --out FILE SOURCE...   compile OSV sources into an index file
  vulndesk db info FILE                    describe an index file

A SOURCE is an OSV JSON file, a zip (osv.dev's <Ecosystem>/all.zip), a
directory of either (such as a folder of <Ecosystem>/all.zip), or an https
URL. 'vulndesk scan --db FILE' then opens the index in milliseconds instead of
reading every advisory. The file is replaced atomically. An index holds OSV
advisories only: NVD records go to scan beside it ('scan --db FILE --db
NVD-DIR'), and a build refuses them.
`

func runDB(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, dbUsage)
		return usagef("db: want 'build' or 'info'")
	}
	switch args[0] {
	case "build":
		return runDBBuild(ctx, e, args[1:])
	case "info":
		return runDBInfo(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stderr, dbUsage)
		return nil
	}
	fmt.Fprint(e.stderr, dbUsage)
	return usagef("db: unknown subcommand %q", args[0])
}

func runDBBuild(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("db build", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("out", "", "index file to write")
	noProgress := fs.Bool("no-progress", false, "never draw a progress bar")
	fs.Usage = func() { fmt.Fprint(e.stderr, dbUsage); fs.PrintDefaults() }
	srcs, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError("db build", err)
	}
	if *out == "" || len(srcs) == 0 {
		return usagef("db build: want --out FILE and at least one SOURCE")
	}
	start := time.Now()
	mem, err := loadOSV(ctx, srcs, newProgress(e.stderr, !*noProgress), nil)
	if err != nil {
		return err
	}
	if err := advisorydb.Build(*out, mem, time.Now()); err != nil {
		return err
	}
	st := mem.Stats()
	info, _ := os.Stat(*out)
	fmt.Fprintf(e.stderr, "vulndesk: wrote %s: %d advisories (%d withdrawn skipped), %d package entries, %d bytes, in %s\n",
		*out, st.Advisories, st.Withdrawn, st.Records, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

func runDBInfo(e *env, args []string) error {
	if len(args) != 1 {
		return usagef("db info: want one index FILE")
	}
	ix, err := advisorydb.Open(args[0])
	if err != nil {
		return err
	}
	defer ix.Close()
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(ix.Meta())
}

// loadOSV reads OSV sources into memory, with a progress bar. other gets
// each JSON document that is no OSV (osv.Options.Other); nil refuses them.
func loadOSV(ctx context.Context, srcs []string, p *progress, other func(name string, data []byte) error) (*advisorydb.Memory, error) {
	defer p.done()
	if other == nil {
		other = refuseNVD
	}
	return advisorydb.Load(ctx, srcs, osv.Options{Progress: p.update, Other: other})
}

// refuseNVD refuses a document that is no OSV for db build, saying where
// NVD records go instead; any other is refused as OSV refuses it.
func refuseNVD(name string, data []byte) error {
	if kind, _, err := nvd.Sniff(data, nvd.Limits{}); err == nil && kind != nvd.KindOther {
		return fmt.Errorf("%s: %w: %w: an NVD CVE record; an index holds OSV advisories only: give NVD records to 'vulndesk scan --db' beside the index", name, osv.ErrInvalid, osv.ErrNotOSV)
	}
	_, err := osv.Decode(name, data)
	return err
}

// openDB opens what --db names: index files as they are, all OSV sources
// loaded together into memory (so a record present twice counts once), and
// the NVD records found among them (scan rates findings with them).
func openDB(ctx context.Context, srcs []string, p *progress) (advisorydb.DB, *nvdRecords, func(), error) {
	var dbs advisorydb.Multi
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	cves := newNVDRecords(nvd.Limits{})
	var osvSrcs []string
	for _, s := range srcs {
		if !advisorydb.IsIndex(s) {
			osvSrcs = append(osvSrcs, s)
			continue
		}
		ix, err := advisorydb.Open(s)
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		closers = append(closers, ix.Close)
		dbs = append(dbs, ix)
	}
	if len(osvSrcs) > 0 {
		mem, err := loadOSV(ctx, osvSrcs, p, cves.add)
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		dbs = append(dbs, mem)
	}
	return dbs, cves, closeAll, nil
}
