package server_test

// The exports through the real server: the findings export answers what
// the list answers, in each format, in constant memory; an asset's SBOM
// and VDR decode with cyclonedx-go and say what the server holds, and the
// SBOM uploaded again gives the same inventory.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestFindingsExport checks, on both engines, that each format of the
// export holds the rows the list answers for the same filters, with the
// headers of a download, and that bad filters are refused before any row.
func TestFindingsExport(t *testing.T) {
	t.Parallel()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{})
			b := storetest.Bulk{Assets: 30, Findings: 4000, Advisories: 400, Packages: 200, Days: 90}
			if err := storetest.BulkFill(context.Background(), p.Store, b, time.Now()); err != nil {
				t.Fatal(err)
			}
			c := p.admin.API()
			ctx := t.Context()
			for _, f := range []client.FindingFilter{
				{},
				{Status: "all", Sort: "score"},
				{Asset: "3", Severity: []string{"critical", "high"}, Status: "all"},
				{Text: "lodash", KEV: false, State: []string{"new", "affected"}},
				{Ecosystem: "pypi", SLAState: "on_track", Priority: []string{"track", "attend", "act", "track*"}},
			} {
				list := must(c.AllFindings(ctx, f))(t)
				want := make([]api.FindingRow, len(list))
				for i, fd := range list {
					want[i] = report.FindingRowOf(fd)
				}
				for _, format := range report.ExportFormats {
					name := fmt.Sprintf("%s %v", format, f.Query())
					got := readExport(t, c, f, format)
					if len(got) != len(want) {
						t.Errorf("%s: %d rows, the list %d", name, len(got), len(want))
						continue
					}
					for i := range got {
						// SLA states are read at each request's time; the
						// rows are otherwise the list's.
						if got[i].ID != want[i].ID || got[i].Package != want[i].Package || got[i].State != want[i].State ||
							got[i].Severity != want[i].Severity || got[i].Score != want[i].Score || !got[i].FirstSeen.Equal(want[i].FirstSeen) {
							t.Errorf("%s: row %d: %+v; the list's %+v", name, i, got[i], want[i])
							break
						}
					}
				}
				if len(list) == 0 {
					t.Errorf("%v: no findings: the filter tests nothing", f.Query())
				}
			}

			// The headers of a download.
			resp := rawGet(t, p.URL+"/api/v1/findings/export?severity=high", p.admin.Token)
			resp.Body.Close()
			if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 ||
				ct != "text/csv; charset=utf-8" || !strings.HasPrefix(cd, `attachment; filename="vulndesk-findings-`) || !strings.HasSuffix(cd, `.csv"`) {
				t.Errorf("export: %d %q %q", resp.StatusCode, ct, cd)
			}
			// Bad input is a 400 with JSON, before any row.
			for q, want := range map[string]string{
				"format=xlsx":             "format",
				"severity=bogus":          "severity",
				"status=bogus":            "status",
				"cursor=1.2":              "unknown query parameter",
				"min_score=9&max_score=1": "min_score",
				"asset=no-such-asset":     "no asset",
			} {
				status, body := p.admin.Do(t, "GET", "/api/v1/findings/export?"+q, nil)
				if (status != 400 && status != 404) || !strings.Contains(string(body), want) {
					t.Errorf("export?%s: %d %s; want 400/404 naming %q", q, status, body, want)
				}
			}
			// The findings page links the export with its filters, every
			// page of them (no cursor), and the link answers the file.
			status, page := p.admin.Do(t, "GET", "/findings?severity=high&state=new&limit=5&cursor=5.99999", nil)
			link := "/api/v1/findings/export?format=csv&amp;severity=high&amp;state=new"
			if status != 200 || !bytes.Contains(page, []byte(`href="`+link+`"`)) || !bytes.Contains(page, []byte("Export JSON")) {
				t.Errorf("the findings page (%d) does not link %s", status, link)
			}
			if status, body := p.admin.Do(t, "GET", strings.ReplaceAll(link, "&amp;", "&"), nil); status != 200 || !bytes.HasPrefix(body, []byte("id,asset_id,")) {
				t.Errorf("the page's export link: %d %.100s", status, body)
			}
			// An export the filters leave empty is a file with the header
			// (CSV) or an empty array (JSON).
			if rows := readExport(t, c, client.FindingFilter{Text: "no-such-package-anywhere"}, "json"); len(rows) != 0 {
				t.Errorf("an empty export: %d rows", len(rows))
			}
		})
	}
}

