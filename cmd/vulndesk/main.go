// Command vulndesk scans SBOMs for known vulnerabilities and, as a service,
// runs vulnerability handling and disclosure for a security team.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/vulndesk/vulndesk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
