package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// storeFlags are the flags every command that opens the store shares.
type storeFlags struct {
	dataDir, dbURL string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", envOr("VULNDESK_DATA_DIR", "vulndesk-data"), "directory for the SQLite database and downloads (env VULNDESK_DATA_DIR)")
	fs.StringVar(&f.dbURL, "database-url", os.Getenv("VULNDESK_DATABASE_URL"), "PostgreSQL URL instead of SQLite, postgres://user@host:5432/db (env VULNDESK_DATABASE_URL)")
}

func (f *storeFlags) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.Config{DataDir: f.dataDir, DatabaseURL: f.dbURL})
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("VULNDESK_ADDR", "127.0.0.1:8080"), "address to listen on (env VULNDESK_ADDR)")
	empty := fs.Bool("empty", false, "on first start, do not load the example asset and advisories")
	workers := fs.Int("workers", 0, "background jobs run at once by this replica (default: 2 on SQLite, 4 on PostgreSQL)")
	lease := fs.Duration("job-lease", 30*time.Second, "how long a job is held without renewal before another replica may take it")
	poll := fs.Duration("poll", time.Second, "how often idle workers look for queued jobs")
	noJobs := fs.Bool("no-jobs", false, "serve only; run no background jobs")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set when users reach vulndesk over HTTPS)")
	logJSON := fs.Bool("log-json", false, "log JSON lines instead of text")
	maxUpload := fs.Int64("max-upload", 256<<20, "largest request body (SBOM upload) in bytes")
	uploadBudget := fs.Int64("upload-budget", server.DefaultUploadBudget, "upload bytes processed at once; an upload beyond it waits, then gets 503 with Retry-After")
	memLimit := fs.Int64("memory-limit", defaultMemoryLimit(), "soft limit of the Go heap in bytes: the collector works harder as the heap nears it (0: none; env GOMEMLIMIT sets the default)")
	tlsCert := fs.String("tls-cert", os.Getenv("VULNDESK_TLS_CERT"), "serve HTTPS with this PEM certificate (chain) file; needs --tls-key (env VULNDESK_TLS_CERT)")
	tlsKey := fs.String("tls-key", os.Getenv("VULNDESK_TLS_KEY"), "the PEM private key of --tls-cert (env VULNDESK_TLS_KEY)")
	var feedDirs multiFlag
	fs.Var(&feedDirs, "feed-dir", "a directory whose files feeds may read as local sources (repeatable; none by default but the example advisories; never inside the data directory)")
	allowPrivate := fs.Bool("allow-private-feeds", false, "let feeds reach loopback, link-local and private addresses (a local mirror); refused by default")
	// Hidden (tests): how often due feeds are queued and jobs whose lease
	// ran out are queued again.
	schedule := fs.Duration("schedule", 30*time.Second, "")
	fs.Usage = func() {
		shown := flag.NewFlagSet("serve", flag.ContinueOnError)
		shown.SetOutput(fs.Output())
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "schedule" {
				shown.Var(f.Value, f.Name, f.Usage)
				shown.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		fmt.Fprintln(fs.Output(), "Usage of serve:")
		shown.PrintDefaults()
	}
	if _, err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	var tlsConf *tls.Config
	if *tlsCert != "" {
		var err error
		if tlsConf, err = server.TLSConfig(*tlsCert, *tlsKey); err != nil {
			return usagef("serve: %v", err)
		}
	}
	var h slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if *logJSON {
		h = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	log := slog.New(h)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("database ready", "engine", st.Dialect(), "where", st.Where)
	if off, err := st.AutovacuumOff(ctx); err == nil && off {
		log.Warn("PostgreSQL autovacuum is off: vulndesk vacuums its own tables once a minute while it runs")
	}

	svc := service.New(st, log)
	if err := os.MkdirAll(sf.dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if svc.Sources, err = service.NewSources(st, sf.dataDir, feedDirs, *allowPrivate); err != nil {
		return usagef("%v", err)
	}
	log.Info("feed sources", "feed_dirs", []string(feedDirs), "allow_private_addresses", *allowPrivate)
	if err := svc.HideFeedCredentials(ctx); err != nil {
		return err
	}
	svc.TempDir = filepath.Join(sf.dataDir, "tmp")
	svc.MaxSBOMBytes = *maxUpload
	if *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit)
	}
	svc.CleanTemp()
	if err := firstStart(ctx, e, st, svc, sf.dataDir, *empty, log); err != nil {
		return err
	}

	if *workers <= 0 {
		// A match job on PostgreSQL spends most of its time waiting for
		// round trips, so more run at once keep up with a steady stream
		// of uploads (10 a second of 200 components: p99 upload-to-
		// findings 13 s with 2 workers, 0.6 s with 4). SQLite has one
		// writer; two workers already keep it busy.
		*workers = map[store.Dialect]int{store.SQLite: 2, store.Postgres: 4}[st.Dialect()]
	}
	runner := &service.Runner{Svc: svc, Workers: *workers, Lease: *lease, Poll: *poll, Schedule: *schedule}
	srv := server.New(svc, runner, log, Version())
	srv.SecureCookies = *secure || tlsConf != nil
	srv.MaxUploadBytes = *maxUpload
	srv.SetUploadBudget(*uploadBudget, server.DefaultUploadWait)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(h, slog.LevelWarn), TLSConfig: tlsConf}
	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
	}
	jobsDone := make(chan struct{})
	if *noJobs {
		close(jobsDone)
	} else {
		go func() { defer close(jobsDone); runner.Run(ctx) }()
	}
	// The listening address on stdout, for scripts and tests that pass
	// port 0.
	fmt.Fprintf(e.stdout, "vulndesk listening on %s://%s\n", scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "version", Version())
	serveErr := make(chan error, 1)
	go func() {
		if tlsConf != nil {
			serveErr <- hs.ServeTLS(ln, "", "") // the certificate comes from TLSConfig
		} else {
			serveErr <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests and the running jobs")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	hs.Shutdown(shutCtx)
	<-jobsDone
	log.Info("stopped")
	return nil
}

// defaultMemoryLimit is GOMEMLIMIT when set (the runtime has applied it),
// else 640 MiB. Without a limit the collector lets the heap grow to twice
// what is live: one 200 MiB upload took the server to 1.2 GiB, half of it
// garbage not yet collected. With 640 MiB, six concurrent 200 MiB uploads
// peak at about 0.9 GiB (768 MiB: 0.95), the rest being SQLite's caches
// and the runtime's own. The heap of the benchmark's 1,000 assets and
// 120,000 findings stays well below it.
func defaultMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	return 640 << 20
}

// firstStart creates the admin (its password printed once) and seeds the
// example data when the database has no users yet.
func firstStart(ctx context.Context, e *env, st *store.Store, svc *service.Service, dataDir string, empty bool, log *slog.Logger) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, generated, err := svc.CreateUser(ctx, service.NewUser{Name: "admin", Role: string(auth.RoleAdmin),
		Password: os.Getenv("VULNDESK_ADMIN_PASSWORD")}, "first start")
	if errors.Is(err, service.ErrInvalidInput) {
		return usagef("VULNDESK_ADMIN_PASSWORD: %v", err)
	}
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(e.stderr, "\n  First start: created user \"admin\" with password %s\n  It is shown this once; keep it safe, or change it (vulndesk user password --name admin).\n\n", generated)
	} else {
		log.Info("first start: created user admin with the password from VULNDESK_ADMIN_PASSWORD")
	}
	if err := svc.Seed(ctx, dataDir, empty); err != nil {
		return fmt.Errorf("seeding example data: %w", err)
	}
	if !empty {
		log.Info("first start: loaded the example asset 'webshop' and the example advisories (start with --empty to skip)")
	}
	return nil
}
