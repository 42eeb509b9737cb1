package severity

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

const sharedData = "../../../shared/data"

// dataDir returns the shared conformance data directory sub, or skips the
// test when the data is not beside the repository.
func dataDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join(sharedData, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/data not found: conformance data lives beside the repo; CI always has it")
	}
	return dir
}

// nvdMetric is a CVSS metric of an NVD CVE API 2.0 record; v2 keeps
// baseSeverity beside cvssData, v3 and v4 inside it.
type nvdMetric struct {
	CVSSData struct {
		Version      string  `json:"version"`
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
	} `json:"cvssData"`
	BaseSeverity string `json:"baseSeverity"`
}

// TestNVDPublishedScores checks every CVSS vector in the NVD records
// against the base score and severity NVD publishes with it.
func TestNVDPublishedScores(t *testing.T) {
	dir := dataDir(t, "nvd/cve-api-2.0")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) < 20 {
		t.Fatalf("only %d NVD records in %s", len(files), dir)
	}
	types := map[string]string{"2.0": TypeCVSSv2, "3.0": TypeCVSSv3, "3.1": TypeCVSSv3, "4.0": TypeCVSSv4}
	checked := map[string]int{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Metrics map[string][]nvdMetric `json:"metrics"`
		}
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for key, ms := range rec.Metrics {
			if !strings.HasPrefix(key, "cvssMetric") {
				continue // e.g. CISA's SSVC decisions
			}
			for _, m := range ms {
				d := m.CVSSData
				typ, ok := types[d.Version]
				if !ok {
					t.Errorf("%s: unexpected CVSS version %q", filepath.Base(path), d.Version)
					continue
				}
				got, err := FromVector(typ, d.VectorString)
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(path), err)
					continue
				}
				label := d.BaseSeverity + m.BaseSeverity
				if got.Score != d.BaseScore || got.Rating != model.Rating(strings.ToLower(label)) {
					t.Errorf("%s: %s = %v %s, NVD says %v %s", filepath.Base(path), d.VectorString,
						got.Score, got.Rating, d.BaseScore, label)
				}
				checked[d.Version]++
			}
		}
	}
	for _, v := range []string{"2.0", "3.0", "3.1", "4.0"} {
		if checked[v] == 0 {
			t.Errorf("no CVSS %s vector checked", v)
		}
	}
	t.Logf("vectors checked against NVD's scores: %v", checked)
}

// osvSeverity is the part of an OSV record FromOSV reads.
type osvSeverity struct {
	ID               string  `json:"id"`
	Severity         []Entry `json:"severity"`
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
}

// TestOSVCorpusSeverities reads every advisory of the OSV corpora and
// checks that each CVSS entry parses and that FromOSV finds a rating
// whenever an advisory states one.
func TestOSVCorpusSeverities(t *testing.T) {
	dir := dataDir(t, "osv-corpus")
	var records []osvSeverity
	zips, _ := filepath.Glob(filepath.Join(dir, "*", "all.zip"))
	for _, path := range zips {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".json") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var rec osvSeverity
			err = json.NewDecoder(rc).Decode(&rec)
			rc.Close()
			if err != nil {
				t.Fatalf("%s/%s: %v", path, f.Name, err)
			}
			records = append(records, rec)
		}
		zr.Close()
	}
	_ = filepath.WalkDir(filepath.Join(sharedData, "osv"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			var rec osvSeverity
			if data, err := os.ReadFile(path); err == nil && json.Unmarshal(data, &rec) == nil {
				records = append(records, rec)
			}
		}
		return nil
	})
	if len(records) < 8000 {
		t.Fatalf("read only %d advisories", len(records))
	}
	counts := map[model.Rating]int{}
	entries := 0
	for _, rec := range records {
		for _, e := range rec.Severity {
			entries++
			if _, err := FromVector(e.Type, e.Score); err != nil {
				t.Errorf("%s: %v", rec.ID, err)
			}
		}
		got := FromOSV(rec.Severity, rec.DatabaseSpecific.Severity)
		stated := len(rec.Severity) > 0 || FromLabel(rec.DatabaseSpecific.Severity).Rating != model.RatingUnknown
		if stated != (got.Rating != model.RatingUnknown) {
			t.Errorf("%s: FromOSV = %+v from %+v", rec.ID, got, rec)
		}
		counts[got.Rating]++
	}
	t.Logf("%d advisories, %d severity entries; ratings: %v", len(records), entries, counts)
}
