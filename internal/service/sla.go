package service

// The SLA policy's versions, the SLA figures, and the settings an
// administrator may change.

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
	"github.com/vulndesk/vulndesk/internal/store"
)

// SetSLAPolicy records in as the next version of the SLA policy, with its
// audit event (sla_policy.created). Findings keep the clocks they have: a
// clock keeps the version that set it (sla.Apply), and only a finding
// found, re-rated or reopened from now on gets one under the new version.
func (s *Service) SetSLAPolicy(ctx context.Context, actor string, in sla.PolicyInput) (sla.Policy, error) {
	var p sla.Policy
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		cur, err := tx.SLAPolicy(ctx)
		if err != nil {
			return err
		}
		if p, err = in.Policy(cur.Version+1, tx.Now()); err != nil {
			return err
		}
		return tx.AddSLAPolicy(ctx, p, actor)
	})
	return p, err
}

// SLAPolicies is the SLA policy in force and every version, newest first
// (version 1, the default, when none was recorded).
func (s *Service) SLAPolicies(ctx context.Context) (api.SLAPolicies[sla.Policy], error) {
	vs, err := s.Store.SLAPolicies(ctx)
	if err != nil {
		return api.SLAPolicies[sla.Policy]{}, err
	}
	if len(vs) == 0 {
		p, err := s.Store.SLAPolicy(ctx)
		if err != nil {
			return api.SLAPolicies[sla.Policy]{}, err
		}
		vs = []sla.Policy{p}
	}
	return api.SLAPolicies[sla.Policy]{Policy: vs[0], Versions: vs}, nil
}

// SLA figure groupings.
const (
	BySeverity = "severity"
	ByAsset    = "asset"
)

// SLAFigureGroupings are the values of by: none, severity or asset.
var SLAFigureGroupings = []string{BySeverity, ByAsset}

// SLAFigures computes the SLA figures of [from, to), in all and grouped by
// by (BySeverity, ByAsset or "": no groups).
func (s *Service) SLAFigures(ctx context.Context, from, to time.Time, by string) (api.SLAFigureReport, error) {
	from, to = from.UTC(), to.UTC()
	rep := api.SLAFigureReport{From: from, To: to, By: by, Groups: []api.SLAFigureGroup{}}
	if by != "" && !slices.Contains(SLAFigureGroupings, by) {
		return rep, model.Invalidf("by %q: severity, asset or nothing", by)
	}
	if !from.Before(to) {
		return rep, model.Invalidf("from %s: before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	rs, err := s.Store.SLARecords(ctx, from, to)
	if err != nil {
		return rep, err
	}
	rep.All = figuresOf(sla.Compute(rs, from, to))
	switch by {
	case BySeverity:
		for sev, f := range sla.ComputeBy(rs, from, to, func(r sla.Record) model.Rating { return r.Clock.Severity }) {
			rep.Groups = append(rep.Groups, api.SLAFigureGroup{Severity: string(sev), SLAFigures: figuresOf(f)})
		}
		slices.SortFunc(rep.Groups, func(a, b api.SLAFigureGroup) int {
			return cmp.Compare(slices.Index(model.Ratings, model.Rating(a.Severity)), slices.Index(model.Ratings, model.Rating(b.Severity)))
		})
	case ByAsset:
		groups := sla.ComputeBy(rs, from, to, func(r sla.Record) int64 { return r.AssetID })
		ids := slices.Sorted(maps.Keys(groups))
		names, err := s.Store.AssetNames(ctx, ids)
		if err != nil {
			return rep, err
		}
		for _, id := range ids {
			rep.Groups = append(rep.Groups, api.SLAFigureGroup{AssetID: id, AssetName: names[id], SLAFigures: figuresOf(groups[id])})
		}
		slices.SortStableFunc(rep.Groups, func(a, b api.SLAFigureGroup) int { return cmp.Compare(a.AssetName, b.AssetName) })
	}
	return rep, nil
}

func figuresOf(f sla.Figures) api.SLAFigures {
	return api.SLAFigures{Closed: f.Closed, ClosedWithDeadline: f.WithDeadline, ClosedInSLA: f.InSLA, PercentInSLA: f.PercentInSLA,
		MeanTTRSeconds: int64(f.MeanTTR / time.Second), MedianTTRSeconds: int64(f.MedianTTR / time.Second), Open: f.Open, OpenPastDue: f.PastDue}
}

// settingExceptionMaxDays names the setting of the longest exception.
const settingExceptionMaxDays = "exception_max_days"

// Settings reads the settings an administrator may change, defaults for
// those never set.
func (s *Service) Settings(ctx context.Context) (api.Settings, error) {
	n, err := s.exceptionMaxDays(ctx)
	if err != nil {
		return api.Settings{}, err
	}
	c, err := s.ScanCadence(ctx)
	return api.Settings{ExceptionMaxDays: n, ScanCadence: c}, err
}

// UpdateSettings changes the settings in ch that are given, each with its
// audit event (setting.changed, before → after), in one transaction.
func (s *Service) UpdateSettings(ctx context.Context, actor string, ch api.SettingsPatch) (api.Settings, error) {
	if n := ch.ExceptionMaxDays; n != nil && (*n < 1 || *n > sla.MaxDays) {
		return api.Settings{}, model.Invalidf("exception_max_days %d: 1 to %d days", *n, sla.MaxDays)
	}
	var cadence model.Cadence
	if ch.ScanCadence != nil {
		var err error
		if cadence, err = s.ScanCadence(ctx); err != nil {
			return api.Settings{}, err
		}
		for k, v := range ch.ScanCadence {
			cadence[k] = v
		}
		if err := cadence.Validate(); err != nil {
			return api.Settings{}, err
		}
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if cadence != nil {
			if err := setCadence(ctx, tx, actor, cadence); err != nil {
				return err
			}
		}
		if ch.ExceptionMaxDays == nil {
			return nil
		}
		old, err := tx.SetSetting(ctx, settingExceptionMaxDays, *ch.ExceptionMaxDays, actor, tx.Now())
		if err != nil {
			return err
		}
		var before any // never set before
		if old != nil {
			before = json.RawMessage(`{"value": ` + string(old) + `}`)
		}
		return tx.AppendEvent(ctx, event(actor, "setting.changed", "setting", settingExceptionMaxDays), before,
			map[string]int{"value": *ch.ExceptionMaxDays})
	})
	if err != nil {
		return api.Settings{}, err
	}
	return s.Settings(ctx)
}
