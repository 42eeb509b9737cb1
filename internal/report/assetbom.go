package report

// An asset's CycloneDX documents: the SBOM of its current inventory and
// the VDR of its open findings.

import (
	"bytes"
	"io"
	"strconv"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/vex"
)

// AssetInventory is an asset with its current inventory.
type AssetInventory struct {
	Asset model.Asset
	// Snapshot is the current snapshot; zero (ID 0) when the asset has
	// none yet, and Components is then empty.
	Snapshot   model.Snapshot
	Components []model.SnapshotComponent
}

// AssetVuln is an open finding of the asset with what the VDR says of
// it: its advisory and the decision that applies (nil when nobody
// decided yet).
type AssetVuln struct {
	Finding  model.AssetFinding
	Advisory model.AdvisoryInfo
	Decision *model.Decision
}

// AssetSBOM is a CycloneDX 1.6 SBOM of the asset's current inventory: its
// metadata component is the asset, its components the snapshot's. The
// serial number and the timestamp are the snapshot's, so the same
// snapshot gives the same document.
func AssetSBOM(inv AssetInventory, opts Options) *cdx.BOM {
	bom, _ := assetBOM(inv, opts)
	bom.SerialNumber = serialNumber([]string{"sbom", strconv.FormatInt(inv.Asset.ID, 10), strconv.FormatInt(inv.Snapshot.ID, 10), inv.Snapshot.SHA256})
	if inv.Snapshot.ID != 0 {
		bom.Metadata.Timestamp = inv.Snapshot.CreatedAt.UTC().Format(time.RFC3339)
	}
	return bom
}

// AssetVDR is a CycloneDX 1.6 vulnerability disclosure report of the
// asset: the SBOM's components and one vulnerability per open finding,
// which affects the finding's component (by its bom-ref) and carries the
// analysis people decided (see analysisOf). Its serial number follows
// the snapshot and the findings with their decisions.
func AssetVDR(inv AssetInventory, vulns []AssetVuln, opts Options) *cdx.BOM {
	bom, refs := assetBOM(inv, opts)
	serial := []string{"vdr", strconv.FormatInt(inv.Asset.ID, 10), strconv.FormatInt(inv.Snapshot.ID, 10)}
	out := make([]cdx.Vulnerability, 0, len(vulns))
	for _, v := range vulns {
		ref := refs.of(v.Finding)
		if ref == "" {
			// Not in the inventory (a finding of the asset's CPEs): a
			// component of its own, so that the finding affects one.
			f := v.Finding
			ref = "vulndesk:package:" + f.Key + "@" + f.Version
			*bom.Components = append(*bom.Components, sbomComponent(model.Component{Name: f.Package, Version: f.Version, PURL: f.PURL}, ref))
			refs.byKey[f.Key+"\x00"+f.Version] = ref
		}
		out = append(out, vdrVulnerability(v, ref))
		serial = append(serial, strconv.FormatInt(v.Finding.ID, 10), v.Finding.State)
		if d := v.Decision; d != nil {
			serial = append(serial, d.Justification, d.Reason, d.DecidedAt.UTC().Format(time.RFC3339Nano))
		}
	}
	bom.Vulnerabilities = &out
	bom.SerialNumber = serialNumber(serial)
	return bom
}

// WriteBOM writes a BOM as indented JSON.
func WriteBOM(w io.Writer, bom *cdx.BOM) error {
	var b bytes.Buffer
	if err := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(bom); err != nil {
		return err
	}
	_, err := w.Write(unescapeHTML(b.Bytes()))
	return err
}

// componentRefs finds a finding's component among the inventory's
// bom-refs: by its lookup key and version, else by its purl.
type componentRefs struct {
	byKey  map[string]string // key + "\x00" + version
	byPURL map[string]string
}

func (c componentRefs) of(f model.AssetFinding) string {
	if r, ok := c.byKey[f.Key+"\x00"+f.Version]; ok {
		return r
	}
	if r, ok := c.byPURL[f.PURL]; ok && f.PURL != "" {
		return r
	}
	return ""
}

// assetBOM is the document both share: the metadata and the components,
// each with a bom-ref unique in it (the SBOM's own when it gave one, else
// the purl, else one of vulndesk's).
func assetBOM(inv AssetInventory, opts Options) (*cdx.BOM, componentRefs) {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	a := inv.Asset
	bom.Metadata = &cdx.Metadata{
		Timestamp: opts.Now.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: opts.toolName(), Version: opts.ToolVersion,
		}}},
		Component: &cdx.Component{BOMRef: "vulndesk:asset:" + strconv.FormatInt(a.ID, 10), Type: assetComponentType(a.Kind), Name: a.Name},
	}
	props := []cdx.Property{{Name: "vulndesk:asset-id", Value: strconv.FormatInt(a.ID, 10)}}
	if s := inv.Snapshot; s.ID != 0 {
		props = append(props, cdx.Property{Name: "vulndesk:snapshot-id", Value: strconv.FormatInt(s.ID, 10)},
			cdx.Property{Name: "vulndesk:snapshot-sha256", Value: s.SHA256})
	}
	bom.Metadata.Properties = &props

	refs := componentRefs{byKey: map[string]string{}, byPURL: map[string]string{}}
	used := map[string]bool{}
	comps := make([]cdx.Component, 0, len(inv.Components))
	for _, c := range inv.Components {
		ref := c.Ref
		if ref == "" || used[ref] {
			ref = c.PURL
		}
		if ref == "" || used[ref] {
			ref = "vulndesk:component:" + strconv.FormatInt(c.ID, 10)
		}
		used[ref] = true
		comps = append(comps, sbomComponent(c.Component, ref))
		if k := c.Key + "\x00" + c.Version; refs.byKey[k] == "" {
			refs.byKey[k] = ref
		}
		if c.PURL != "" && refs.byPURL[c.PURL] == "" {
			refs.byPURL[c.PURL] = ref
		}
	}
	bom.Components = &comps
	return bom, refs
}

