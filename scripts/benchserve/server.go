package main

// The server process: starting `vulndesk serve`, sampling its memory,
// reading its log and stopping it.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type server struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	pid     int

	mu      sync.Mutex
	phase   string
	peak    map[string]float64
	peakAll float64
	stop    chan struct{}
	done    chan struct{}
}

func startServer(c config, dataDir, dbURL, logPath string) (*server, error) {
	// The corpus is served from loopback: a local mirror.
	args := []string{"serve", "--empty", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--allow-private-feeds"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	if c.workers > 0 {
		args = append(args, "--workers", strconv.Itoa(c.workers))
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Stderr = logf
	cmd.Env = append(os.Environ(), "VULNDESK_DATABASE_URL=", "VULNDESK_ADMIN_PASSWORD=bench-serve-secret-pw-1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	logf.Close()
	s := &server{cmd: cmd, logPath: logPath, pid: cmd.Process.Pid, peak: map[string]float64{}, stop: make(chan struct{}), done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "vulndesk listening on "); ok {
				select {
				case addr <- a:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		s.base = a
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server did not start; see %s", logPath)
	}
	go s.sample()
	return s, nil
}

func (s *server) setPhase(p string) {
	s.mu.Lock()
	s.phase = p
	s.mu.Unlock()
}

func procStatus(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// sample reads the server's VmRSS every 100 ms and keeps the peak per phase.
func (s *server) sample() {
	defer close(s.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		rss := procStatus(s.pid, "VmRSS")
		s.mu.Lock()
		s.peak[s.phase] = max(s.peak[s.phase], rss)
		s.peakAll = max(s.peakAll, rss)
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *server) shutdown() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
		<-s.done
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-exited
	}
}

// logLines returns the server log lines with the given message, as
// key=value maps (slog's text format).
func (s *server) logLines(msg string) []map[string]string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil
	}
	var out []map[string]string
	needle := `msg="` + msg + `"`
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, needle) {
			continue
		}
		kv := map[string]string{}
		for _, m := range logKV.FindAllStringSubmatch(line, -1) {
			kv[m[1]] = strings.Trim(m[2], `"`)
		}
		out = append(out, kv)
	}
	return out
}

var logKV = regexp.MustCompile(`([a-z_]+)=("(?:[^"\\]|\\.)*"|\S+)`)

func (s *server) peakSoFar() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakAll
}
