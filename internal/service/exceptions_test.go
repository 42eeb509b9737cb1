package service_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// exceptionFixture: two assets with findings of PYSEC-0001 (requests) and
// PYSEC-0002 (flask); "legacy" is a legacy asset.
func exceptionFixture(t *testing.T, st *store.Store) *service.Service {
	t.Helper()
	svc := newService(t, st, nil)
	dir := t.TempDir()
	writeAdvisory(t, dir, "PYSEC-0001", "requests", "2.0.0", "")
	writeAdvisory(t, dir, "PYSEC-0002", "flask", "1.0.0", "")
	feed, err := storetest.CreateFeed(ctx, st, model.Feed{Name: "local", Kind: model.FeedOSV, URL: dir, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SyncFeed(ctx, feed.ID, false); err != nil {
		t.Fatal(err)
	}
	for _, a := range []model.Asset{{Name: "api"}, {Name: "legacy", Lifecycle: "legacy"}} {
		if _, _, err := svc.Ingest(ctx, &service.Upload{Asset: a, Create: true,
			Data: sbomDoc(map[string]string{"requests": "1.0.0", "flask": "0.9"})}); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, svc)
	return svc
}

// TestExceptionRequests: the scopes (findings, an advisory by an alias, a
// component by package URL), what a request must give, and the rules of
// approval.
func TestExceptionRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc := exceptionFixture(t, st)
		soon := st.Now().AddDate(0, 1, 0)
		api, _ := st.AssetByName(ctx, "api")
		var apiFinding int64
		for _, f := range openFindings(t, st, "open") {
			if f.AssetID == api.ID && f.Package == "flask" {
				apiFinding = f.ID
			}
		}
		for name, c := range map[string]struct {
			in   model.ExceptionInput
			want string
		}{
			"no scope":           {model.ExceptionInput{Reason: "r", ExpiresAt: soon}, "exactly one of"},
			"two scopes":         {model.ExceptionInput{FindingIDs: []int64{apiFinding}, Advisory: "PYSEC-0001", Reason: "r", ExpiresAt: soon}, "exactly one of"},
			"no reason":          {model.ExceptionInput{FindingIDs: []int64{apiFinding}, ExpiresAt: soon}, "reason"},
			"no expiry":          {model.ExceptionInput{FindingIDs: []int64{apiFinding}, Reason: "r"}, "expires_at: required"},
			"past expiry":        {model.ExceptionInput{FindingIDs: []int64{apiFinding}, Reason: "r", ExpiresAt: st.Now().Add(-time.Hour)}, "in the past"},
			"beyond a year":      {model.ExceptionInput{FindingIDs: []int64{apiFinding}, Reason: "r", ExpiresAt: st.Now().AddDate(1, 0, 2)}, "at most 365 days"},
			"unknown advisory":   {model.ExceptionInput{Advisory: "PYSEC-9999", Reason: "r", ExpiresAt: soon}, "no open finding"},
			"not a purl":         {model.ExceptionInput{Component: "flask", Reason: "r", ExpiresAt: soon}, "package URL"},
			"legacy, no control": {model.ExceptionInput{Advisory: "CVE-2024-0002", Reason: "r", ExpiresAt: soon}, "compensating_controls"},
			"missing finding":    {model.ExceptionInput{FindingIDs: []int64{987654}, Reason: "r", ExpiresAt: soon}, "finding 987654"},
		} {
			_, err := svc.RequestException(ctx, "alice", c.in)
			if !errors.Is(err, model.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v; want ErrInvalid naming %q", name, err, c.want)
			}
		}
		// An advisory scope by its CVE alias covers both assets' findings;
		// a component scope without a version every version of it.
		adv, err := svc.RequestException(ctx, "alice", model.ExceptionInput{Advisory: "CVE-2024-0002", Reason: "r",
			CompensatingControls: "segmented network", ExpiresAt: soon})
		if err != nil || adv.Scope != model.ScopeAdvisory || len(adv.FindingIDs) != 2 {
			t.Fatalf("advisory scope: %+v, %v", adv, err)
		}
		comp, err := svc.RequestException(ctx, "alice", model.ExceptionInput{Component: "pkg:pypi/requests", Reason: "r",
			CompensatingControls: "segmented network", ExpiresAt: soon})
		if err != nil || comp.Scope != model.ScopeComponent || len(comp.FindingIDs) != 2 {
			t.Fatalf("component scope: %+v, %v", comp, err)
		}
		// Four eyes; one decision only.
		if _, err := svc.DecideException(ctx, "alice", adv.ID, true, ""); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("the requester approving: %v", err)
		}
		got, err := svc.DecideException(ctx, "bob", adv.ID, true, "")
		if err != nil || got.State != model.ExceptionApproved || got.DecidedBy != "bob" {
			t.Fatalf("approved: %+v, %v", got, err)
		}
		if _, err := svc.DecideException(ctx, "carol", adv.ID, false, "late"); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("deciding twice: %v", err)
		}
		for _, id := range adv.FindingIDs {
			if f, _ := st.Finding(ctx, id); f.State != model.StateRiskAccepted {
				t.Errorf("finding %d under an approved exception: %q", id, f.State)
			}
		}
		// A finding accepted already cannot be in a second exception, and
		// cannot be triaged until the exception ends.
		if _, err := svc.RequestException(ctx, "alice", model.ExceptionInput{FindingIDs: adv.FindingIDs[:1], Reason: "r", ExpiresAt: soon,
			CompensatingControls: "x"}); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("a second exception for an accepted finding: %v", err)
		}
		if _, err := svc.Triage(ctx, "alice", adv.FindingIDs[0], model.TriageInput{State: model.StateAffected}); !errors.Is(err, model.ErrConflict) {
			t.Errorf("triaging an accepted finding: %v", err)
		}
		if _, err := svc.RevokeException(ctx, "bob", adv.ID, ""); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("revoking without a reason: %v", err)
		}
		if _, err := svc.RevokeException(ctx, "bob", adv.ID, "patched upstream"); err != nil {
			t.Fatal(err)
		}
		for _, id := range adv.FindingIDs {
			if f, _ := st.Finding(ctx, id); f.State != model.StateAffected || !f.SLA.ClosedAt.IsZero() {
				t.Errorf("finding %d after revocation: %q, %+v", id, f.State, f.SLA)
			}
		}
		// Every step is in the audit log.
		evs, err := st.EventsOf(ctx, "exception", "1")
		if err != nil || len(evs) != 3 || evs[0].Kind != "exception.requested" || evs[1].Kind != "exception.approved" || evs[2].Kind != "exception.revoked" {
			t.Errorf("events of exception 1: %+v, %v", evs, err)
		}
	})
}