// readExport exports f in format and decodes its rows.
func readExport(t *testing.T, c *client.Client, f client.FindingFilter, format string) []api.FindingRow {
	t.Helper()
	body, err := c.ExportFindings(t.Context(), f, format)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	var rows []api.FindingRow
	switch format {
	case "json":
		if err := json.NewDecoder(body).Decode(&rows); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	case "ndjson":
		dec := json.NewDecoder(body)
		for {
			var r api.FindingRow
			if err := dec.Decode(&r); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			rows = append(rows, r)
		}
	case "csv":
		recs, err := csv.NewReader(body).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(recs) == 0 || !slices.Equal(recs[0], report.FindingColumns) {
			t.Fatalf("CSV header %q", recs)
		}
		for _, rec := range recs[1:] {
			rows = append(rows, csvRow(t, rec))
		}
	}
	return rows
}

// csvRow reads the columns of a CSV row that readExport's callers compare.
func csvRow(t *testing.T, rec []string) api.FindingRow {
	t.Helper()
	col := func(name string) string { return rec[slices.Index(report.FindingColumns, name)] }
	var r api.FindingRow
	var err error
	if r.ID, err = strconv.ParseInt(col("id"), 10, 64); err != nil {
		t.Fatalf("id %q", col("id"))
	}
	if s := col("score"); s != "" {
		if r.Score, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("score %q", s)
		}
	}
	if r.FirstSeen, err = time.Parse(time.RFC3339, col("first_seen")); err != nil {
		t.Fatalf("first_seen %q", col("first_seen"))
	}
	r.Package, r.State, r.Severity = col("package"), col("state"), col("severity")
	return r
}

