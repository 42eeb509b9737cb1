package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/version"
)

const versionsUsage = `Usage: vulndesk versions compare < LINES

Reads lines "ECOSYSTEM<TAB>A<TAB>B" on stdin and prints, for each, "<", "="
or ">" (A against B, in that ecosystem's ordering), or "error: <reason>".
Ecosystems are OSV's names, any case, with or without a release suffix
("PyPI", "Debian:12", "Alpine:v3.20").
`

func runVersions(_ context.Context, e *env, args []string) error {
	if len(args) != 1 || args[0] != "compare" {
		fmt.Fprint(e.stderr, versionsUsage)
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usagef("versions: want 'compare'")
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fmt.Fprintln(w, compareLine(line))
	}
	if err := sc.Err(); err != nil {
		return usagef("versions compare: reading stdin: %v", err)
	}
	return nil
}

func compareLine(line string) string {
	parts := strings.Split(line, "\t")
	if len(parts) != 3 {
		return fmt.Sprintf("error: want ECOSYSTEM<TAB>A<TAB>B, got %d tab-separated fields", len(parts))
	}
	c, err := version.Compare(parts[0], parts[1], parts[2])
	if err != nil {
		return "error: " + err.Error()
	}
	switch {
	case c < 0:
		return "<"
	case c > 0:
		return ">"
	}
	return "="
}
