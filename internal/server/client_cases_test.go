package server_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
)

// clientCases: a reported case through the client (issue 14, part
// cases): listed and filtered, read with its attachment, moved (a move the
// state machine refuses is a 409 naming the allowed ones), changed,
// messaged, linked and unlinked, extended within the policy's bound.
func clientCases(ctx context.Context, t *testing.T, p *inproc, c, auditor *client.Client) {
	d, _ := walkReport(t, p)
	// Newest first; TestClient's earlier steps may have filed cases too.
	if got := must(c.Cases(ctx, model.CaseReceived, "on_track"))(t); len(got) == 0 || got[0].ID != d.ID || len(got[0].Timers) != 4 {
		t.Errorf("received cases on track: %+v", got)
	}
	if got := must(c.Cases(ctx, model.CaseFixed, ""))(t); len(got) != 0 {
		t.Errorf("fixed cases: %+v", got)
	}
	rd := must(c.CaseAttachment(ctx, d.Attachments[0].ID))(t)
	data, _ := io.ReadAll(rd)
	rd.Close()
	if string(data) != "curl https://shop.example/?q=1\n" {
		t.Errorf("the attachment's bytes: %q", data)
	}
	_, err := c.MoveCase(ctx, d.ID, model.CaseStateChange{State: model.CaseFixed})
	wantClientError(t, "received → fixed", err, http.StatusConflict, "may become: acknowledged")
	for _, st := range []string{model.CaseAcknowledged, model.CaseTriaging, model.CaseValid} {
		if got := must(c.MoveCase(ctx, d.ID, model.CaseStateChange{State: st}))(t); got.State != st {
			t.Errorf("moved to %s: %+v", st, got)
		}
	}
	sev, cve := "critical", "CVE-2026-4242"
	// The fix timer follows the policy in force, which TestClient's
	// disclosure steps may have changed.
	fixDays := must(c.DisclosureSettings(ctx))(t).Timers.FixDays[sev]
	got := must(c.PatchCase(ctx, d.ID, model.CasePatch{Severity: &sev, CVE: &cve}))(t)
	if got.Severity != "critical" || got.CVE != cve || got.FixDue.Sub(got.DecidedAt).Hours() != float64(fixDays*24) {
		t.Errorf("patched: severity %s, CVE %s, fix due %s after %s", got.Severity, got.CVE, got.FixDue, got.DecidedAt)
	}
	bad := "CVE-26-1"
	_, err = c.PatchCase(ctx, d.ID, model.CasePatch{CVE: &bad})
	wantClientError(t, "a malformed CVE", err, http.StatusBadRequest, "CVE-YYYY-NNNN")
	must(c.PostCaseMessage(ctx, d.ID, model.CaseMessageInput{Body: "Thanks, confirmed."}))(t)
	must(c.PostCaseMessage(ctx, d.ID, model.CaseMessageInput{Body: "internal", Internal: true}))(t)
	if ms := must(c.CaseMessages(ctx, d.ID))(t); len(ms) != 2 || !ms[1].Internal || ms[0].AuthorKind != model.AuthorStaff {
		t.Errorf("messages: %+v", ms)
	}
	_, err = c.LinkCase(ctx, d.ID, model.CaseLinkInput{Kind: "asset", Target: "987654"})
	wantClientError(t, "a link to no asset", err, http.StatusBadRequest, "no asset")
	assets := must(c.Assets(ctx, client.AssetQuery{}))(t)
	l := must(c.LinkCase(ctx, d.ID, model.CaseLinkInput{Kind: "asset", Target: itoa(int(assets.Items[0].ID))}))(t)
	if err := c.UnlinkCase(ctx, d.ID, l.ID); err != nil {
		t.Error(err)
	}
	ext := must(c.ExtendCase(ctx, d.ID, model.CaseExtensionInput{Days: 45, Reason: "vendor asked"}))(t)
	if ext.DisclosureDue.Sub(ext.ReceivedAt).Hours() != (90+45)*24 {
		t.Errorf("extended: due %s, received %s", ext.DisclosureDue, ext.ReceivedAt)
	}
	_, err = c.ExtendCase(ctx, d.ID, model.CaseExtensionInput{Days: 1, Reason: "again"})
	wantClientError(t, "past the bound", err, http.StatusBadRequest, "at most 45")
	full := must(c.Case(ctx, d.ID))(t)
	if len(full.Links) != 0 || len(full.Extensions) != 1 || len(full.Messages) != 2 {
		t.Errorf("the case: %+v", full)
	}
	_, err = auditor.MoveCase(ctx, d.ID, model.CaseStateChange{State: model.CaseFixing})
	wantClientError(t, "an auditor moving a case", err, http.StatusForbidden, "needs triage")
}