// sbomComponent is an inventory component in CycloneDX.
func sbomComponent(c model.Component, ref string) cdx.Component {
	out := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: c.Name, Version: c.Version, PackageURL: c.PURL}
	if len(c.CPEs) > 0 {
		out.CPE = c.CPEs[0]
	}
	if len(c.Hashes) > 0 {
		hs := make([]cdx.Hash, len(c.Hashes))
		for i, h := range c.Hashes {
			hs[i] = cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: h.Value}
		}
		out.Hashes = &hs
	}
	if len(c.Licenses) > 0 {
		ls := make(cdx.Licenses, len(c.Licenses))
		for i, l := range c.Licenses {
			ls[i] = cdx.LicenseChoice{License: &cdx.License{Name: l}}
		}
		out.Licenses = &ls
	}
	return out
}

// assetComponentType is the CycloneDX component type of an asset kind.
func assetComponentType(kind string) cdx.ComponentType {
	switch kind {
	case "library":
		return cdx.ComponentTypeLibrary
	case "container-image":
		return cdx.ComponentTypeContainer
	case "host", "virtual-machine":
		return cdx.ComponentTypePlatform
	case "network-device", "medical-device", "ot-device":
		return cdx.ComponentTypeDevice
	case "firmware":
		return cdx.ComponentTypeFirmware
	case "operating-system":
		return cdx.ComponentTypeOS
	}
	return cdx.ComponentTypeApplication
}

// vdrVulnerability is one open finding as a VDR vulnerability.
func vdrVulnerability(v AssetVuln, ref string) cdx.Vulnerability {
	f, adv := v.Finding, v.Advisory
	out := cdx.Vulnerability{
		BOMRef:         "vulndesk:finding:" + strconv.FormatInt(f.ID, 10),
		ID:             f.VulnID,
		Source:         &cdx.Source{Name: "OSV", URL: osvURL(f.VulnID)},
		Description:    firstNonEmpty(adv.Summary, f.Summary),
		Detail:         adv.Details,
		Ratings:        &[]cdx.VulnerabilityRating{cdxRating(f.SeverityDetail)},
		Recommendation: fixAction(&model.Finding{Fix: f.Fix}),
		Affects: &[]cdx.Affects{{Ref: ref, Range: &[]cdx.AffectedVersions{
			{Version: f.Version, Status: cdx.VulnerabilityStatusAffected}}}},
		Analysis: analysisOf(f.State, v.Decision),
	}
	addAdvisory(&out, f.Aliases, adv)
	props := []cdx.Property{{Name: "vulndesk:state", Value: f.State}}
	if f.KEV {
		props = append(props, cdx.Property{Name: "vulndesk:kev", Value: "true"})
	}
	if f.Priority != nil && f.Priority.Decision != "" {
		props = append(props, cdx.Property{Name: "vulndesk:priority", Value: f.Priority.Decision})
	}
	if d := v.Decision; d != nil && d.Justification != "" {
		props = append(props, cdx.Property{Name: "vulndesk:justification", Value: d.Justification})
	}
	out.Properties = &props
	return out
}

// The VDR's analysis of a triage state; the native state and
// justification go along as the properties vulndesk:state and
// vulndesk:justification.
//
// The states and justifications map as a VEX export maps them
// (internal/vex/mapping.go, one table for both); in_remediation adds the
// response update and risk_accepted will_not_fix.
var (
	analysisResponses = map[string]cdx.ImpactAnalysisResponse{
		model.StateInRemediation: cdx.IARUpdate,
		model.StateRiskAccepted:  cdx.IARWillNotFix,
	}
)

// analysisOf is the analysis of a finding in state, decided by d (nil:
// by nobody, or the state came from detection); nil for a new finding.
func analysisOf(state string, d *model.Decision) *cdx.VulnerabilityAnalysis {
	s := vex.CycloneDXState(state)
	if s == "" {
		return nil
	}
	a := &cdx.VulnerabilityAnalysis{State: cdx.ImpactAnalysisState(s)}
	if r, ok := analysisResponses[state]; ok {
		a.Response = &[]cdx.ImpactAnalysisResponse{r}
	}
	if d != nil {
		a.Justification = cdx.ImpactAnalysisJustification(vex.CycloneDXJustification(d.Justification))
		a.Detail = d.Reason
		if !d.DecidedAt.IsZero() {
			a.LastUpdated = d.DecidedAt.UTC().Format(time.RFC3339)
		}
	}
	return a
}
