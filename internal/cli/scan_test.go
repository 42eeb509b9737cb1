package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const shared = "../../../shared/data"

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
}

// runCLI runs vulndesk in-process and returns stdout, stderr and the code.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func fixClock(t *testing.T) {
	t.Helper()
	old := clock
	clock = func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { clock = old })
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; run go test ./internal/cli -update and review the diff.\n--- got (first 2000 bytes):\n%.2000s", name, got)
	}
}

// TestGoldenFormats scans two real SBOMs (cyclonedx-gomod output for
// prometheus and argo-cd) against ten real Go advisories in every format.
// Go advisories state no severity: they fail the gate with
// --fail-on-unknown only.
func TestGoldenFormats(t *testing.T) {
	needShared(t)
	fixClock(t)
	sboms := []string{
		filepath.Join(shared, "sbom/real-go/gomod-prometheus-v0.48.0.cdx.json"),
		filepath.Join(shared, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json"),
	}
	db := filepath.Join(shared, "osv/golang-vulndb")
	for _, format := range []string{"table", "json", "sarif", "openvex", "cyclonedx"} {
		t.Run(format, func(t *testing.T) {
			args := append([]string{"scan", "--db", db, "--format", format, "--fail-on", "high", "--fail-on-unknown"}, sboms...)
			out, stderr, code := runCLI(t, "", args...)
			if code != ExitFindings {
				t.Fatalf("exit %d, want %d (findings of unknown severity); stderr: %s", code, ExitFindings, stderr)
			}
			if format != "table" && !json.Valid([]byte(out)) {
				t.Fatalf("%s output is not valid JSON", format)
			}
			golden(t, "real-go."+format, out)
		})
	}
}

// TestGoldenSPDXAndExamples covers an SPDX input and the bundled examples.
func TestGoldenExamples(t *testing.T) {
	fixClock(t)
	out, stderr, code := runCLI(t, "", "scan", "--db", "../../examples/advisories", "--format", "json", "--fail-on", "critical", "../../examples/sbom/webshop.cdx.json")
	if code != ExitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	var doc struct {
		Findings []struct {
			ID      string   `json:"id"`
			Aliases []string `json:"aliases"`
			Fix     string   `json:"fix"`
		} `json:"findings"`
		Unmatched []struct {
			Name        string `json:"name"`
			Unmatchable string `json:"unmatchable"`
		} `json:"unmatched"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range doc.Findings {
		got[f.ID] = f.Fix + " " + strings.Join(f.Aliases, ",")
	}
	want := map[string]string{
		"VDX-2021-0001": "2.15.0 CVE-2021-44228",
		"VDX-2021-0002": "4.17.21 CVE-2021-23337",
		"VDX-2024-0003": "3.1.3 CVE-2024-22195",
		"VDX-2023-0005": "0.17.0 CVE-2023-39325,VDXB-2023-0001",
		"VDX-2022-0007": " ",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %d", got, len(want))
	}
	if len(doc.Unmatched) != 2 {
		t.Errorf("unmatched = %+v, want billing-sdk and openssl", doc.Unmatched)
	}
	golden(t, "examples.json", out)
}

func TestIgnoreFile(t *testing.T) {
	fixClock(t)
	dir := t.TempDir()
	ign := filepath.Join(dir, "ignore.yaml")
	os.WriteFile(ign, []byte(`ignore:
  - id: CVE-2021-44228
    reason: patched by the vendor's hotfix, see CHG-12
    until: 2026-12-31
  - id: VDX-2021-0002
    reason: template() is never called with user input
    until: 2026-10-01
`), 0o644)
	out, stderr, code := runCLI(t, "", "scan", "--db", "../../examples/advisories", "--format", "json", "--fail-on", "critical", "--ignore", ign, "../../examples/sbom/webshop.cdx.json")
	if code != ExitOK {
		t.Fatalf("exit %d, want 0: the only critical finding is ignored; stderr %s", code, stderr)
	}
	if !strings.Contains(stderr, "VDX-2021-0002 expired on 2026-10-01") {
		t.Errorf("expired entry not reported on stderr: %s", stderr)
	}
	var doc struct {
		Findings []struct {
			ID         string `json:"id"`
			Suppressed *struct {
				Reason string `json:"reason"`
			} `json:"suppressed"`
		} `json:"findings"`
		Expired []struct {
			ID string `json:"id"`
		} `json:"expired_ignores"`
	}
	json.Unmarshal([]byte(out), &doc)
	for _, f := range doc.Findings {
		if (f.ID == "VDX-2021-0001") != (f.Suppressed != nil) {
			t.Errorf("%s: suppressed = %v", f.ID, f.Suppressed)
		}
	}
	if len(doc.Expired) != 1 || doc.Expired[0].ID != "VDX-2021-0002" {
		t.Errorf("expired = %+v", doc.Expired)
	}
}

func TestFailOnThresholds(t *testing.T) {
	for threshold, want := range map[string]int{"none": ExitOK, "low": ExitFindings, "critical": ExitFindings} {
		_, stderr, code := runCLI(t, "", "scan", "--db", "../../examples/advisories", "--format", "json", "--fail-on", threshold, "../../examples/sbom/webshop.cdx.json")
		if code != want {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", threshold, code, want, stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{"scan"},
		{"scan", "--db", "../../examples/advisories", "--format", "xml", "../../examples/sbom/webshop.cdx.json"},
		{"scan", "--db", "../../examples/advisories", "--fail-on", "severe", "../../examples/sbom/webshop.cdx.json"},
		{"scan", "--db", "/nonexistent/db", "../../examples/sbom/webshop.cdx.json"},
		{"frobnicate"},
	}
	for _, args := range cases {
		_, stderr, code := runCLI(t, "", args...)
		if code != ExitUsage || !strings.Contains(stderr, "vulndesk") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestVersionsCompare(t *testing.T) {
	in := "PyPI\t1.0\t1.0.0\nnpm\t1.2.3\t1.10.0\nGo\tv1.2.3\t1.2.3\nDebian:12\t1:1.0\t2.0\nMaven\t2.0-beta9\t2.0\nNoSuchEco\t1\t2\nPyPI\tonly-two\n"
	out, _, code := runCLI(t, in, "versions", "compare")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"=", "<", "=", ">", "<", "error:", "error:"}
	if len(lines) != len(want) {
		t.Fatalf("got %q", lines)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], w)
		}
	}
}

func TestDBBuildAndScan(t *testing.T) {
	fixClock(t)
	idx := filepath.Join(t.TempDir(), "ex.idx")
	if _, stderr, code := runCLI(t, "", "db", "build", "--out", idx, "../../examples/advisories"); code != ExitOK {
		t.Fatalf("db build: exit %d: %s", code, stderr)
	}
	viaIndex, _, _ := runCLI(t, "", "scan", "--db", idx, "--format", "json", "--fail-on", "none", "../../examples/sbom/webshop.cdx.json")
	direct, _, _ := runCLI(t, "", "scan", "--db", "../../examples/advisories", "--format", "json", "--fail-on", "none", "../../examples/sbom/webshop.cdx.json")
	if viaIndex != direct {
		t.Errorf("scan via the index differs from scan of the sources")
	}
	info, _, code := runCLI(t, "", "db", "info", idx)
	if code != ExitOK || !strings.Contains(info, `"advisories": 7`) {
		t.Errorf("db info: exit %d: %s", code, info)
	}
}
