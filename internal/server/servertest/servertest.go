// Package servertest runs the real vulndesk binary for tests: built once
// per test process, started on a free loopback port against SQLite or
// PostgreSQL, killed or stopped as a test needs. It also has a small API
// client.
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
	for {
		hc := o.HTTP
		if hc == nil {
			hc = http.DefaultClient
		}
		resp, err := hc.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
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

// Client calls the API with a token.
type Client struct {
	URL, Token string
	HTTP       *http.Client
}

// Do sends a request and returns the status and body.
func (c *Client) Do(t testing.TB, method, path string, body io.Reader) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
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