func rawGet(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestFindingsExportLarge exports VULNDESK_EXPORT_FINDINGS findings
// (default 100,000) as CSV through the server in this process, on each
// engine, reading the answer as it comes, and checks every row arrives
// while the Go heap stays far below what holding the rows would take
// (about 1 KiB a finding). The benchmark of 1,000,000 is make
// bench-export.
func TestFindingsExportLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the store with 100,000 findings")
	}
	n := 100000
	if v := os.Getenv("VULNDESK_EXPORT_FINDINGS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			p := startInproc(t, e, inprocOptions{})
			if err := storetest.BulkFill(context.Background(), p.Store, storetest.DefaultBulk(n), time.Now()); err != nil {
				t.Fatal(err)
			}
			var open int
			if err := p.Store.DB().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM findings WHERE status = 'open'`).Scan(&open); err != nil {
				t.Fatal(err)
			}
			// The heap sampled holds garbage up to GOGC percent of what
			// lives (more in a full run, which leaves more alive): collect
			// often, so that what grows is what the export holds.
			defer debug.SetGCPercent(debug.SetGCPercent(5))
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			var peak atomic.Uint64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > peak.Load() {
						peak.Store(ms.HeapAlloc)
					}
				}
			}()
			start := time.Now()
			body, err := p.admin.API().ExportFindings(t.Context(), client.FindingFilter{}, "csv")
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			lines, size := 0, 0
			for sc.Scan() {
				lines++
				size += len(sc.Bytes()) + 1
			}
			body.Close()
			close(stop)
			<-sampled
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if lines != open+1 { // no summary of the bulk store holds a newline
				t.Errorf("%d lines; want the header and %d open findings", lines, open)
			}
			grew := max(0, int64(peak.Load())-int64(base))
			t.Logf("%s: %d rows, %d MB in %v; the Go heap grew by at most %d MB", e.Name, lines-1, size>>20, time.Since(start).Round(time.Millisecond), grew>>20)
			if limit := int64(32 << 20); grew > limit && int64(open)*1024 > 2*limit {
				t.Errorf("the heap grew by %d MB exporting %d findings: the export holds rows", grew>>20, open)
			}
		})
	}
}

// TestAssetExports checks an asset's SBOM and VDR on both engines: both
// decode with cyclonedx-go; the SBOM lists the current snapshot's
// components and, uploaded to a fresh asset, gives the same inventory;
// the VDR has one vulnerability per open finding, each affecting its
// component, with the analysis of a decision.
func TestAssetExports(t *testing.T) {
	t.Parallel()
	shop := mustRead(t, "../../examples/sbom/webshop.cdx.json")
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			p := startInproc(t, e, inprocOptions{seed: true, jobs: true})
			c := p.admin.API()
			ctx := t.Context()
			rec := must(c.UploadByName(ctx, "export-shop", shop, client.UploadOptions{Create: true}))(t)
			waitMatched(t, p.admin, rec.Snapshot.ID)
			asset := rec.Asset.ID
			open := must(c.AllFindings(ctx, client.FindingFilter{Asset: strconv.FormatInt(asset, 10)}))(t)
			if len(open) < 2 {
				t.Fatalf("%d open findings: the VDR check wants several", len(open))
			}
			decided := open[0]
			must(c.Triage(ctx, decided.ID, model.TriageInput{State: model.StateNotAffected, Reason: "never called",
				Justification: "vulnerable_code_not_in_execute_path"}))(t)

			sbom := decodeCDX(t, must(c.AssetSBOM(ctx, asset))(t))
			if sbom.SpecVersion != cdx.SpecVersion1_6 || sbom.Metadata.Component.Name != "export-shop" ||
				(*sbom.Metadata.Tools.Components)[0].Name != "vulndesk" || !strings.HasPrefix(sbom.SerialNumber, "urn:uuid:") {
				t.Errorf("SBOM metadata: %s %s %+v", sbom.SpecVersion, sbom.SerialNumber, sbom.Metadata)
			}
			again := decodeCDX(t, must(c.AssetSBOM(ctx, asset))(t))
			if again.SerialNumber != sbom.SerialNumber || again.Metadata.Timestamp != sbom.Metadata.Timestamp {
				t.Error("the same snapshot gave another serial number or timestamp")
			}
			held := inventory(t, c, rec.Snapshot.ID)
			if len(*sbom.Components) != len(held) {
				t.Errorf("SBOM: %d components; the snapshot holds %d", len(*sbom.Components), len(held))
			}

			// The round trip: the SBOM uploaded to a fresh asset.
			raw := must(c.AssetSBOM(ctx, asset))(t)
			back := must(c.UploadByName(ctx, "export-shop-again", raw, client.UploadOptions{Create: true}))(t)
			if got := inventory(t, c, back.Snapshot.ID); !slices.Equal(got, held) {
				t.Errorf("the SBOM uploaded again gives another inventory:\n%q\nwant\n%q", got, held)
			}

			t.Logf("%d components, %d open findings", len(held), len(open))
			vdr := decodeCDX(t, must(c.AssetVDR(ctx, asset))(t))
			vulns := *vdr.Vulnerabilities
			if len(vulns) != len(open) {
				t.Fatalf("VDR: %d vulnerabilities; %d open findings", len(vulns), len(open))
			}
			refs := map[string]bool{}
			for _, comp := range *vdr.Components {
				refs[comp.BOMRef] = true
			}
			for i, v := range vulns {
				if v.ID != open[i].VulnID || v.Ratings == nil || len(*v.Affects) != 1 || !refs[(*v.Affects)[0].Ref] {
					t.Errorf("vulnerability %d: %s, affects %+v; want %s affecting a component of the BOM", i, v.ID, v.Affects, open[i].VulnID)
				}
				if r := (*v.Ratings)[0]; open[i].SeverityDetail.Vector != "" && r.Vector != open[i].SeverityDetail.Vector {
					t.Errorf("%s: rating vector %q; the finding's %q", v.ID, r.Vector, open[i].SeverityDetail.Vector)
				}
				switch v.BOMRef {
				case fmt.Sprintf("vulndesk:finding:%d", decided.ID):
					if a := v.Analysis; a == nil || a.State != cdx.IASNotAffected || a.Justification != cdx.IAJCodeNotReachable || a.Detail != "never called" {
						t.Errorf("%s: analysis %+v; want not_affected, code_not_reachable", v.ID, v.Analysis)
					}
				default:
					if v.Analysis != nil {
						t.Errorf("%s: analysis %+v of a finding nobody decided about", v.ID, v.Analysis)
					}
				}
			}
			if status, page := p.admin.Do(t, "GET", fmt.Sprintf("/assets/%d", asset), nil); status != 200 ||
				!bytes.Contains(page, fmt.Appendf(nil, `href="/api/v1/assets/%d/sbom"`, asset)) ||
				!bytes.Contains(page, fmt.Appendf(nil, `href="/api/v1/assets/%d/vdr"`, asset)) {
				t.Errorf("the asset page (%d) does not link its SBOM and VDR", status)
			}
			if _, err := c.AssetVDR(ctx, 999999); err == nil || !strings.Contains(err.Error(), "asset 999999") {
				t.Errorf("VDR of no asset: %v", err)
			}
			resp := rawGet(t, fmt.Sprintf("%s/api/v1/assets/%d/vdr", p.URL, asset), p.admin.Token)
			resp.Body.Close()
			if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/vnd.cyclonedx+json" ||
				cd != `attachment; filename="export-shop.vdr.cdx.json"` {
				t.Errorf("VDR headers %q %q", ct, cd)
			}
		})
	}
}

func decodeCDX(t *testing.T, data []byte) cdx.BOM {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return bom
}

// inventory is a snapshot's components as what matching reads of them
// (name, version, purl, ecosystem, package, CPEs, hashes, licenses), one
// line each, sorted.
func inventory(t *testing.T, c *client.Client, snap int64) []string {
	t.Helper()
	var out []string
	pq := client.PageQuery{Limit: 500}
	for {
		page := must(c.Components(t.Context(), snap, pq))(t)
		for _, comp := range page.Items {
			out = append(out, fmt.Sprintf("%s %s %s %s %s %v %v %v", comp.Name, comp.Version, comp.PURL, comp.Ecosystem,
				comp.Package, comp.CPEs, comp.Hashes, comp.Licenses))
		}
		if page.NextCursor == "" {
			break
		}
		pq.Cursor = page.NextCursor
	}
	slices.Sort(out)
	return out
}

// clientExports calls the exports through the typed client (TestClient).
func clientExports(ctx context.Context, t *testing.T, c *client.Client) {
	f := client.FindingFilter{Asset: "client-test", Status: "all"}
	body := must(c.ExportFindings(ctx, f, "ndjson"))(t)
	data, err := io.ReadAll(body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	all := must(c.AllFindings(ctx, f))(t)
	if n := bytes.Count(data, []byte("\n")); n != len(all) || n == 0 {
		t.Errorf("export of client-test: %d lines; %d findings", n, len(all))
	}
	asset := all[0].AssetID
	for what, read := range map[string]func(context.Context, int64) ([]byte, error){"sbom": c.AssetSBOM, "vdr": c.AssetVDR} {
		if doc := must(read(ctx, asset))(t); !bytes.Contains(doc, []byte(`"bomFormat": "CycloneDX"`)) {
			t.Errorf("%s: %.200s", what, doc)
		}
	}
	if _, err := c.ExportFindings(ctx, client.FindingFilter{Severity: []string{"bogus"}}, ""); err == nil {
		t.Error("an export with severity=bogus: no error")
	} else {
		wantClientError(t, "export severity=bogus", err, 400, "severity")
	}
}
