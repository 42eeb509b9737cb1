package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/advisorydb"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sbom"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Upload is one SBOM sent to the service.
type Upload struct {
	// Asset names the asset: by ID, or by Name (created when Create).
	Asset  model.Asset
	Create bool
	// Source is the file name the client gave, for messages and records.
	Source string
	Data   []byte
	By     string
	// AllowEmpty must be set to store an SBOM with no components: it
	// resolves every finding of the asset.
	AllowEmpty bool
	// Limit holds an uploader to some assets; nil: any asset.
	Limit *UploadLimit

	// Scan is set by Ingest to the scan record it made. Unchanged tells
	// that the SBOM was the asset's current one byte for byte: the scan
	// is recorded against that snapshot, and no new one is made.
	Scan      model.ScanRecord
	Unchanged bool
}

// UploadLimit is what an uploader may do: upload to the assets its token
// names (every asset when Token is nil or unscoped), and create assets
// only when CreateAssets.
type UploadLimit struct {
	Token        *model.Token
	CreateAssets bool
}

// ErrForbidden: the caller may not do this to this object.
var ErrForbidden = model.ErrForbidden

// authorize is the upload's check inside the ingest transaction.
func (l *UploadLimit) authorize(a model.Asset, creating bool) error {
	if creating && !l.CreateAssets {
		return fmt.Errorf("%w: this token may not create assets: asset %q does not exist (create it first, or use a token made with create_assets)", ErrForbidden, a.Name)
	}
	if l.Token != nil && !TokenAllows(*l.Token, a) {
		return fmt.Errorf("%w: this token may upload only to assets named %s or tagged %s", ErrForbidden,
			strings.Join(l.Token.AssetNames, ", "), strings.Join(l.Token.AssetTags, ", "))
	}
	return nil
}

