package server_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// syntheticSBOM is a CycloneDX JSON SBOM of n PyPI components whose names
// start with prefix.
func syntheticSBOM(prefix string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"library","name":"%s-%d","version":"1.%d.0","purl":"pkg:pypi/%s-%d@1.%d.0"}`, prefix, i, i%50, prefix, i, i%50)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// tmpfs mounts a RAM disk of the size at a new directory, for the length
// of the test; it skips where mounting is not allowed (not root).
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("this test fills a small disk, and mounting one (tmpfs) needs root: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// A full disk is a clear 507 (never a bare 500) that stores nothing, and
// /readyz says "storage full" until there is room again.
func TestDiskFull(t *testing.T) {
	dir := tmpfs(t, "6m")
	e := storetest.Engine{Name: "sqlite", Config: func(testing.TB) store.Config { return store.Config{DataDir: dir} }}
	p := startInproc(t, e, inprocOptions{})
	ready := func() (int, string) {
		a := rawCall(t, p.URL, "GET", "/readyz", nil, nil)
		return a.status, string(a.body)
	}
	if st, body := ready(); st != 503 || !strings.Contains(body, "storage full") {
		t.Errorf("/readyz with 6 MiB of disk: %d %s; want 503 storage full", st, body)
	}
	stored, full := 0, false
	for i := 0; i < 100 && !full; i++ {
		st, body := p.admin.Do(t, "POST", fmt.Sprintf("/api/v1/sboms?asset=big-%d&create=true", i), bytes.NewReader(syntheticSBOM(fmt.Sprint("p", i), 3000)))
		switch st {
		case 201:
			stored++
		case 507:
			full = true
			wantAPIError(t, "upload to a full disk", st, body, 507, "storage full", "nothing was stored")
		default:
			t.Fatalf("upload %d: %d %s", i, st, body)
		}
	}
	if !full {
		t.Fatal("100 uploads did not fill 6 MiB")
	}
	var assets struct{ Items []model.Asset }
	p.admin.JSON(t, "GET", "/api/v1/assets?limit=500", nil, 200, &assets)
	if len(assets.Items) != stored {
		t.Errorf("%d uploads acknowledged, %d assets stored: the refused one must leave nothing", stored, len(assets.Items))
	}

	// Room again: uploads go in and the service is ready.
	if out, err := exec.Command("mount", "-o", "remount,size=256m", dir).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v %s", err, out)
	}
	p.admin.JSON(t, "POST", "/api/v1/sboms?asset=after&create=true", bytes.NewReader(syntheticSBOM("after", 100)), 201, nil)
	if st, body := ready(); st != 200 {
		t.Errorf("/readyz with room again: %d %s", st, body)
	}
}
