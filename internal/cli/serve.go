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
	"github.com/vulndesk/vulndesk/internal/config"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// storeFlags are the flags every command that opens the store shares.
type storeFlags struct{ config.Storage }

func (f *storeFlags) register(fs *flag.FlagSet) { f.Register(fs, os.Getenv) }

func (f *storeFlags) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, store.Config{DataDir: f.DataDir, DatabaseURL: f.DatabaseURL})
}

func runServe(ctx context.Context, e *env, args []string) error {
	cfg, err := config.LoadTo(e.stderr, args, os.Getenv)
	if err != nil {
		return flagError("serve", err)
	}
	var tlsConf *tls.Config
	if cfg.TLSCert != "" {
		if tlsConf, err = server.TLSConfig(cfg.TLSCert, cfg.TLSKey); err != nil {
			return usagef("serve: %v", err)
		}
	}
	var signing *pgpkey.Key
	if cfg.OpenPGPKey != "" {
		if signing, err = loadOpenPGPKey(cfg.OpenPGPKey, cfg.OpenPGPKeyPassphrase); err != nil {
			return usagef("serve: --openpgp-key: %v", err)
		}
	}
	var h slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if cfg.LogJSON {
		h = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	log := slog.New(h)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	sf := storeFlags{cfg.Storage}
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
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if svc.Sources, err = service.NewSources(st, cfg.DataDir, cfg.FeedDirs, cfg.AllowPrivateFeeds); err != nil {
		return usagef("%v", err)
	}
	log.Info("feed sources", "feed_dirs", cfg.FeedDirs, "allow_private_addresses", cfg.AllowPrivateFeeds)
	if err := svc.HideFeedCredentials(ctx); err != nil {
		return err
	}
	svc.TempDir = filepath.Join(cfg.DataDir, "tmp")
	svc.MaxSBOMBytes = cfg.MaxUpload
	svc.SMTP = service.SMTP{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, From: cfg.SMTP.From, Auth: cfg.SMTP.Auth,
		Username: cfg.SMTP.Username, Password: cfg.SMTP.Password}
	svc.NotifyBackoff = cfg.NotifyBackoff
	if signing != nil {
		svc.Signing.File = signing
		log.Info("OpenPGP signing key from file", "fingerprint", signing.Fingerprint())
	}
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	svc.CleanTemp()
	if err := firstStart(ctx, e, st, svc, cfg.DataDir, cfg.Empty, log); err != nil {
		return err
	}

	if cfg.Workers <= 0 {
		// A match job on PostgreSQL spends most of its time waiting for
		// round trips, so more run at once keep up with a steady stream
		// of uploads (10 a second of 200 components: p99 upload-to-
		// findings 13 s with 2 workers, 0.6 s with 4). SQLite has one
		// writer; two workers already keep it busy.
		cfg.Workers = map[store.Dialect]int{store.SQLite: 2, store.Postgres: 4}[st.Dialect()]
	}
	runner := &service.Runner{Svc: svc, Workers: cfg.Workers, Lease: cfg.JobLease, Poll: cfg.Poll, Schedule: cfg.Schedule}
	srv := server.New(svc, runner, log, Version())
	srv.SecureCookies = cfg.SecureCookies || tlsConf != nil
	srv.MaxUploadBytes = cfg.MaxUpload
	srv.SetUploadBudget(cfg.UploadBudget, server.DefaultUploadWait)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(h, slog.LevelWarn), TLSConfig: tlsConf}
	scheme := "http"
	if tlsConf != nil {
		scheme = "https"
	}
	jobsDone := make(chan struct{})
	if cfg.NoJobs {
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
	if err := hs.Shutdown(shutCtx); err != nil {
		// The grace period ran out: requests still running were cut off.
		log.Warn("requests still running at the end of the grace period were cut off", "error", err)
	}
	<-jobsDone
	log.Info("stopped")
	return nil
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
