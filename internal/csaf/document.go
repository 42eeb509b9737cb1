// Package csaf writes the organisation's own security advisories as CSAF
// 2.0 documents (profiles csaf_security_advisory and csaf_vex) and OSV
// records, and the files of a CSAF trusted provider: provider-metadata.json,
// index.txt and changes.csv.
package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	gocvss31 "github.com/pandatix/go-cvss/31"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Meta is what a document says beyond the advisory's content: who
// publishes it, where, and which revision it is.
type Meta struct {
	// Publisher is the organisation; Namespace its https address (the
	// base URL).
	Publisher, Namespace string
	// Status is final for a published revision, draft or interim for a
	// preview.
	Status string
	// Version is the revision's number (0 for a draft never published).
	Version int
	// Revisions are the revision history, oldest first, this one included.
	Revisions []model.SecAdvRevision
	// Initial and Current are the first and this revision's release.
	Initial, Current time.Time
	// Generator is vulndesk's version.
	Generator string
	// SelfURL is where the document is served, or empty.
	SelfURL string
}

// Profile categories of CSAF 2.0.
var categories = map[string]string{
	model.ProfileSecurityAdvisory: "csaf_security_advisory",
	model.ProfileVEX:              "csaf_vex",
}

type doc struct {
	Document        docMeta `json:"document"`
	ProductTree     tree    `json:"product_tree"`
	Vulnerabilities []vuln  `json:"vulnerabilities"`
}

type docMeta struct {
	Category     string       `json:"category"`
	CSAFVersion  string       `json:"csaf_version"`
	Distribution distribution `json:"distribution"`
	Lang         string       `json:"lang"`
	Notes        []note       `json:"notes,omitempty"`
	Publisher    publisher    `json:"publisher"`
	References   []reference  `json:"references,omitempty"`
	Title        string       `json:"title"`
	Tracking     tracking     `json:"tracking"`
}

type distribution struct {
	TLP struct {
		Label string `json:"label"`
		URL   string `json:"url"`
	} `json:"tlp"`
}

type note struct {
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

type publisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type tracking struct {
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          generator  `json:"generator"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

type generator struct {
	Date   string `json:"date"`
	Engine struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	} `json:"engine"`
}

type revision struct {
	Date    string `json:"date"`
	Number  string `json:"number"`
	Summary string `json:"summary"`
}

type tree struct {
	Branches []branch `json:"branches"`
}

type branch struct {
	Branches []branch `json:"branches,omitempty"`
	Category string   `json:"category"`
	Name     string   `json:"name"`
	Product  *product `json:"product,omitempty"`
}

type product struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
}

type vuln struct {
	Acknowledgments []ack         `json:"acknowledgments,omitempty"`
	CVE             string        `json:"cve,omitempty"`
	CWE             *cwe          `json:"cwe,omitempty"`
	Flags           []csafFlag    `json:"flags,omitempty"`
	IDs             []vulnID      `json:"ids,omitempty"`
	Notes           []note        `json:"notes"`
	ProductStatus   productStatus `json:"product_status"`
	Remediations    []remediation `json:"remediations,omitempty"`
	Scores          []score       `json:"scores,omitempty"`
	Title           string        `json:"title"`
}

type ack struct {
	Names []string `json:"names"`
}

type cwe struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type csafFlag struct {
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids"`
}

type vulnID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type productStatus struct {
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

type remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
}

type score struct {
	CVSSv3   cvssV3   `json:"cvss_v3"`
	Products []string `json:"products"`
}

type cvssV3 struct {
	BaseScore    float64 `json:"baseScore"`
	BaseSeverity string  `json:"baseSeverity"`
	VectorString string  `json:"vectorString"`
	Version      string  `json:"version"`
}

// stamp is CSAF's date-time: RFC 3339 in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// productIDs are the product tree's IDs of each product entry: its
// affected range and its fixed version (empty when there is none).
type productIDs struct{ Range, Fixed string }

// Document writes the advisory as a CSAF 2.0 document in its profile,
// indented, ending in a newline.
func Document(a model.SecurityAdvisory, m Meta) ([]byte, error) {
	cat, ok := categories[a.Profile]
	if !ok {
		return nil, fmt.Errorf("csaf: profile %q", a.Profile)
	}
	d := doc{Document: docMeta{Category: cat, CSAFVersion: "2.0", Lang: "en", Title: a.Title,
		Publisher: publisher{Category: "vendor", Name: m.Publisher, Namespace: m.Namespace}}}
	d.Document.Distribution.TLP.Label = a.TLP
	d.Document.Distribution.TLP.URL = "https://www.first.org/tlp/"
	if a.Summary != "" {
		d.Document.Notes = []note{{Category: "summary", Title: "Summary", Text: a.Summary}}
	}
	if m.SelfURL != "" {
		d.Document.References = []reference{{Category: "self", Summary: "URL of this CSAF document", URL: m.SelfURL}}
	}
	t := &d.Document.Tracking
	t.ID, t.Status, t.Version = a.TrackingID, m.Status, fmt.Sprint(m.Version)
	t.InitialReleaseDate, t.CurrentReleaseDate = stamp(m.Initial), stamp(m.Current)
	t.Generator.Date = stamp(m.Current)
	t.Generator.Engine.Name, t.Generator.Engine.Version = "vulndesk", m.Generator
	for _, r := range m.Revisions {
		t.RevisionHistory = append(t.RevisionHistory, revision{Date: stamp(r.Date), Number: fmt.Sprint(r.Number), Summary: r.Summary})
	}
	var ids []productIDs
	d.ProductTree, ids = productTree(m.Publisher, a.Products)
	for i, v := range a.Vulnerabilities {
		cv, err := vulnerability(a, i, v, ids)
		if err != nil {
			return nil, err
		}
		d.Vulnerabilities = append(d.Vulnerabilities, cv)
	}
	return encode(d)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// productTree makes vendor → product name → version range / version
// branches, one product name branch per distinct name in the order
// given, and returns each entry's product IDs.
func productTree(vendor string, products []model.SecAdvProduct) (tree, []productIDs) {
	root := branch{Category: "vendor", Name: vendor}
	byName := map[string]int{}
	ids := make([]productIDs, len(products))
	n := 0
	next := func() string { n++; return fmt.Sprintf("CSAFPID-%04d", n) }
	for i, p := range products {
		j, ok := byName[p.Name]
		if !ok {
			j = len(root.Branches)
			byName[p.Name] = j
			root.Branches = append(root.Branches, branch{Category: "product_name", Name: p.Name})
		}
		b := &root.Branches[j]
		rng := VersRange(p.Affected)
		ids[i].Range = next()
		b.Branches = append(b.Branches, branch{Category: "product_version_range", Name: rng,
			Product: &product{Name: vendor + " " + p.Name + " " + rng, ProductID: ids[i].Range}})
		if p.Fixed != "" {
			ids[i].Fixed = next()
			b.Branches = append(b.Branches, branch{Category: "product_version", Name: p.Fixed,
				Product: &product{Name: vendor + " " + p.Name + " " + p.Fixed, ProductID: ids[i].Fixed}})
		}
	}
	return tree{Branches: []branch{root}}, ids
}

// VersRange writes an affected range as a vers range: a vers: string is
// kept, a constraint list (>=1.0, <1.4.2) becomes vers:generic/>=1.0|<1.4.2.
func VersRange(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "vers:") {
		return s
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' })
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.TrimSpace(p), " ", "")
	}
	return "vers:generic/" + strings.Join(parts, "|")
}

