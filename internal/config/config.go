// Package config reads the settings of `vulndesk serve` from its flags and
// the environment, and checks them before anything starts. The flag and
// variable names and their defaults are a contract with every deployment:
// they do not change.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"runtime/debug"
	"strconv"
	"time"
)

// Defaults that are not derived from the environment.
const (
	DefaultDataDir = "vulndesk-data"
	DefaultAddr    = "127.0.0.1:8080"
	// DefaultMaxUpload is the largest request body (an SBOM upload).
	DefaultMaxUpload = 256 << 20
	// DefaultUploadBudget is one upload of the default largest size at once
	// (server.DefaultUploadBudget; a test in cli keeps them equal).
	DefaultUploadBudget = 256 << 20
	// defaultMemoryLimit: see MemoryLimit.
	defaultMemoryLimit = 640 << 20
)

// Storage says where the data lives. Every command that opens the store
// reads it, with the same flags as serve.
type Storage struct {
	DataDir     string // --data-dir, VULNDESK_DATA_DIR: the SQLite database, downloads, temporary files
	DatabaseURL string // --database-url, VULNDESK_DATABASE_URL: PostgreSQL instead of SQLite
}

// Register adds --data-dir and --database-url to fs, their defaults read
// from env.
func (s *Storage) Register(fs *flag.FlagSet, env func(string) string) {
	fs.StringVar(&s.DataDir, "data-dir", envOr(env, "VULNDESK_DATA_DIR", DefaultDataDir), "directory for the SQLite database and downloads (env VULNDESK_DATA_DIR)")
	fs.StringVar(&s.DatabaseURL, "database-url", env("VULNDESK_DATABASE_URL"), "PostgreSQL URL instead of SQLite, postgres://user@host:5432/db (env VULNDESK_DATABASE_URL)")
}

// Config is everything `vulndesk serve` is told.
type Config struct {
	Storage
	Addr  string // --addr, VULNDESK_ADDR: where to listen
	Empty bool   // --empty: on first start, no example asset and advisories

	Workers  int           // --workers: background jobs at once; 0 is the engine's default (2 on SQLite, 4 on PostgreSQL)
	JobLease time.Duration // --job-lease: how long a claimed job is held without renewal
	Poll     time.Duration // --poll: how often idle workers look for jobs
	Schedule time.Duration // --schedule (hidden, for tests): how often due feeds and expired leases are looked at
	NoJobs   bool          // --no-jobs: serve only

	SecureCookies bool // --secure-cookies
	LogJSON       bool // --log-json
	MaxUpload     int64
	UploadBudget  int64
	// MemoryLimit is the soft limit of the Go heap; 0 is none. Its default
	// is GOMEMLIMIT when set (the runtime has applied it), else 640 MiB.
	// Without a limit the collector lets the heap grow to twice what is
	// live: one 200 MiB upload took the server to 1.2 GiB, half of it
	// garbage not yet collected. With 640 MiB, six concurrent 200 MiB
	// uploads peak at about 0.9 GiB (768 MiB: 0.95), the rest being
	// SQLite's caches and the runtime's own. The heap of the benchmark's
	// 1,000 assets and 120,000 findings stays well below it.
	MemoryLimit int64

	TLSCert, TLSKey string // --tls-cert, --tls-key, VULNDESK_TLS_CERT, VULNDESK_TLS_KEY: HTTPS without a proxy

	FeedDirs          []string // --feed-dir (repeatable): directories feeds may read as local sources
	AllowPrivateFeeds bool     // --allow-private-feeds: feeds may reach loopback and private addresses

	SMTP SMTP // the relay of email notifications
	// NotifyBackoff (--notify-backoff, hidden, for tests) is the wait
	// before a failed notification's second attempt, doubling after.
	NotifyBackoff time.Duration

	// OpenPGPKey (--openpgp-key, VULNDESK_OPENPGP_KEY_FILE) is the armored
	// private key file the server signs CSAF advisories (and security.txt)
	// with; its passphrase only from the environment
	// (VULNDESK_OPENPGP_PASSPHRASE), never a flag that ps would show.
	// Without a file, a key is generated on first need and kept in the
	// database so that replicas share it; the file is preferred in
	// production.
	OpenPGPKey           string
	OpenPGPKeyPassphrase string
}

