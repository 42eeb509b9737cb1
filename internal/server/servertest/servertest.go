// Package servertest runs the real vulndesk binary for tests: built once
// per test process, started on a free loopback port against SQLite or
// PostgreSQL, killed or stopped as a test needs. Its Client wraps the
// typed API client (internal/client) for tests.
package servertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/client"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// repoRoot finds the module root from this file's location.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Binary builds cmd/vulndesk (once per test process) and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vulndesk-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "vulndesk")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/vulndesk")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Options say how to start a server.
type Options struct {
	DataDir     string
	DatabaseURL string
	// Args are extra serve flags.
	Args []string
	Env  []string
	// HTTP checks readiness (a client that trusts the test's certificate
	// when the server serves HTTPS); nil is http.DefaultClient.
	HTTP *http.Client
}

// Proc is a running server.
type Proc struct {
	URL    string
	Cmd    *exec.Cmd
	opts   Options
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

// Start runs `vulndesk serve` on a free loopback port and waits until it
// answers /readyz.
func Start(t testing.TB, o Options) *Proc {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", o.DataDir, "--poll", "200ms"}
	if o.DatabaseURL != "" {
		args = append(args, "--database-url", o.DatabaseURL)
	}
	args = append(args, o.Args...)
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(append(os.Environ(), "VULNDESK_DATABASE_URL="), o.Env...)
	p := &Proc{Cmd: cmd, opts: o, done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.stderr.Write(b)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.Kill() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "vulndesk listening on "); ok {
				addr <- u
			}
		}
	}()
	select {
	case p.URL = <-addr:
	case <-p.done:
		t.Fatalf("server exited before listening:\n%s", p.Stderr())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start in 60s:\n%s", p.Stderr())
	}
	deadline := time.Now().Add(30 * time.Second)
	c := (&Client{URL: p.URL, HTTP: o.HTTP}).API()
	ctx := Ctx(t)
	for {
		_, err := c.Ready(ctx)
		if err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v\n%s", err, p.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// Stderr is what the server logged so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// AdminPassword is the password the first start printed.
func (p *Proc) AdminPassword() string {
	s := p.Stderr()
	_, rest, ok := strings.Cut(s, `created user "admin" with password `)
	if !ok {
		return ""
	}
	pw, _, _ := strings.Cut(rest, "\n")
	return strings.TrimSpace(pw)
}

// Kill stops the server with SIGKILL: no cleanup runs, as in a crash.
func (p *Proc) Kill() {
	if p.Cmd.Process != nil {
		p.Cmd.Process.Kill()
		<-p.done
	}
}

// Stop sends SIGTERM and waits for a graceful exit.
func (p *Proc) Stop(t testing.TB) {
	t.Helper()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not stop in 60s:\n%s", p.Stderr())
	}
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Token creates an API token with the CLI against the same store.
func Token(t testing.TB, o Options, role string) string {
	t.Helper()
	args := []string{"token", "create", "--data-dir", o.DataDir, "--name", "test-" + role, "--role", role}
	if o.DatabaseURL != "" {
		args = append(args, "--database-url", o.DatabaseURL)
	}
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = append(os.Environ(), "VULNDESK_DATABASE_URL=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Client calls the API with a token, for tests: a thin layer over the
// typed client (API) whose calls fail the test instead of returning
// errors, plus Do and JSON for requests that are probed as raw HTTP.
type Client struct {
	URL, Token string
	HTTP       *http.Client
}

// callTimeout bounds one call of a test.
const callTimeout = 2 * time.Minute

// API is the typed client of the same server, token and HTTP client.
func (c *Client) API() *client.Client {
	opts := []client.Option{client.WithToken(c.Token), client.WithUserAgent("vulndesk-servertest")}
	if c.HTTP != nil {
		opts = append(opts, client.WithHTTPClient(c.HTTP))
	}
	return client.New(c.URL, opts...)
}

// Must returns v, or fails the test with err: for typed calls,
// servertest.Must(c.API().Asset(ctx, id))(t).
func Must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Ctx is a context for one call of a test, bounded by callTimeout.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

// Do sends a request as it is and returns the status and body.
func (c *Client) Do(t testing.TB, method, path string, body io.Reader) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	status, b, err := c.API().Raw(ctx, method, path, ct, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, b
}

// JSON sends a request, checks the status and decodes the answer into out
// (when not nil).
func (c *Client) JSON(t testing.TB, method, path string, body io.Reader, want int, out any) {
	t.Helper()
	got, b := c.Do(t, method, path, body)
	if got != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Shared is ../shared/data relative to the repository, or "" (with the
// test skipped) when it is absent, as in a user's fresh clone.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot(), "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("../shared/data is absent (a fresh clone): this test needs the real %s from the shared conformance data", rel)
	}
	return p
}
