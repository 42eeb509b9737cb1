package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	gocvss31 "github.com/pandatix/go-cvss/31"
)

// The states of an own security advisory: a draft is edited, in review it
// waits for an administrator to publish it, published it is served as
// CSAF and OSV. Editing a published advisory starts its next revision
// (state draft again); the published revisions stay served until the
// next one is published.
const (
	SecAdvDraft     = "draft"
	SecAdvReview    = "review"
	SecAdvPublished = "published"
)

// SecAdvStates are the states in their order.
var SecAdvStates = []string{SecAdvDraft, SecAdvReview, SecAdvPublished}

// The CSAF profiles an advisory is made as.
const (
	ProfileSecurityAdvisory = "security_advisory"
	ProfileVEX              = "csaf_vex"
)

// SecAdvProfiles are the profiles.
var SecAdvProfiles = []string{ProfileSecurityAdvisory, ProfileVEX}

// The status of a product entry for the vulnerabilities: affected (its
// affected range is known_affected, its fixed version fixed) in both
// profiles; not_affected and under_investigation only in csaf_vex.
const (
	ProductAffected           = "affected"
	ProductNotAffected        = "not_affected"
	ProductUnderInvestigation = "under_investigation"
)

// ProductStatuses are the product entry statuses.
var ProductStatuses = []string{ProductAffected, ProductNotAffected, ProductUnderInvestigation}

// CSAFJustifications are CSAF's flag labels for a product that is not
// affected (CSAF 2.0 §3.2.3.5).
var CSAFJustifications = []string{"component_not_present", "inline_mitigations_already_exist",
	"vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present"}

// Limits of an advisory's content.
const (
	MaxSecAdvProducts = 100
	MaxSecAdvVulns    = 50
	MaxSecAdvAcks     = 20
	MaxSecAdvText     = 20000 // summary, description
)

// SecurityAdvisory is an advisory the organisation publishes about its
// own products.
type SecurityAdvisory struct {
	ID         int64  `json:"id" doc:"the advisory's ID"`
	TrackingID string `json:"tracking_id" doc:"the CSAF tracking ID: <prefix>-<year>-<number>, the prefix made from the disclosure settings' organisation (VD when none is set)"`
	FileName   string `json:"file_name" doc:"the CSAF file name made from the tracking ID (CSAF 2.0 §5.1): lower case, other characters than a–z, 0–9, + and - as _, then .json"`
	State      string `json:"state" doc:"draft (being written), review (waiting to be published) or published"`
	Profile    string `json:"profile" doc:"the CSAF profile: security_advisory or csaf_vex"`
	TLP        string `json:"tlp" doc:"the Traffic Light Protocol label; only WHITE, the one published"`
	// CaseID names the disclosure case the advisory came from; it is not
	// checked against the cases (another part of the disclosure work).
	CaseID          *int64          `json:"case_id,omitempty" doc:"the disclosure case the advisory came from; absent when none"`
	Title           string          `json:"title" doc:"the title, 1–300 characters"`
	Summary         string          `json:"summary" doc:"what the advisory is about, in plain text: the document's summary note, at most 20000 bytes"`
	Products        []SecAdvProduct `json:"products" doc:"the products (assets) concerned, with their affected range and fixed version, at most 100"`
	Vulnerabilities []SecAdvVuln    `json:"vulnerabilities" doc:"the vulnerabilities, at least one to submit, at most 50"`
	// RevisionSummary is what the next published revision says it changed.
	RevisionSummary string `json:"revision_summary" doc:"what the next published revision changes, for the revision history (default: Initial version, then Update), at most 200 characters"`
	// Version is the number of the newest published revision (0: never).
	Version   int              `json:"version" doc:"the number of the newest published revision; 0 when never published"`
	Revisions []SecAdvRevision `json:"revisions" doc:"the published revisions, oldest first"`
	// InitialReleaseAt and CurrentReleaseAt are the first and the newest
	// publication.
	InitialReleaseAt *time.Time `json:"initial_release_date,omitempty" doc:"when it was first published; absent until then"`
	CurrentReleaseAt *time.Time `json:"current_release_date,omitempty" doc:"when its newest revision was published; absent until then"`
	CreatedAt        time.Time  `json:"created_at" doc:"when it was created"`
	CreatedBy        string     `json:"created_by" doc:"who created it"`
	UpdatedAt        time.Time  `json:"updated_at" doc:"when it last changed"`
	UpdatedBy        string     `json:"updated_by" doc:"who last changed it"`
}

