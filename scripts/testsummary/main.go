// Command testsummary reads `go test -json` events on standard input,
// prints what go test would print without -v (each package's result, and
// the output of failing tests), and ends with the tests that skipped, each
// with its reason, and one line of counts. `make test` runs it, so that a
// run without ../shared (a fresh clone) says which conformance tests did
// not run and why.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type testKey struct{ pkg, test string }

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

func run(in io.Reader, out io.Writer) int {
	output := map[testKey][]string{} // a test's output so far
	var skipped []testKey
	reasons := map[testKey]string{}
	var passed, failed int
	var buildFailed bool // a package failed as a whole (a build error, a panic)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // build errors come as plain text
			buildFailed = true
			continue
		}
		k := testKey{e.Package, e.Test}
		switch e.Action {
		case "output":
			if e.Test == "" {
				// Package lines: ok / FAIL / no test files, and panics.
				if strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "FAIL") ||
					strings.HasPrefix(e.Output, "?") || strings.HasPrefix(e.Output, "panic") {
					fmt.Fprint(out, e.Output)
				}
				continue
			}
			output[k] = append(output[k], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
			}
			delete(output, k)
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, k)
				reasons[k] = skipReason(output[k])
			}
			delete(output, k)
		case "fail":
			if e.Test != "" {
				failed++
				fmt.Fprint(out, strings.Join(output[k], ""))
			} else {
				buildFailed = true // the package failed, tests or not
			}
			delete(output, k)
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			buildFailed = true
		}
	}
	if len(skipped) > 0 {
		sort.Slice(skipped, func(i, j int) bool {
			if skipped[i].pkg != skipped[j].pkg {
				return skipped[i].pkg < skipped[j].pkg
			}
			return skipped[i].test < skipped[j].test
		})
		fmt.Fprintf(out, "\nskipped (%d):\n", len(skipped))
		for _, k := range skipped {
			fmt.Fprintf(out, "  %s %s: %s\n", strings.TrimPrefix(k.pkg, "github.com/vulndesk/vulndesk/"), k.test, reasons[k])
		}
	}
	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped\n", passed, failed, len(skipped))
	if failed > 0 || buildFailed {
		return 1
	}
	return 0
}

// skipReason is the message of t.Skip: the last output line that is not
// the "--- SKIP" line itself.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		// "file_test.go:12: reason"
		if _, rest, ok := strings.Cut(l, ": "); ok && strings.Contains(l[:len(l)-len(rest)], ".go:") {
			return rest
		}
		return l
	}
	return "(no reason given)"
}
