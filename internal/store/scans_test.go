package store_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestScanRecords: a document sent twice is kept once and read back byte
// for byte; one over the limit is recorded by its hash only; an asset's
// last scan only moves forward (a backdated external scan does not pull
// it back); overdue follows the cadence by exposure and leaves
// decommissioned assets out.
func TestScanRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		a, err := storetest.CreateAsset(ctx, s, model.Asset{Name: "portal", Exposure: "internet-facing"})
		if err != nil {
			t.Fatal(err)
		}
		data := bytes.Repeat([]byte(`{"bomFormat":"CycloneDX"}`), 1000)
		doc, err := store.PackDocument("application/vnd.cyclonedx+json", data)
		if err != nil {
			t.Fatal(err)
		}
		record := func(r model.ScanRecord, d store.PackedDocument, limit int64) model.ScanRecord {
			t.Helper()
			var out model.ScanRecord
			err := s.Transact(ctx, func(tx *store.Tx) error {
				kept, err := tx.PutDocument(ctx, d, limit)
				if err != nil {
					return err
				}
				r.AssetID, r.DocumentSHA256, r.DocumentSize, r.MediaType, r.Kept, r.RecordedBy = a.ID, d.SHA256, d.Size, d.MediaType, kept, "test"
				out, err = tx.AddScanRecord(ctx, r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		r1 := record(model.ScanRecord{Kind: model.ScanSBOM, ScannedAt: now.AddDate(0, 0, -10)}, doc, 0)
		r2 := record(model.ScanRecord{Kind: model.ScanSBOM, ScannedAt: now.AddDate(0, 0, -5)}, doc, 0)
		if !r1.Kept || !r2.Kept || r1.DocumentSHA256 != r2.DocumentSHA256 {
			t.Fatalf("records: %+v %+v", r1, r2)
		}
		var docs int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&docs); err != nil || docs != 1 {
			t.Errorf("%d documents kept for the same document twice (%v); want 1", docs, err)
		}
		meta, rd, err := s.Document(ctx, doc.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, data) || meta.Size != int64(len(data)) || meta.MediaType != "application/vnd.cyclonedx+json" {
			t.Errorf("document read back: %d bytes (%v), meta %+v", len(got), err, meta)
		}

		// Over the limit: the hash only.
		big, _ := store.PackDocument("text/html", bytes.Repeat([]byte("x"), 5000))
		r3 := record(model.ScanRecord{Kind: model.ScanExternal, Tool: "ZAP", ScannedAt: now.AddDate(0, 0, -40)}, big, 10)
		if r3.Kept || r3.DocumentSHA256 == "" {
			t.Errorf("a document over the limit: %+v", r3)
		}
		if _, _, err := s.Document(ctx, big.SHA256); err == nil {
			t.Error("a document over the limit was kept")
		}
		last, err := s.LastScanAt(ctx, a.ID)
		if err != nil || !last.Equal(now.AddDate(0, 0, -5)) {
			t.Errorf("last scan %v (%v); want the newest, 5 days ago, not the backdated external scan", last, err)
		}
		recs, err := s.ScanRecords(ctx, a.ID, 0, 2)
		if err != nil || len(recs) != 2 || recs[0].ID != r3.ID || recs[1].ID != r2.ID {
			t.Errorf("newest two records: %+v (%v)", recs, err)
		}
		if recs, _ := s.ScanRecords(ctx, a.ID, r2.ID, 10); len(recs) != 1 || recs[0].ID != r1.ID {
			t.Errorf("the page before r2: %+v", recs)
		}

		// Overdue: 5 days since the last scan is not, with a 3-day
		// cadence it is; decommissioned assets never are.
		c := model.DefaultCadence()
		if o, err := s.OverdueAssets(ctx, c, now); err != nil || len(o) != 0 {
			t.Errorf("overdue with 30 days: %+v (%v)", o, err)
		}
		c["internet-facing"] = 3
		o, err := s.OverdueAssets(ctx, c, now)
		if err != nil || len(o) != 1 || o[0].Asset.ID != a.ID || o[0].DaysOver != 2 || !o[0].DueAt.Equal(now.AddDate(0, 0, -2)) {
			t.Errorf("overdue with 3 days: %+v (%v)", o, err)
		}
		a.Lifecycle = "decommissioned"
		if _, err := storetest.UpdateAsset(ctx, s, a); err != nil {
			t.Fatal(err)
		}
		if o, _ := s.OverdueAssets(ctx, c, now); len(o) != 0 {
			t.Errorf("a decommissioned asset is overdue: %+v", o)
		}
	})
}
