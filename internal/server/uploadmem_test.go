package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/server/servertest"
)

// writeBigSBOM writes a CycloneDX JSON SBOM of about size bytes, with
// components as generators write them (bom-ref, purl, license, hash).
func writeBigSBOM(t *testing.T, path string, size int64) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"application","name":"big"}},"components":[`)
	var n int64
	for i := 0; n < size; i++ {
		if i > 0 {
			w.WriteByte(',')
		}
		c := fmt.Sprintf(`{"type":"library","bom-ref":"pkg:pypi/package-number-%d@1.%d.%d","name":"package-number-%d","version":"1.%d.%d",`+
			`"purl":"pkg:pypi/package-number-%d@1.%d.%d","licenses":[{"license":{"id":"MIT"}}],"hashes":[{"alg":"SHA-256","content":"%064d"}]}`,
			i, i%10, i%7, i, i%10, i%7, i, i%10, i%7, i)
		w.WriteString(c)
		n += int64(len(c)) + 1
	}
	w.WriteString(`]}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

// vmHWM is a process's peak resident memory in MiB, from /proc.
func vmHWM(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("peak memory is read from /proc, which this system lacks: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// Six concurrent 200 MiB uploads, and a 300 MiB one refused, keep the
// server under 1 GiB: uploads beyond the upload budget wait and are then
// told to come back (503, Retry-After), and none is held twice. Before the
// budget this took the server to 2.6 GiB; the refused body alone to 656 MiB.
func TestUploadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1.5 GB over loopback (about a minute); not in -short")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.cdx.json")
	size := writeBigSBOM(t, big, 200<<20)
	p := servertest.Start(t, servertest.Options{DataDir: filepath.Join(dir, "data"), Args: []string{"--empty"}})
	tok := servertest.Token(t, servertest.Options{DataDir: filepath.Join(dir, "data")}, "admin")
	upload := func(asset string, body io.Reader, length int64) (int, string) {
		req, _ := http.NewRequest("POST", p.URL+"/api/v1/sboms?create=true&asset="+asset, body)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	// A body over --max-upload (256 MiB) is refused before it is read.
	if st, _ := upload("too-big", io.LimitReader(zeroes{}, 300<<20), 300<<20); st != http.StatusRequestEntityTooLarge {
		t.Errorf("a 300 MiB upload: %d, want 413", st)
	}
	var wg sync.WaitGroup
	codes := make([]int, 6)
	retry := make([]string, 6)
	for i := range codes {
		wg.Go(func() {
			f, err := os.Open(big)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			codes[i], retry[i] = upload(fmt.Sprintf("big-%d", i), f, size)
		})
	}
	wg.Wait()
	stored := 0
	for i, c := range codes {
		switch {
		case c == http.StatusCreated:
			stored++
		case c == http.StatusServiceUnavailable && retry[i] != "":
		default:
			t.Errorf("upload %d: %d (Retry-After %q); want 201, or 503 with Retry-After", i, c, retry[i])
		}
	}
	if stored == 0 {
		t.Error("no upload went in")
	}
	// Their matching runs after; wait until it has, as it holds memory too.
	servertest.Eventually(t, 3*time.Minute, "the stored snapshots to be matched", func() bool {
		return strings.Count(p.Stderr(), `msg="snapshot matched"`) >= stored
	})
	peak := vmHWM(t, p.Cmd.Process.Pid)
	t.Logf("%d of 6 concurrent %.0f MiB uploads stored, the others told to retry; server peak RSS %.0f MiB", stored, float64(size)/(1<<20), peak)
	if peak >= 1024 {
		t.Errorf("server peak RSS %.0f MiB; want under 1 GiB", peak)
	}
}

// zeroes is an endless body.
type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
