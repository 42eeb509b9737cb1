package service

import (
	"context"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/store"
)

// AssetSBOM is a CycloneDX SBOM of the asset's current inventory (see
// report.AssetSBOM).
func (s *Service) AssetSBOM(ctx context.Context, assetID int64, opts report.Options) (*cdx.BOM, error) {
	inv, err := s.assetInventory(ctx, assetID)
	if err != nil {
		return nil, err
	}
	return report.AssetSBOM(inv, opts), nil
}

// AssetVDR is a CycloneDX vulnerability disclosure report of the asset's
// open findings with the decisions about them (see report.AssetVDR).
// Its reads are several: a match that ends meanwhile may show in the
// findings and not in the inventory read before them.
func (s *Service) AssetVDR(ctx context.Context, assetID int64, opts report.Options) (*cdx.BOM, error) {
	inv, err := s.assetInventory(ctx, assetID)
	if err != nil {
		return nil, err
	}
	decisions, err := s.Store.OpenFindingDecisions(ctx, assetID)
	if err != nil {
		return nil, err
	}
	advisories := map[string]model.AdvisoryInfo{}
	var vulns []report.AssetVuln
	err = s.Store.EachFinding(ctx, store.FindingFilter{AssetID: assetID, Status: model.FindingOpen}, func(f model.AssetFinding) error {
		v := report.AssetVuln{Finding: f}
		if d, ok := decisions[f.ID]; ok {
			v.Decision = &d
		}
		if err := s.addAdvisory(ctx, advisories, f.VulnID); err != nil {
			return err
		}
		v.Advisory = advisories[f.VulnID]
		vulns = append(vulns, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return report.AssetVDR(inv, vulns, opts), nil
}

// assetInventory reads an asset and its current snapshot's components.
func (s *Service) assetInventory(ctx context.Context, assetID int64) (report.AssetInventory, error) {
	a, err := s.Store.Asset(ctx, assetID)
	if err != nil {
		return report.AssetInventory{}, fmt.Errorf("asset %d: %w", assetID, err)
	}
	inv := report.AssetInventory{Asset: a}
	if a.CurrentSnapshotID == 0 {
		return inv, nil
	}
	if inv.Snapshot, err = s.Store.Snapshot(ctx, a.CurrentSnapshotID); err != nil {
		return inv, err
	}
	inv.Components, err = s.Store.Components(ctx, a.CurrentSnapshotID, nil)
	return inv, err
}