// SecAdvProduct is a product entry: an asset, the product's name and
// which of its versions are affected and fixed.
type SecAdvProduct struct {
	AssetID  int64  `json:"asset_id" doc:"the asset that is the product"`
	Name     string `json:"name" doc:"the product's public name (default: the asset's name), 1–200 characters"`
	Affected string `json:"affected" doc:"the affected versions: a vers range (vers:generic/>=1.0|<1.4.2) or a constraint list (>=1.0, <1.4.2), 1–200 characters"`
	Fixed    string `json:"fixed" doc:"the first fixed version, or empty when there is no fix yet, at most 100 characters"`
	Status   string `json:"status" doc:"what the affected range is for the vulnerabilities: affected (the default), or in the csaf_vex profile not_affected or under_investigation"`
	// Justification says why a not_affected product is not (CSAF flag).
	Justification string `json:"justification" doc:"why a not_affected product is not: a CSAF flag label"`
}

// SecAdvVuln is one vulnerability of an advisory.
type SecAdvVuln struct {
	CVE         string `json:"cve" doc:"the CVE ID (CVE-2026-12345), or empty when none is assigned"`
	CWE         string `json:"cwe" doc:"the CWE ID (CWE-79), or empty"`
	CWEName     string `json:"cwe_name" doc:"the CWE's name (Improper Neutralization of Input During Web Page Generation), needed with cwe"`
	Title       string `json:"title" doc:"a short title, 1–300 characters"`
	Description string `json:"description" doc:"what the flaw is and what an attacker can do, 1–20000 bytes"`
	CVSS        string `json:"cvss" doc:"a CVSS 3.1 vector (CVSS:3.1/AV:N/AC:L/…), or empty"`
	Remediation string `json:"remediation" doc:"what to do: update to the fixed version, a workaround; needed for affected products, at most 4000 bytes"`
	// Acknowledgements are names credited for the finding: the
	// reporter's credit name when the case says they want it.
	Acknowledgements []string `json:"acknowledgements" doc:"names credited for finding or reporting it (with their consent), at most 20"`
}

// SecAdvRevision is one published revision.
type SecAdvRevision struct {
	Number      int       `json:"number" doc:"the revision's version number: 1, 2, …"`
	Date        time.Time `json:"date" doc:"when it was published"`
	Summary     string    `json:"summary" doc:"what it changed"`
	PublishedBy string    `json:"published_by" doc:"who published it"`
	SHA256      string    `json:"sha256" doc:"the SHA-256 of the CSAF document served for it"`
}

var (
	cvePattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
	cwePattern = regexp.MustCompile(`^CWE-[1-9][0-9]{0,5}$`)
)

// fileNameRun is a run of characters a CSAF file name replaces.
var fileNameRun = regexp.MustCompile(`[^+\-a-z0-9]+`)

