package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
	"github.com/vulndesk/vulndesk/internal/store"
)

// AssetResult is an asset's current inventory and open findings as a scan
// result, which every report writer renders (SARIF, OpenVEX, CycloneDX,
// JSON, table): the service's findings in the scan's formats.
func (s *Service) AssetResult(ctx context.Context, assetID int64) (model.Result, error) {
	a, err := s.Store.Asset(ctx, assetID)
	if err != nil {
		return model.Result{}, fmt.Errorf("asset %d: %w", assetID, err)
	}
	res := model.Result{Findings: []model.Finding{}, Advisories: map[string]model.AdvisoryInfo{}}
	if a.CurrentSnapshotID != 0 {
		snap, err := s.Store.Snapshot(ctx, a.CurrentSnapshotID)
		if err != nil {
			return model.Result{}, err
		}
		comps, err := s.Store.Components(ctx, snap.ID, nil)
		if err != nil {
			return model.Result{}, err
		}
		doc := model.SBOM{Path: snap.Source, Format: snap.Format, Subject: snap.Subject, Components: make([]model.Component, len(comps))}
		for i, c := range comps {
			doc.Components[i] = c.Component
		}
		res.SBOMs = append(res.SBOMs, doc)
	}
	// The inventory's findings: code findings name no component of it.
	f := store.FindingFilter{AssetID: assetID, Status: model.FindingOpen, Kind: model.KindDependency, Limit: store.MaxPageSize}
	for {
		page, next, err := s.Store.Findings(ctx, f)
		if err != nil {
			return model.Result{}, err
		}
		for _, af := range page {
			fnd, err := af.Finding()
			if err != nil {
				return model.Result{}, err
			}
			res.Findings = append(res.Findings, fnd)
			if err := s.addAdvisory(ctx, res.Advisories, af.VulnID); err != nil {
				return model.Result{}, err
			}
		}
		if next == "" {
			return res, nil
		}
		f.Cursor = next
	}
}

// addAdvisory puts the stored description of advisory id into infos.
func (s *Service) addAdvisory(ctx context.Context, infos map[string]model.AdvisoryInfo, id string) error {
	if _, ok := infos[id]; ok {
		return nil
	}
	raw, ok, err := s.Store.AdvisoryInfo(ctx, id)
	if err != nil || !ok {
		return err
	}
	var info model.AdvisoryInfo
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return fmt.Errorf("advisory %s: stored description: %w", id, err)
	}
	infos[id] = info
	return nil
}

// Finding reads one finding with every CVSS vector known for its
// vulnerability: the advisory's own, then those of the NVD records of its
// CVE aliases, each with its source.
func (s *Service) Finding(ctx context.Context, id int64) (model.AssetFinding, error) {
	f, err := s.Store.Finding(ctx, id)
	if err != nil {
		return f, fmt.Errorf("finding %d: %w", id, err)
	}
	switch d, err := s.Store.FindingDecision(ctx, id); {
	case err == nil:
		f.Decision = &d
	case !errors.Is(err, store.ErrNotFound):
		return f, err
	}
	infos := map[string]model.AdvisoryInfo{}
	if err := s.addAdvisory(ctx, infos, f.VulnID); err != nil {
		return f, err
	}
	if own := infos[f.VulnID].Severity; own.Vector != "" {
		own.From, own.Record = model.SeverityFromAdvisory, f.VulnID
		f.CVSS = append(f.CVSS, own)
	}
	if f.SeverityDetail.From == model.SeverityFromAdvisory && f.SeverityDetail.Vector != "" &&
		f.SeverityDetail.Record != f.VulnID {
		f.CVSS = append(f.CVSS, f.SeverityDetail) // a merged advisory's, which the finding shows
	}
	vs, err := s.NVDVectors(ctx, f.VulnID, f.Aliases)
	f.CVSS = append(f.CVSS, vs...)
	return f, err
}

// NVDVectors lists every CVSS vector of the stored NVD records of the CVE
// IDs among id and aliases, each with its source (NVD's analysis, each
// CNA's).
func (s *Service) NVDVectors(ctx context.Context, id string, aliases []string) ([]model.Severity, error) {
	raw, err := s.Store.NVDMetrics(ctx, nvd.CVEs(id, aliases))
	if err != nil {
		return nil, err
	}
	metrics := map[string][]nvd.CVSS{}
	for cve, r := range raw {
		var ms []nvd.CVSS
		if err := json.Unmarshal([]byte(r), &ms); err != nil {
			return nil, fmt.Errorf("stored NVD metrics of %s: %w", cve, err)
		}
		metrics[cve] = ms
	}
	return nvd.Vectors(id, aliases, func(cve string) []nvd.CVSS { return metrics[cve] }), nil
}