func vulnerability(a model.SecurityAdvisory, i int, v model.SecAdvVuln, ids []productIDs) (vuln, error) {
	cv := vuln{CVE: v.CVE, Title: v.Title,
		Notes: []note{{Category: "description", Title: "Vulnerability description", Text: v.Description}}}
	if v.CVE == "" {
		cv.IDs = []vulnID{{SystemName: a.TrackingID, Text: fmt.Sprintf("%s-V%d", a.TrackingID, i+1)}}
	}
	if v.CWE != "" {
		cv.CWE = &cwe{ID: v.CWE, Name: v.CWEName}
	}
	if len(v.Acknowledgements) > 0 {
		cv.Acknowledgments = []ack{{Names: v.Acknowledgements}}
	}
	var affected, withFix, noFix []string
	flags := map[string][]string{}
	var labels []string
	ps := &cv.ProductStatus
	for j, p := range a.Products {
		id := ids[j]
		switch p.Status {
		case model.ProductAffected:
			ps.KnownAffected = append(ps.KnownAffected, id.Range)
			affected = append(affected, id.Range)
			if id.Fixed != "" {
				ps.Fixed = append(ps.Fixed, id.Fixed)
				withFix = append(withFix, id.Range)
			} else {
				noFix = append(noFix, id.Range)
			}
		case model.ProductNotAffected:
			ps.KnownNotAffected = append(ps.KnownNotAffected, id.Range)
			if _, ok := flags[p.Justification]; !ok {
				labels = append(labels, p.Justification)
			}
			flags[p.Justification] = append(flags[p.Justification], id.Range)
		case model.ProductUnderInvestigation:
			ps.UnderInvestigation = append(ps.UnderInvestigation, id.Range)
		}
	}
	for _, l := range labels {
		cv.Flags = append(cv.Flags, csafFlag{Label: l, ProductIDs: flags[l]})
	}
	if v.Remediation != "" {
		if len(withFix) > 0 {
			cv.Remediations = append(cv.Remediations, remediation{Category: "vendor_fix", Details: v.Remediation, ProductIDs: withFix})
		}
		if len(noFix) > 0 {
			cv.Remediations = append(cv.Remediations, remediation{Category: "mitigation", Details: v.Remediation, ProductIDs: noFix})
		}
	}
	if v.CVSS != "" && len(affected) > 0 {
		c, err := gocvss31.ParseVector(v.CVSS)
		if err != nil {
			return vuln{}, fmt.Errorf("csaf: vulnerability %d: cvss: %w", i+1, err)
		}
		s := c.BaseScore()
		rating, err := gocvss31.Rating(s)
		if err != nil {
			return vuln{}, fmt.Errorf("csaf: vulnerability %d: cvss rating: %w", i+1, err)
		}
		cv.Scores = []score{{CVSSv3: cvssV3{Version: "3.1", VectorString: c.Vector(), BaseScore: s,
			BaseSeverity: strings.ToUpper(rating)}, Products: affected}}
	}
	return cv, nil
}
