package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// inproc is the server in the test's own process over loopback, on a
// real database: quicker than the spawned binary for checks of HTTP
// behaviour; crash, replica and shutdown tests keep the binary.
type inproc struct {
	URL     string
	Store   *store.Store
	Svc     *service.Service
	Server  *server.Server
	DataDir string
	admin   *servertest.Client
}

// inprocOptions change how startInproc builds the server.
type inprocOptions struct {
	seed bool // load the examples, as a first start without --empty does
	jobs bool // run the job runner
	// feedDirs and allowPrivateFeeds are serve's --feed-dir and
	// --allow-private-feeds.
	feedDirs          []string
	allowPrivateFeeds bool
	// adminPassword, when set, creates the user "admin" with it, as a
	// first start with VULNDESK_ADMIN_PASSWORD does.
	adminPassword string
	// configure changes the server before it serves.
	configure func(*server.Server)
}

// startInproc serves a fresh database of engine e from this process.
func startInproc(t testing.TB, e storetest.Engine, o inprocOptions) *inproc {
	t.Helper()
	cfg := e.Config(t)
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var log *slog.Logger
	if os.Getenv("VULNDESK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	} else {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := service.New(st, log)
	svc.TempDir = t.TempDir()
	if svc.Sources, err = service.NewSources(st, cfg.DataDir, o.feedDirs, o.allowPrivateFeeds); err != nil {
		t.Fatal(err)
	}
	if err := svc.Seed(ctx, cfg.DataDir, !o.seed); err != nil {
		t.Fatal(err)
	}
	if o.adminPassword != "" {
		if _, _, err := svc.CreateUser(ctx, service.NewUser{Name: "admin", Role: "admin", Password: o.adminPassword}, service.ActorFirstStart); err != nil {
			t.Fatal(err)
		}
	}
	runner := &service.Runner{Svc: svc, Workers: 2, Poll: 100 * time.Millisecond, Schedule: time.Hour}
	srv := server.New(svc, runner, log, "test")
	if o.configure != nil {
		o.configure(srv)
	}
	hs := httptest.NewServer(srv.Handler())
	done := make(chan struct{})
	if o.jobs {
		go func() { defer close(done); runner.Run(ctx) }()
	} else {
		close(done)
	}
	t.Cleanup(func() {
		hs.Close()
		cancel()
		<-done
		st.Close()
	})
	p := &inproc{URL: hs.URL, Store: st, Svc: svc, Server: srv, DataDir: cfg.DataDir}
	p.admin = p.client(t, "admin")
	return p
}

// client is a client with a new token of the role.
func (p *inproc) client(t testing.TB, role string) *servertest.Client {
	t.Helper()
	secret := auth.NewToken(auth.APITokenPrefix)
	if _, err := storetest.CreateToken(context.Background(), p.Store, model.Token{Name: "test-" + role, Role: role, CreatedBy: "test"}, auth.HashToken(secret)); err != nil {
		t.Fatal(err)
	}
	return &servertest.Client{URL: p.URL, Token: secret}
}