// TestEndExceptionsReplicas: two replicas' schedulers ending the same
// expired exceptions at once end each once, without an error, and the
// audit chain records each end once.
func TestEndExceptionsReplicas(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			var replicas [2]*service.Service
			for i := range replicas {
				st, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				replicas[i] = newService(t, st, nil)
			}
			st := replicas[0].Store
			exceptionFixture(t, st)
			svc := replicas[0]
			var ids []int64
			for _, f := range openFindings(t, st, "open") {
				x, err := svc.RequestException(ctx, "alice", model.ExceptionInput{FindingIDs: []int64{f.ID}, Reason: "r",
					CompensatingControls: "c", ExpiresAt: st.Now().Add(time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.DecideException(ctx, "bob", x.ID, true, ""); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, x.ID)
			}
			later := func() time.Time { return time.Now().Add(2 * time.Hour) }
			var ended [2]int
			var errs [2]error
			var wg sync.WaitGroup
			for i, r := range replicas {
				r.Store.SetClock(later)
				wg.Go(func() { ended[i], errs[i] = r.EndExceptions(ctx) })
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil || ended[0]+ended[1] != len(ids) {
				t.Fatalf("ended %v with errors %v; want %d in all", ended, errs, len(ids))
			}
			for _, id := range ids {
				evs, err := st.EventsOf(ctx, "exception", strconv.FormatInt(id, 10))
				if err != nil || len(evs) != 3 || evs[2].Kind != "exception.expired" {
					t.Errorf("events of exception %d: %+v, %v", id, evs, err)
				}
			}
			for _, f := range openFindings(t, st, "open") {
				if f.State != model.StateAffected {
					t.Errorf("finding %d after its exception expired: %q", f.ID, f.State)
				}
			}
		})
	}
}