// Ingest parses an SBOM and stores it as the asset's new snapshot, with
// its matching queued, and records the scan with the raw SBOM kept
// (compressed beside the parsing). An SBOM identical to the asset's
// current one records the scan only. Nothing is stored unless all of it
// is. It clears u.Data once the SBOM is parsed and packed, so that the
// collector can free the upload (hundreds of MiB) while its components
// are stored.
func (s *Service) Ingest(ctx context.Context, u *Upload) (model.Asset, model.Snapshot, error) {
	name := u.Source
	if name == "" {
		name = "upload"
	}
	if err := checkUTF8(u.Data); err != nil {
		// JSON decoders would quietly turn the bad bytes into U+FFFD.
		return model.Asset{}, model.Snapshot{}, inputError(fmt.Errorf("%s: %w", name, err))
	}
	sum := sha256.Sum256(u.Data)
	packed := packAside(u.Data)
	doc, err := sbom.Parse(name, u.Data, sbom.Options{MaxBytes: s.MaxSBOMBytes})
	if errors.Is(err, sbom.ErrTooLarge) {
		return model.Asset{}, model.Snapshot{}, tooLargeError(err)
	}
	if err != nil {
		return model.Asset{}, model.Snapshot{}, inputError(err)
	}
	raw, err := packed()
	if err != nil {
		return model.Asset{}, model.Snapshot{}, err
	}
	raw.MediaType = sbomMediaType(doc.Format)
	u.Data = nil // parsed and packed: the collector may have it while the components are stored (the caller's copy too)
	if err := checkInventory(&doc); err != nil {
		return model.Asset{}, model.Snapshot{}, inputError(fmt.Errorf("%s: %w", name, err))
	}
	if len(doc.Components) == 0 && !u.AllowEmpty {
		return model.Asset{}, model.Snapshot{}, inputError(fmt.Errorf("%s: the SBOM has no components: as the asset's inventory it would resolve all its findings; send it with allow_empty=true if that is meant", name))
	}
	keys := make([]string, len(doc.Components))
	for i, c := range doc.Components {
		if c.Unmatchable == "" {
			keys[i] = advisorydb.Key(c.Ecosystem, c.Package)
		}
	}
	ns := store.NewSnapshot{
		Format: doc.Format, Subject: doc.Subject, Source: u.Source, SHA256: hex.EncodeToString(sum[:]),
		UploadedBy: u.By, Components: doc.Components, Keys: keys,
	}
	var authorize func(model.Asset, bool) error
	if u.Limit != nil {
		authorize = u.Limit.authorize
	}
	var asset model.Asset
	var snap model.Snapshot
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		a, created, err := tx.ResolveAsset(ctx, u.Asset, u.Create, authorize)
		if err != nil {
			return err
		}
		if created {
			if err := tx.AppendEvent(ctx, event(u.By, "asset.created", "asset", a.ID), nil, a); err != nil {
				return err
			}
		}
		scan := model.ScanRecord{AssetID: a.ID, Kind: model.ScanSBOM, Tool: doc.Format, Source: u.Source}
		if same, err := tx.CurrentSnapshotIf(ctx, a, ns.SHA256); err != nil {
			return err
		} else if same.ID != 0 {
			snap, asset, u.Unchanged = same, a, true
			scan.SnapshotID, scan.Summary = same.ID, fmt.Sprintf("the same SBOM as snapshot %d: no new snapshot", same.ID)
			u.Scan, err = s.recordPacked(ctx, tx, u.By, scan, &raw)
			return err
		}
		if snap, err = tx.AddSnapshot(ctx, a, ns); err != nil {
			return err
		}
		a.CurrentSnapshotID = snap.ID
		asset = a
		if _, _, err := tx.Enqueue(ctx, store.NewJob{Kind: model.JobMatchSnapshot,
			Payload: mustJSON(model.SnapshotPayload{SnapshotID: snap.ID})}); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, event(u.By, "sbom.uploaded", "snapshot", snap.ID), nil, snap); err != nil {
			return err
		}
		scan.SnapshotID, scan.Summary = snap.ID, fmt.Sprintf("snapshot %d: %d components", snap.ID, snap.Components)
		u.Scan, err = s.recordPacked(ctx, tx, u.By, scan, &raw)
		return err
	})
	if err != nil {
		return model.Asset{}, model.Snapshot{}, err
	}
	if u.Unchanged {
		s.Log.Info("scan recorded: the same SBOM as the current snapshot", "asset", asset.Name, "snapshot", snap.ID, "scan", u.Scan.ID)
		return asset, snap, nil
	}
	s.Log.Info("snapshot stored", "asset", asset.Name, "snapshot", snap.ID, "components", snap.Components, "format", snap.Format)
	s.Wake()
	return asset, snap, nil
}

// packAside hashes and compresses data for its scan record while the
// caller parses it; the returned function waits for the result.
func packAside(data []byte) func() (store.PackedDocument, error) {
	type result struct {
		d   store.PackedDocument
		err error
	}
	ch := make(chan result, 1)
	go func() {
		d, err := store.PackDocument("", data)
		ch <- result{d, err}
	}()
	return func() (store.PackedDocument, error) {
		r := <-ch
		return r.d, r.err
	}
}

// sbomMediaType is the media type of an SBOM format as sbom.Parse names
// it.
func sbomMediaType(format string) string {
	switch {
	case strings.HasPrefix(format, "CycloneDX") && strings.HasSuffix(format, "XML"):
		return "application/vnd.cyclonedx+xml"
	case strings.HasPrefix(format, "CycloneDX"):
		return "application/vnd.cyclonedx+json"
	case strings.HasPrefix(format, "SPDX") && strings.HasSuffix(format, "tag-value"):
		return "text/spdx"
	case strings.HasPrefix(format, "SPDX 3"):
		return "application/ld+json"
	case strings.HasPrefix(format, "SPDX"):
		return "application/spdx+json"
	}
	return "application/octet-stream"
}
