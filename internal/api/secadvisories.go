package api

import "github.com/vulndesk/vulndesk/internal/model"

// SecurityAdvisoryInput is what a client may set on an own security
// advisory; a field left out keeps its value.
type SecurityAdvisoryInput struct {
	Title           *string                `json:"title" doc:"the title, 1–300 characters"`
	Summary         *string                `json:"summary" doc:"what the advisory is about, plain text, at most 20000 bytes (needed to submit)"`
	Profile         *string                `json:"profile" doc:"the CSAF profile: security_advisory (the default) or csaf_vex; kept once published"`
	TLP             *string                `json:"tlp" doc:"the TLP label: only WHITE"`
	CaseID          *int64                 `json:"case_id" doc:"the disclosure case it came from; 0 removes the link"`
	Products        *[]model.SecAdvProduct `json:"products" doc:"the products (assets) concerned, at most 100; replaces the list"`
	Vulnerabilities *[]model.SecAdvVuln    `json:"vulnerabilities" doc:"the vulnerabilities, at most 50; replaces the list"`
	RevisionSummary *string                `json:"revision_summary" doc:"what the next published revision changes, at most 200 characters"`
}

// Apply sets the given fields on a.
func (in SecurityAdvisoryInput) Apply(a *model.SecurityAdvisory) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.Title, in.Title)
	set(&a.Summary, in.Summary)
	set(&a.Profile, in.Profile)
	set(&a.TLP, in.TLP)
	set(&a.RevisionSummary, in.RevisionSummary)
	if in.CaseID != nil {
		a.CaseID = in.CaseID
		if *in.CaseID == 0 {
			a.CaseID = nil
		}
	}
	if in.Products != nil {
		a.Products = *in.Products
	}
	if in.Vulnerabilities != nil {
		a.Vulnerabilities = *in.Vulnerabilities
	}
}
