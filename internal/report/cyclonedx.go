package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/nvd"
)

// CycloneDX writes a CycloneDX 1.6 JSON BOM (a vulnerability disclosure
// report): each affected component once, with its purl as bom-ref, and one
// vulnerability per advisory ID that lists all the components it affects.
//
// Ignored findings are grouped apart from active ones of the same ID, and
// their vulnerability carries an analysis with state "exploitable",
// response ["will_not_fix"] and the ignore reason and date as detail: the
// CycloneDX way to say "affected, risk accepted". vulndesk does not claim
// "not_affected" or "false_positive", which need an exploitability analysis
// the ignore entry does not contain, and which consumers such as
// Dependency-Track would act on as a final verdict. The date is also in the
// property "vulndesk:ignored-until". Active findings carry no analysis.
//
// What the scan could not check is said in metadata properties:
// "vulndesk:not-checked" once per ecosystem without advisories in the
// database, "vulndesk:files-left-out" with the number of file entries.
type CycloneDX struct{}

// Write implements Format.
func (CycloneDX) Write(w io.Writer, res *model.Result, opts Options) error {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.Metadata = &cdx.Metadata{
		Timestamp: opts.Now.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: opts.toolName(), Version: opts.ToolVersion,
		}}},
	}
	var props []cdx.Property
	for _, u := range res.Unchecked {
		props = append(props, cdx.Property{Name: "vulndesk:not-checked", Value: UncheckedText(u)})
	}
	if n := filesLeftOut(res); n > 0 {
		props = append(props, cdx.Property{Name: "vulndesk:files-left-out", Value: strconv.Itoa(n)})
	}
	if props != nil {
		bom.Metadata.Properties = &props
	}

	comps := map[string]cdx.Component{}
	groups := map[string][]*model.Finding{}
	serial := []string{opts.Now.UTC().Format(time.RFC3339Nano)}
	for i := range res.Findings {
		f := &res.Findings[i]
		ref := productID(f.Component)
		if _, ok := comps[ref]; !ok {
			comps[ref] = cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary,
				Name: f.Component.Name, Version: f.Component.Version, PackageURL: f.Component.PURL}
		}
		key := f.ID + "\x00"
		if s := f.Suppressed; s != nil {
			key += "1" + s.Until.UTC().Format(time.RFC3339) + "\x00" + s.Reason
		}
		groups[key] = append(groups[key], f)
		serial = append(serial, key, ref)
	}

	components := make([]cdx.Component, 0, len(comps))
	for _, c := range comps {
		components = append(components, c)
	}
	sort.Slice(components, func(i, j int) bool { return components[i].BOMRef < components[j].BOMRef })
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vulns := make([]cdx.Vulnerability, 0, len(keys))
	for _, k := range keys {
		vulns = append(vulns, cdxVulnerability(res, groups[k]))
	}
	bom.Components = &components
	bom.Vulnerabilities = &vulns
	bom.SerialNumber = serialNumber(serial)

	var b bytes.Buffer
	if err := cdx.NewBOMEncoder(&b, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).Encode(bom); err != nil {
		return err
	}
	_, err := w.Write(unescapeHTML(b.Bytes()))
	return err
}

