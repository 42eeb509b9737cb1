package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// clientCRA: products, a CRA clock through its life and outbound reports
// through the client, as an analyst (triage) with the admin to unmark.
// Flagging a finding of an asset that is not a product is refused.
func clientCRA(ctx context.Context, t *testing.T, srv *inproc, admin, analyst *client.Client) {
	fs := must(admin.Findings(ctx, client.FindingFilter{Status: "open"}))(t)
	if len(fs.Items) == 0 {
		t.Fatal("no open finding")
	}
	f := fs.Items[0]
	_, err := analyst.StartCRAClock(ctx, model.CRAStart{FindingID: f.ID})
	wantClientError(t, "a finding of an asset that is not a product", err, 400, "is not a product the organisation makes")
	p := must(analyst.SetProduct(ctx, f.AssetID, api.ProductInput{SupportEnd: "2031-06-30", MemberStates: []string{"EU"}, Published: true,
		SecurityContact: "https://example.org/security"}))(t)
	if p.Name != f.AssetName || len(p.MemberStates) != 27 || p.SupportStatus != model.SupportSupported {
		t.Errorf("product %+v", p)
	}
	_, err = analyst.SetProduct(ctx, f.AssetID, api.ProductInput{SupportEnd: "2031-02-30"})
	wantClientError(t, "an impossible date", err, 400, "support_end")
	if ps := must(analyst.Products(ctx, true))(t); len(ps) != 1 || ps[0].AssetID != f.AssetID {
		t.Errorf("published products %+v", ps)
	}
	c := must(analyst.StartCRAClock(ctx, model.CRAStart{FindingID: f.ID, Note: "client"}))(t)
	if c.ID == 0 || c.FindingID != f.ID || len(c.Deadlines) != 3 || c.Deadlines[0].State != model.CRADue || c.Deadlines[2].State != model.CRAWaiting {
		t.Errorf("started %+v", c)
	}
	_, err = analyst.StartCRAClock(ctx, model.CRAStart{FindingID: f.ID})
	wantClientError(t, "a second clock", err, 409, "has a CRA clock already")
	ew := c.Drafts.EarlyWarning
	ew.MaliciousAct = "yes"
	saved := must(analyst.SaveCRADrafts(ctx, c.ID, model.CRADraftsPatch{EarlyWarning: &ew}))(t)
	if saved.Drafts.EarlyWarning.MaliciousAct != "yes" || saved.Drafts.Notification != c.Drafts.Notification {
		t.Errorf("saved drafts %+v", saved.Drafts)
	}
	sub := must(analyst.RecordCRASubmission(ctx, c.ID, model.CRASubmissionInput{Report: "early_warning", Reference: "SRP-42"}))(t)
	if sub.Channel != model.DefaultCRAChannel || sub.SubmittedBy != "token:test-analyst" || !strings.Contains(sub.Content, `"malicious_act":"yes"`) {
		t.Errorf("submission %+v", sub)
	}
	m := must(analyst.RecordCRAMitigation(ctx, c.ID, model.CRAMitigation{Description: "release 2"}))(t)
	if m.Deadlines[0].State != model.CRAMet || m.Deadlines[2].State != model.CRADue || m.Mitigation != "release 2" {
		t.Errorf("after the measure %+v", m.Deadlines)
	}
	if got := must(analyst.CRAClock(ctx, c.ID))(t); len(got.Submissions) != 1 || got.Submissions[0].Reference != "SRP-42" {
		t.Errorf("read %+v", got)
	}
	if l := must(analyst.CRAClocks(ctx, 0, f.ID))(t); len(l.Items) != 1 || l.Items[0].ID != c.ID {
		t.Errorf("clocks of the finding %+v", l)
	}
	_, err = analyst.CRAClock(ctx, 987654)
	wantClientError(t, "a missing clock", err, 404, "CRA clock 987654")

	reported, _ := walkReport(t, srv)
	caseID := reported.ID
	o := must(analyst.RecordOutbound(ctx, api.NewOutboundReport{Kind: "upstream", FindingID: f.ID, CaseID: caseID, Recipient: "maintainers",
		Upstream: "https://github.com/example/lib", Channel: "GitHub private vulnerability report"}))(t)
	if o.Component == "" || o.Status != "sent" {
		t.Errorf("outbound %+v", o)
	}
	_, err = analyst.RecordOutbound(ctx, api.NewOutboundReport{Kind: "upstream", Recipient: "x", Upstream: "u", Channel: "c", Component: "c"})
	wantClientError(t, "an outbound report of nothing", err, 400, "case_id or finding_id")
	u := must(analyst.UpdateOutbound(ctx, o.ID, model.OutboundUpdate{Status: ptr("fixed"), Reference: ptr("GHSA-aaaa-bbbb-cccc")}))(t)
	if u.Status != "fixed" || u.Reference != "GHSA-aaaa-bbbb-cccc" || u.RespondedAt.IsZero() {
		t.Errorf("updated %+v", u)
	}
	if g := must(analyst.OutboundReport(ctx, o.ID))(t); g.Status != "fixed" {
		t.Errorf("read %+v", g)
	}
	if os := must(analyst.OutboundReports(ctx, client.OutboundFilter{CaseID: caseID, Kind: "upstream", Limit: 5}))(t); len(os) != 1 || os[0].ID != o.ID {
		t.Errorf("outbound of case %d: %+v", caseID, os)
	}
	err = analyst.UnmarkProduct(ctx, f.AssetID)
	wantClientError(t, "an analyst unmarking", err, 403, "")
	if err := admin.UnmarkProduct(ctx, f.AssetID); err != nil {
		t.Fatal(err)
	}
	err = admin.UnmarkProduct(ctx, f.AssetID)
	wantClientError(t, "unmarking twice", err, 404, fmt.Sprintf("asset %d", f.AssetID))
	if ps := must(admin.Products(ctx, false))(t); len(ps) != 0 {
		t.Errorf("products after unmarking %+v", ps)
	}
}
