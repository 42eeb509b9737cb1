package osv

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const shared = "../../../shared/data"

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(shared); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
}

func loadAll(t *testing.T, src string, opts Options) ([]*Vulnerability, Stats, error) {
	t.Helper()
	var vs []*Vulnerability
	st, err := Load(context.Background(), src, opts, func(v *Vulnerability) error {
		vs = append(vs, v)
		return nil
	})
	return vs, st, err
}

func TestLoadDirectoryOfJSON(t *testing.T) {
	needShared(t)
	vs, st, err := loadAll(t, filepath.Join(shared, "osv/golang-vulndb"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 10 || st.Files != 10 {
		t.Fatalf("records = %d, files = %d, want 10", len(vs), st.Files)
	}
	withdrawn := 0
	for _, v := range vs {
		if v.IsWithdrawn() {
			withdrawn++
			if v.ID != "GO-2022-0617" {
				t.Errorf("%s is withdrawn, want only GO-2022-0617", v.ID)
			}
		}
	}
	if withdrawn != 1 {
		t.Errorf("withdrawn = %d, want 1", withdrawn)
	}
}

func TestLoadCorpusZips(t *testing.T) {
	needShared(t)
	corpus := filepath.Join(shared, "osv-corpus")
	var last, total int64
	vs, _, err := loadAll(t, corpus, Options{Progress: func(d, tot int64) { last, total = d, tot }})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 8158 {
		t.Errorf("records = %d, want 8158 (the corpus README's count)", len(vs))
	}
	if last != total || total != 8158 {
		t.Errorf("progress ended at %d/%d", last, total)
	}
}

func TestLoadSingleFileAndArray(t *testing.T) {
	dir := t.TempDir()
	one := `{"id":"A-1","modified":"2024-01-01T00:00:00Z"}`
	arr := `[` + one + `,{"id":"A-2","modified":"2024-01-01T00:00:00Z"}]`
	for name, body := range map[string]string{"one.json": one, "arr.json": arr} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	vs, _, err := loadAll(t, filepath.Join(dir, "arr.json"), Options{})
	if err != nil || len(vs) != 2 {
		t.Fatalf("array: %d records, %v", len(vs), err)
	}
	vs, _, err = loadAll(t, dir, Options{})
	if err != nil || len(vs) != 3 {
		t.Fatalf("dir: %d records, %v", len(vs), err)
	}
}

func TestTruncatedJSONNamesThePlace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(p, []byte("{\n  \"id\": \"A-1\",\n  \"affected\": [\n"), 0o644)
	_, _, err := loadAll(t, p, Options{})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"bad.json", "line 4", "unexpected end"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestEventWithTwoFieldsRejected(t *testing.T) {
	_, err := Decode("x.json", []byte(`{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1.0.0"}]}]}]}`))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("err = %v", err)
	}
}

// TestNotOSVTold: JSON without the id and modified the OSV schema
// requires is no OSV record (ErrNotOSV, which is also ErrInvalid), told
// apart from a broken advisory, which is ErrInvalid only.
func TestNotOSVTold(t *testing.T) {
	for _, tc := range []struct {
		doc    string
		notOSV bool
		want   string
	}{
		{`{"id":"CVE-2024-1","sourceIdentifier":"x","lastModified":"2024-01-01T00:00:00.000"}`, true, "no modified"},
		{`{"modified":"2024-01-01T00:00:00Z"}`, true, "no id"},
		{`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`, true, "no id"},
		{`{"AlmaLinux":"x"}`, true, "no id"},
		{`[1, 2]`, true, "neither an object nor an array of objects"},
		{`"a string"`, true, "neither an object"},
		{`[{"id":"A-1","modified":"2024-01-01T00:00:00Z"},{"id":"A-2"}]`, true, "record 2: "},
		{`[{"id":"A-1","modified":"2024-01-01T00:00:00Z"},{"id":"A-2","affected":3}]`, true, "record 2: record has no modified"},
		// NVD's own affected block has another shape: still no OSV, not a broken one.
		{`{"id":"CVE-2024-1","affected":[{"versions":[{"version":"1"}]}]}`, true, "no modified"},
		{`{"id":"A-1","modified":"2024-01-01T00:00:00Z","affected":[{"versions":[{"version":"1"}]}]}`, false, "field"},
		{`{"id":"A-1","modified":"2024-01-01T00:00:00Z","affected":[`, false, "unexpected end"},
	} {
		_, err := Decode("f.json", []byte(tc.doc))
		if !errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotOSV) != tc.notOSV || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v; want ErrNotOSV %v and %q", tc.doc, err, tc.notOSV, tc.want)
		}
	}
}

