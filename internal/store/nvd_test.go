package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

func nvdRec(id, metrics string, modified time.Time) store.NVDRecord {
	return store.NVDRecord{ID: id, VulnStatus: "Analyzed", LastModified: modified, Metrics: metrics,
		Record: `{"id":"` + id + `"}`, ContentHash: id + metrics + modified.String()}
}

// TestApplyNVD: a record is stored once; an unchanged copy and a copy NVD
// modified earlier change nothing; a revision of the metrics bumps the
// advisory generation and names the packages of the advisories that alias
// the CVE (and only those), for a re-match by alias; a revision of other
// fields is stored without a re-match. Deleting the NVD feed deletes its
// records and names the same packages.
func TestApplyNVD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, keys := comps(3)
		osv, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: "https://a.example/all.zip"})
		nvd, _ := storetest.CreateFeed(ctx, s, model.Feed{Name: "nvd", Kind: model.FeedNVD, URL: "https://services.nvd.nist.gov/rest/json/cves/2.0"})
		if _, err := storetest.ApplyAdvisories(ctx, s, store.FeedResult{FeedID: osv.ID}, []store.Advisory{
			advisory("GO-1", keys[0], "CVE-2024-1"), advisory("GO-2", keys[1], "CVE-2024-2"), advisory("CVE-2024-1", keys[2])}); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		high := `[{"source":"nvd@nist.gov","type":"Primary","version":"3.1","vector":"v","base_score":7.5}]`
		crit := `[{"source":"nvd@nist.gov","type":"Primary","version":"3.1","vector":"w","base_score":9.8}]`
		gen0, _ := s.Generation(ctx)
		got, err := storetest.ApplyNVD(ctx, s, nvd.ID, []store.NVDRecord{nvdRec("CVE-2024-1", high, t0), nvdRec("CVE-2024-9", "[]", t0)})
		if err != nil || got.Written != 2 || !slices.Equal(got.Rerated, []string{"CVE-2024-1", "CVE-2024-9"}) ||
			!slices.Equal(got.Keys, []string{keys[0], keys[2]}) {
			t.Fatalf("first apply: %+v %v; want both written and the keys of GO-1 and CVE-2024-1", got, err)
		}
		if gen, _ := s.Generation(ctx); gen == gen0 {
			t.Error("new ratings did not move the advisory generation")
		}
		m, err := s.NVDMetrics(ctx, []string{"CVE-2024-1", "CVE-2024-2"})
		if err != nil || m["CVE-2024-1"] != high || len(m) != 1 {
			t.Fatalf("metrics: %v %v", m, err)
		}
		for name, recs := range map[string][]store.NVDRecord{
			"the same again":            {nvdRec("CVE-2024-1", high, t0)},
			"an older copy of a change": {nvdRec("CVE-2024-1", crit, t0.Add(-time.Hour))},
		} {
			if got, err := storetest.ApplyNVD(ctx, s, nvd.ID, recs); err != nil || got.Written != 0 || len(got.Keys) != 0 {
				t.Errorf("%s: %+v %v", name, got, err)
			}
		}
		status := nvdRec("CVE-2024-1", high, t0.Add(time.Hour))
		status.VulnStatus = "Modified"
		if got, err := storetest.ApplyNVD(ctx, s, nvd.ID, []store.NVDRecord{status}); err != nil || got.Written != 1 || len(got.Keys) != 0 {
			t.Errorf("a revision that keeps the metrics: %+v %v; want it stored, nothing to re-match", got, err)
		}
		gen1, _ := s.Generation(ctx)
		got, err = storetest.ApplyNVD(ctx, s, nvd.ID, []store.NVDRecord{nvdRec("CVE-2024-1", crit, t0.Add(2*time.Hour))})
		if err != nil || got.Written != 1 || !slices.Equal(got.Keys, []string{keys[0], keys[2]}) {
			t.Errorf("revised metrics: %+v %v", got, err)
		}
		if gen, _ := s.Generation(ctx); gen == gen1 {
			t.Error("revised ratings did not move the advisory generation")
		}
		dk, _, err := storetest.DeleteFeed(ctx, s, nvd.ID)
		if err != nil || !slices.Equal(dk, []string{keys[0], keys[2]}) {
			t.Errorf("deleting the NVD feed: keys %v %v", dk, err)
		}
		if m, err := s.NVDMetrics(ctx, []string{"CVE-2024-1", "CVE-2024-9"}); err != nil || len(m) != 0 {
			t.Errorf("records left after deleting their feed: %v %v", m, err)
		}
	})
}
