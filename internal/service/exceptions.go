package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// MaxExceptionFindings bounds the findings one exception covers.
const MaxExceptionFindings = 10000

// RequestException records a request to accept the risk of findings: one
// scope (the findings listed, an advisory's or a component's open
// findings on every asset), a reason, compensating controls (required
// when a finding is on a legacy or end-of-life asset) and an expiry within
// the configured maximum. It changes no finding until someone else
// approves it.
func (s *Service) RequestException(ctx context.Context, actor string, in model.ExceptionInput) (model.Exception, error) {
	in.Reason, in.CompensatingControls = strings.TrimSpace(in.Reason), strings.TrimSpace(in.CompensatingControls)
	in.Advisory, in.Component = strings.TrimSpace(in.Advisory), strings.TrimSpace(in.Component)
	e := model.Exception{Reason: in.Reason, CompensatingControls: in.CompensatingControls, RequestedBy: actor,
		ExpiresAt: in.ExpiresAt.UTC(), State: model.ExceptionRequested}
	scopes := 0
	for _, set := range []bool{len(in.FindingIDs) > 0, in.Advisory != "", in.Component != ""} {
		if set {
			scopes++
		}
	}
	switch {
	case scopes != 1:
		return e, model.Invalidf("scope: give exactly one of finding_ids, advisory and component")
	case in.Reason == "":
		return e, model.Invalidf("reason: required: say why the risk is accepted")
	case in.ExpiresAt.IsZero():
		return e, model.Invalidf("expires_at: required: every exception ends")
	case len(in.Advisory) > 200 || len(in.Component) > 1000:
		return e, model.Invalidf("advisory or component: too long")
	}
	for _, v := range []struct{ field, text string }{{"reason", in.Reason}, {"compensating_controls", in.CompensatingControls},
		{"advisory", in.Advisory}, {"component", in.Component}} {
		if err := model.ValidNote(v.field, v.text); err != nil {
			return e, err
		}
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		e.RequestedAt = now
		maxDays, err := s.exceptionMaxDays(ctx)
		if err != nil {
			return err
		}
		if !e.ExpiresAt.After(now) {
			return model.Invalidf("expires_at %s: in the past", e.ExpiresAt.Format(time.RFC3339))
		}
		if limit := now.AddDate(0, 0, maxDays); e.ExpiresAt.After(limit) {
			return model.Invalidf("expires_at %s: at most %d days ahead (%s)", e.ExpiresAt.Format(time.RFC3339), maxDays, limit.Format(time.DateOnly))
		}
		if e.FindingIDs, e.Scope, e.ScopeValue, err = exceptionScope(ctx, tx, in); err != nil {
			return err
		}
		fs, err := tx.TriagedFindings(ctx, e.FindingIDs)
		if err != nil {
			return inputError(err)
		}
		for _, f := range fs {
			if f.Status != model.FindingOpen {
				return model.Invalidf("finding %d: resolved already; an exception is for open findings", f.ID)
			}
			if f.State == model.StateRiskAccepted {
				return model.Invalidf("finding %d: its risk is accepted already (exception %d)", f.ID, f.Exception)
			}
		}
		life, err := tx.AssetLifecycles(ctx, e.FindingIDs)
		if err != nil {
			return err
		}
		if (life["legacy"] || life["end-of-life"]) && e.CompensatingControls == "" {
			return model.Invalidf("compensating_controls: required, a finding is on a legacy or end-of-life asset")
		}
		if e.ID, err = tx.CreateException(ctx, e); err != nil {
			return err
		}
		ev := event(actor, "exception.requested", "exception", e.ID)
		ev.At = now
		return tx.AppendEvent(ctx, ev, nil, e)
	})
	return e, err
}

