package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// nvdStated reads, independently of package nvd, the base severities each
// NVD record of dir states (lower case), by CVE ID.
func nvdStated(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no records (%v)", dir, err)
	}
	out := map[string][]string{}
	for _, p := range files {
		var rec struct {
			ID      string                       `json:"id"`
			Metrics map[string][]json.RawMessage `json:"metrics"`
		}
		if err := json.Unmarshal(mustRead(t, p), &rec); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[rec.ID] = []string{}
		for key, list := range rec.Metrics {
			if !strings.HasPrefix(key, "cvssMetric") {
				continue
			}
			for _, m := range list {
				var x struct {
					BaseSeverity string `json:"baseSeverity"`
					CVSSData     struct {
						BaseSeverity string `json:"baseSeverity"`
					} `json:"cvssData"`
				}
				if err := json.Unmarshal(m, &x); err != nil {
					t.Fatalf("%s: %s: %v", p, key, err)
				}
				for _, s := range []string{x.BaseSeverity, x.CVSSData.BaseSeverity} {
					if s != "" {
						out[rec.ID] = append(out[rec.ID], strings.ToLower(s))
					}
				}
			}
		}
	}
	return out
}

// TestSeverityFromNVD is issue 10's check on the service: with an OSV feed
// of the Go advisories (which state no severity) and an NVD feed of the
// records of every CVE they alias, no finding whose alias NVD rates shows
// "unknown", and every finding shows a rating its source states. Then one
// record's CVSS is revised: exactly the findings whose advisories alias it
// change severity, through the re-match by alias, and their
// severity_since (an SLA clock input) moves; no other finding changes.
func TestSeverityFromNVD(t *testing.T) {
	t.Parallel()
	goZip := servertest.Shared(t, "osv-corpus/Go/all.zip")
	aliases := servertest.Shared(t, "nvd/go-aliases")
	sboms, err := filepath.Glob(filepath.Join(servertest.Shared(t, "sbom/real-go"), "*.json"))
	if err != nil || len(sboms) == 0 {
		t.Fatalf("no real Go SBOMs: %v", err)
	}
	stated := nvdStated(t, aliases)

	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			// The NVD feed reads a copy, so that a record can be revised.
			nvdDir := t.TempDir()
			for _, p := range mustGlob(t, filepath.Join(aliases, "*.json")) {
				if err := os.WriteFile(filepath.Join(nvdDir, filepath.Base(p)), mustRead(t, p), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s := startE2E(t, e, nil, "--empty", "--feed-dir", filepath.Dir(goZip), "--feed-dir", nvdDir)
			admin := s.admin
			for _, p := range sboms {
				name := strings.TrimSuffix(filepath.Base(p), ".cdx.json")
				var in struct {
					Snapshot model.Snapshot `json:"snapshot"`
				}
				admin.JSON(t, "POST", "/api/v1/sboms?create=true&asset="+name, bytes.NewReader(mustRead(t, p)), 201, &in)
				waitMatched(t, admin, in.Snapshot.ID)
			}
			var osvFeed, nvdFeed model.Feed
			admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(
				`{"name": "go", "kind": "osv", "url": %q, "enabled": false}`, goZip)), 201, &osvFeed)
			syncFeed(t, admin, osvFeed.ID)
			waitJobsDone(t, admin, "rematch")
			before := allFindings(t, admin, client.FindingFilter{})
			unknownBefore := 0
			for _, f := range before {
				if f.Severity == "unknown" {
					unknownBefore++
				}
			}

			admin.JSON(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(
				`{"name": "nvd-go-aliases", "kind": "nvd", "url": %q, "enabled": false}`, nvdDir)), 201, &nvdFeed)
			nvdFeed = syncFeed(t, admin, nvdFeed.ID)
			if nvdFeed.LastError != "" || nvdFeed.Items != len(stated) || nvdFeed.Changed != len(stated) {
				t.Fatalf("NVD feed after its sync: %+v; want %d items, all changed", nvdFeed, len(stated))
			}
			waitJobsDone(t, admin, "rematch")
			found := allFindings(t, admin, client.FindingFilter{})
			if len(found) != len(before) || len(found) == 0 {
				t.Fatalf("%d findings after the NVD feed, %d before", len(found), len(before))
			}
			fromNVD, unknown := 0, 0
			for _, f := range found {
				rated := false
				for _, id := range append([]string{f.VulnID}, f.Aliases...) {
					rated = rated || len(stated[id]) > 0
				}
				d := f.SeverityDetail
				switch {
				case d.From == model.SeverityFromNVD:
					fromNVD++
					if !slices.Contains(stated[d.Record], f.Severity) || !slices.Contains(f.Aliases, d.Record) && f.VulnID != d.Record {
						t.Errorf("finding %d (%s): %s from %s, which is no alias or does not state it (it states %v)",
							f.ID, f.VulnID, f.Severity, d.Record, stated[d.Record])
					}
					if string(d.Rating) != f.Severity || d.Score != f.Score || d.Vector == "" || d.Source == "" || d.Version == "" {
						t.Errorf("finding %d: severity %s %v, detail %+v", f.ID, f.Severity, f.Score, d)
					}
				case d.From == model.SeverityFromAdvisory:
					if f.Severity == "unknown" {
						t.Errorf("finding %d: unknown severity said to come from its advisory", f.ID)
					}
				default:
					unknown++
					if f.Severity != "unknown" || rated {
						t.Errorf("finding %d (%s, aliases %v): severity %q from nowhere; NVD rates an alias: %v", f.ID, f.VulnID, f.Aliases, f.Severity, rated)
					}
				}
			}
			t.Logf("%d findings: %d unknown before the NVD feed, %d after; %d rated from NVD", len(found), unknownBefore, unknown, fromNVD)
			if fromNVD == 0 {
				t.Fatal("no finding rated from NVD")
			}

			// The finding's own read lists every CVSS vector with its source.
			var one model.AssetFinding
			for _, f := range found {
				if f.SeverityDetail.From == model.SeverityFromNVD {
					admin.JSON(t, "GET", fmt.Sprintf("/api/v1/findings/%d", f.ID), nil, 200, &one)
					break
				}
			}
			if len(one.CVSS) == 0 || !slices.ContainsFunc(one.CVSS, func(v model.Severity) bool { return v == one.SeverityDetail }) {
				t.Errorf("finding %d: cvss %+v does not list the severity shown %+v", one.ID, one.CVSS, one.SeverityDetail)
			}

			// The record the rating came from reads as stored.
			var rec struct {
				ID      string `json:"id"`
				Metrics []struct {
					Source string `json:"source"`
					Vector string `json:"vector"`
				} `json:"metrics"`
				Configurations []json.RawMessage `json:"configurations"`
			}
			admin.JSON(t, "GET", "/api/v1/nvd/"+one.SeverityDetail.Record, nil, 200, &rec)
			if rec.ID != one.SeverityDetail.Record || !slices.ContainsFunc(rec.Metrics, func(m struct {
				Source string `json:"source"`
				Vector string `json:"vector"`
			}) bool {
				return m.Vector == one.SeverityDetail.Vector && m.Source == one.SeverityDetail.Source
			}) {
				t.Errorf("GET /api/v1/nvd/%s: %+v lacks the vector shown %+v", one.SeverityDetail.Record, rec, one.SeverityDetail)
			}
			if st, body := admin.Do(t, "GET", "/api/v1/nvd/CVE-1999-0001", nil); st != 404 {
				t.Errorf("GET an NVD record not stored: %d %s", st, body)
			}
			if st, body := admin.Do(t, "GET", "/api/v1/nvd/GO-2024-1", nil); st != 400 {
				t.Errorf("GET an NVD record by a non-CVE id: %d %s", st, body)
			}

			// Revise one record: NVD's analysis now says critical.
			cve := reviseTarget(t, found)
			reviseRecord(t, filepath.Join(nvdDir, cve+".json"))
			syncFeed(t, admin, nvdFeed.ID)
			waitJobsDone(t, admin, "rematch")
			after := allFindings(t, admin, client.FindingFilter{})
			old := map[int64]model.AssetFinding{}
			for _, f := range found {
				old[f.ID] = f
			}
			changed := 0
			for _, f := range after {
				o := old[f.ID]
				aliasing := f.VulnID == cve || slices.Contains(f.Aliases, cve)
				switch {
				case aliasing:
					changed++
					if f.Severity != "critical" || f.Score != 10 || f.SeverityDetail.Record != cve ||
						!f.SeveritySince.After(o.SeveritySince) {
						t.Errorf("finding %d aliases %s: severity %s %v from %s since %s; want critical 10 from %s, later than %s",
							f.ID, cve, f.Severity, f.Score, f.SeverityDetail.Record, f.SeveritySince, cve, o.SeveritySince)
					}
				case f.Severity != o.Severity || !f.SeveritySince.Equal(o.SeveritySince) || f.SeverityDetail != o.SeverityDetail:
					t.Errorf("finding %d (%s) does not alias %s but changed: %s → %s", f.ID, f.VulnID, cve, o.Severity, f.Severity)
				}
			}
			if changed == 0 {
				t.Errorf("no finding aliases %s", cve)
			}
			t.Logf("revised %s: %d findings re-rated critical", cve, changed)
		})
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: nothing (%v)", pattern, err)
	}
	return m
}

