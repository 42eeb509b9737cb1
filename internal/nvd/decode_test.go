package nvd

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

// TestDecodeRealRecords decodes every real bare record and checks the
// typed result against a generic decode of the same file: every CVSS and
// SSVC metric, configuration, cpeMatch, reference and weakness is kept,
// and each CVSS vector rates as NVD states.
func TestDecodeRealRecords(t *testing.T) {
	for _, sub := range []string{"nvd/cve-api-2.0", "nvd/go-aliases"} {
		files := jsonFiles(t, dataDir(t, sub), 25)
		var withMetrics, withConfig, chosen int
		for _, p := range files {
			data := readFile(t, p)
			r, err := DecodeRecord(data, Limits{})
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			name := strings.TrimSuffix(filepath.Base(p), ".json")
			if r.ID != name {
				t.Errorf("%s: id %q", p, r.ID)
			}
			if r.LastModified == "" || r.VulnStatus == "" || r.Description() == "" {
				t.Errorf("%s: lastModified %q, vulnStatus %q, description %q", name, r.LastModified, r.VulnStatus, r.Description())
			}
			want := countRaw(t, data)
			cpe := 0
			for _, c := range r.Configurations {
				for _, n := range c.Nodes {
					cpe += len(n.CPEMatch)
				}
			}
			got := rawCounts{cvss: len(r.Metrics), ssvc: len(r.SSVC), configurations: len(r.Configurations),
				cpeMatch: cpe, references: len(r.References), weaknesses: len(r.Weaknesses)}
			want.severities = nil
			if got.cvss != want.cvss || got.ssvc != want.ssvc || got.configurations != want.configurations ||
				got.cpeMatch != want.cpeMatch || got.references != want.references || got.weaknesses != want.weaknesses {
				t.Errorf("%s: decoded %+v, file holds %+v", name, got, want)
			}
			for _, s := range r.Scores() {
				if string(s.Severity.Rating) != strings.ToLower(s.BaseSeverity) || s.Severity.Score != s.BaseScore || s.Severity.Vector == "" {
					t.Errorf("%s: %s %s rated %+v, NVD states %v %s", name, s.Source, s.Vector, s.Severity, s.BaseScore, s.BaseSeverity)
				}
				// The vector's own base score matches what is stated,
				// except for a CVSS 4.0 score taken with threat metrics.
				if s.Computed != s.Severity && !(s.Version == "4.0" && !strings.Contains(s.Vector, "/E:X")) {
					t.Errorf("%s: %s computes %+v, stated %+v", name, s.Vector, s.Computed, s.Severity)
				}
				if s.Computed != s.Severity {
					t.Logf("%s: %s: stated %v (CVSS-BT), base %v", name, s.Source, s.Severity.Score, s.Computed.Score)
				}
			}
			c, ok := Choose(r)
			if ok != (len(r.Metrics) > 0) {
				t.Errorf("%s: Choose ok=%v with %d metrics", name, ok, len(r.Metrics))
			}
			if ok {
				chosen++
				if !slices.Contains(countRaw(t, data).severities, string(c.Severity.Rating)) {
					t.Errorf("%s: chose %s, which no metric of the record states", name, c.Severity.Rating)
				}
			}
			if len(r.Metrics) > 0 {
				withMetrics++
			}
			if len(r.Configurations) > 0 {
				withConfig++
			}
		}
		t.Logf("%s: %d records, %d with CVSS (%d chosen), %d with configurations", sub, len(files), withMetrics, chosen, withConfig)
		if withMetrics == 0 || withConfig == 0 {
			t.Errorf("%s: no record with metrics or configurations", sub)
		}
	}
}

