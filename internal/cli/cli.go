// Package cli implements the vulndesk command line: one file per
// subcommand, and the one table that maps errors to exit codes.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/ignore"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/osv"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/sbom"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Exit codes, as scripts and CI pipelines see them.
const (
	ExitOK       = 0 // done; nothing fails the gate
	ExitInternal = 1 // a bug or an environment failure
	ExitUsage    = 2 // bad flags or bad input (a malformed SBOM, advisory or ignore file)
	ExitInvalid  = 1 // securitytxt check: the file is invalid (its problems are printed)
	ExitFindings = 3 // findings fail --fail-on (or --fail-on-unknown), or components were not checked (--fail-on-unchecked)
)

// env is what a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"scan", "match SBOMs against advisories and report findings", runScan},
		{"db", "build or inspect a compiled advisory index (db build, db info)", runDB},
		{"versions", "compare versions the way matching does (versions compare)", runVersions},
		{"serve", "run the service: API, pages and background jobs (SQLite or PostgreSQL)", runServe},
		{"push", "upload an SBOM to a vulndesk server (for pipelines)", runPush},
		{"token", "API tokens: token create, list, revoke", runToken},
		{"user", "users: user create, password, disable, enable, list", runUser},
		{"audit", "the audit log: audit verify checks its hash chain", runAudit},
		{"securitytxt", "check a security.txt file or URL against RFC 9116 (securitytxt check)", runSecurityTxt},
		{"version", "print vulndesk's version", runVersion},
	}
}

// Main runs vulndesk with the given arguments and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return exitCode(stderr, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "vulndesk: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "vulndesk: vulnerability handling and disclosure\n\nUsage: vulndesk <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'vulndesk <command> -h' for a command's flags.")
}

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// flagError is the error of parsing a command's flags: flag.ErrHelp as it
// is, for -h and --help, which exit 0; any other a usage error.
func flagError(cmd string, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usagef("%s: %v", cmd, err)
}

// errFindings and errUnchecked say the gate failed; their message is
// already printed.
var (
	errFindings  = errors.New("findings fail --fail-on")
	errUnchecked = errors.New("components not checked (--fail-on-unchecked)")
)

// inputErrors are the sentinel errors that mean "the input is bad": exit 2.
var inputErrors = []error{
	sbom.ErrInvalid, sbom.ErrTooLarge, sbom.ErrUnknownFormat,
	osv.ErrInvalid, osv.ErrTooLarge, osv.ErrUnsupported,
	nvd.ErrInvalid, nvd.ErrTooLarge, nvd.ErrNotCVE,
	ignore.ErrInvalid, advisorydb.ErrIndex,
	// The access commands: a bad name, role or password, no such user or
	// token, a name taken.
	service.ErrInvalidInput, store.ErrNotFound, store.ErrConflict,
}

// exitCode prints err and maps it to an exit code: the one place that does.
// -h and --help are not mistakes: the flags were printed, exit 0. The
// message is made safe for a terminal: errors quote SBOMs and advisories,
// which may hold any bytes.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errFindings) || errors.Is(err, errUnchecked) {
		return ExitFindings
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if errors.Is(err, errSecurityTxtInvalid) {
		return ExitInvalid
	}
	fmt.Fprintln(stderr, "vulndesk: "+report.Printable(err.Error()))
	var u usageError
	if errors.As(err, &u) {
		return ExitUsage
	}
	for _, s := range inputErrors {
		if errors.Is(err, s) {
			return ExitUsage
		}
	}
	return ExitInternal
}

func runVersion(_ context.Context, e *env, _ []string) error {
	fmt.Fprintln(e.stdout, "vulndesk", Version())
	return nil
}

// Version is the module version the binary was built from, or "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments, and returns the positional ones; everything after
// "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
