package feed

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseKEVRealCatalog(t *testing.T) {
	needShared(t)
	cat, err := ParseKEV(kevJSON, open(t, kevJSON), 0)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Version != "2025.08.25" {
		t.Errorf("Version = %q", cat.Version)
	}
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !cat.Released.Equal(want) {
		t.Errorf("Released = %v, want %v", cat.Released, want)
	}
	if len(cat.Entries) != 1404 {
		t.Fatalf("entries = %d, want 1404 (the catalog's count)", len(cat.Entries))
	}
	ransomware, dueBeforeAdded := 0, 0
	for _, e := range cat.Entries {
		if e.Ransomware {
			ransomware++
		}
		if e.DueDate.Before(e.DateAdded) {
			dueBeforeAdded++
		}
	}
	if ransomware != 293 {
		t.Errorf("ransomware = %d, want 293 (Known), 1111 Unknown", ransomware)
	}
	// The first catalog (2021-11-03) kept the due dates of the directives
	// that preceded it.
	if dueBeforeAdded != 15 {
		t.Errorf("entries due before they were added = %d, want 15", dueBeforeAdded)
	}
	first := cat.Entries[0]
	want := KEVEntry{
		CVE: "CVE-2025-48384", Vendor: "Git", Product: "Git", Name: "Git Link Following Vulnerability",
		DateAdded: time.Date(2025, 8, 25, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2025, 9, 15, 0, 0, 0, 0, time.UTC),
	}
	if first.CVE != want.CVE || first.Vendor != want.Vendor || first.Product != want.Product || first.Name != want.Name ||
		!first.DateAdded.Equal(want.DateAdded) || !first.DueDate.Equal(want.DueDate) || first.Ransomware {
		t.Errorf("first entry = %+v", first)
	}
	if !strings.HasPrefix(first.Description, "Git contains a link following vulnerability") ||
		!strings.Contains(first.Notes, "https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9") ||
		!strings.HasPrefix(first.RequiredAction, "Apply mitigations per vendor instructions") {
		t.Errorf("first entry text = %+v", first)
	}
	// "SimpleHelp " and " CrushFTP Unprotected…" are published with stray spaces.
	for _, e := range cat.Entries {
		if e.CVE == "CVE-2024-57727" && e.Vendor != "SimpleHelp" {
			t.Errorf("%s vendor = %q, want it trimmed", e.CVE, e.Vendor)
		}
	}
}

// TestParseKEVMatchesCSV checks every entry against CISA's CSV edition of
// the same catalog.
func TestParseKEVMatchesCSV(t *testing.T) {
	needShared(t)
	cat, err := ParseKEV(kevJSON, open(t, kevJSON), 0)
	if err != nil {
		t.Fatal(err)
	}
	byCVE := map[string]KEVEntry{}
	for _, e := range cat.Entries {
		byCVE[e.CVE] = e
	}
	rows, err := csv.NewReader(open(t, kevCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	if strings.Join(head, ",") != "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes" {
		t.Fatalf("CSV header = %q", head)
	}
	if len(rows)-1 != len(cat.Entries) {
		t.Fatalf("CSV rows = %d, JSON entries = %d", len(rows)-1, len(cat.Entries))
	}
	for _, r := range rows[1:] {
		e, ok := byCVE[r[0]]
		if !ok {
			t.Errorf("%s is in the CSV, not in the JSON", r[0])
			continue
		}
		got := []string{e.Vendor, e.Product, e.Name, e.DateAdded.Format(time.DateOnly), e.Description,
			e.RequiredAction, e.DueDate.Format(time.DateOnly), fmt.Sprint(e.Ransomware), e.Notes}
		want := []string{strings.TrimSpace(r[1]), strings.TrimSpace(r[2]), strings.TrimSpace(r[3]), r[4],
			strings.TrimSpace(r[5]), strings.TrimSpace(r[6]), r[7], fmt.Sprint(r[8] == "Known"), strings.TrimSpace(r[9])}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: field %s = %q, CSV has %q", r[0], head[i+1], got[i], want[i])
			}
		}
	}
}

