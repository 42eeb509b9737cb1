package server_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server/servertest"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// clientTriage triages findings of the asset client-test through the
// client, in bulk too, and takes two exceptions through their life: one
// rejected, one approved by another person and revoked.
func clientTriage(ctx context.Context, t *testing.T, admin, analyst *client.Client) {
	fs := must(admin.AllFindings(ctx, client.FindingFilter{Asset: "client-test"}))(t)
	if len(fs) < 3 {
		t.Fatalf("client-test has %d open findings; the triage checks want 3", len(fs))
	}
	f := must(analyst.Triage(ctx, fs[0].ID, model.TriageInput{State: model.StateNotAffected, Reason: "the parser is not used",
		Justification: "vulnerable_code_not_in_execute_path"}))(t)
	if f.State != model.StateNotAffected || f.Decision == nil || f.Decision.Justification != "vulnerable_code_not_in_execute_path" {
		t.Errorf("triaged: state %q, decision %+v", f.State, f.Decision)
	}
	_, err := analyst.Triage(ctx, fs[0].ID, model.TriageInput{State: model.StateNotAffected})
	wantClientError(t, "not_affected without a justification", err, 400, "justification")
	h := must(admin.History(ctx, fs[0].ID))(t)
	if last := h[len(h)-1]; last.To != model.StateNotAffected || last.Actor != "token:test-analyst" {
		t.Errorf("history: %+v", h)
	}
	n := must(admin.BulkTriage(ctx, client.FindingFilter{Asset: "client-test", State: []string{model.StateNew}},
		api.BulkTriage{State: model.StateUnderInvestigation, Reason: "triage day"}))(t)
	if n.Triaged != len(fs)-1 {
		t.Errorf("bulk triage of the new findings: %d; want %d", n.Triaged, len(fs)-1)
	}
	if left := must(admin.AllFindings(ctx, client.FindingFilter{Asset: "client-test", State: []string{model.StateNew}}))(t); len(left) != 0 {
		t.Errorf("%d findings still new after the bulk triage", len(left))
	}

	if got := must(analyst.Assign(ctx, fs[2].ID, "team-web"))(t); got.Assignee != "team-web" || got.Decision.Assignee != "team-web" {
		t.Errorf("assigned: %q, decision %+v", got.Assignee, got.Decision)
	}
	if got := must(admin.AllFindings(ctx, client.FindingFilter{Assignee: "team-web"}))(t); len(got) != 1 || got[0].ID != fs[2].ID {
		t.Errorf("assignee=team-web: %v", findingIDs(got))
	}
	must(analyst.Comment(ctx, fs[2].ID, "asked the vendor <b>today</b>"))(t)
	tk := model.Ticket{URL: "https://tracker.example/browse/SEC-12", Key: "SEC-12"}
	if got := must(analyst.SetTicket(ctx, fs[2].ID, tk))(t); got.Decision.Ticket == nil || *got.Decision.Ticket != tk {
		t.Errorf("ticket: %+v", got.Decision)
	}
	_, err = analyst.SetTicket(ctx, fs[2].ID, model.Ticket{URL: "javascript:alert(1)"})
	wantClientError(t, "a javascript: ticket URL", err, 400, "https URL")
	var kinds []string
	for _, e := range must(admin.History(ctx, fs[2].ID))(t) {
		kinds = append(kinds, e.Kind+":"+e.Detail)
	}
	if want := "assignment:team-web comment:asked the vendor <b>today</b> ticket:SEC-12 https://tracker.example/browse/SEC-12"; !strings.Contains(strings.Join(kinds, " "), want) {
		t.Errorf("history kinds %v; want %s", kinds, want)
	}

	in := model.ExceptionInput{FindingIDs: []int64{fs[1].ID}, Reason: "patch window in January", ExpiresAt: time.Now().AddDate(0, 2, 0)}
	x := must(analyst.RequestException(ctx, in))(t)
	rejected := must(admin.DecideException(ctx, x.ID, "reject", "patch now"))(t)
	if rejected.State != model.ExceptionRejected || rejected.EndReason != "patch now" {
		t.Errorf("rejected: %+v", rejected)
	}
	x = must(analyst.RequestException(ctx, in))(t)
	_, err = analyst.DecideException(ctx, x.ID, "approve", "")
	wantClientError(t, "an analyst approving", err, 403, "needs")
	if got := must(admin.DecideException(ctx, x.ID, "approve", ""))(t); got.State != model.ExceptionApproved {
		t.Errorf("approved: %+v", got)
	}
	if got := must(admin.Finding(ctx, fs[1].ID))(t); got.State != model.StateRiskAccepted {
		t.Errorf("an approved exception's finding: %q", got.State)
	}
	if got := must(admin.Exceptions(ctx, model.ExceptionApproved))(t); len(got) != 1 || got[0].ID != x.ID {
		t.Errorf("approved exceptions: %+v", got)
	}
	revoked := must(admin.DecideException(ctx, x.ID, "revoke", "the vendor shipped a fix"))(t)
	if revoked.State != model.ExceptionRevoked || must(admin.Exception(ctx, x.ID))(t).EndReason != "the vendor shipped a fix" {
		t.Errorf("revoked: %+v", revoked)
	}
	if got := must(admin.Finding(ctx, fs[1].ID))(t); got.State != model.StateAffected {
		t.Errorf("a revoked exception's finding: %q; want affected", got.State)
	}
}

// TestApproveWithoutBody: an approval sent with no body, an empty chunked
// body or whitespace is an approval without a note.
func TestApproveWithoutBody(t *testing.T) {
	p := startInproc(t, storetest.Engines(t)[0], inprocOptions{seed: true, jobs: true})
	var fs struct{ Items []model.AssetFinding }
	servertest.Eventually(t, e2eWait, "the seeded example's findings", func() bool { // its match runs as a job
		p.admin.JSON(t, "GET", "/api/v1/findings?limit=3", nil, 200, &fs)
		return len(fs.Items) == 3
	})
	analyst := p.client(t, "analyst")
	for i, body := range []io.Reader{nil, chunked{}, strings.NewReader("  \n")} {
		var x model.Exception
		analyst.JSON(t, "POST", "/api/v1/exceptions", strings.NewReader(walkException(fs.Items[i].ID)), 201, &x)
		p.admin.JSON(t, "POST", fmt.Sprintf("/api/v1/exceptions/%d/approve", x.ID), body, 200, &x)
		if x.State != model.ExceptionApproved {
			t.Errorf("body %d: %+v", i, x)
		}
	}
}

// chunked is an empty body of unknown length, as a client that streams
// its body gives one.
type chunked struct{}

func (chunked) Read([]byte) (int, error) { return 0, io.EOF }
