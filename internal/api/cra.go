package api

import (
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// ProductInput marks an asset as a product, or changes it: the whole
// product, absent fields empty.
type ProductInput struct {
	Name            string   `json:"name" doc:"the product's public name, 1–200 characters (default: the asset's name)"`
	SupportEnd      string   `json:"support_end" doc:"the last day of the support period, until which security updates are provided (YYYY-MM-DD); CRA Art. 13(8) expects at least five years unless the product is expected to be in use for less"`
	SupportPolicy   string   `json:"support_policy" doc:"how the product is supported, at most 2000 characters"`
	SecurityContact string   `json:"security_contact" doc:"where to report its vulnerabilities: a mailto:, https:// or tel: URI; empty for the organisation's disclosure contacts"`
	MemberStates    []string `json:"member_states" doc:"the EU Member States it is made available in, as ISO 3166-1 alpha-2 codes (EL for Greece, GR taken for it), or EU for all; at most 100"`
	Published       bool     `json:"published" doc:"true: listed on the public disclosure policy page and offered on the public report form"`
}

// Product is the product the input describes.
func (in ProductInput) Product() model.Product {
	return model.Product{Name: in.Name, SupportEnd: in.SupportEnd, SupportPolicy: in.SupportPolicy,
		SecurityContact: in.SecurityContact, MemberStates: in.MemberStates, Published: in.Published}
}

// NewOutboundReport records a report the team sent to someone else.
type NewOutboundReport struct {
	Kind      string    `json:"kind" doc:"csirt (an escalation to the national CSIRT, NIS2 Art. 12) or upstream (a report to a component's maintainers, CRA Art. 13(6))"`
	CaseID    int64     `json:"case_id" doc:"the disclosure case it belongs to (case_id, finding_id or both)"`
	FindingID int64     `json:"finding_id" doc:"the finding it is about (case_id, finding_id or both); 404 when there is none"`
	Recipient string    `json:"recipient" doc:"who it went to, at most 200 characters; for csirt the default is the national CSIRT of the disclosure settings"`
	Component string    `json:"component" doc:"upstream: the component (a purl, or package and version), at most 500 characters; default: the finding's"`
	Upstream  string    `json:"upstream_project" doc:"upstream (required): the upstream project's name or repository URL, at most 500 characters"`
	Channel   string    `json:"channel" doc:"how it was sent (email, GitHub private vulnerability report, issue tracker, …), at most 200 characters; for csirt the default is the CSIRT's contact"`
	Reference string    `json:"reference" doc:"the reference it got: an issue URL, a GHSA ID, a ticket number, at most 500 characters"`
	Summary   string    `json:"summary" doc:"what was reported, at most 4000 characters"`
	SentAt    time.Time `json:"sent_at,omitzero" doc:"when it was sent (UTC, RFC 3339; default: now); not in the future"`
}

// Report is the outbound report the input describes.
func (in NewOutboundReport) Report() model.OutboundReport {
	return model.OutboundReport{Kind: in.Kind, CaseID: in.CaseID, FindingID: in.FindingID, Recipient: in.Recipient,
		Component: in.Component, Upstream: in.Upstream, Channel: in.Channel, Reference: in.Reference, Summary: in.Summary, SentAt: in.SentAt}
}

// CRAList is the CRA Art. 14 clocks with the findings that may need one.
type CRAList struct {
	Items      []model.CRAClock     `json:"items" doc:"the clocks, newest awareness first"`
	Candidates []model.CRACandidate `json:"candidates" doc:"open findings listed in CISA KEV on products' assets that have no clock yet: decide whether each is actively exploited in the product"`
}
