package model

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzNow is the clock the fuzz targets check against.
var fuzzNow = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

// FuzzProduct: whatever a client sends as a product, Normalize never
// panics, and what it accepts has a name, a real date as its support
// end, a contact that is a mailto:, https:// or tel: URI on one line,
// and sorted Member State codes of the EU without repeats.
func FuzzProduct(f *testing.F) {
	for _, s := range []string{
		`{"support_end": "2031-12-31"}`,
		`{"name": "Shop", "support_end": "2032-02-29", "member_states": ["de", "GR", "EU"], "security_contact": "mailto:psirt@example.org"}`,
		`{"support_end": "2031-02-30"}`,
		`{"support_end": "31.12.2031"}`,
		`{"support_end": "2031-12-31", "security_contact": "javascript:alert(1)"}`,
		`{"support_end": "2031-12-31", "security_contact": "https://x\n.example"}`,
		`{"support_end": "2031-12-31", "member_states": ["US"]}`,
	} {
		f.Add("asset-name", s)
	}
	f.Fuzz(func(t *testing.T, asset, body string) {
		p := Product{AssetName: asset}
		if json.Unmarshal([]byte(body), &p) != nil || p.Normalize() != nil {
			return
		}
		if !ValidAssetName(p.Name) {
			t.Fatalf("accepted name %q", p.Name)
		}
		if d, err := time.Parse(time.DateOnly, p.SupportEnd); err != nil || d.Format(time.DateOnly) != p.SupportEnd {
			t.Fatalf("accepted support end %q", p.SupportEnd)
		}
		if p.SecurityContact != "" && (checkContactURI("c", p.SecurityContact) != nil || strings.ContainsAny(p.SecurityContact, "\r\n<>\"")) {
			t.Fatalf("accepted contact %q", p.SecurityContact)
		}
		if !slices.IsSorted(p.MemberStates) || len(slices.Compact(slices.Clone(p.MemberStates))) != len(p.MemberStates) {
			t.Fatalf("member states %q", p.MemberStates)
		}
		for _, m := range p.MemberStates {
			if !slices.Contains(euMemberStates, m) {
				t.Fatalf("accepted member state %q", m)
			}
		}
		_ = p.SupportStatusOn(fuzzNow)
	})
}

// FuzzCRAInputs: the inputs of the CRA clock (start, drafts, submission)
// and the times and Member State lists typed into its forms never panic
// Normalize or the parsers; what they accept is within the limits, never
// in the future, and a parsed time is UTC.
func FuzzCRAInputs(f *testing.F) {
	for _, s := range [][2]string{
		{`{"finding_id": 3}`, "2027-03-01T10:00"},
		{`{"case_id": 4, "asset_id": 2, "title": "auth bypass", "aware_at": "2027-02-28T09:00:00Z"}`, "2027-03-01T11:59:59+02:00"},
		{`{"early_warning": {"malicious_act": "yes", "member_states": ["nl"]}}`, "2027-03-01 08:00"},
		{`{"report": "final_report", "channel": "ENISA", "submitted_at": "2099-01-01T00:00:00Z"}`, "2027-13-01T00:00"},
		{`{"notification": {"nature": "\u0000"}}`, "de, gr; EU"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, body, typed string) {
		var start CRAStart
		if json.Unmarshal([]byte(body), &start) == nil && start.Normalize(fuzzNow) == nil {
			if start.AwareAt.After(fuzzNow.Add(time.Minute)) || (start.FindingID == 0 && (start.CaseID == 0 || start.AssetID == 0 || start.Title == "")) ||
				utf8.RuneCountInString(start.Note) > 2000 || strings.ContainsAny(start.Title, "\r\n") {
				t.Fatalf("accepted start %+v", start)
			}
		}
		var patch CRADraftsPatch
		if json.Unmarshal([]byte(body), &patch) == nil {
			var d CRADrafts
			if patch.Apply(&d) == nil && !slices.Contains(MaliciousActAnswers, d.EarlyWarning.MaliciousAct) && patch.EarlyWarning != nil {
				t.Fatalf("accepted malicious_act %q", d.EarlyWarning.MaliciousAct)
			}
		}
		var sub CRASubmissionInput
		if json.Unmarshal([]byte(body), &sub) == nil && sub.Normalize(fuzzNow, "fuzz") == nil {
			if !slices.Contains(CRAReports, sub.Report) || sub.Channel == "" || sub.SubmittedAt.After(fuzzNow.Add(time.Minute)) {
				t.Fatalf("accepted submission %+v", sub)
			}
		}
		if tm, err := ParseTimeInput("t", typed); err == nil && !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("%q parsed to %v, not UTC", typed, tm)
		}
		if ms, err := ParseMemberStates(typed); err == nil {
			for _, m := range ms {
				if !slices.Contains(euMemberStates, m) {
					t.Fatalf("%q gave member state %q", typed, m)
				}
			}
		}
		var o OutboundReport
		if json.Unmarshal([]byte(body), &o) == nil && o.Normalize(fuzzNow) == nil {
			if !slices.Contains(OutboundKinds, o.Kind) || o.Recipient == "" || o.Channel == "" || (o.CaseID == 0 && o.FindingID == 0) {
				t.Fatalf("accepted outbound report %+v", o)
			}
		}
	})
}
