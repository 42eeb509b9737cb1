// Command vulndesk scans SBOMs for known vulnerabilities and, as a service,
// runs vulnerability handling and disclosure for a security team.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vulndesk/vulndesk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if os.Getenv("VULNDESK_PEAK_MEMORY") != "" {
		reportPeakMemory()
	}
	os.Exit(code)
}

// reportPeakMemory prints the process's peak resident memory (Linux's
// VmHWM) to stderr, for benchmarks and the tests that bound it. The
// rusage a parent reads is no substitute: a child started by vfork, as Go
// starts processes, inherits the parent's peak in it.
func reportPeakMemory() {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			fmt.Fprintf(os.Stderr, "vulndesk: peak memory %s\n", strings.TrimSpace(v))
		}
	}
}