// TestOtherDocuments: a real NVD record in a directory of OSV records is
// refused naming it, or handed to Options.Other when set, while the OSV
// records load.
func TestOtherDocuments(t *testing.T) {
	needShared(t)
	dir := t.TempDir()
	for _, f := range []string{"osv/golang-vulndb/GO-2023-2153.json", "osv/golang-vulndb/GO-2022-0969.json", "nvd/go-aliases/CVE-2023-39325.json"} {
		data, err := os.ReadFile(filepath.Join(shared, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	_, _, err := loadAll(t, dir, Options{})
	if !errors.Is(err, ErrNotOSV) || !strings.Contains(err.Error(), "CVE-2023-39325.json") {
		t.Fatalf("err = %v, want ErrNotOSV naming CVE-2023-39325.json", err)
	}
	var others []string
	vs, st, err := loadAll(t, dir, Options{Other: func(name string, data []byte) error {
		if !bytes.Contains(data, []byte(`"sourceIdentifier"`)) {
			t.Errorf("Other got %s without its bytes", name)
		}
		others = append(others, filepath.Base(name)) // one document: no race
		return nil
	}})
	if err != nil || len(vs) != 2 || st.Files != 3 || len(others) != 1 || others[0] != "CVE-2023-39325.json" {
		t.Fatalf("records %d, files %d, other %v, err %v", len(vs), st.Files, others, err)
	}
	stop := errors.New("stop")
	if _, _, err := loadAll(t, dir, Options{Other: func(string, []byte) error { return stop }}); !errors.Is(err, stop) {
		t.Fatalf("err = %v, want Other's error", err)
	}
}

// writeZip writes a zip with the given entries, stored or deflated.
func writeZip(t *testing.T, entries map[string][]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "all.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestZipBombRefused(t *testing.T) {
	// 16 MiB of spaces deflates to about 16 KiB: a ratio of ~1000:1. It is
	// refused for its declared size, and — under a larger size limit — for
	// its ratio, before a byte is inflated.
	big := bytes.Repeat([]byte(" "), 16<<20)
	p := writeZip(t, map[string][]byte{"BOMB-1.json": big})
	for _, lim := range []Limits{{MaxRecordBytes: 8 << 20}, {MaxRecordBytes: 64 << 20, MaxRatio: 100}} {
		_, _, err := loadAll(t, p, Options{Limits: lim})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("limits %+v: err = %v, want ErrTooLarge", lim, err)
		}
		if !strings.Contains(err.Error(), "BOMB-1.json") {
			t.Errorf("error does not name the entry: %v", err)
		}
	}
}

func TestZipUnsafeNameRefused(t *testing.T) {
	p := writeZip(t, map[string][]byte{"../../etc/evil.json": []byte(`{"id":"A"}`)})
	_, _, err := loadAll(t, p, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "unsafe path") {
		t.Fatalf("err = %v, want an unsafe path error", err)
	}
}

func TestDownloadOverLoopback(t *testing.T) {
	body, _ := os.ReadFile(writeZip(t, map[string][]byte{"A-1.json": []byte(`{"id":"A-1","modified":"2024-01-01T00:00:00Z"}`)}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	vs, _, err := loadAll(t, srv.URL+"/npm/all.zip", Options{})
	if err != nil || len(vs) != 1 || vs[0].ID != "A-1" {
		t.Fatalf("got %d records, err %v", len(vs), err)
	}
	_, _, err = loadAll(t, srv.URL+"/missing.zip", Options{})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing file: err = %v", err)
	}
	_, _, err = loadAll(t, srv.URL+"/npm/all.zip", Options{Limits: Limits{MaxArchiveBytes: 10}})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized download: err = %v", err)
	}
}

func TestDownloadRefusesPlainHTTPElsewhere(t *testing.T) {
	_, _, err := Download(context.Background(), "http://example.invalid/all.zip", 1<<20)
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
}

func TestSharedOSVFilesDecode(t *testing.T) {
	needShared(t)
	for _, dir := range []string{"osv/golang-vulndb", "osv/osv-schema/ghsa-conversion-testdata", "osv/osv-schema/osv-linter-testdata"} {
		files, _ := filepath.Glob(filepath.Join(shared, dir, "*.json"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			_, err := Decode(f, data)
			broken := strings.Contains(filepath.Base(f), "nointroduced") || strings.Contains(filepath.Base(f), "nondistinct") || strings.Contains(filepath.Base(f), "nopackage")
			if err != nil && !broken {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"A-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}],"versions":["0.9"]}]}`))
	f.Add([]byte(`[{"id":"A-1"},{"id":"A-2","withdrawn":"2024-01-01T00:00:00Z"}]`))
	f.Add([]byte(`{"id":"A-1","database_specific":{"severity":"HIGH"},"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}`))
	f.Add([]byte("{\"id\":"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := Decode("fuzz.json", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		for i := range vs {
			_ = vs[i].IsWithdrawn()
			_ = Time(vs[i].Modified)
			_ = DatabaseSeverity(vs[i].DatabaseSpecific)
		}
	})
}
