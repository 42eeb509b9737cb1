package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"scan", "-h"}, {"scan", "--help"}, {"db", "build", "-h"}} {
		_, stderr, code := runCLI(t, "", args...)
		if code != ExitOK || !strings.Contains(stderr, "Usage") || strings.Contains(stderr, "help requested") {
			t.Errorf("%v: exit %d, stderr %q; want 0 and the usage", args, code, stderr)
		}
	}
	if _, stderr, code := runCLI(t, "", "scan", "--no-such-flag"); code != ExitUsage {
		t.Errorf("scan --no-such-flag: exit %d, want %d; stderr %q", code, ExitUsage, stderr)
	}
}

// TestFailOnUnknown scans real Go SBOMs against real Go advisories, which
// state no severity: they fail no --fail-on threshold, and fail with
// --fail-on-unknown whatever the threshold.
func TestFailOnUnknown(t *testing.T) {
	needShared(t)
	sbom := filepath.Join(shared, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json")
	db := filepath.Join(shared, "osv/golang-vulndb")
	tests := []struct {
		flags []string
		want  int
	}{
		{[]string{"--fail-on", "critical"}, ExitOK},
		{[]string{"--fail-on", "low"}, ExitOK},
		{[]string{"--fail-on", "critical", "--fail-on-unknown"}, ExitFindings},
		{[]string{"--fail-on", "none", "--fail-on-unknown"}, ExitFindings},
	}
	for _, tt := range tests {
		args := append(append([]string{"scan", "--db", db, "--format", "json"}, tt.flags...), sbom)
		out, stderr, code := runCLI(t, "", args...)
		if code != tt.want {
			t.Errorf("%v: exit %d, want %d; stderr %s", tt.flags, code, tt.want, stderr)
		}
		var doc struct {
			Summary struct {
				ByRating struct{ Unknown int } `json:"by_rating"`
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Summary.ByRating.Unknown == 0 {
			t.Errorf("%v: %v, %d unknown findings; want some", tt.flags, err, doc.Summary.ByRating.Unknown)
		}
	}
}

// TestNotChecked scans Composer packages against a database without
// Packagist advisories: every format says they were not checked, and
// --fail-on-unchecked fails the scan.
func TestNotChecked(t *testing.T) {
	fixClock(t)
	dir := t.TempDir()
	var comps []string
	for _, name := range []string{"laravel/framework", "symfony/http-kernel", "guzzlehttp/guzzle"} {
		comps = append(comps, `{"type":"library","name":"`+name+`","version":"1.0.0","purl":"pkg:composer/`+name+`@1.0.0"}`)
	}
	comps = append(comps, `{"type":"file","name":"composer.lock"}`)
	sbom := filepath.Join(dir, "composer.cdx.json")
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[` + strings.Join(comps, ",") + `]}`
	if err := os.WriteFile(sbom, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	const said = "not checked: 3 Packagist components — no Packagist advisories in the database"
	const inTable = "3 Packagist components — no Packagist advisories in the database"
	formats := map[string][]string{ // what stdout must hold
		"table":     {"No vulnerabilities found, but 3 components were not checked", inTable, "1 file entry left out"},
		"json":      {`"unchecked": [`, `"ecosystem": "Packagist"`, `"files_left_out": 1`},
		"sarif":     {said, "left out: 1 file entry"},
		"cyclonedx": {`"vulndesk:not-checked"`, inTable, `"vulndesk:files-left-out"`},
		"openvex":   {`"statements": []`},
	}
	for format, wants := range formats {
		base := []string{"scan", "--db", "../../examples/advisories", "--format", format}
		out, stderr, code := runCLI(t, "", append(base, sbom)...)
		if code != ExitOK {
			t.Errorf("%s: exit %d, want 0 without --fail-on-unchecked; stderr %s", format, code, stderr)
		}
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", format, w, out)
			}
		}
		// stderr says it too, where the report is not a table: OpenVEX
		// has no place for it.
		if (format != "table") != strings.Contains(stderr, "vulndesk: "+said) {
			t.Errorf("%s: stderr %q", format, stderr)
		}
		_, stderr, code = runCLI(t, "", append(append(base, "--fail-on-unchecked"), sbom)...)
		if code != ExitFindings || !strings.Contains(stderr, "3 component(s) not checked (--fail-on-unchecked)") {
			t.Errorf("%s --fail-on-unchecked: exit %d, want %d; stderr %q", format, code, ExitFindings, stderr)
		}
	}
	// A compiled index knows its ecosystems as the sources do.
	idx := filepath.Join(dir, "ex.idx")
	if _, stderr, code := runCLI(t, "", "db", "build", "--no-progress", "--out", idx, "../../examples/advisories"); code != ExitOK {
		t.Fatalf("db build: exit %d: %s", code, stderr)
	}
	direct, _, _ := runCLI(t, "", "scan", "--db", "../../examples/advisories", "--format", "json", sbom)
	viaIndex, _, _ := runCLI(t, "", "scan", "--db", idx, "--format", "json", sbom)
	if direct != viaIndex || !strings.Contains(viaIndex, `"unchecked": 3`) {
		t.Errorf("scan via the index differs from scan of the sources:\n%s", viaIndex)
	}
}

// TestUntrustedBytesQuoted checks that bytes from an SBOM reach the
// terminal escaped, in an error message and in the table.
func TestUntrustedBytesQuoted(t *testing.T) {
	dir := t.TempDir()
	head := "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\n" +
		"DocumentNamespace: https://x\nCreator: Tool: x\nCreated: 2024-01-01T00:00:00Z\n\n" +
		"PackageName: a\x00\xff\x1b[2J\nSPDXID: SPDXRef-a\nPackageDownloadLocation: NOASSERTION\n"
	bad := filepath.Join(dir, "bad.spdx")
	good := filepath.Join(dir, "good.spdx")
	os.WriteFile(bad, []byte(head+"PackageSupplier: Foo\x00\xff\x1b[2J\n"), 0o644)
	os.WriteFile(good, []byte(head), 0o644)

	check := func(what, text, escaped string) {
		t.Helper()
		if !utf8.ValidString(text) || strings.ContainsAny(text, "\x00\x1b") {
			t.Errorf("%s writes raw bytes to the terminal: %q", what, text)
		}
		if !strings.Contains(text, escaped) {
			t.Errorf("%s lacks the escaped text %q: %q", what, escaped, text)
		}
	}
	_, stderr, code := runCLI(t, "", "scan", "--db", "../../examples/advisories", bad)
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitUsage, stderr)
	}
	check("the error message", stderr, `Foo\x00\xff\x1b[2J`)
	out, _, _ := runCLI(t, "", "scan", "--db", "../../examples/advisories", good)
	check("the table", out, `a\x00\xff\x1b[2J`)
}
