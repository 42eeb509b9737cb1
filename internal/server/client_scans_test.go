package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// clientScans checks scan records through the client (TestClient, both
// engines): an SBOM upload is a scan with its raw document kept byte for
// byte; the same SBOM again records a scan and makes no snapshot; an
// external scan keeps its report; overdue assets follow the cadence by
// exposure, which settings change.
func clientScans(ctx context.Context, t *testing.T, admin *client.Client, sbom []byte) {
	a := must(admin.CreateAsset(ctx, api.AssetInput{Name: ptr("scanned-shop"), Exposure: ptr("internet-facing")}))(t)
	first := must(admin.Upload(ctx, a.ID, sbom, client.UploadOptions{Source: "shop.cdx.json"}))(t)
	if first.Unchanged {
		t.Errorf("a first upload is unchanged: %+v", first)
	}
	again := must(admin.Upload(ctx, a.ID, sbom, client.UploadOptions{Source: "shop-again.cdx.json"}))(t)
	if !again.Unchanged || again.Snapshot.ID != first.Snapshot.ID {
		t.Errorf("the same SBOM again: unchanged %v, snapshot %d; want true, %d", again.Unchanged, again.Snapshot.ID, first.Snapshot.ID)
	}
	if snaps := must(admin.Snapshots(ctx, a.ID))(t); len(snaps) != 1 {
		t.Errorf("%d snapshots after the same SBOM twice; want 1", len(snaps))
	}
	recs := must(admin.ScanRecords(ctx, a.ID, client.PageQuery{}))(t).Items
	sum := sha256.Sum256(sbom)
	if len(recs) != 2 {
		t.Fatalf("%d scan records after two uploads: %+v", len(recs), recs)
	}
	for i, r := range recs {
		if r.Kind != model.ScanSBOM || !r.Kept || r.DocumentSHA256 != hex.EncodeToString(sum[:]) || r.SnapshotID != first.Snapshot.ID ||
			r.DocumentSize != int64(len(sbom)) || r.MediaType != "application/vnd.cyclonedx+json" || r.RecordedBy == "" {
			t.Errorf("scan record %d: %+v", i, r)
		}
	}
	if recs[0].Source != "shop-again.cdx.json" || recs[0].Summary == "" {
		t.Errorf("the newest record: %+v", recs[0])
	}
	if got := readDocument(ctx, t, admin, recs[0].ID); !bytes.Equal(got, sbom) {
		t.Errorf("the kept SBOM differs from the one sent: %d bytes, want %d", len(got), len(sbom))
	}

	// An external scan with its report, dated in the past.
	report := []byte("%PDF-1.7\npenetration test report\n")
	at := time.Now().UTC().AddDate(0, 0, -40).Truncate(time.Second)
	ext := must(admin.RecordExternalScan(ctx, a.ID, model.ExternalScan{Tool: "Pentest GmbH", ScannedAt: at, Summary: "2 medium"}, report, "application/pdf"))(t)
	if ext.Kind != model.ScanExternal || ext.Tool != "Pentest GmbH" || !ext.ScannedAt.Equal(at) || !ext.Kept || ext.MediaType != "application/pdf" {
		t.Errorf("external scan: %+v", ext)
	}
	if got := readDocument(ctx, t, admin, ext.ID); !bytes.Equal(got, report) {
		t.Errorf("the report: %q", got)
	}
	_, err := admin.RecordExternalScan(ctx, a.ID, model.ExternalScan{Tool: "ZAP", ScannedAt: time.Now().AddDate(0, 0, 2)}, report, "")
	wantClientError(t, "a scan in the future", err, 400, "scanned_at")
	_, err = admin.RecordExternalScan(ctx, a.ID, model.ExternalScan{Tool: "ZAP", ScannedAt: at}, nil, "")
	wantClientError(t, "no report", err, 400, "empty body")
	_, err = admin.ScanDocument(ctx, 987654)
	wantClientError(t, "no such record", err, 404, "scan record 987654")

	// Overdue: an internet-facing asset scanned 40 days ago is overdue
	// (30 days); an internal one is not, until its cadence is 30 days.
	old := must(admin.CreateAsset(ctx, api.AssetInput{Name: ptr("old-pentest"), Exposure: ptr("internet-facing")}))(t)
	inner := must(admin.CreateAsset(ctx, api.AssetInput{Name: ptr("old-internal"), Exposure: ptr("internal")}))(t)
	for _, x := range []model.Asset{old, inner} {
		must(admin.RecordExternalScan(ctx, x.ID, model.ExternalScan{Tool: "Nessus", ScannedAt: at}, report, ""))(t)
	}
	overdue := func() map[string]model.OverdueAsset {
		o := must(admin.OverdueScans(ctx))(t)
		m := map[string]model.OverdueAsset{}
		for _, x := range o.Items {
			m[x.Asset.Name] = x
		}
		return m
	}
	got := overdue()
	if x, ok := got["old-pentest"]; !ok || x.Days != 30 || !x.LastScanAt.Equal(at) || x.DaysOver != 10 {
		t.Errorf("old-pentest overdue: %+v (in list: %v)", x, ok)
	}
	if _, ok := got["old-internal"]; ok {
		t.Error("an internal asset scanned 40 days ago is overdue with a 90-day cadence")
	}
	if _, ok := got["scanned-shop"]; ok {
		t.Error("an asset scanned today is overdue")
	}
	set := must(admin.UpdateSettings(ctx, api.SettingsPatch{ScanCadence: map[string]int{"internal": 30}}))(t)
	if set.ScanCadence["internal"] != 30 || set.ScanCadence["internet-facing"] != 30 || set.ScanCadence["isolated"] != 90 {
		t.Errorf("cadence after the change: %v", set.ScanCadence)
	}
	if _, ok := overdue()["old-internal"]; !ok {
		t.Error("old-internal not overdue with a 30-day cadence")
	}
	_, err = admin.UpdateSettings(ctx, api.SettingsPatch{ScanCadence: map[string]int{"dmz": 30}})
	wantClientError(t, "an unknown exposure", err, 400, "dmz")
	must(admin.UpdateSettings(ctx, api.SettingsPatch{ScanCadence: map[string]int{"internal": 90}}))(t)
}

func readDocument(ctx context.Context, t *testing.T, c *client.Client, id int64) []byte {
	t.Helper()
	rc := must(c.ScanDocument(ctx, id))(t)
	defer rc.Close()
	return must(io.ReadAll(rc))(t)
}
