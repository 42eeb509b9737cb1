package feed

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseEPSSRealFile(t *testing.T) {
	needShared(t)
	d, err := ParseEPSS(epssFile, open(t, epssFile), 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Model != "v2026.06.15" {
		t.Errorf("Model = %q", d.Model)
	}
	if want := time.Date(2026, 9, 29, 12, 0, 22, 0, time.UTC); !d.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", d.Date, want)
	}
	if len(d.Scores) != 568 {
		t.Fatalf("scores = %d, want 568 (50 of 1999 and 518 of 2021)", len(d.Scores))
	}
	if got, want := d.Scores[0], (EPSSScore{"CVE-1999-0001", 0.03351, 0.88255}); got != want {
		t.Errorf("first = %+v, want %+v", got, want)
	}
	if got, want := d.Scores[len(d.Scores)-1], (EPSSScore{"CVE-2021-43008", 0.13641, 0.9636}); got != want {
		t.Errorf("last = %+v, want %+v", got, want)
	}
	for _, s := range d.Scores {
		if s.CVE == "CVE-1999-0020" {
			t.Error("CVE-1999-0020 is not in the file (the excerpt's gap)")
		}
	}
	// A higher score never has a lower percentile. (Equal scores may differ
	// in percentile: the file rounds scores to 5 digits.)
	sorted := append([]EPSSScore(nil), d.Scores...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		return a.Score < b.Score || a.Score == b.Score && a.Percentile < b.Percentile
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Percentile < sorted[i-1].Percentile {
			t.Errorf("%+v has a higher score than %+v but a lower percentile", sorted[i], sorted[i-1])
		}
	}

	// The same bytes compressed, and with CRLF line ends, read the same.
	raw, err := os.ReadFile(epssFile)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"gzip": gzipped(t, raw),
		"crlf": bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")),
	} {
		got, err := ParseEPSS(name, bytes.NewReader(data), 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !reflect.DeepEqual(got, d) {
			t.Errorf("%s: read differently from the plain file", name)
		}
	}
	// The limit holds for the decompressed bytes, not only for the file.
	gz := gzipped(t, raw)
	_, err = ParseEPSS("epss.csv.gz", bytes.NewReader(gz), int64(len(raw)-1))
	wantError(t, err, ErrTooLarge, "epss.csv.gz", "after decompression")
}

// TestKEVJoinEPSS joins the two real files: six CVEs of the EPSS excerpt
// are in the KEV catalog, and all of them score high.
func TestKEVJoinEPSS(t *testing.T) {
	needShared(t)
	cat, err := ParseKEV(kevJSON, open(t, kevJSON), 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseEPSS(epssFile, open(t, epssFile), 0)
	if err != nil {
		t.Fatal(err)
	}
	exploited := map[string]bool{}
	for _, e := range cat.Entries {
		exploited[e.CVE] = true
	}
	var got []string
	for _, s := range d.Scores {
		if exploited[s.CVE] {
			got = append(got, fmt.Sprintf("%s %.5f", s.CVE, s.Score))
			if s.Percentile < 0.98 {
				t.Errorf("%s is exploited but at percentile %v", s.CVE, s.Percentile)
			}
		}
	}
	want := []string{"CVE-2021-42237 0.97566", "CVE-2021-42258 0.74426", "CVE-2021-42278 0.73297",
		"CVE-2021-42287 0.77170", "CVE-2021-42292 0.43005", "CVE-2021-42321 0.91737"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("join = %q, want %q", got, want)
	}
}

func TestParseEPSSSmall(t *testing.T) {
	for name, doc := range map[string]string{
		"old comment": "#model_version:v2023.03.01,score_date:2023-04-01T00:00:00+0000\ncve,epss,percentile\n" +
			"CVE-2023-0001,0.00043,0.0735\nCVE-2023-0002,1,1.0\nCVE-2023-0001,0.9,0.9\n\n",
		"no comment":            "cve,epss,percentile\nCVE-2023-0001,0.00043,0.0735\nCVE-2023-0002,1,1.0\n",
		"bom, no final newline": "\ufeffcve,epss,percentile\nCVE-2023-0001,4.3e-04,0.0735\nCVE-2023-0002,1,1.0",
	} {
		d, err := ParseEPSS(name, strings.NewReader(doc), 0)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := []EPSSScore{{"CVE-2023-0001", 0.00043, 0.0735}, {"CVE-2023-0002", 1, 1}}
		if !reflect.DeepEqual(d.Scores, want) {
			t.Errorf("%s: scores = %+v, want %+v (a repeated CVE keeps its first row)", name, d.Scores, want)
		}
		if name == "old comment" && (d.Model != "v2023.03.01" || !d.Date.Equal(time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC))) {
			t.Errorf("%s: model %q, date %v", name, d.Model, d.Date)
		}
		if name != "old comment" && (d.Model != "" || !d.Date.IsZero()) {
			t.Errorf("%s: model %q, date %v, want none", name, d.Model, d.Date)
		}
	}
	d, err := ParseEPSS("header only", strings.NewReader("cve,epss,percentile\n"), 0)
	if err != nil || len(d.Scores) != 0 {
		t.Errorf("header only: %+v, %v", d, err)
	}
}

