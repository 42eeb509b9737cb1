package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// openExisting opens the store of a server that has started before. With
// SQLite, a data directory without a database is refused: opening it
// would make a new, empty database that no server reads, and a token or
// user in it that the server does not know.
func (f *storeFlags) openExisting(ctx context.Context) (*store.Store, error) {
	if f.DatabaseURL == "" {
		// vulndesk.db is the database file store.Open uses under a data
		// directory.
		if _, err := os.Stat(filepath.Join(f.DataDir, "vulndesk.db")); errors.Is(err, fs.ErrNotExist) {
			dir, _ := filepath.Abs(f.DataDir)
			return nil, usagef("no vulndesk database in %s: pass --data-dir with the server's data directory (or --database-url), or start the server (vulndesk serve) there first", dir)
		}
	}
	return f.open(ctx)
}

// accessCmd is one `vulndesk token|user <verb>` command: its flags and
// what it does with the service of an existing database.
type accessCmd struct {
	verb, usage string
	flags       func(fs *flag.FlagSet) func(ctx context.Context, e *env, svc *service.Service) error
}

// runAccess parses `<noun> <verb> [flags]` and runs the verb against the
// server's database (the same use cases the API runs).
func runAccess(ctx context.Context, e *env, noun string, args []string, cmds []accessCmd) error {
	usage := func() error {
		var b strings.Builder
		fmt.Fprintf(&b, "usage:")
		for _, c := range cmds {
			fmt.Fprintf(&b, "\n  vulndesk %s %s %s", noun, c.verb, c.usage)
		}
		b.WriteString("\n(every one takes --data-dir DIR or --database-url URL, as serve does)")
		return usageError{b.String()}
	}
	if len(args) == 0 {
		return usage()
	}
	for _, c := range cmds {
		if c.verb != args[0] {
			continue
		}
		fs := flag.NewFlagSet(noun+" "+c.verb, flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		var sf storeFlags
		sf.register(fs)
		run := c.flags(fs)
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		if fs.NArg() > 0 {
			return usagef("%s %s: unexpected argument %q", noun, c.verb, fs.Arg(0))
		}
		st, err := sf.openExisting(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		return run(ctx, e, service.New(st, slog.New(slog.DiscardHandler)))
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, usage())
		return flag.ErrHelp
	}
	return usage()
}

// runToken: vulndesk token create|list|revoke.
func runToken(ctx context.Context, e *env, args []string) error {
	return runAccess(ctx, e, "token", args, []accessCmd{
		{"create", "--name NAME --role ROLE [--asset NAME-OR-GLOB]... [--asset-tag TAG]... [--create-assets]",
			func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
				name := fs.String("name", "", "what the token is for, e.g. ci-pipeline")
				role := fs.String("role", "uploader", "role: admin, analyst, uploader or auditor")
				var assets, tags multiFlag
				fs.Var(&assets, "asset", "an uploader token may upload only to this asset (a name or a glob such as billing-*; repeatable)")
				fs.Var(&tags, "asset-tag", "an uploader token may upload to assets with this tag (repeatable)")
				create := fs.Bool("create-assets", false, "an uploader token may create the assets it uploads to (within --asset)")
				return func(ctx context.Context, e *env, svc *service.Service) error {
					t, secret, err := svc.CreateToken(ctx, service.NewToken{Name: *name, Role: *role, AssetNames: assets,
						AssetTags: tags, CreateAssets: *create}, "cli")
					if err != nil {
						return err
					}
					fmt.Fprintln(e.stdout, secret)
					fmt.Fprintf(e.stderr, "token %d %s (role %s, scopes %v%s) created; it is shown once: only its hash is kept\n",
						t.ID, strconv.Quote(t.Name), t.Role, auth.Role(t.Role).Perms().Scopes(), tokenScope(t))
					return nil
				}
			}},
		{"list", "", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			return func(ctx context.Context, e *env, svc *service.Service) error {
				ts, err := svc.Store.Tokens(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPE\tCREATED\tLAST USED\tREVOKED")
				for _, t := range ts {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, report.Printable(t.Name), t.Role,
						strings.TrimPrefix(tokenScope(t), "; "), day(t.CreatedAt), day(t.LastUsedAt), day(t.RevokedAt))
				}
				return tw.Flush()
			}
		}},
		{"revoke", "--id ID", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			id := fs.Int64("id", 0, "the token's ID (vulndesk token list)")
			return func(ctx context.Context, e *env, svc *service.Service) error {
				if *id <= 0 {
					return usagef("token revoke: --id is required")
				}
				if err := svc.RevokeToken(ctx, *id, "cli"); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "token %d revoked\n", *id)
				return nil
			}
		}},
	})
}

