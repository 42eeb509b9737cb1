package cli

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// buildBinary builds the real vulndesk binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "vulndesk")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/vulndesk")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBadInputsExitTwo runs the real binary on a bad input of each kind and
// checks the exit code, the message and the peak memory.
func TestBadInputsExitTwo(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "../../examples/sbom/webshop.cdx.json"
	db := "../../examples/advisories"

	truncated := write("truncated.cdx.json", []byte("{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"components\": [\n    {\"name\": \"a\", \"purl\": \"pkg:npm/a@1"))
	xxe := write("xxe.cdx.xml", []byte(`<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components><component type="library"><name>&xxe;</name></component></components></bom>`))
	huge := filepath.Join(dir, "huge.cdx.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // 1 GiB, sparse
		t.Fatal(err)
	}
	f.Close()
	bomb := filepath.Join(dir, "bomb.zip")
	{
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("BOMB-1.json")
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 32 { // 32 MiB of spaces, ~32 KiB compressed: 1000:1
			w.Write(chunk)
		}
		zw.Close()
		write("bomb.zip", buf.Bytes())
	}
	hugeDB := filepath.Join(dir, "huge-advisory.json")
	os.Symlink(huge, hugeDB)

	cases := []struct {
		name string
		args []string
		want []string // all must appear in stderr
	}{
		{"truncated JSON SBOM", []string{"scan", "--db", db, truncated}, []string{"truncated.cdx.json", "line"}},
		{"XML with an external entity", []string{"scan", "--db", db, xxe}, []string{"xxe.cdx.xml", "DOCTYPE"}},
		{"1 GiB SBOM", []string{"scan", "--db", db, huge}, []string{"huge.cdx.json", "limit"}},
		{"zip bomb as advisories", []string{"scan", "--db", bomb, good}, []string{"BOMB-1.json", "zip bomb"}},
		{"1 GiB advisory file", []string{"scan", "--db", hugeDB, good}, []string{"huge-advisory.json", "limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "VULNDESK_PEAK_MEMORY=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := cmd.ProcessState.ExitCode()
			if code != ExitUsage {
				t.Fatalf("exit %d (%v), want %d; stderr: %s", code, err, ExitUsage, stderr.String())
			}
			msg := stderr.String()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr %q does not mention %q", msg, w)
				}
			}
			if strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr shows a panic: %s", msg)
			}
			if runtime.GOOS == "linux" {
				// The binary's own VmHWM: the rusage of a child started by
				// vfork carries this test process's peak (464 MiB under -race).
				m := regexp.MustCompile(`peak memory (\d+) kB`).FindStringSubmatch(msg)
				if m == nil {
					t.Fatalf("no peak memory reported: %s", msg)
				}
				if kb, _ := strconv.Atoi(m[1]); kb > 200<<10 {
					t.Errorf("peak RSS %d KiB, want under 200 MiB", kb)
				}
			}
		})
	}
}
