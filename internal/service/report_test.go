package service_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestAssetResultRenders: an asset's open findings, as the service stores
// them, render in every report format the scan has — the advisory, the
// package and the fix are in each, and the JSON formats parse.
func TestAssetResultRenders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := newService(t, st, nil)
		dir := t.TempDir()
		writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
		f, err := svc.CreateFeed(ctx, model.Feed{Name: "osv", Kind: model.FeedOSV, URL: dir}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SyncFeed(ctx, f.ID, false); err != nil {
			t.Fatal(err)
		}
		a, _, err := svc.Ingest(ctx, &service.Upload{Asset: model.Asset{Name: "api"}, Create: true,
			Data: sbomDoc(map[string]string{"requests": "1.0.0", "flask": "3.0.0"})})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, svc)

		res, err := svc.AssetResult(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 1 || res.Findings[0].ID != "PYSEC-0001" || res.Findings[0].Fix != "2.0.0" ||
			len(res.Findings[0].Evidence) == 0 || res.Advisories["PYSEC-0001"].Summary == "" || len(res.SBOMs) != 1 ||
			len(res.SBOMs[0].Components) != 2 {
			t.Fatalf("result: %+v", res)
		}
		for _, name := range report.Names {
			format, _ := report.ByName(name)
			var out bytes.Buffer
			if err := format.Write(&out, &res, report.Options{ToolVersion: "test", Now: time.Unix(0, 0)}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, want := range []string{"PYSEC-0001", "requests"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("%s report does not name %s:\n%s", name, want, out.String())
				}
			}
			if name != "table" && !json.Valid(out.Bytes()) {
				t.Errorf("%s report is not JSON", name)
			}
		}
		if _, err := svc.AssetResult(ctx, 9999); err == nil {
			t.Error("a missing asset's result")
		}
	})
}
