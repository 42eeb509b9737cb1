package model

// Products the organisation makes (CRA Art. 13(8)) and the reports the
// team sends to others: escalations to the national CSIRT (NIS2 Art. 12)
// and reports to upstream maintainers (CRA Art. 13(6)).

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Product is an asset the organisation makes and places on the market,
// with its support period.
type Product struct {
	AssetID   int64  `json:"asset_id" doc:"the ID of the asset that is the product"`
	AssetName string `json:"asset" doc:"the asset's name"`
	Name      string `json:"name" doc:"the product's name as the public sees it (default: the asset's name)"`
	// SupportEnd is the last day security updates are provided.
	SupportEnd      string   `json:"support_end" doc:"the last day of the support period, until which security updates are provided (YYYY-MM-DD; CRA Art. 13(8) expects at least five years unless the product is expected to be in use for less)"`
	SupportPolicy   string   `json:"support_policy" doc:"how the product is supported: what updates are provided and how, at most 2000 characters"`
	SecurityContact string   `json:"security_contact" doc:"where to report its vulnerabilities: a mailto:, https: or tel: URI; empty for the organisation's disclosure contacts"`
	MemberStates    []string `json:"member_states" doc:"the EU Member States the product is made available in, as ISO 3166-1 alpha-2 codes (EL for Greece); CRA early warnings name them"`
	Published       bool     `json:"published" doc:"true: listed on the public disclosure policy page and offered on the public report form"`
	// SupportStatus is computed when read.
	SupportStatus string    `json:"support_status" doc:"supported, ending (the support period ends within 90 days) or ended, on the day it is read (UTC)"`
	CreatedBy     string    `json:"created_by" doc:"who marked the asset as a product"`
	CreatedAt     time.Time `json:"created_at" doc:"when (UTC, RFC 3339)"`
	UpdatedBy     string    `json:"updated_by" doc:"who last changed it"`
	UpdatedAt     time.Time `json:"updated_at" doc:"when (UTC, RFC 3339)"`
}

// Support states of a product.
const (
	SupportSupported = "supported"
	SupportEnding    = "ending"
	SupportEnded     = "ended"
)

// SupportStates lists them; SupportEndingDays is how close the end is
// when a product's support is "ending".
var SupportStates = []string{SupportSupported, SupportEnding, SupportEnded}

const SupportEndingDays = 90

// SupportStatusOn says whether the product is supported on the day of
// now (UTC): the support period includes its last day.
func (p Product) SupportStatusOn(now time.Time) string {
	end, err := ParseDay(p.SupportEnd)
	if err != nil {
		return SupportEnded
	}
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case end.Before(today):
		return SupportEnded
	case !end.After(today.AddDate(0, 0, SupportEndingDays)):
		return SupportEnding
	}
	return SupportSupported
}

// ParseDay reads a date as YYYY-MM-DD, from 2000 to 2199.
func ParseDay(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < 2000 || d.Year() > 2199 {
		return time.Time{}, Invalidf("%q: a date as YYYY-MM-DD, from 2000 to 2199", s)
	}
	return d, nil
}

// euMemberStates are the codes the EU uses for its Member States (EL for
// Greece).
var euMemberStates = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// ParseMemberStates reads Member State codes separated by commas or
// spaces (any case; GR is taken for EL; "EU" for all of them) into a
// sorted list without repeats.
func ParseMemberStates(s string) ([]string, error) {
	return NormalizeMemberStates(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }))
}

// NormalizeMemberStates checks and sorts Member State codes.
func NormalizeMemberStates(in []string) ([]string, error) {
	out := []string{}
	if len(in) > 100 {
		return nil, Invalidf("member_states: at most 100 codes")
	}
	for _, c := range in {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "GR" {
			c = "EL"
		}
		switch {
		case c == "":
			continue
		case c == "EU":
			out = append(out, euMemberStates...)
		case slices.Contains(euMemberStates, c):
			out = append(out, c)
		default:
			return nil, Invalidf("member state %q: one of %s, or EU for all", clip(c, 20), strings.Join(euMemberStates, " "))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// clip shortens s to n runes for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// checkText checks a free-text field: at most max characters.
func checkText(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return Invalidf("%s: at most %d characters", field, max)
	}
	return nil
}

// checkLine checks a one-line field: at most max characters, no line
// breaks or control characters.
func checkLine(field, s string, max int) error {
	if err := checkText(field, s, max); err != nil {
		return err
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Invalidf("%s %q: one line without control characters", field, clip(s, 40))
	}
	return nil
}

// checkContactURI checks a security contact: a mailto:, https: or tel: URI.
func checkContactURI(field, s string) error {
	if err := checkLine(field, s, 500); err != nil {
		return err
	}
	for _, p := range []string{"mailto:", "https://", "tel:"} {
		if strings.HasPrefix(strings.ToLower(s), p) && len(s) > len(p) && !strings.ContainsAny(s, " <>\"") {
			return nil
		}
	}
	return Invalidf("%s %q: a mailto:, https:// or tel: URI", field, clip(s, 40))
}

// Normalize fills defaults (the name from the asset's) and checks every
// field, naming the first bad one.
func (p *Product) Normalize() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		p.Name = p.AssetName
	}
	if !ValidAssetName(p.Name) {
		return Invalidf("name %q: 1–200 characters, without control or invisible formatting characters", clip(p.Name, 40))
	}
	p.SupportEnd = strings.TrimSpace(p.SupportEnd)
	if p.SupportEnd == "" {
		return Invalidf("support_end: required, the last day of the support period (YYYY-MM-DD)")
	}
	if _, err := ParseDay(p.SupportEnd); err != nil {
		return fmt.Errorf("support_end %w", err)
	}
	p.SupportPolicy = strings.TrimSpace(p.SupportPolicy)
	if err := checkText("support_policy", p.SupportPolicy, 2000); err != nil {
		return err
	}
	p.SecurityContact = strings.TrimSpace(p.SecurityContact)
	if p.SecurityContact != "" {
		if err := checkContactURI("security_contact", p.SecurityContact); err != nil {
			return err
		}
	}
	ms, err := NormalizeMemberStates(p.MemberStates)
	if err != nil {
		return err
	}
	p.MemberStates = ms
	return nil
}

