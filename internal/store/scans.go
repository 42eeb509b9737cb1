package store

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// DefaultMaxKeptDocument bounds a kept document after compression: a
// larger one is recorded by its hash only. SBOMs compress about tenfold,
// so the upload limit (256 MiB) fits.
const DefaultMaxKeptDocument = 64 << 20

// PackedDocument is a raw document ready to keep: its hash and size, and
// its bytes gzip-compressed. Packing runs outside the transaction (and
// for an SBOM beside its parsing), so that the transaction only writes.
type PackedDocument struct {
	SHA256    string
	Size      int64
	MediaType string
	gz        []byte
}

// PackDocument hashes and compresses a raw document.
func PackDocument(mediaType string, data []byte) (PackedDocument, error) {
	sum := sha256.Sum256(data)
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return PackedDocument{}, err
	}
	if _, err := zw.Write(data); err != nil {
		return PackedDocument{}, err
	}
	if err := zw.Close(); err != nil {
		return PackedDocument{}, err
	}
	return PackedDocument{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), MediaType: mediaType, gz: buf.Bytes()}, nil
}

// PutDocument keeps a packed document unless it is over maxKept bytes
// compressed (0: DefaultMaxKeptDocument); kept tells which. A document
// kept before is kept once.
func (t *Tx) PutDocument(ctx context.Context, d PackedDocument, maxKept int64) (kept bool, err error) {
	if maxKept <= 0 {
		maxKept = DefaultMaxKeptDocument
	}
	if d.SHA256 == "" || d.gz == nil {
		return false, errors.New("put document: not packed (PackDocument)")
	}
	if int64(len(d.gz)) > maxKept {
		return false, nil
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO documents (sha256, media_type, size, content, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`, d.SHA256, d.MediaType, d.Size, d.gz, t.now())
	if err != nil {
		return false, fmt.Errorf("keeping document %s: %w", d.SHA256, err)
	}
	return true, nil
}

// Document returns a kept document's metadata and a reader of its raw
// bytes (decompressed as it is read), bounded by the size it was stored
// with.
func (s *Store) Document(ctx context.Context, sha string) (model.Document, io.Reader, error) {
	var d model.Document
	var gz []byte
	err := s.db.QueryRowContext(ctx, `SELECT sha256, media_type, size, content, created_at FROM documents WHERE sha256 = $1`,
		sha).Scan(&d.SHA256, &d.MediaType, &d.Size, &gz, &d.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil, fmt.Errorf("document %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return d, nil, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return d, nil, fmt.Errorf("document %s: %w", sha, err)
	}
	return d, io.LimitReader(zr, d.Size), nil
}

// AddScanRecord records a scan of an asset and moves the asset's
// last_scan_at forward to it.
func (t *Tx) AddScanRecord(ctx context.Context, r model.ScanRecord) (model.ScanRecord, error) {
	r.RecordedAt = t.now()
	if r.ScannedAt.IsZero() {
		r.ScannedAt = r.RecordedAt
	}
	r.ScannedAt = r.ScannedAt.UTC()
	var snap sql.NullInt64
	if r.SnapshotID != 0 {
		snap = sql.NullInt64{Int64: r.SnapshotID, Valid: true}
	}
	err := t.tx.QueryRowContext(ctx, `INSERT INTO scan_records (asset_id, kind, tool, branch, source, document_sha256,
		document_size, media_type, kept, snapshot_id, scanned_at, recorded_at, recorded_by, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		r.AssetID, r.Kind, r.Tool, r.Branch, r.Source, r.DocumentSHA256, r.DocumentSize, r.MediaType, r.Kept, snap,
		r.ScannedAt, r.RecordedAt, r.RecordedBy, r.Summary).Scan(&r.ID)
	if err != nil {
		return r, fmt.Errorf("recording scan: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE assets SET last_scan_at = $1
		WHERE id = $2 AND (last_scan_at IS NULL OR last_scan_at < $1)`, r.ScannedAt, r.AssetID)
	return r, err
}

const scanColumns = `id, asset_id, kind, tool, branch, source, document_sha256, document_size, media_type, kept,
	snapshot_id, scanned_at, recorded_at, recorded_by, summary`

func scanScanRecord(row rowScanner) (model.ScanRecord, error) {
	var r model.ScanRecord
	var snap sql.NullInt64
	err := row.Scan(&r.ID, &r.AssetID, &r.Kind, &r.Tool, &r.Branch, &r.Source, &r.DocumentSHA256, &r.DocumentSize,
		&r.MediaType, &r.Kept, &snap, &r.ScannedAt, &r.RecordedAt, &r.RecordedBy, &r.Summary)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.SnapshotID = snap.Int64
	r.ScannedAt, r.RecordedAt = r.ScannedAt.UTC(), r.RecordedAt.UTC()
	return r, err
}

// ScanRecord returns one scan record.
func (s *Store) ScanRecord(ctx context.Context, id int64) (model.ScanRecord, error) {
	r, err := scanScanRecord(s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scan_records WHERE id = $1`, id))
	if errors.Is(err, ErrNotFound) {
		return r, fmt.Errorf("scan record %d: %w", id, ErrNotFound)
	}
	return r, err
}

// ScanRecords returns an asset's scan records, newest first, a page of
// at most limit after the record before (0: from the newest).
func (s *Store) ScanRecords(ctx context.Context, assetID, before int64, limit int) ([]model.ScanRecord, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	return queryAll(ctx, s.db, scanScanRecord, `SELECT `+scanColumns+` FROM scan_records WHERE asset_id = $1 AND id < $2
		ORDER BY id DESC LIMIT $3`, assetID, before, limit)
}

// OverdueAssets lists the assets in use (not decommissioned) whose newest
// scan — or, never scanned, whose creation — is older than the cadence
// for their exposure, most overdue first.
func (s *Store) OverdueAssets(ctx context.Context, c model.Cadence, at time.Time) ([]model.OverdueAsset, error) {
	out := []model.OverdueAsset{}
	for _, exp := range model.Exposures {
		days := c.Days(exp)
		cutoff := at.UTC().Add(-time.Duration(days) * 24 * time.Hour)
		err := queryRows(ctx, s.db, `SELECT `+assetColumns+`, last_scan_at FROM assets
			WHERE exposure = $1 AND lifecycle <> 'decommissioned' AND COALESCE(last_scan_at, created_at) < $2`,
			[]any{exp, cutoff}, func(rows *sql.Rows) error {
				var last sql.NullTime
				a, err := scanAsset(withExtra{rows, []any{&last}})
				if err != nil {
					return err
				}
				o := model.OverdueAsset{Asset: a, Days: days, LastScanAt: timeOf(last)}
				from := a.CreatedAt
				if last.Valid {
					from = o.LastScanAt
				}
				o.DueAt = from.Add(time.Duration(days) * 24 * time.Hour)
				o.DaysOver = int(at.Sub(o.DueAt).Hours() / 24)
				out = append(out, o)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b model.OverdueAsset) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Asset.ID, b.Asset.ID))
	})
	return out, nil
}

// withExtra scans a row's leading columns with a scan function and the
// columns after them into extra.
type withExtra struct {
	row   rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// CurrentSnapshotIf returns the asset's current snapshot when its SBOM's
// SHA-256 is sha, and a zero snapshot otherwise.
func (t *Tx) CurrentSnapshotIf(ctx context.Context, a model.Asset, sha string) (model.Snapshot, error) {
	if a.CurrentSnapshotID == 0 {
		return model.Snapshot{}, nil
	}
	snap, err := scanSnapshot(t.tx.QueryRowContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots WHERE id = $1 AND sha256 = $2`,
		a.CurrentSnapshotID, sha))
	if errors.Is(err, ErrNotFound) {
		return model.Snapshot{}, nil
	}
	return snap, err
}

// LastScanAt is when the asset was last scanned; zero when never.
func (s *Store) LastScanAt(ctx context.Context, assetID int64) (time.Time, error) {
	var at sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT last_scan_at FROM assets WHERE id = $1`, assetID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("asset %d: %w", assetID, ErrNotFound)
	}
	return timeOf(at), err
}