// CSAFFileName is the file name CSAF 2.0 §5.1 makes from a tracking ID:
// lower case, each run of characters other than a–z, 0–9, + and - as one
// _, then .json.
func CSAFFileName(trackingID string) string {
	return fileNameRun.ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

// Normalize trims an advisory's content, fills defaults and checks it.
func (a *SecurityAdvisory) Normalize() error {
	a.Title, a.Summary = strings.TrimSpace(a.Title), strings.TrimSpace(a.Summary)
	a.RevisionSummary = strings.TrimSpace(a.RevisionSummary)
	if a.Profile == "" {
		a.Profile = ProfileSecurityAdvisory
	}
	if a.TLP == "" {
		a.TLP = "WHITE"
	}
	switch {
	case !slices.Contains(SecAdvProfiles, a.Profile):
		return Invalidf("profile %q: one of %s", short(a.Profile), strings.Join(SecAdvProfiles, ", "))
	case a.TLP != "WHITE":
		return Invalidf("tlp %q: only WHITE (advisories are published to everyone)", short(a.TLP))
	case a.Title == "" || len(a.Title) > 300:
		return Invalidf("title: 1–300 characters")
	case a.CaseID != nil && *a.CaseID <= 0:
		return Invalidf("case_id %d: a case's ID (1 or more) or null", *a.CaseID)
	case len(a.Products) > MaxSecAdvProducts:
		return Invalidf("products: at most %d, got %d", MaxSecAdvProducts, len(a.Products))
	case len(a.Vulnerabilities) > MaxSecAdvVulns:
		return Invalidf("vulnerabilities: at most %d, got %d", MaxSecAdvVulns, len(a.Vulnerabilities))
	case len(a.RevisionSummary) > 200:
		return Invalidf("revision_summary: at most 200 characters")
	}
	if err := ValidName("title", a.Title); err != nil {
		return err
	}
	if err := validText("summary", a.Summary); err != nil {
		return err
	}
	if err := ValidName("revision_summary", a.RevisionSummary); err != nil {
		return err
	}
	if a.Products == nil {
		a.Products = []SecAdvProduct{}
	}
	if a.Vulnerabilities == nil {
		a.Vulnerabilities = []SecAdvVuln{}
	}
	for i := range a.Products {
		if err := a.Products[i].normalize(fmt_("products", i), a.Profile); err != nil {
			return err
		}
	}
	for i := range a.Vulnerabilities {
		if err := a.Vulnerabilities[i].normalize(fmt_("vulnerabilities", i)); err != nil {
			return err
		}
	}
	return nil
}

// Complete checks what submitting and publishing need beyond Normalize:
// a summary, a product and a vulnerability, and a remediation for every
// vulnerability when a product is affected.
func (a *SecurityAdvisory) Complete() error {
	switch {
	case a.Summary == "":
		return Invalidf("summary: needed to submit")
	case len(a.Products) == 0:
		return Invalidf("products: at least one to submit")
	case len(a.Vulnerabilities) == 0:
		return Invalidf("vulnerabilities: at least one to submit")
	}
	affected := slices.ContainsFunc(a.Products, func(p SecAdvProduct) bool { return p.Status == ProductAffected })
	for i, v := range a.Vulnerabilities {
		if affected && v.Remediation == "" {
			return Invalidf("vulnerabilities[%d].remediation: needed, since a product is affected", i)
		}
	}
	return nil
}

func fmt_(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// validText checks a long text (a summary, a description) as ValidNote
// does, but up to MaxSecAdvText bytes.
func validText(field, s string) error {
	if len(s) > MaxSecAdvText {
		return Invalidf("%s: %d bytes; at most %d", field, len(s), MaxSecAdvText)
	}
	for len(s) > 0 {
		n := min(len(s), MaxNoteLen)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		if err := ValidNote(field, s[:n]); err != nil {
			return err
		}
		s = s[n:]
	}
	return nil
}

func (p *SecAdvProduct) normalize(field, profile string) error {
	p.Name, p.Affected, p.Fixed = strings.TrimSpace(p.Name), strings.TrimSpace(p.Affected), strings.TrimSpace(p.Fixed)
	if p.Status == "" {
		p.Status = ProductAffected
	}
	switch {
	case p.AssetID <= 0:
		return Invalidf("%s.asset_id: an asset's ID", field)
	case p.Name == "" || len(p.Name) > 200:
		return Invalidf("%s.name: 1–200 characters", field)
	case p.Affected == "" || len(p.Affected) > 200:
		return Invalidf("%s.affected: 1–200 characters: the affected versions (vers:generic/<1.4.2 or >=1.0, <1.4.2)", field)
	case len(p.Fixed) > 100:
		return Invalidf("%s.fixed: at most 100 characters", field)
	case !slices.Contains(ProductStatuses, p.Status):
		return Invalidf("%s.status %q: one of %s", field, short(p.Status), strings.Join(ProductStatuses, ", "))
	case p.Status != ProductAffected && profile != ProfileVEX:
		return Invalidf("%s.status %s: only in the csaf_vex profile", field, p.Status)
	case p.Status == ProductNotAffected && !slices.Contains(CSAFJustifications, p.Justification):
		return Invalidf("%s.justification %q: a not_affected product needs one of %s", field, short(p.Justification), strings.Join(CSAFJustifications, ", "))
	case p.Status != ProductNotAffected && p.Justification != "":
		return Invalidf("%s.justification: only for a not_affected product", field)
	case p.Status != ProductAffected && p.Fixed != "":
		return Invalidf("%s.fixed: only for an affected product", field)
	}
	for _, f := range [][2]string{{"name", p.Name}, {"affected", p.Affected}, {"fixed", p.Fixed}} {
		if err := ValidName(field+"."+f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

func (v *SecAdvVuln) normalize(field string) error {
	v.CVE, v.CWE = strings.ToUpper(strings.TrimSpace(v.CVE)), strings.ToUpper(strings.TrimSpace(v.CWE))
	v.CWEName, v.Title = strings.TrimSpace(v.CWEName), strings.TrimSpace(v.Title)
	v.Description, v.Remediation = strings.TrimSpace(v.Description), strings.TrimSpace(v.Remediation)
	v.CVSS = strings.TrimSpace(v.CVSS)
	switch {
	case v.CVE != "" && !cvePattern.MatchString(v.CVE):
		return Invalidf("%s.cve %q: a CVE ID such as CVE-2026-12345", field, short(v.CVE))
	case v.CWE != "" && !cwePattern.MatchString(v.CWE):
		return Invalidf("%s.cwe %q: a CWE ID such as CWE-79", field, short(v.CWE))
	case v.CWE != "" && (v.CWEName == "" || len(v.CWEName) > 300):
		return Invalidf("%s.cwe_name: the CWE's name, 1–300 characters, is needed with cwe", field)
	case v.CWE == "" && v.CWEName != "":
		return Invalidf("%s.cwe_name: only with cwe", field)
	case v.Title == "" || len(v.Title) > 300:
		return Invalidf("%s.title: 1–300 characters", field)
	case v.Description == "":
		return Invalidf("%s.description: needed", field)
	case len(v.Acknowledgements) > MaxSecAdvAcks:
		return Invalidf("%s.acknowledgements: at most %d", field, MaxSecAdvAcks)
	}
	if v.CVSS != "" {
		c, err := gocvss31.ParseVector(v.CVSS)
		if err != nil {
			return Invalidf("%s.cvss %q: a CVSS 3.1 vector (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H): %v", field, short(v.CVSS), err)
		}
		v.CVSS = c.Vector()
	}
	for _, f := range [][2]string{{"cwe_name", v.CWEName}, {"title", v.Title}} {
		if err := ValidName(field+"."+f[0], f[1]); err != nil {
			return err
		}
	}
	if err := validText(field+".description", v.Description); err != nil {
		return err
	}
	if err := ValidNote(field+".remediation", v.Remediation); err != nil {
		return err
	}
	acks := make([]string, 0, len(v.Acknowledgements))
	for i, n := range v.Acknowledgements {
		n = strings.TrimSpace(n)
		if n == "" || len(n) > 200 {
			return Invalidf("%s.acknowledgements[%d]: 1–200 characters", field, i)
		}
		if err := ValidName(field+".acknowledgements", n); err != nil {
			return err
		}
		if !slices.Contains(acks, n) {
			acks = append(acks, n)
		}
	}
	v.Acknowledgements = acks
	return nil
}