// Outbound report kinds.
const (
	OutboundCSIRT    = "csirt"
	OutboundUpstream = "upstream"
)

// OutboundKinds lists the kinds of outbound report.
var OutboundKinds = []string{OutboundCSIRT, OutboundUpstream}

// OutboundStatuses are what became of an outbound report.
var OutboundStatuses = []string{"sent", "acknowledged", "fixed", "declined", "no_response", "closed"}

// OutboundReport is a report the team sent to someone else: an
// escalation to the national CSIRT, or a report of a vulnerability in a
// component to its upstream maintainers.
type OutboundReport struct {
	ID        int64     `json:"id" doc:"the report's ID"`
	Kind      string    `json:"kind" doc:"csirt (an escalation to the national CSIRT, NIS2 Art. 12) or upstream (a report to the maintainers of a component, CRA Art. 13(6))"`
	CaseID    int64     `json:"case_id,omitempty" doc:"the disclosure case it belongs to; absent when none"`
	FindingID int64     `json:"finding_id,omitempty" doc:"the finding it is about; absent when none (or the finding's asset was deleted)"`
	Recipient string    `json:"recipient" doc:"who it was sent to: the CSIRT (default: the national CSIRT of the disclosure settings) or the upstream maintainers, at most 200 characters"`
	Component string    `json:"component,omitempty" doc:"upstream: the component, as a purl or package name and version (default: the finding's), at most 500 characters"`
	Upstream  string    `json:"upstream_project,omitempty" doc:"upstream: the upstream project (its name or repository URL), at most 500 characters"`
	Channel   string    `json:"channel" doc:"how it was sent: email, GitHub private vulnerability report, issue tracker, web form, …, at most 200 characters"`
	Reference string    `json:"reference,omitempty" doc:"the reference it got: an issue URL, a GHSA ID, a ticket number, at most 500 characters"`
	Summary   string    `json:"summary,omitempty" doc:"what was reported, at most 4000 characters"`
	SentAt    time.Time `json:"sent_at" doc:"when it was sent (UTC, RFC 3339; default: when recorded); not in the future"`
	Status    string    `json:"status" doc:"what became of it"`
	Response  string    `json:"response,omitempty" doc:"what the recipient answered, at most 4000 characters"`
	// RespondedAt is when the response or status was last recorded.
	RespondedAt time.Time `json:"responded_at,omitzero" doc:"when the recipient answered (UTC, RFC 3339); absent until a response is recorded"`
	CreatedBy   string    `json:"created_by" doc:"who recorded it"`
	CreatedAt   time.Time `json:"created_at" doc:"when it was recorded (UTC, RFC 3339)"`
	UpdatedAt   time.Time `json:"updated_at" doc:"when it last changed (UTC, RFC 3339)"`
}

// Normalize checks an outbound report to record (the caller fills the
// defaults it knows of first), naming the first bad field.
func (o *OutboundReport) Normalize(now time.Time) error {
	if !slices.Contains(OutboundKinds, o.Kind) {
		return Invalidf("kind %q: one of %s", clip(o.Kind, 40), strings.Join(OutboundKinds, ", "))
	}
	if o.CaseID < 0 || o.FindingID < 0 {
		return Invalidf("case_id and finding_id: positive IDs")
	}
	if o.CaseID == 0 && o.FindingID == 0 {
		return Invalidf("case_id or finding_id: an outbound report belongs to a disclosure case, a finding or both")
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"recipient", &o.Recipient, 200}, {"component", &o.Component, 500}, {"upstream_project", &o.Upstream, 500},
		{"channel", &o.Channel, 200}, {"reference", &o.Reference, 500}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkLine(f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	o.Summary, o.Response = strings.TrimSpace(o.Summary), strings.TrimSpace(o.Response)
	if err := checkText("summary", o.Summary, 4000); err != nil {
		return err
	}
	if err := checkText("response", o.Response, 4000); err != nil {
		return err
	}
	switch {
	case o.Recipient == "":
		return Invalidf("recipient: required (who the report went to)")
	case o.Channel == "":
		return Invalidf("channel: required (how the report was sent: email, issue tracker, …)")
	case o.Kind == OutboundUpstream && o.Component == "":
		return Invalidf("component: required for an upstream report (the purl or package and version)")
	case o.Kind == OutboundUpstream && o.Upstream == "":
		return Invalidf("upstream_project: required for an upstream report (the project's name or repository URL)")
	}
	if o.Status == "" {
		o.Status = "sent"
	}
	if !slices.Contains(OutboundStatuses, o.Status) {
		return Invalidf("status %q: one of %s", clip(o.Status, 40), strings.Join(OutboundStatuses, ", "))
	}
	if o.SentAt.IsZero() {
		o.SentAt = now
	}
	return checkPast("sent_at", o.SentAt, now)
}

// checkPast refuses a time in the future (a minute of clock skew allowed)
// or before 2000.
func checkPast(field string, t, now time.Time) error {
	if t.After(now.Add(time.Minute)) {
		return Invalidf("%s %s: in the future", field, t.UTC().Format(time.RFC3339))
	}
	if t.Year() < 2000 {
		return Invalidf("%s %s: before 2000", field, t.UTC().Format(time.RFC3339))
	}
	return nil
}