// tokenScope describes an uploader token's limits, or "" for none.
func tokenScope(t model.Token) string {
	if t.Role != string(auth.RoleUploader) {
		return ""
	}
	var parts []string
	if len(t.AssetNames) > 0 {
		parts = append(parts, "assets "+report.Printable(strings.Join(t.AssetNames, ",")))
	}
	if len(t.AssetTags) > 0 {
		parts = append(parts, "tags "+report.Printable(strings.Join(t.AssetTags, ",")))
	}
	if len(parts) == 0 {
		parts = append(parts, "every asset")
	}
	if t.CreateAssets {
		parts = append(parts, "may create assets")
	}
	return "; " + strings.Join(parts, ", ")
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// runUser: vulndesk user create|password|disable|enable|list.
func runUser(ctx context.Context, e *env, args []string) error {
	byName := func(verb string, fs *flag.FlagSet, then func(ctx context.Context, e *env, svc *service.Service, u model.User) error) func(context.Context, *env, *service.Service) error {
		name := fs.String("name", "", "user name")
		return func(ctx context.Context, e *env, svc *service.Service) error {
			if *name == "" {
				return usagef("user %s: --name is required", verb)
			}
			u, err := svc.UserByName(ctx, *name)
			if err != nil {
				return err
			}
			return then(ctx, e, svc, u)
		}
	}
	setDisabled := func(verb string, disabled bool) accessCmd {
		return accessCmd{verb, "--name NAME", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			return byName(verb, fs, func(ctx context.Context, e *env, svc *service.Service, u model.User) error {
				u, err := svc.UpdateUser(ctx, u.ID, service.UserChange{Disabled: &disabled}, 0, "cli")
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "user %s %sd; their sessions were ended\n", strconv.Quote(u.Username), verb)
				return nil
			})
		}}
	}
	return runAccess(ctx, e, "user", args, []accessCmd{
		{"create", "--name NAME --role ROLE [--password-stdin]", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			name := fs.String("name", "", "user name")
			role := fs.String("role", "analyst", "role: admin, analyst, uploader or auditor")
			stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else VULNDESK_PASSWORD, else one is generated)")
			return func(ctx context.Context, e *env, svc *service.Service) error {
				pw, err := chosenPassword(e, *stdin)
				if err != nil {
					return err
				}
				_, generated, err := svc.CreateUser(ctx, service.NewUser{Name: *name, Role: *role, Password: pw}, "cli")
				if err != nil {
					return err
				}
				return showPassword(e, *name, generated)
			}
		}},
		{"password", "--name NAME [--password-stdin]", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			stdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input (else VULNDESK_PASSWORD, else one is generated)")
			return byName("password", fs, func(ctx context.Context, e *env, svc *service.Service, u model.User) error {
				pw, err := chosenPassword(e, *stdin)
				if err != nil {
					return err
				}
				generated, err := svc.SetPassword(ctx, u.ID, pw, "cli")
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "password of %s set; their sessions were ended\n", strconv.Quote(u.Username))
				return showPassword(e, u.Username, generated)
			})
		}},
		setDisabled("disable", true),
		setDisabled("enable", false),
		{"list", "", func(fs *flag.FlagSet) func(context.Context, *env, *service.Service) error {
			return func(ctx context.Context, e *env, svc *service.Service) error {
				us, err := svc.Store.Users(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tDISABLED\tCREATED")
				for _, u := range us {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\n", u.ID, report.Printable(u.Username), u.Role, u.Disabled, day(u.CreatedAt))
				}
				return tw.Flush()
			}
		}},
	})
}

// chosenPassword is the password the caller chose: the first line of
// standard input with --password-stdin, else VULNDESK_PASSWORD, else ""
// (generate one).
func chosenPassword(e *env, fromStdin bool) (string, error) {
	if !fromStdin {
		return os.Getenv("VULNDESK_PASSWORD"), nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: standard input has no password")
	}
	return line, nil
}

// showPassword prints a generated password, once.
func showPassword(e *env, name, generated string) error {
	if generated != "" {
		fmt.Fprintln(e.stdout, generated)
		fmt.Fprintf(e.stderr, "password for %s shown once above\n", strconv.Quote(name))
	}
	return nil
}