// exceptionScope resolves an exception's scope to its findings.
func exceptionScope(ctx context.Context, tx *store.Tx, in model.ExceptionInput) ([]int64, string, string, error) {
	if len(in.FindingIDs) > 0 {
		ids := slices.Clone(in.FindingIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > MaxExceptionFindings {
			return nil, "", "", model.Invalidf("finding_ids: %d; at most %d", len(ids), MaxExceptionFindings)
		}
		return ids, model.ScopeFindings, "", nil
	}
	scope, value := model.ScopeAdvisory, in.Advisory
	if in.Component != "" {
		scope, value = model.ScopeComponent, in.Component
		if !strings.HasPrefix(value, "pkg:") {
			return nil, "", "", model.Invalidf("component %q: a package URL (pkg:type/name or pkg:type/name@version)", value)
		}
	}
	ids, err := tx.ScopeFindings(ctx, scope, value, MaxExceptionFindings)
	switch {
	case err != nil:
		return nil, "", "", err
	case len(ids) == 0:
		return nil, "", "", model.Invalidf("%s %q: no open finding has it", scope, value)
	case len(ids) > MaxExceptionFindings:
		return nil, "", "", model.Invalidf("%s %q: more than %d open findings; narrow it", scope, value, MaxExceptionFindings)
	}
	return ids, scope, value, nil
}

// DecideException approves or rejects a requested exception. Approval
// needs someone other than the requester (four eyes); it turns the
// exception's open findings risk_accepted, each with its history entry.
func (s *Service) DecideException(ctx context.Context, actor string, id int64, approve bool, note string) (model.Exception, error) {
	note = strings.TrimSpace(note)
	if err := model.ValidNote("reason", note); err != nil {
		return model.Exception{}, err
	}
	var e model.Exception
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = tx.ExceptionForUpdate(ctx, id); err != nil {
			return err
		}
		before := e
		if e.State != model.ExceptionRequested {
			return fmt.Errorf("exception %d is %s, not requested: %w", id, e.State, model.ErrConflict)
		}
		if approve && e.RequestedBy == actor {
			return fmt.Errorf("exception %d: the requester may not approve it; another administrator must (four eyes): %w", id, model.ErrForbidden)
		}
		now := tx.Now()
		e.State, e.DecidedBy, e.DecidedAt, e.EndReason = model.ExceptionRejected, actor, now, note
		kind := "exception.rejected"
		if approve {
			e.State, kind = model.ExceptionApproved, "exception.approved"
			e.EndReason = ""
		}
		if err := tx.EndException(ctx, id, e.State, actor, now, e.EndReason); err != nil {
			return err
		}
		if approve {
			fs, err := tx.TriagedFindings(ctx, e.FindingIDs)
			if err != nil {
				return err
			}
			var open []store.Triaged
			for _, f := range fs {
				if f.Status == model.FindingOpen && f.State != model.StateRiskAccepted {
					open = append(open, f)
				}
			}
			reason := fmt.Sprintf("exception %d approved by %s until %s: %s", id, actor, e.ExpiresAt.Format(time.DateOnly), e.Reason)
			if err := tx.Decide(ctx, open, store.Decision{State: model.StateRiskAccepted, Reason: reason, Actor: actor, At: now,
				Exception: id, Kind: "exception"}); err != nil {
				return err
			}
		}
		ev := event(actor, kind, "exception", id)
		ev.At = now
		return tx.AppendEvent(ctx, ev, before, e)
	})
	return e, err
}

// EndExceptions expires the approved exceptions whose time is up, and
// revokes those of which a vulnerability entered CISA KEV after their
// approval: their findings reopen as affected, their remediation clocks
// running from where they started. It returns how many ended.
func (s *Service) EndExceptions(ctx context.Context) (int, error) {
	n := 0
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		n = 0
		now := tx.Now()
		due, err := tx.ExceptionsDue(ctx, now)
		if err != nil {
			return err
		}
		// Another replica may have ended one since it was read: it is
		// then no longer approved, and skipped.
		end := func(id int64, state, why string) error {
			err := s.endException(ctx, tx, id, state, now, why)
			if errors.Is(err, model.ErrConflict) {
				return nil
			}
			if err == nil {
				n++
			}
			return err
		}
		for _, id := range due {
			if err := end(id, model.ExceptionExpired, "expired"); err != nil {
				return err
			}
		}
		kev, err := tx.ExceptionsEnteredKEV(ctx)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(kev)) {
			if err := end(id, model.ExceptionRevoked, strings.Join(kev[id], ", ")+" entered CISA KEV (known exploited)"); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// RevokeException ends an approved exception before its time, by an
// administrator, reopening its findings.
func (s *Service) RevokeException(ctx context.Context, actor string, id int64, reason string) (model.Exception, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return model.Exception{}, model.Invalidf("reason: required: say why the exception ends early")
	}
	if err := model.ValidNote("reason", reason); err != nil {
		return model.Exception{}, err
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		return s.endExceptionBy(ctx, tx, id, actor, model.ExceptionRevoked, tx.Now(), reason)
	})
	if err != nil {
		return model.Exception{}, err
	}
	return s.Store.Exception(ctx, id)
}

func (s *Service) endException(ctx context.Context, tx *store.Tx, id int64, state string, at time.Time, why string) error {
	return s.endExceptionBy(ctx, tx, id, ActorSystem, state, at, why)
}

// endExceptionBy ends an approved exception (expired or revoked) and
// reopens the findings whose risk it accepted.
func (s *Service) endExceptionBy(ctx context.Context, tx *store.Tx, id int64, actor, state string, at time.Time, why string) error {
	e, err := tx.ExceptionForUpdate(ctx, id)
	if err != nil {
		return err
	}
	if e.State != model.ExceptionApproved {
		return fmt.Errorf("exception %d is %s, not approved: %w", id, e.State, model.ErrConflict)
	}
	before := e
	e.State, e.EndedAt, e.EndReason = state, at, why
	if err := tx.EndException(ctx, id, state, actor, at, why); err != nil {
		return err
	}
	fs, err := tx.AcceptedBy(ctx, id)
	if err != nil {
		return err
	}
	if err := tx.Decide(ctx, fs, store.Decision{State: model.StateAffected, Reason: fmt.Sprintf("exception %d %s: %s", id, state, why),
		Actor: actor, At: at, Kind: "exception"}); err != nil {
		return err
	}
	ev := event(actor, "exception."+state, "exception", id)
	ev.At = at
	return tx.AppendEvent(ctx, ev, before, e)
}

// exceptionMaxDays is the longest an exception may run, in days: the
// exception_max_days setting, else model.DefaultExceptionMaxDays.
func (s *Service) exceptionMaxDays(ctx context.Context) (int, error) {
	n, ok, err := s.Store.SettingInt(ctx, settingExceptionMaxDays)
	if err != nil || !ok {
		return model.DefaultExceptionMaxDays, err
	}
	return n, nil
}