// TestGoAliasesCounts checks the go-aliases directory as its README
// describes it: 104 records, 8 of them without metrics yet, 38 with
// configurations.
func TestGoAliasesCounts(t *testing.T) {
	recs, err := ReadPath(t.Context(), dataDir(t, "nvd/go-aliases"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var noMetrics, withConfig, v40 int
	for i := range recs {
		r := &recs[i]
		if len(r.Metrics) == 0 {
			noMetrics++
		}
		if len(r.Configurations) > 0 {
			withConfig++
		}
		if slices.ContainsFunc(r.Metrics, func(c CVSS) bool { return c.Version == "4.0" }) {
			v40++
		}
	}
	if len(recs) != 104 || noMetrics != 8 || withConfig != 38 || v40 != 10 {
		t.Errorf("%d records, %d without metrics, %d with configurations, %d with CVSS 4.0; want 104, 8, 38, 10",
			len(recs), noMetrics, withConfig, v40)
	}
}

func decodeShared(t *testing.T, name string) *Record {
	t.Helper()
	r, err := DecodeRecord(readFile(t, filepath.Join(dataDir(t, "nvd/cve-api-2.0"), name+".json")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestV40AndSSVC: CVE-2025-5777 carries a CNA's CVSS 4.0 and CISA's SSVC
// decision, both newer than NVD's published schema.
func TestV40AndSSVC(t *testing.T) {
	r := decodeShared(t, "CVE-2025-5777")
	if r.Metrics[0].Version != "4.0" || r.Metrics[0].Source != "secure@citrix.com" || r.Metrics[0].Type != "Secondary" ||
		r.Metrics[0].BaseScore != 9.3 || !strings.HasPrefix(r.Metrics[0].Vector, "CVSS:4.0/AV:N/") {
		t.Errorf("first metric %+v, want the CNA's CVSS 4.0 9.3", r.Metrics[0])
	}
	if len(r.SSVC) != 1 || r.SSVC[0].Role != "CISA Coordinator" || r.SSVC[0].Version != "2.0.3" ||
		!slices.ContainsFunc(r.SSVC[0].Options, func(o map[string]string) bool { return o["exploitation"] == "active" }) {
		t.Errorf("SSVC %+v", r.SSVC)
	}
	// NVD's own v3.1 is chosen over the CNA's newer v4.0: Primary first.
	c, ok := Choose(r)
	if !ok || c.Source != NVDSource || c.Version != "3.1" || c.Severity.Score != 7.5 || c.Severity.Rating != model.RatingHigh {
		t.Errorf("chose %+v", c)
	}
	if len(c.Conflicts) != 1 || c.Conflicts[0].Version != "4.0" || c.Conflicts[0].Severity.Rating != model.RatingCritical {
		t.Errorf("conflicts %+v, want the CNA's 4.0 critical", c.Conflicts)
	}
}

// TestNoConfigurations: CVE-2024-3400 awaits analysis and has no
// configurations, only the CNA's CVSS; it is in CISA's KEV catalogue.
func TestNoConfigurations(t *testing.T) {
	r := decodeShared(t, "CVE-2024-3400")
	if r.Configurations != nil || r.VulnStatus != "Awaiting Analysis" {
		t.Errorf("configurations %v, status %q", r.Configurations, r.VulnStatus)
	}
	if r.KEV == nil || r.KEV.ExploitAdd != "2024-04-12" || r.KEV.RequiredAction == "" {
		t.Errorf("KEV %+v", r.KEV)
	}
	c, ok := Choose(r)
	if !ok || c.Source != "psirt@paloaltonetworks.com" || c.Type != "Secondary" || c.Severity.Rating != model.RatingCritical ||
		c.Severity.Score != 10 || len(c.Conflicts) != 0 {
		t.Errorf("chose %+v, want the CNA's 10.0 without conflict", c)
	}
}

// TestConflict: for CVE-2023-4966 the CNA says 9.4 and NVD 7.5; NVD's
// Primary score is chosen and the CNA's is reported as a conflict.
func TestConflict(t *testing.T) {
	r := decodeShared(t, "CVE-2023-4966")
	c, ok := Choose(r)
	if !ok || c.Record != "CVE-2023-4966" || c.Source != NVDSource || c.Type != "Primary" || c.Severity.Score != 7.5 ||
		c.Severity.Rating != model.RatingHigh || c.Severity.Type != "CVSS_V3" || !strings.HasPrefix(c.Severity.Vector, "CVSS:3.1/") {
		t.Errorf("chose %+v", c)
	}
	if len(c.Conflicts) != 1 || c.Conflicts[0].Source != "secure@citrix.com" || c.Conflicts[0].Severity.Score != 9.4 ||
		c.Conflicts[0].Severity.Rating != model.RatingCritical {
		t.Errorf("conflicts %+v", c.Conflicts)
	}
	if len(r.Scores()) != 2 {
		t.Errorf("scores %+v, want both vectors", r.Scores())
	}
	// Same rating from both sources: no conflict.
	c, _ = Choose(decodeShared(t, "CVE-2022-40684"))
	if c.Source != NVDSource || len(c.Conflicts) != 0 {
		t.Errorf("CVE-2022-40684: %+v", c)
	}
}

// TestNewestVersionPerSource: CVE-2019-1653 has NVD's v3.1 and v2 and a
// CNA's v3.0; NVD's v3.1 wins, and NVD's v2 is not counted as a source.
func TestNewestVersionPerSource(t *testing.T) {
	r := decodeShared(t, "CVE-2019-1653")
	c, ok := Choose(r)
	if !ok || c.Source != NVDSource || c.Version != "3.1" {
		t.Errorf("chose %+v", c)
	}
	for _, o := range c.Conflicts {
		if o.Source == NVDSource {
			t.Errorf("NVD's own older vector reported as a conflict: %+v", o)
		}
	}
	// Without NVD's metrics the CNA's are chosen.
	r.Metrics = slices.DeleteFunc(r.Metrics, func(m CVSS) bool { return m.Source == NVDSource })
	if len(r.Metrics) == 0 {
		t.Skip("no CNA metric in CVE-2019-1653")
	}
	c, ok = Choose(r)
	if !ok || c.Type != "Secondary" {
		t.Errorf("without NVD's metrics chose %+v", c)
	}
}

// TestDecodePages decodes the real API responses.
func TestDecodePages(t *testing.T) {
	dir := dataDir(t, "nvd/api-responses")
	p, err := DecodePage(readFile(t, filepath.Join(dir, "cves-2023.json")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ResultsPerPage != 200 || p.StartIndex != 200000 || p.TotalResults != 220499 || p.Format != PageFormat ||
		p.Version != PageVersion || p.Timestamp != "2023-07-18T06:46:32.267" || len(p.Records) != 200 {
		t.Errorf("page %d/%d/%d %s %s %s, %d records", p.ResultsPerPage, p.StartIndex, p.TotalResults, p.Format, p.Version, p.Timestamp, len(p.Records))
	}
	var cpe, and, without int
	parts := map[string]int{}
	for _, r := range p.Records {
		if len(r.Configurations) == 0 {
			without++
		}
		for _, c := range r.Configurations {
			if c.Operator == "AND" {
				and++
			}
			for _, n := range c.Nodes {
				for _, m := range n.CPEMatch {
					cpe++
					parts[strings.Split(m.Criteria, ":")[2]]++
				}
			}
		}
	}
	// As the data's README counts them.
	if cpe != 705 || and != 87 || without != 1 || parts["a"] != 591 || parts["o"] != 62 || parts["h"] != 52 {
		t.Errorf("%d cpeMatch %v, %d AND configurations, %d without; want 705 (a 591, o 62, h 52), 87, 1", cpe, parts, and, without)
	}
	p, err = DecodePage(readFile(t, filepath.Join(dir, "cves-CVE-2023-0001.json")), Limits{})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != "CVE-2023-0001" || p.TotalResults != 1 {
		t.Fatalf("CVE-2023-0001 page: %v %+v", err, p)
	}
}

// TestRefusals: other NVD APIs' responses, an OSV advisory, and a record
// given to the wrong decoder are refused as not CVE data; broken JSON as
// invalid.
func TestRefusals(t *testing.T) {
	resp := dataDir(t, "nvd/api-responses")
	osv := jsonFiles(t, dataDir(t, "osv/golang-vulndb"), 1)[0]
	record := filepath.Join(dataDir(t, "nvd/cve-api-2.0"), "CVE-2023-4966.json")
	page := filepath.Join(resp, "cves-CVE-2023-0001.json")
	for _, tc := range []struct {
		file   string
		decode func([]byte, Limits) error
		want   error
		says   string
	}{
		{filepath.Join(resp, "cpematch-CVE-2022-32223.json"), decodeAny, ErrNotCVE, "NVD_CPEMatchString"},
		{filepath.Join(resp, "cvehistory-CVE-2019-1010218.json"), decodeAny, ErrNotCVE, "NVD_CVEHistory"},
		{filepath.Join(resp, "cvehistory-CVE-2019-1010218.json"), decodePageOnly, ErrNotCVE, "not a CVE API response"},
		{osv, decodeAny, ErrNotCVE, "neither"},
		{osv, decodeRecordOnly, ErrNotCVE, "neither"},
		{record, decodePageOnly, ErrNotCVE, "bare CVE record"},
		{page, decodeRecordOnly, ErrNotCVE, "response page"},
	} {
		err := tc.decode(readFile(t, tc.file), Limits{})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %q", filepath.Base(tc.file), err, tc.want, tc.says)
		}
	}
	full := readFile(t, record)
	for _, bad := range [][]byte{full[:len(full)/2], []byte("not json"), []byte(`{"id": 5}`), []byte("")} {
		if _, err := Decode(bad, Limits{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%.20q: %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := Decode([]byte(`[1, 2]`), Limits{}); !errors.Is(err, ErrNotCVE) {
		t.Errorf("a JSON array: %v, want ErrNotCVE", err)
	}
}

func decodeAny(b []byte, l Limits) error        { _, err := Decode(b, l); return err }
func decodePageOnly(b []byte, l Limits) error   { _, err := DecodePage(b, l); return err }
func decodeRecordOnly(b []byte, l Limits) error { _, err := DecodeRecord(b, l); return err }

// TestLimits: every limit refuses input over it with ErrTooLarge.
func TestLimits(t *testing.T) {
	dir := dataDir(t, "nvd/cve-api-2.0")
	big := readFile(t, filepath.Join(dir, "CVE-2023-44373.json")) // 71 configurations, 142 cpeMatch
	page := readFile(t, filepath.Join(dataDir(t, "nvd/api-responses"), "cves-2023.json"))
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		says string
	}{
		{"bytes", big, Limits{MaxFileBytes: 1000}, "bytes, limit 1000"},
		{"cpeMatch", big, Limits{MaxCPEMatches: 100}, "more than 100 cpeMatch"},
		{"metrics", readFile(t, filepath.Join(dir, "CVE-2023-4966.json")), Limits{MaxMetrics: 1}, "2 metrics, limit 1"},
		{"depth", big, Limits{MaxDepth: 4}, "limit 4"},
		{"records", page, Limits{MaxRecords: 100}, "200 records in one page, limit 100"},
	} {
		_, err := Decode(tc.data, tc.lim)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want ErrTooLarge saying %q", tc.name, err, tc.says)
		}
	}
	if _, err := Decode(big, Limits{MaxCPEMatches: 142, MaxDepth: 9}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

// envelope wraps real bare records in a CVE API response envelope.
func envelope(t *testing.T, perPage, start, total int, version string, records ...[]byte) []byte {
	t.Helper()
	vulns := make([]string, len(records))
	for i, r := range records {
		vulns[i] = `{"cve":` + string(r) + `}`
	}
	return fmt.Appendf(nil, `{"resultsPerPage":%d,"startIndex":%d,"totalResults":%d,"format":%q,"version":%q,`+
		`"timestamp":"2024-01-02T03:04:05.678","vulnerabilities":[%s]}`, perPage, start, total, PageFormat, version, strings.Join(vulns, ","))
}

// TestPageEnvelope: an envelope whose counts do not add up is refused.
func TestPageEnvelope(t *testing.T) {
	files := jsonFiles(t, dataDir(t, "nvd/go-aliases"), 3)[:3]
	var recs [][]byte
	for _, f := range files {
		recs = append(recs, readFile(t, f))
	}
	p, err := DecodePage(envelope(t, 3, 6, 9, "2.0", recs...), Limits{})
	if err != nil || len(p.Records) != 3 || p.StartIndex != 6 {
		t.Fatalf("%v %+v", err, p)
	}
	for _, tc := range []struct {
		data []byte
		says string
	}{
		{envelope(t, 2, 0, 3, "2.0", recs...), "3 records but resultsPerPage 2"},
		{envelope(t, 3, 1, 3, "2.0", recs...), "records 1 to 4 of totalResults 3"},
		{envelope(t, 3, 0, 3, "1.0", recs...), `version "1.0"`},
		{envelope(t, 3, 0, 3, "2.0", recs[0], []byte(`{"id":"CVE-2020-0001","sourceIdentifier":"x","lastModified":"yesterday"}`)), "vulnerabilities[1] (CVE-2020-0001)"},
	} {
		if _, err := DecodePage(tc.data, Limits{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v, want ErrInvalid saying %q", err, tc.says)
		}
	}
}