func TestParseEPSSErrors(t *testing.T) {
	const head = "#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\n"
	for _, tc := range []struct {
		name, doc string
		sentinel  error
		fragments []string
	}{
		{"missing header", "CVE-2021-0001,0.1,0.2\n", ErrInvalid, []string{"line 1", `not the header line "cve,epss,percentile"`}},
		{"missing header after comment", "#model_version:v1\nCVE-2021-0001,0.1,0.2\n", ErrInvalid, []string{"line 2", "not the header line"}},
		{"two columns", "cve,epss\nCVE-2021-0001,0.1\n", ErrInvalid, []string{"line 1", "not the header line"}},
		{"empty", "", ErrInvalid, []string{`no "cve,epss,percentile" header line`}},
		{"comment only", "#model_version:v1\n", ErrInvalid, []string{"no"}},
		{"bad CVE", head + "CVE-2021-0001,0.1,0.2\nCVE-21-1,0.1,0.2\n", ErrInvalid, []string{"line 4", "cve is not CVE-YYYY-NNNN"}},
		{"score over 1", head + "CVE-2021-0001,1.5,0.2\n", ErrInvalid, []string{"line 3", "CVE-2021-0001: epss is not in [0,1]"}},
		{"negative score", head + "CVE-2021-0001,-0.1,0.2\n", ErrInvalid, []string{"line 3", "epss is not a decimal number"}},
		{"percentile over 1", head + "CVE-2021-0001,0.1,1.00001\n", ErrInvalid, []string{"line 3", "percentile is not in [0,1]"}},
		{"NaN", head + "CVE-2021-0001,NaN,0.2\n", ErrInvalid, []string{"line 3", "epss is not a decimal number"}},
		{"Inf", head + "CVE-2021-0001,0.1,Inf\n", ErrInvalid, []string{"line 3", "percentile is not a decimal number"}},
		{"hex", head + "CVE-2021-0001,0x1p-2,0.2\n", ErrInvalid, []string{"line 3", "epss is not a decimal number"}},
		{"empty score", head + "CVE-2021-0001,,0.2\n", ErrInvalid, []string{"line 3", "epss is not a decimal number"}},
		{"two fields", head + "CVE-2021-0001,0.1\n", ErrInvalid, []string{"line 3", "want 3 comma-separated fields (cve,epss,percentile), got 2"}},
		{"four fields", head + "CVE-2021-0001,0.1,0.2,0.3\n", ErrInvalid, []string{"line 3", "got 4"}},
		{"bad score date", "#model_version:v1,score_date:yesterday\ncve,epss,percentile\n", ErrInvalid, []string{"line 1", "score_date is not a date"}},
		{"long line", head + strings.Repeat("x", 5000) + "\n", ErrInvalid, []string{"line 3", "longer than 4096 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEPSS("epss.csv", strings.NewReader(tc.doc), 0)
			wantError(t, err, tc.sentinel, "epss.csv", tc.fragments...)
		})
	}
}

