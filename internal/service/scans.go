package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Scan records (REQUIREMENTS R14): every SBOM upload, SARIF import and
// external scan is recorded with its raw document, kept once by its hash,
// so that an auditor opens the exact report behind a finding; assets
// whose newest scan is older than the cadence for their exposure are
// overdue.

// settingScanCadence names the setting of the scan cadence by exposure.
const settingScanCadence = "scan_cadence_days"

// MaxExternalReport bounds the report attached to an external scan.
const MaxExternalReport = 32 << 20

// recordScan keeps the scan's document (when data is not nil) and records
// the scan, with its audit event, in the caller's transaction.
func (s *Service) recordScan(ctx context.Context, tx *store.Tx, actor string, r model.ScanRecord, data []byte) (model.ScanRecord, error) {
	var doc *store.PackedDocument
	if data != nil {
		d, err := store.PackDocument(r.MediaType, data)
		if err != nil {
			return r, err
		}
		doc = &d
	}
	return s.recordPacked(ctx, tx, actor, r, doc)
}

// recordPacked is recordScan with the document packed already.
func (s *Service) recordPacked(ctx context.Context, tx *store.Tx, actor string, r model.ScanRecord, doc *store.PackedDocument) (model.ScanRecord, error) {
	if doc != nil {
		kept, err := tx.PutDocument(ctx, *doc, s.MaxKeptDocument)
		if err != nil {
			return r, err
		}
		r.DocumentSHA256, r.DocumentSize, r.MediaType, r.Kept = doc.SHA256, doc.Size, doc.MediaType, kept
	}
	r.RecordedBy = actor
	r, err := tx.AddScanRecord(ctx, r)
	if err != nil {
		return r, err
	}
	return r, tx.AppendEvent(ctx, event(actor, "scan.recorded", "scan", r.ID), nil, r)
}

// RecordExternalScan records a scan run outside vulndesk (a penetration
// test, a DAST run) on an asset, with its report attached.
func (s *Service) RecordExternalScan(ctx context.Context, actor string, assetID int64, in model.ExternalScan, fileName, mediaType string, report []byte) (model.ScanRecord, error) {
	if err := in.Validate(s.Store.Now()); err != nil {
		return model.ScanRecord{}, err
	}
	if len(report) == 0 {
		return model.ScanRecord{}, model.Invalidf("report: attach the scan's report (a file of at most %d MiB)", MaxExternalReport>>20)
	}
	if len(report) > MaxExternalReport {
		return model.ScanRecord{}, tooLargeError(fmt.Errorf("report: %d bytes; at most %d MiB", len(report), MaxExternalReport>>20))
	}
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	var rec model.ScanRecord
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.AssetForUpdate(ctx, assetID)
		if err != nil {
			return fmt.Errorf("asset %d: %w", assetID, err)
		}
		rec, err = s.recordScan(ctx, tx, actor, model.ScanRecord{AssetID: a.ID, Kind: model.ScanExternal, Tool: in.Tool,
			Source: fileName, ScannedAt: in.ScannedAt, Summary: in.Summary, MediaType: mediaType}, report)
		return err
	})
	return rec, err
}

// ScanDocument returns a scan record and a reader of its raw document.
func (s *Service) ScanDocument(ctx context.Context, id int64) (model.ScanRecord, model.Document, io.Reader, error) {
	r, err := s.Store.ScanRecord(ctx, id)
	if err != nil {
		return r, model.Document{}, nil, err
	}
	if !r.Kept {
		return r, model.Document{}, nil, fmt.Errorf("%w: scan record %d: its document was not kept (over the size limit, or none was sent); its SHA-256 was %s",
			model.ErrNotFound, id, r.DocumentSHA256)
	}
	d, rd, err := s.Store.Document(ctx, r.DocumentSHA256)
	return r, d, rd, err
}

// ScanCadence is the cadence in force: the setting, or the defaults.
func (s *Service) ScanCadence(ctx context.Context) (model.Cadence, error) {
	c := model.DefaultCadence()
	var set model.Cadence
	ok, err := s.Store.Setting(ctx, settingScanCadence, &set)
	if err != nil || !ok {
		return c, err
	}
	for k, v := range set {
		c[k] = v
	}
	return c, nil
}

// OverdueScans lists the assets whose newest scan is older than their
// cadence, with the cadence in force.
func (s *Service) OverdueScans(ctx context.Context) ([]model.OverdueAsset, model.Cadence, error) {
	c, err := s.ScanCadence(ctx)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.Store.OverdueAssets(ctx, c, s.Store.Now())
	return o, c, err
}

// setCadence stores a new cadence in the caller's transaction with its
// audit event.
func setCadence(ctx context.Context, tx *store.Tx, actor string, c model.Cadence) error {
	if err := c.Validate(); err != nil {
		return err
	}
	old, err := tx.SetSetting(ctx, settingScanCadence, c, actor, tx.Now())
	if err != nil {
		return err
	}
	var before any
	if old != nil {
		before = json.RawMessage(`{"value": ` + string(old) + `}`)
	}
	return tx.AppendEvent(ctx, event(actor, "setting.changed", "setting", settingScanCadence), before, map[string]any{"value": c})
}
