package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/store"
)

// openExisting opens the store of a server that has started before. With
// SQLite, a data directory without a database is refused: opening it
// would make a new, empty database that no server reads, and a token or
// user in it that the server does not know.
func (f *storeFlags) openExisting(ctx context.Context) (*store.Store, error) {
	if f.dbURL == "" {
		// vulndesk.db is the database file store.Open uses under a data
		// directory.
		if _, err := os.Stat(filepath.Join(f.dataDir, "vulndesk.db")); errors.Is(err, fs.ErrNotExist) {
			dir, _ := filepath.Abs(f.dataDir)
			return nil, usagef("no vulndesk database in %s: pass --data-dir with the server's data directory (or --database-url), or start the server (vulndesk serve) there first", dir)
		}
	}
	return f.open(ctx)
}

// runToken: vulndesk token create --name NAME --role ROLE.
func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: vulndesk token create --name NAME --role admin|analyst|uploader|auditor [--data-dir DIR | --database-url URL]")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.register(fs)
	name := fs.String("name", "", "what the token is for, e.g. ci-pipeline")
	role := fs.String("role", "uploader", "role: admin, analyst, uploader or auditor")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if *name == "" || len(*name) > 100 {
		return usagef("token create: --name is required (at most 100 characters)")
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return usageError{err.Error()}
	}
	st, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret := auth.NewToken(auth.APITokenPrefix)
	t, err := st.CreateToken(ctx, *name, auth.HashToken(secret), string(r), "cli")
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "token %d %q (role %s, scopes %v) created; it is shown once: only its hash is kept\n", t.ID, t.Name, t.Role, r.Perms().Scopes())
	return nil
}

// runUser: vulndesk user create --name NAME --role ROLE; the password is
// generated and printed, or read from VULNDESK_PASSWORD.
func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "password") {
		return usagef("usage: vulndesk user create --name NAME --role ROLE | vulndesk user password --name NAME  [--data-dir DIR | --database-url URL]")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.register(fs)
	name := fs.String("name", "", "user name")
	role := fs.String("role", "analyst", "role: admin, analyst, uploader or auditor")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if *name == "" {
		return usagef("user %s: --name is required", args[0])
	}
	pw := envOr("VULNDESK_PASSWORD", "")
	generated := pw == ""
	if generated {
		pw = auth.NewPassword()
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return usagef("VULNDESK_PASSWORD: %v", err)
	}
	st, err := sf.openExisting(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "password" {
		u, err := st.UserByName(ctx, *name)
		if err != nil {
			return fmt.Errorf("user %q: %w", *name, err)
		}
		if err := st.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
	} else {
		r, err := auth.ParseRole(*role)
		if err != nil {
			return usageError{err.Error()}
		}
		if _, err := st.CreateUser(ctx, *name, hash, string(r)); err != nil {
			return err
		}
	}
	if generated {
		fmt.Fprintf(e.stdout, "%s\n", pw)
		fmt.Fprintf(e.stderr, "password for %q shown once above\n", *name)
	}
	return nil
}