func TestParseKEVRealCatalogOverLimit(t *testing.T) {
	needShared(t)
	_, err := ParseKEV(kevJSON, open(t, kevJSON), 1<<20)
	wantError(t, err, ErrTooLarge, kevJSON, "more than 1048576 bytes")
}

// kevDoc is a small catalog around the given entries.
func kevDoc(count int, entries ...string) string {
	return `{
  "title": "t",
  "catalogVersion": "2025.01.02",
  "dateReleased": "2025-01-02T03:04:05.678Z",
  "count": ` + fmt.Sprint(count) + `,
  "vulnerabilities": [` + strings.Join(entries, ",\n    ") + `]
}`
}

func kevEntryDoc(cve, added, due string) string {
	return `{"cveID": "` + cve + `", "vendorProject": "V", "product": "P", "vulnerabilityName": "N",` +
		` "dateAdded": "` + added + `", "shortDescription": "D", "requiredAction": "A", "dueDate": "` + due + `",` +
		` "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-79"]}`
}

func TestParseKEVSmall(t *testing.T) {
	doc := kevDoc(3,
		kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024-01-23"),
		kevEntryDoc("CVE-2024-0002", "2024-01-03", "2024-01-24"),
		kevEntryDoc("CVE-2024-0001", "2024-02-02", "2024-02-23"))
	cat, err := ParseKEV("small.json", strings.NewReader(doc), 0)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Version != "2025.01.02" || len(cat.Entries) != 2 {
		t.Fatalf("catalog = %+v, want 2 entries (a repeated CVE is kept once)", cat)
	}
	e := cat.Entries[0]
	if e.CVE != "CVE-2024-0001" || e.DateAdded.Format(time.DateOnly) != "2024-01-02" || !e.Ransomware || e.Vendor != "V" {
		t.Errorf("first entry = %+v, want the first of the repeated CVE", e)
	}
	empty := `{"catalogVersion":"x","dateReleased":"2025-01-02T00:00:00Z","count":0,"vulnerabilities":[]}`
	if cat, err := ParseKEV("empty.json", strings.NewReader(empty), 0); err != nil || len(cat.Entries) != 0 {
		t.Errorf("empty catalog: %+v, %v", cat, err)
	}
}

