package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/client"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// clientSLA changes the SLA policy and the settings through the client
// and reads the SLA figures; an analyst may read the policy, not change it.
func clientSLA(ctx context.Context, t *testing.T, admin, analyst *client.Client) {
	ps := must(analyst.SLAPolicies(ctx))(t)
	if len(ps.Versions) == 0 || ps.Versions[0].Version != ps.Policy.Version {
		t.Fatalf("policies: %+v", ps)
	}
	in := ps.Policy.Input()
	in.Rules[model.RatingCritical] = sla.Days{InternetFacing: 2, Internal: 10, Isolated: 10}
	_, err := analyst.SetSLAPolicy(ctx, in)
	wantClientError(t, "an analyst changing the policy", err, 403, "needs")
	p := must(admin.SetSLAPolicy(ctx, in))(t)
	if p.Version != ps.Policy.Version+1 || p.Rules[model.RatingCritical].InternetFacing != 2 || p.CreatedAt.IsZero() {
		t.Errorf("new version: %+v", p)
	}
	if got := must(admin.SLAPolicies(ctx))(t); got.Policy.Version != p.Version || len(got.Versions) != len(ps.Versions)+1 {
		t.Errorf("after the change: policy v%d, %d versions", got.Policy.Version, len(got.Versions))
	}
	bad := p.Input()
	bad.Rules[model.RatingHigh] = sla.Days{InternetFacing: 30, Internal: 0, Isolated: 60}
	_, err = admin.SetSLAPolicy(ctx, bad)
	wantClientError(t, "0 days", err, 400, "rules.high.internal")

	// clientTriage closed a finding as not affected: one closed, now.
	rep := must(admin.SLAFigures(ctx, time.Time{}, time.Time{}, "severity"))(t)
	if rep.All.Closed < 1 || rep.By != "severity" || len(rep.Groups) == 0 || rep.To.Sub(rep.From) != 90*24*time.Hour {
		t.Errorf("figures: %+v", rep)
	}
	byAsset := must(admin.SLAFigures(ctx, time.Now().AddDate(0, 0, -1), time.Now().Add(time.Hour), "asset"))(t)
	if len(byAsset.Groups) == 0 || byAsset.Groups[0].AssetName == "" || byAsset.All != rep.All {
		t.Errorf("figures by asset: %+v; all %+v", byAsset, rep.All)
	}
	_, err = admin.SLAFigures(ctx, time.Now(), time.Now().AddDate(0, 0, -1), "")
	wantClientError(t, "from after to", err, 400, "from")

	if s := must(admin.Settings(ctx))(t); s.ExceptionMaxDays != model.DefaultExceptionMaxDays {
		t.Errorf("settings: %+v", s)
	}
	if s := must(admin.UpdateSettings(ctx, api.SettingsPatch{ExceptionMaxDays: ptr(30)}))(t); s.ExceptionMaxDays != 30 {
		t.Errorf("changed settings: %+v", s)
	}
	_, err = admin.UpdateSettings(ctx, api.SettingsPatch{ExceptionMaxDays: ptr(0)})
	wantClientError(t, "exception_max_days 0", err, 400, "exception_max_days")
	_, err = analyst.Settings(ctx)
	wantClientError(t, "an analyst reading settings", err, 403, "needs")
	must(admin.UpdateSettings(ctx, api.SettingsPatch{ExceptionMaxDays: ptr(model.DefaultExceptionMaxDays)}))(t)
}
