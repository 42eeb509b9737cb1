package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// nvdRatings reads every record of a directory of bare NVD `cve` objects
// with encoding/json, apart from the code under test: the ratings each CVE's
// metrics state (cvssData.baseSeverity, or the metric's own baseSeverity as
// CVSS v2 has it), lower case, and how many CVSS metrics it holds.
func nvdRatings(t *testing.T, dir string) (ratings map[string]map[string]bool, metrics map[string]int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no NVD records in %s (%v)", dir, err)
	}
	ratings, metrics = map[string]map[string]bool{}, map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			ID      string `json:"id"`
			Metrics map[string][]struct {
				BaseSeverity string `json:"baseSeverity"`
				CVSSData     struct {
					BaseSeverity string `json:"baseSeverity"`
				} `json:"cvssData"`
			} `json:"metrics"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ratings[rec.ID] = map[string]bool{}
		for kind, ms := range rec.Metrics {
			if !strings.HasPrefix(kind, "cvssMetricV") {
				continue // ssvcV203 rates nothing
			}
			for _, m := range ms {
				metrics[rec.ID]++
				for _, s := range []string{m.CVSSData.BaseSeverity, m.BaseSeverity} {
					if s != "" {
						ratings[rec.ID][strings.ToLower(s)] = true
					}
				}
			}
		}
	}
	return ratings, metrics
}

// scanDoc is the part of the JSON report these tests read.
type scanDoc struct {
	Findings []struct {
		ID        string                `json:"id"`
		Aliases   []string              `json:"aliases"`
		Severity  severityDoc           `json:"severity"`
		Conflicts []severityDoc         `json:"severity_conflicts"`
		Component struct{ PURL string } `json:"component"`
	} `json:"findings"`
	Advisories map[string]struct {
		Aliases  []string      `json:"aliases"`
		Severity severityDoc   `json:"severity"`
		CVSS     []severityDoc `json:"cvss"`
	} `json:"advisories"`
}

type severityDoc struct {
	Rating     string  `json:"rating"`
	Score      float64 `json:"score"`
	Vector     string  `json:"vector"`
	Version    string  `json:"version"`
	From       string  `json:"from"`
	Record     string  `json:"record"`
	Source     string  `json:"source"`
	SourceType string  `json:"source_type"`
}

// cveIDs are the CVE IDs among a finding's ID and aliases.
func cveIDs(id string, aliases []string) []string {
	var out []string
	for _, a := range append([]string{id}, aliases...) {
		if strings.HasPrefix(a, "CVE-") {
			out = append(out, a)
		}
	}
	return out
}

// TestScanRatesFromNVD is issue 10's first "must show" for scan: the real
// Go SBOMs against the Go OSV corpus (whose advisories state no severity)
// and the NVD records of every CVE they alias. Every finding one of whose
// CVE aliases NVD rates is not unknown, and shows a rating that CVE's
// record states, naming it; every advisory lists each CVSS metric of its
// CVEs' records. The gate sees the NVD ratings.
func TestScanRatesFromNVD(t *testing.T) {
	needShared(t)
	nvdDir := filepath.Join(shared, "nvd/go-aliases")
	ratings, metrics := nvdRatings(t, nvdDir)
	sboms, _ := filepath.Glob(filepath.Join(shared, "sbom/real-go/*.cdx.json"))
	args := append([]string{"scan", "--no-progress", "--db", filepath.Join(shared, "osv-corpus/Go"), "--db", nvdDir,
		"--format", "json", "--fail-on", "critical"}, sboms...)
	out, stderr, code := runCLI(t, "", args...)
	var doc scanDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, stderr %s: %v", code, stderr, err)
	}
	if len(sboms) != 2 || len(doc.Findings) == 0 {
		t.Fatalf("%d SBOMs, %d findings; stderr %s", len(sboms), len(doc.Findings), stderr)
	}
	rated, critical := 0, 0
	for _, f := range doc.Findings {
		where := f.ID + " in " + f.Component.PURL
		var ratedBy []string
		for _, c := range cveIDs(f.ID, f.Aliases) {
			if len(ratings[c]) > 0 {
				ratedBy = append(ratedBy, c)
			}
		}
		if len(ratedBy) == 0 {
			if f.Severity.From == "nvd" {
				t.Errorf("%s: rated from %s, but no NVD record rates its CVEs %v", where, f.Severity.Record, cveIDs(f.ID, f.Aliases))
			}
			continue
		}
		rated++
		if f.Severity.Rating == "critical" {
			critical++
		}
		s := f.Severity
		switch {
		case s.Rating == "unknown" || s.Rating == "":
			t.Errorf("%s: severity unknown, yet NVD rates %v", where, ratedBy)
		case s.From != "nvd" || !strings.Contains(strings.Join(ratedBy, " "), s.Record):
			t.Errorf("%s: severity from %q record %q, want an NVD record of %v", where, s.From, s.Record, ratedBy)
		case !ratings[s.Record][s.Rating]:
			t.Errorf("%s: rating %q, which the NVD record %s does not state (it states %v)", where, s.Rating, s.Record, ratings[s.Record])
		case s.Vector == "" || s.Version == "" || s.Source == "" || s.SourceType == "":
			t.Errorf("%s: severity %+v does not say where it came from in full", where, s)
		}
		for _, c := range f.Conflicts {
			if c.Rating == s.Rating || !ratings[c.Record][c.Rating] {
				t.Errorf("%s: conflict %+v: not another rating its NVD record states", where, c)
			}
		}
	}
	if rated == 0 {
		t.Fatal("no finding has a CVE alias that go-aliases rates: the data does not test anything")
	}
	t.Logf("%d findings, %d with a CVE alias NVD rates", len(doc.Findings), rated)

	// Every CVSS metric of an advisory's CVEs is listed with it, after its own.
	for id, a := range doc.Advisories {
		want := 0
		for _, c := range cveIDs(id, a.Aliases) {
			want += metrics[c]
		}
		if a.Severity.Vector != "" {
			want++
		}
		if len(a.CVSS) != want {
			t.Errorf("advisory %s: %d CVSS vectors listed, its CVEs' NVD records hold %d", id, len(a.CVSS), want)
		}
		for _, v := range a.CVSS {
			if v.From != "nvd" || v.Vector == "" || v.Source == "" {
				t.Errorf("advisory %s: CVSS %+v does not say who states it", id, v)
			}
		}
	}

	// --fail-on critical fails on exactly the findings NVD rates critical.
	m := regexp.MustCompile(`(\d+) finding\(s\) fail --fail-on critical`).FindStringSubmatch(stderr)
	if critical == 0 || code != ExitFindings || m == nil || m[1] != strconv.Itoa(critical) {
		t.Errorf("exit %d, stderr %q; want %d, failing the %d findings NVD rates critical", code, stderr, ExitFindings, critical)
	}
}

// TestScanNVDBesideIndexAndMixed: NVD records rate findings the same way
// beside a compiled index, and from a directory holding OSV and NVD files
// together.
func TestScanNVDBesideIndexAndMixed(t *testing.T) {
	needShared(t)
	fixClock(t)
	osvDir, nvdDir := filepath.Join(shared, "osv/golang-vulndb"), filepath.Join(shared, "nvd/go-aliases")
	sbom := filepath.Join(shared, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json")
	scan := func(dbs ...string) string {
		t.Helper()
		args := []string{"scan", "--no-progress", "--format", "json", "--fail-on", "none"}
		for _, d := range dbs {
			args = append(args, "--db", d)
		}
		out, stderr, code := runCLI(t, "", append(args, sbom)...)
		if code != ExitOK {
			t.Fatalf("scan %v: exit %d: %s", dbs, code, stderr)
		}
		return out
	}
	want := scan(osvDir, nvdDir)
	if !strings.Contains(want, `"from":"nvd","record":"CVE-2023-39325"`) {
		t.Fatalf("GO-2023-2102 is not rated from CVE-2023-39325:\n%s", want)
	}

	idx := filepath.Join(t.TempDir(), "go.idx")
	if _, stderr, code := runCLI(t, "", "db", "build", "--no-progress", "--out", idx, osvDir); code != ExitOK {
		t.Fatalf("db build: exit %d: %s", code, stderr)
	}
	if got := scan(idx, nvdDir); got != want {
		t.Errorf("scan of the index beside the NVD records differs from the scan of the sources")
	}

	mixed := t.TempDir()
	for _, dir := range []string{osvDir, nvdDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(mixed, filepath.Base(f)), data, 0o644)
		}
	}
	if got := scan(mixed); got != want {
		t.Errorf("scan of one directory of OSV and NVD files differs from the scan of both")
	}
}

// TestScanRefusesOtherJSON: a JSON file in a --db directory that is neither
// OSV nor NVD — another NVD API's real response, the OSV schema itself — or
// a broken NVD record is refused with exit 2, naming the file; db build
// refuses NVD records, saying where they go.
func TestScanRefusesOtherJSON(t *testing.T) {
	needShared(t)
	osvRecord, err := os.ReadFile(filepath.Join(shared, "osv/golang-vulndb/GO-2023-2102.json"))
	if err != nil {
		t.Fatal(err)
	}
	nvdRecord, err := os.ReadFile(filepath.Join(shared, "nvd/go-aliases/CVE-2023-39325.json"))
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join(shared, p))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	sbom := filepath.Join(shared, "sbom/real-go/gomod-argo-cd-v2.9.0.cdx.json")
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"cpematch.json", read("nvd/api-responses/cpematch-CVE-2022-32223.json"), "NVD_CPEMatchString"},
		{"schema.json", read("osv/osv-schema/schema.json"), "neither OSV nor NVD"},
		{"ecosystems.json", read("osv/osv-schema/ecosystems.json"), "neither OSV nor NVD"},
		{"truncated-nvd.json", nvdRecord[:len(nvdRecord)/2], "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "GO-2023-2102.json"), osvRecord, 0o644)
			os.WriteFile(filepath.Join(dir, tc.name), tc.data, 0o644)
			out, stderr, code := runCLI(t, "", "scan", "--no-progress", "--db", dir, sbom)
			if code != ExitUsage || out != "" {
				t.Fatalf("exit %d, want %d, and no report; stderr %s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr, filepath.Join(dir, tc.name)) || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not name %s and say %q", stderr, tc.name, tc.want)
			}
		})
	}
	_, stderr, code := runCLI(t, "", "db", "build", "--no-progress", "--out", filepath.Join(t.TempDir(), "x.idx"), filepath.Join(shared, "nvd/go-aliases"))
	if code != ExitUsage || !strings.Contains(stderr, ".json") || !strings.Contains(stderr, "scan --db") {
		t.Errorf("db build of NVD records: exit %d, stderr %q", code, stderr)
	}
}

// TestScanTableShowsSeveritySource: the table says under each finding
// where its severity came from, and which other source disagrees.
func TestScanTableShowsSeveritySource(t *testing.T) {
	needShared(t)
	fixClock(t)
	sboms, _ := filepath.Glob(filepath.Join(shared, "sbom/real-go/*.cdx.json"))
	args := append([]string{"scan", "--no-progress", "--db", filepath.Join(shared, "osv/golang-vulndb"),
		"--db", filepath.Join(shared, "nvd/go-aliases"), "--fail-on", "high"}, sboms...)
	out, stderr, code := runCLI(t, "", args...)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d (findings NVD rates high); stderr %s", code, ExitFindings, stderr)
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, "GO-2023-2102") && strings.HasPrefix(l, "! HIGH 7.5") {
			if i+2 >= len(lines) || lines[i+2] != "    severity from NVD CVE-2023-39325 (CVSS 3.1)" {
				t.Errorf("the row of GO-2023-2102 is not followed by its title and severity source:\n%s", strings.Join(lines[i:min(i+4, len(lines))], "\n"))
			}
			golden(t, "real-go-nvd.table", out)
			return
		}
	}
	t.Fatalf("no failing HIGH 7.5 row for GO-2023-2102:\n%s", out)
}