func TestParseKEVErrors(t *testing.T) {
	good := kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024-01-23")
	for _, tc := range []struct {
		name, doc string
		sentinel  error
		fragments []string
	}{
		{"bad CVE", kevDoc(2, good, kevEntryDoc("CVE-21-1234", "2024-01-02", "2024-01-23")),
			ErrInvalid, []string{"line 7, column 5", "vulnerabilities[1]", "cveID is not CVE-YYYY-NNNN"}},
		{"lowercase CVE", kevDoc(1, kevEntryDoc("cve-2024-0001", "2024-01-02", "2024-01-23")),
			ErrInvalid, []string{"vulnerabilities[0]", "cveID is not"}},
		{"empty CVE", kevDoc(1, `{"dateAdded": "2024-01-02", "dueDate": "2024-01-02"}`),
			ErrInvalid, []string{"vulnerabilities[0]", "cveID is not"}},
		{"null entry", kevDoc(1, `null`), ErrInvalid, []string{"vulnerabilities[0]", "cveID is not"}},
		{"bad month", kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-13-02", "2024-01-23")),
			ErrInvalid, []string{"vulnerabilities[0]", "CVE-2024-0001: dateAdded is not YYYY-MM-DD"}},
		{"slashed date", kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024/01/23")),
			ErrInvalid, []string{"dueDate is not YYYY-MM-DD"}},
		{"short date", kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-1-2", "2024-01-23")),
			ErrInvalid, []string{"dateAdded is not YYYY-MM-DD"}},
		{"date-time", kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-01-02T00:00:00Z", "2024-01-23")),
			ErrInvalid, []string{"dateAdded is not YYYY-MM-DD"}},
		{"truncated", kevDoc(1, good)[:200],
			ErrInvalid, []string{"line 6, column 89", "unexpected end of input (truncated?)"}},
		{"syntax", strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": 1`, 1),
			ErrInvalid, []string{"line 6, column 3", "invalid character"}},
		{"trailing data", kevDoc(1, good) + "\n{}",
			ErrInvalid, []string{"line 8, column 1", "after top-level value"}},
		{"empty input", "", ErrInvalid, []string{"line 1, column 1", "unexpected end of input"}},
		{"string count", strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": "1",`, 1),
			ErrInvalid, []string{"line 5", "count: string value"}},
		{"number CVE", kevDoc(1, `{"cveID": 5}`),
			ErrInvalid, []string{"line 6", "vulnerabilities[0].cveID: number value"}},
		{"count mismatch", kevDoc(2, good),
			ErrInvalid, []string{"line 5, column 12", "count is not the 1 entries that vulnerabilities holds"}},
		{"null count", strings.Replace(kevDoc(1, good), `"count": 1,`, `"count": null,`, 1),
			ErrInvalid, []string{"count is not the 1 entries"}},
		{"missing version", strings.Replace(kevDoc(1, good), `"catalogVersion"`, `"version"`, 1),
			ErrInvalid, []string{`required field "catalogVersion" is missing`}},
		{"missing entries", `{"catalogVersion":"x","dateReleased":"2025-01-02T00:00:00Z","count":0}`,
			ErrInvalid, []string{`required field "vulnerabilities" is missing`}},
		{"bad release", strings.Replace(kevDoc(1, good), `2025-01-02T03:04:05.678Z`, `2025-01-02`, 1),
			ErrInvalid, []string{"line 4", "dateReleased is not an RFC 3339 date-time"}},
		{"entries not an array", `{"catalogVersion":"x","dateReleased":"2025-01-02T00:00:00Z","count":0,"vulnerabilities":{}}`,
			ErrInvalid, []string{"vulnerabilities is not an array"}},
		{"top level array", `[]`, ErrInvalid, []string{"line 1, column 1", "catalog is not an object"}},
		{"repeated field", `{"count":0,"count":0}`, ErrInvalid, []string{`field "count" appears twice`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKEV("kev.json", strings.NewReader(tc.doc), 0)
			wantError(t, err, tc.sentinel, "kev.json", tc.fragments...)
		})
	}
}

func TestParseKEVLimits(t *testing.T) {
	doc := kevDoc(1, kevEntryDoc("CVE-2024-0001", "2024-01-02", "2024-01-23"))
	_, err := ParseKEV("kev.json", strings.NewReader(doc), int64(len(doc)-1))
	wantError(t, err, ErrTooLarge, "kev.json", fmt.Sprintf("more than %d bytes", len(doc)-1))
	if _, err := ParseKEV("kev.json", strings.NewReader(doc), int64(len(doc))); err != nil {
		t.Errorf("a file of exactly the limit: %v", err)
	}

	defer func(n int) { maxKEVEntries = n }(maxKEVEntries)
	maxKEVEntries = 2
	var entries []string
	for i := range 3 {
		entries = append(entries, kevEntryDoc(fmt.Sprintf("CVE-2024-%04d", i), "2024-01-02", "2024-01-23"))
	}
	_, err = ParseKEV("kev.json", strings.NewReader(kevDoc(3, entries...)), 0)
	wantError(t, err, ErrTooLarge, "kev.json", "more than 2 entries")
	if _, err := ParseKEV("kev.json", strings.NewReader(kevDoc(2, entries[:2]...)), 0); err != nil {
		t.Errorf("exactly the entry limit: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestParseReadError(t *testing.T) {
	_, err := ParseKEV("kev.json", failingReader{}, 0)
	wantError(t, err, ErrFetch, "kev.json", io.ErrClosedPipe.Error())
	_, err = ParseEPSS("epss.csv", failingReader{}, 0)
	wantError(t, err, ErrFetch, "epss.csv", "line 1", io.ErrClosedPipe.Error())
}