// serialNumber is a UUID (version 5 layout) derived from the findings
// (advisory, suppression, component) and the timestamp, so that output is
// reproducible yet differs between scans.
func serialNumber(parts []string) string {
	h := []byte(shortHash(32, parts...))
	h[12] = '5'             // version
	h[16] = "89ab"[h[16]%4] // variant
	return fmt.Sprintf("urn:uuid:%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// cdxVulnerability renders the findings of one advisory ID that share one
// suppression state.
func cdxVulnerability(res *model.Result, fs []*model.Finding) cdx.Vulnerability {
	f := fs[0]
	adv := res.Advisories[f.ID]
	v := cdx.Vulnerability{
		ID:          f.ID,
		Source:      &cdx.Source{Name: "OSV", URL: osvURL(f.ID)},
		Description: firstNonEmpty(adv.Summary, f.Summary),
		Detail:      adv.Details,
		Ratings:     &[]cdx.VulnerabilityRating{cdxRating(advisorySeverity(res, f))},
	}
	addAdvisory(&v, f.Aliases, adv)

	seen := map[string]bool{}
	var affects []cdx.Affects
	var advice []string
	for _, g := range fs {
		ref := productID(g.Component)
		if seen[ref] {
			continue
		}
		seen[ref] = true
		affects = append(affects, cdx.Affects{Ref: ref, Range: &[]cdx.AffectedVersions{
			{Version: g.Component.Version, Status: cdx.VulnerabilityStatusAffected}}})
		advice = append(advice, nameVersion(g.Component)+": "+fixAction(g))
	}
	sort.Slice(affects, func(i, j int) bool { return affects[i].Ref < affects[j].Ref })
	v.Affects = &affects
	v.Recommendation = recommendation(fs, advice)

	if s := f.Suppressed; s != nil {
		v.Analysis = &cdx.VulnerabilityAnalysis{
			State:    cdx.IASExploitable,
			Response: &[]cdx.ImpactAnalysisResponse{cdx.IARWillNotFix},
			Detail:   "Risk accepted. " + ignoredText(s),
		}
		if !s.Until.IsZero() {
			v.Properties = &[]cdx.Property{{Name: "vulndesk:ignored-until", Value: day(s.Until)}}
		}
	}
	return v
}

// addAdvisory adds to v what the advisory says besides its text: the
// aliases as references, the advisory links and its dates.
func addAdvisory(v *cdx.Vulnerability, aliases []string, adv model.AdvisoryInfo) {
	if len(aliases) > 0 {
		refs := make([]cdx.VulnerabilityReference, len(aliases))
		for i, a := range aliases {
			refs[i] = cdx.VulnerabilityReference{ID: a, Source: aliasSource(a)}
		}
		v.References = &refs
	}
	if len(adv.References) > 0 {
		advs := make([]cdx.Advisory, len(adv.References))
		for i, u := range adv.References {
			advs[i] = cdx.Advisory{URL: u}
		}
		v.Advisories = &advs
	}
	if !adv.Published.IsZero() {
		v.Published = adv.Published.UTC().Format(time.RFC3339)
	}
	if !adv.Modified.IsZero() {
		v.Updated = adv.Modified.UTC().Format(time.RFC3339)
	}
}

// recommendation is "Upgrade to X" when all affected components share one
// advice, else the advice per component.
func recommendation(fs []*model.Finding, perComponent []string) string {
	same := true
	for _, g := range fs[1:] {
		same = same && fixAction(g) == fixAction(fs[0])
	}
	if same {
		return fixAction(fs[0])
	}
	sort.Strings(perComponent)
	return strings.Join(perComponent, "; ")
}

// cdxRating converts a severity; the method follows the vector's CVSS
// version, and is "other" for a rating without a vector. A rating from an
// NVD record names its scorer (NVD, or the CNA) as its source.
func cdxRating(s model.Severity) cdx.VulnerabilityRating {
	r := cdx.VulnerabilityRating{Severity: cdx.Severity(rating(s)), Vector: s.Vector}
	if s.From == model.SeverityFromNVD {
		name := s.Source
		if name == "" || name == nvd.NVDSource {
			name = "NVD"
		}
		r.Source = &cdx.Source{Name: name, URL: nvdURL + s.Record}
	}
	if s.Score > 0 {
		score := s.Score
		r.Score = &score
	}
	switch {
	case s.Type == "CVSS_V2":
		r.Method = cdx.ScoringMethodCVSSv2
	case s.Type == "CVSS_V3" && strings.HasPrefix(s.Vector, "CVSS:3.1/"):
		r.Method = cdx.ScoringMethodCVSSv31
	case s.Type == "CVSS_V3":
		r.Method = cdx.ScoringMethodCVSSv3
	case s.Type == "CVSS_V4":
		r.Method = cdx.ScoringMethodCVSSv4
	case s.Type != "" || s.Vector != "":
		r.Method = cdx.ScoringMethodOther
	}
	return r
}

// nvdURL is where NVD shows a CVE, with its ID appended.
const nvdURL = "https://nvd.nist.gov/vuln/detail/"

// aliasSource names the database an alias ID belongs to.
func aliasSource(id string) *cdx.Source {
	switch {
	case strings.HasPrefix(id, "CVE-"):
		return &cdx.Source{Name: "NVD", URL: nvdURL + id}
	case strings.HasPrefix(id, "GHSA-"):
		return &cdx.Source{Name: "GitHub", URL: "https://github.com/advisories/" + id}
	}
	return &cdx.Source{Name: "OSV", URL: osvURL(id)}
}