// reviseTarget picks a CVE that rates some finding below critical.
func reviseTarget(t *testing.T, found []model.AssetFinding) string {
	t.Helper()
	for _, f := range found {
		if d := f.SeverityDetail; d.From == model.SeverityFromNVD && d.Rating != model.RatingCritical {
			return d.Record
		}
	}
	t.Fatal("no finding rated below critical from NVD")
	return ""
}

// reviseRecord rewrites an NVD record as NVD would after a re-analysis:
// one primary CVSS 3.1 metric, critical 10.0, and a later lastModified.
func reviseRecord(t *testing.T, path string) {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal(mustRead(t, path), &rec); err != nil {
		t.Fatal(err)
	}
	rec["lastModified"] = "2026-12-01T10:00:00.000"
	rec["metrics"] = map[string]any{"cvssMetricV31": []any{map[string]any{
		"source": "nvd@nist.gov", "type": "Primary",
		"cvssData": map[string]any{"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
			"baseScore": 10.0, "baseSeverity": "CRITICAL"},
		"exploitabilityScore": 3.9, "impactScore": 6.0,
	}}}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// nvdReplay is a loopback CVE API 2.0: it pages the records it holds as
// NVD does (in a real response's envelope) and records every request.
type nvdReplay struct {
	mu       sync.Mutex
	envelope map[string]json.RawMessage
	vulns    []json.RawMessage
	reqs     []*http.Request
}

func newNVDReplay(t *testing.T) *nvdReplay {
	t.Helper()
	r := &nvdReplay{}
	if err := json.Unmarshal(mustRead(t, servertest.Shared(t, "nvd/api-responses/cves-2023.json")), &r.envelope); err != nil {
		t.Fatal(err)
	}
	for _, p := range mustGlob(t, filepath.Join(servertest.Shared(t, "nvd/go-aliases"), "*.json")) {
		r.vulns = append(r.vulns, json.RawMessage(`{"cve":`+string(mustRead(t, p))+`}`))
	}
	return r
}

func (r *nvdReplay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	if req.URL.Path != "/rest/json/cves/2.0" {
		http.NotFound(w, req)
		return
	}
	q := req.URL.Query()
	start, _ := strconv.Atoi(q.Get("startIndex"))
	per, _ := strconv.Atoi(q.Get("resultsPerPage"))
	vulns := r.vulns
	if q.Has("lastModStartDate") {
		vulns = []json.RawMessage{} // nothing modified since
	}
	end := min(start+per, len(vulns))
	page := map[string]any{}
	for k, v := range r.envelope {
		page[k] = v
	}
	page["startIndex"], page["resultsPerPage"], page["totalResults"] = start, per, len(vulns)
	page["vulnerabilities"] = vulns[min(start, end):end]
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}

func (r *nvdReplay) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// TestNVDAPIFeed syncs an NVD feed from a loopback CVE API replaying real
// records: the first sync pages through everything with no date range,
// the key goes as the apiKey header only — never in a request URL, the
// feed as shown or the server's log — and the next sync asks for what was
// modified since the first, in a window of at most 120 days.
func TestNVDAPIFeed(t *testing.T) {
	t.Parallel()
	const key = "0f1e2d3c-nvd-test-key-4b5a6978"
	replay := newNVDReplay(t)
	api := httptest.NewServer(replay)
	t.Cleanup(api.Close)
	e := storetest.Engines(t)[0]
	s := startE2E(t, e, nil, "--empty", "--allow-private-feeds")
	admin := s.admin
	var f model.Feed
	status, body := admin.Do(t, "POST", "/api/v1/feeds", strings.NewReader(fmt.Sprintf(
		`{"name": "nvd-mirror", "kind": "nvd", "url": %q, "enabled": false}`, api.URL+"/rest/json/cves/2.0?apiKey="+key)))
	if status != 201 || strings.Contains(string(body), key) {
		t.Fatalf("POST /api/v1/feeds: %d %s", status, body)
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	f = syncFeed(t, admin, f.ID)
	if f.LastError != "" || f.Items != len(replay.vulns) || f.Changed != len(replay.vulns) || f.SyncedThrough.IsZero() {
		t.Fatalf("after the first sync: %+v; want %d records stored and a position", f, len(replay.vulns))
	}
	first := replay.requests()
	if len(first) != 1 {
		t.Fatalf("first sync: %d requests, want one page", len(first))
	}
	time.Sleep(1100 * time.Millisecond) // positions are whole seconds: let the next one move
	f2 := syncFeed(t, admin, f.ID)
	if f2.LastError != "" || f2.Changed != 0 || !f2.SyncedThrough.After(f.SyncedThrough) {
		t.Errorf("after the second sync: %+v", f2)
	}
	// At once again, likely within the same second as the position: a
	// sync with nothing to ask is no error.
	if f3 := syncFeed(t, admin, f.ID); f3.LastError != "" || f3.SyncedThrough.Before(f2.SyncedThrough) {
		t.Errorf("after a third sync at once: %+v", f3)
	}
	all := replay.requests()
	if len(all) < 2 {
		t.Fatalf("%d requests for three syncs, want at least 2", len(all))
	}
	q0, q1 := first[0].URL.Query(), all[1].URL.Query()
	if q0.Has("lastModStartDate") {
		t.Errorf("first sync asked for a range: %s", first[0].URL.RawQuery)
	}
	if want := f.SyncedThrough.UTC().Format("2006-01-02T15:04:05.000-07:00"); q1.Get("lastModStartDate") != want {
		t.Errorf("second sync: lastModStartDate %q, want the first sync's position %q", q1.Get("lastModStartDate"), want)
	}
	from, err1 := time.Parse("2006-01-02T15:04:05.000-07:00", q1.Get("lastModStartDate"))
	to, err2 := time.Parse("2006-01-02T15:04:05.000-07:00", q1.Get("lastModEndDate"))
	if err1 != nil || err2 != nil || !to.After(from) || to.Sub(from) > 120*24*time.Hour {
		t.Errorf("second sync: window %s .. %s (%v %v)", q1.Get("lastModStartDate"), q1.Get("lastModEndDate"), err1, err2)
	}
	for i, r := range all {
		if r.Header.Get("apiKey") != key {
			t.Errorf("request %d: apiKey header %q", i, r.Header.Get("apiKey"))
		}
		if strings.Contains(r.URL.String(), key) || strings.Contains(strings.ToLower(r.URL.RawQuery), "apikey") {
			t.Errorf("request %d: the key is in the URL %s", i, r.URL)
		}
	}
	got := servertest.Must(admin.API().Feed(servertest.Ctx(t), f.ID))(t)
	if strings.Contains(got.URL, key) || !strings.Contains(got.URL, "REDACTED") {
		t.Errorf("the feed as shown: url %q", got.URL)
	}
	if strings.Contains(s.Stderr(), key) {
		t.Error("the server's log holds the API key")
	}
}
