package nvd

import (
	"os"
	"path/filepath"
	"testing"
)

// seed adds every real file of the NVD data directories to f's corpus,
// when the shared data is at hand.
func seed(f *testing.F, subs ...string) {
	for _, sub := range subs {
		files, _ := filepath.Glob(filepath.Join(sharedData, sub, "*.json"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"id":"CVE-2020-0001","sourceIdentifier":"x"}`))
	f.Add([]byte(`{"format":"NVD_CVE","version":"2.0","vulnerabilities":[]}`))
}

// fuzzLimits are small, so the fuzzer reaches them.
var fuzzLimits = Limits{MaxFileBytes: 1 << 20, MaxRecords: 50, MaxMetrics: 16, MaxCPEMatches: 500, MaxDepth: 16}

// checkRecord asserts what every decoded record promises.
func checkRecord(t *testing.T, r *Record) {
	if !cveID.MatchString(r.ID) || len(r.Metrics)+len(r.SSVC) > fuzzLimits.MaxMetrics {
		t.Fatalf("decoded %q with %d metrics", r.ID, len(r.Metrics))
	}
	if _, err := r.LastModifiedTime(); err != nil {
		t.Fatal(err)
	}
	if c, ok := Choose(r); ok && c.Severity.Rating.Rank() == 0 {
		t.Fatalf("chose an unknown rating: %+v", c)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	seed(f, "nvd/cve-api-2.0", "nvd/go-aliases")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeRecord(data, fuzzLimits)
		if err != nil {
			return
		}
		checkRecord(t, r)
	})
}

func FuzzDecodePage(f *testing.F) {
	seed(f, "nvd/api-responses")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePage(data, fuzzLimits)
		if err != nil {
			return
		}
		if len(p.Records) > p.ResultsPerPage || len(p.Records) > fuzzLimits.MaxRecords {
			t.Fatalf("%d records, resultsPerPage %d", len(p.Records), p.ResultsPerPage)
		}
		for i := range p.Records {
			checkRecord(t, &p.Records[i])
		}
	})
}