func TestParseEPSSGzipErrors(t *testing.T) {
	doc := []byte("cve,epss,percentile\nCVE-2021-0001,0.1,0.2\nCVE-2021-0002,0.1,0.2\n")
	gz := gzipped(t, doc)
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 in the trailer
	for _, tc := range []struct {
		name      string
		data      []byte
		fragments []string
	}{
		{"truncated", gz[:len(gz)-10], []string{"unexpected end of compressed data (truncated?)"}},
		{"bad checksum", corrupt, []string{"gzip: invalid checksum"}},
		{"header only", gz[:5], []string{"gzip header", "unexpected end"}},
		{"trailing garbage", append(bytes.Clone(gz), "garbage after the stream"...), []string{"gzip: invalid header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEPSS("epss.csv.gz", bytes.NewReader(tc.data), 0)
			wantError(t, err, ErrInvalid, "epss.csv.gz", tc.fragments...)
		})
	}
}

func TestParseEPSSLimits(t *testing.T) {
	doc := "cve,epss,percentile\nCVE-2021-0001,0.1,0.2\n"
	_, err := ParseEPSS("epss.csv", strings.NewReader(doc), int64(len(doc)-1))
	wantError(t, err, ErrTooLarge, "epss.csv", fmt.Sprintf("more than %d bytes", len(doc)-1))
	if _, err := ParseEPSS("epss.csv", strings.NewReader(doc), int64(len(doc))); err != nil {
		t.Errorf("a file of exactly the limit: %v", err)
	}

	// A gzip bomb: 64 MiB of empty lines (which ParseEPSS skips) in about
	// 64 KiB. Only the limit on decompressed bytes stops it.
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte("cve,epss,percentile\n"))
	line := bytes.Repeat([]byte("\n"), 1<<20)
	for range 64 {
		zw.Write(line)
	}
	zw.Close()
	const limit = 1 << 20
	if b.Len() >= limit {
		t.Fatalf("bomb is %d bytes compressed, want less than the limit", b.Len())
	}
	counted := &countingReader{r: &b}
	_, err = ParseEPSS("bomb.csv.gz", counted, limit)
	wantError(t, err, ErrTooLarge, "bomb.csv.gz", "line ", "more than 1048576 bytes after decompression (gzip bomb?)")
	if counted.n > 64<<10 {
		t.Errorf("read %d compressed bytes; it should stop soon after %d bytes decompressed", counted.n, limit)
	}

	defer func(n int) { maxEPSSRows = n }(maxEPSSRows)
	maxEPSSRows = 2
	rows := "cve,epss,percentile\nCVE-2021-0001,0.1,0.2\nCVE-2021-0002,0.1,0.2\n"
	if _, err := ParseEPSS("epss.csv", strings.NewReader(rows), 0); err != nil {
		t.Errorf("exactly the row limit: %v", err)
	}
	_, err = ParseEPSS("epss.csv", strings.NewReader(rows+"CVE-2021-0003,0.1,0.2\n"), 0)
	wantError(t, err, ErrTooLarge, "epss.csv", "line 4", "more than 2 rows")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

func TestIsDecimal(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "1": true, "0.2667": true, "1.0": true, ".5": true, "1.": true, "4.3e-04": true, "1E+2": true,
		"": false, ".": false, "-0": false, "+0.1": false, "0x1p-2": false, "1_0": false, "Inf": false, "NaN": false,
		"1e": false, "1e+": false, "1e12345": false, "0.1.2": false, " 0.1": false, "e5": false,
	} {
		if isDecimal(s) != want {
			t.Errorf("isDecimal(%q) = %v, want %v", s, !want, want)
		}
	}
}
