package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzParseKEV(f *testing.F) {
	good := kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024-01-23")
	for _, s := range []string{
		kevDoc(1, good),
		kevDoc(3, good, kevEntryDoc("CVE-2017-1000253", "2021-11-03", "2021-05-03"), good),
		kevDoc(0),
		`{"catalogVersion":"x","dateReleased":"2025-08-25T17:04:19.9796+02:00","count":1,"vulnerabilities":[{"cveID":"CVE-2024-0001","dateAdded":"2024-01-02","dueDate":"2024-01-02","vendorProject":" a ","knownRansomwareCampaignUse":"Known"}],"extra":{"x":[1,2]}}`,
		kevDoc(1, kevEntryDoc("CVE-21-1", "2024-01-02", "2024-01-23")),
		kevDoc(1, `{"cveID": 5}`),
		kevDoc(1, good)[:150],
		`{"count":0,"count":0}`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := ParseKEV("fuzz.json", bytes.NewReader(data), 1<<20)
		if err != nil {
			checkSentinel(t, err, "fuzz.json")
			return
		}
		seen := map[string]bool{}
		for _, e := range cat.Entries {
			if !validCVE(e.CVE) || seen[e.CVE] {
				t.Fatalf("entry %q is invalid or repeated", e.CVE)
			}
			seen[e.CVE] = true
			if e.Vendor != strings.TrimSpace(e.Vendor) || e.Name != strings.TrimSpace(e.Name) {
				t.Fatalf("%s: untrimmed text %q %q", e.CVE, e.Vendor, e.Name)
			}
		}
		// What was read, written out again, reads the same.
		again, err := ParseKEV("again.json", bytes.NewReader(kevJSONOf(t, cat)), 1<<21)
		if err != nil {
			t.Fatalf("re-encoded catalog: %v", err)
		}
		if again.Version != cat.Version || !again.Released.Equal(cat.Released) || !reflect.DeepEqual(again.Entries, cat.Entries) {
			t.Fatalf("round trip changed the catalog:\n%+v\n%+v", cat, again)
		}
	})
}

// kevJSONOf writes a catalog in CISA's format.
func kevJSONOf(t *testing.T, cat KEVCatalog) []byte {
	entries := make([]kevEntryJSON, len(cat.Entries))
	for i, e := range cat.Entries {
		ransomware := "Unknown"
		if e.Ransomware {
			ransomware = "Known"
		}
		entries[i] = kevEntryJSON{e.CVE, e.Vendor, e.Product, e.Name, e.DateAdded.Format(time.DateOnly),
			e.Description, e.RequiredAction, e.DueDate.Format(time.DateOnly), ransomware, e.Notes}
	}
	data, err := json.Marshal(map[string]any{
		"catalogVersion":  cat.Version,
		"dateReleased":    cat.Released.Format(time.RFC3339Nano),
		"count":           len(entries),
		"vulnerabilities": entries,
	})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func FuzzParseEPSS(f *testing.F) {
	seeds := []string{
		"#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\nCVE-1999-0001,0.03351,0.88255\nCVE-2021-42237,0.97566,0.99901\n",
		"#model_version:v2023.03.01,score_date:2023-04-01T00:00:00+0000\r\ncve,epss,percentile\r\nCVE-2023-0001,4.3e-04,1.0\r\n",
		"cve,epss,percentile\nCVE-2023-0001,0,1\nCVE-2023-0001,1,0\n\n",
		"cve,epss,percentile\nCVE-21-1,0.1,0.2\n",
		"cve,epss,percentile\nCVE-2021-0001,1.5,NaN\n",
		"cve,epss\nCVE-2021-0001,0.1\n",
		"#score_date:yesterday\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add(gzipped(f, []byte(seeds[0])))
	f.Add(gzipped(f, []byte(seeds[3]))[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseEPSS("fuzz.csv", bytes.NewReader(data), 1<<20)
		if err != nil {
			checkSentinel(t, err, "fuzz.csv")
			return
		}
		seen := map[string]bool{}
		for _, s := range d.Scores {
			if !validCVE(s.CVE) || seen[s.CVE] || !(s.Score >= 0 && s.Score <= 1) || !(s.Percentile >= 0 && s.Percentile <= 1) {
				t.Fatalf("bad or repeated score %+v", s)
			}
			seen[s.CVE] = true
		}
		// What was read, written out again (compressed), reads the same.
		again, err := ParseEPSS("again.csv.gz", bytes.NewReader(gzipped(t, epssCSVOf(d))), 1<<21)
		if err != nil {
			t.Fatalf("re-encoded file: %v", err)
		}
		if again.Model != d.Model || !again.Date.Equal(d.Date) || !reflect.DeepEqual(again.Scores, d.Scores) {
			t.Fatalf("round trip changed the scores:\n%+v\n%+v", d, again)
		}
	})
}

// epssCSVOf writes scores in FIRST's format.
func epssCSVOf(d EPSSData) []byte {
	var b bytes.Buffer
	var meta []string
	if d.Model != "" {
		meta = append(meta, "model_version:"+d.Model)
	}
	if !d.Date.IsZero() {
		meta = append(meta, "score_date:"+d.Date.Format(time.RFC3339Nano))
	}
	if meta != nil {
		fmt.Fprintf(&b, "#%s\n", strings.Join(meta, ","))
	}
	b.WriteString(epssHeader + "\n")
	for _, s := range d.Scores {
		fmt.Fprintf(&b, "%s,%s,%s\n", s.CVE, strconv.FormatFloat(s.Score, 'g', -1, 64), strconv.FormatFloat(s.Percentile, 'g', -1, 64))
	}
	return b.Bytes()
}