// SMTP is the relay email notifications go through: --smtp-host,
// --smtp-port, --smtp-from, --smtp-auth, --smtp-username and their
// VULNDESK_SMTP_* variables; the password only from the environment
// (VULNDESK_SMTP_PASSWORD), never a flag that ps would show.
type SMTP struct {
	Host, From, Auth   string
	Port               int
	Username, Password string
}

// hidden flags are left out of -h: they are for tests.
var hidden = map[string]bool{"schedule": true, "notify-backoff": true}

// Load reads the settings from args (flags) over env over the defaults,
// and validates them. -h is flag.ErrHelp.
func Load(args []string, env func(string) string) (Config, error) {
	return LoadTo(io.Discard, args, env)
}

// LoadTo is Load that writes what the flag package shows to w: -h's list
// of flags, a bad flag's message followed by that list. `vulndesk serve`
// passes its standard error.
func LoadTo(w io.Writer, args []string, env func(string) string) (Config, error) {
	fs, c := flagSet(env)
	fs.SetOutput(w)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("arguments %q: serve takes only flags", fs.Args())
	}
	return *c, c.Validate()
}

// flagSet returns serve's flags, their defaults read from env, and the
// Config that parsing them fills.
func flagSet(env func(string) string) (*flag.FlagSet, *Config) {
	c := &Config{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Storage.Register(fs, env)
	fs.StringVar(&c.Addr, "addr", envOr(env, "VULNDESK_ADDR", DefaultAddr), "address to listen on (env VULNDESK_ADDR)")
	fs.BoolVar(&c.Empty, "empty", false, "on first start, do not load the example asset and advisories")
	fs.IntVar(&c.Workers, "workers", 0, "background jobs run at once by this replica (default: 2 on SQLite, 4 on PostgreSQL)")
	fs.DurationVar(&c.JobLease, "job-lease", 30*time.Second, "how long a job is held without renewal before another replica may take it")
	fs.DurationVar(&c.Poll, "poll", time.Second, "how often idle workers look for queued jobs")
	fs.BoolVar(&c.NoJobs, "no-jobs", false, "serve only; run no background jobs")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure (set when users reach vulndesk over HTTPS)")
	fs.BoolVar(&c.LogJSON, "log-json", false, "log JSON lines instead of text")
	fs.Int64Var(&c.MaxUpload, "max-upload", DefaultMaxUpload, "largest request body (SBOM upload) in bytes")
	fs.Int64Var(&c.UploadBudget, "upload-budget", DefaultUploadBudget, "upload bytes processed at once; an upload beyond it waits, then gets 503 with Retry-After")
	fs.Int64Var(&c.MemoryLimit, "memory-limit", memoryLimit(env), "soft limit of the Go heap in bytes: the collector works harder as the heap nears it (0: none; env GOMEMLIMIT sets the default)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("VULNDESK_TLS_CERT"), "serve HTTPS with this PEM certificate (chain) file; needs --tls-key (env VULNDESK_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("VULNDESK_TLS_KEY"), "the PEM private key of --tls-cert (env VULNDESK_TLS_KEY)")
	fs.Var((*list)(&c.FeedDirs), "feed-dir", "a directory whose files feeds may read as local sources (repeatable; none by default but the example advisories; never inside the data directory)")
	fs.BoolVar(&c.AllowPrivateFeeds, "allow-private-feeds", false, "let feeds reach loopback, link-local and private addresses (a local mirror); refused by default")
	fs.StringVar(&c.SMTP.Host, "smtp-host", env("VULNDESK_SMTP_HOST"), "SMTP relay for email notifications; STARTTLS is required unless it is loopback (env VULNDESK_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", envInt(env, "VULNDESK_SMTP_PORT", 587), "port of --smtp-host (env VULNDESK_SMTP_PORT)")
	fs.StringVar(&c.SMTP.From, "smtp-from", env("VULNDESK_SMTP_FROM"), "sender address of email notifications (env VULNDESK_SMTP_FROM)")
	fs.StringVar(&c.SMTP.Username, "smtp-username", env("VULNDESK_SMTP_USERNAME"), "user to authenticate to --smtp-host as, none when empty; the password comes from env VULNDESK_SMTP_PASSWORD only (env VULNDESK_SMTP_USERNAME)")
	fs.StringVar(&c.SMTP.Auth, "smtp-auth", envOr(env, "VULNDESK_SMTP_AUTH", "plain"), "SMTP AUTH mechanism: plain or login (env VULNDESK_SMTP_AUTH)")
	c.SMTP.Password = env("VULNDESK_SMTP_PASSWORD")
	fs.StringVar(&c.OpenPGPKey, "openpgp-key", env("VULNDESK_OPENPGP_KEY_FILE"), "armored OpenPGP private key file that signs CSAF advisories and security.txt; "+
		"its passphrase from env VULNDESK_OPENPGP_PASSPHRASE only. Without it a key is generated and kept in the database (prefer a file in production) (env VULNDESK_OPENPGP_KEY_FILE)")
	c.OpenPGPKeyPassphrase = env("VULNDESK_OPENPGP_PASSPHRASE")
	fs.DurationVar(&c.Schedule, "schedule", 30*time.Second, "")
	fs.DurationVar(&c.NotifyBackoff, "notify-backoff", 30*time.Second, "")
	fs.Usage = func() { usage(fs) }
	return fs, c
}

// usage prints the flags as the flag package does, but the hidden ones.
func usage(fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	shown.SetOutput(fs.Output())
	fs.VisitAll(func(f *flag.Flag) {
		if !hidden[f.Name] {
			shown.Var(f.Value, f.Name, f.Usage)
			shown.Lookup(f.Name).DefValue = f.DefValue
		}
	})
	fmt.Fprintf(fs.Output(), "Usage of %s:\n", fs.Name())
	shown.PrintDefaults()
}

// Validate refuses settings that cannot work, naming the flag: at start,
// before the database is opened, rather than as a surprise later.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.DataDir == "" {
		bad("--data-dir is empty: the data directory holds the SQLite database and temporary files (PostgreSQL too)")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr %q: want host:port, such as 127.0.0.1:8080 (%v)", c.Addr, err)
	}
	if c.Workers < 0 {
		bad("--workers %d: want 0 (the engine's default) or more", c.Workers)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"job-lease", c.JobLease}, {"poll", c.Poll}, {"schedule", c.Schedule}, {"notify-backoff", c.NotifyBackoff}} {
		if d.v < 0 {
			bad("--%s %s: want a positive duration (0: the default)", d.name, d.v)
		}
	}
	if c.MaxUpload <= 0 {
		bad("--max-upload %d: want a positive number of bytes", c.MaxUpload)
	}
	if c.UploadBudget <= 0 {
		bad("--upload-budget %d: want a positive number of bytes", c.UploadBudget)
	}
	if c.MemoryLimit < 0 {
		bad("--memory-limit %d: want a number of bytes, or 0 for none", c.MemoryLimit)
	}
	if c.SMTP.Host != "" {
		if c.SMTP.Port <= 0 || c.SMTP.Port > 65535 {
			bad("--smtp-port %d: want 1–65535", c.SMTP.Port)
		}
		if a, err := mail.ParseAddress(c.SMTP.From); err != nil || a.Address != c.SMTP.From {
			bad("--smtp-from %q: --smtp-host needs a plain sender address such as vulndesk@example.com", c.SMTP.From)
		}
		if c.SMTP.Auth != "plain" && c.SMTP.Auth != "login" {
			bad("--smtp-auth %q: want plain or login", c.SMTP.Auth)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("--tls-cert and --tls-key go together")
	}
	return errors.Join(errs...)
}

// memoryLimit is the default of --memory-limit: see Config.MemoryLimit.
func memoryLimit(env func(string) string) int64 {
	if env("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	return defaultMemoryLimit
}

// envInt is the variable's value as a number, or def when it is unset
// or not a number (Validate then sees def).
func envInt(env func(string) string, name string, def int) int {
	if n, err := strconv.Atoi(env(name)); err == nil {
		return n
	}
	return def
}

// envOr is the variable's value, or def when it is unset or empty.
func envOr(env func(string) string, name, def string) string {
	if v := env(name); v != "" {
		return v
	}
	return def
}

// list is a repeatable string flag.
type list []string

func (l *list) String() string     { return fmt.Sprint(*l) }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }
