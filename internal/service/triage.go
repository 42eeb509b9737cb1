package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// MaxBulkTriage bounds the findings one bulk triage changes.
const MaxBulkTriage = 10000

// Triage records a person's decision about a finding: its state with the
// reason (and for not_affected the VEX justification), as a decision on
// the finding's key that later findings of the same vulnerability in the
// same package of the asset take, with a history entry and an audit event.
func (s *Service) Triage(ctx context.Context, actor string, id int64, in model.TriageInput) (model.AssetFinding, error) {
	if _, err := s.triage(ctx, actor, []int64{id}, in); err != nil {
		return model.AssetFinding{}, err
	}
	return s.Finding(ctx, id)
}

// BulkTriage records one decision for many findings (at most
// MaxBulkTriage), each with its own history entry and audit event, all in
// one transaction.
func (s *Service) BulkTriage(ctx context.Context, actor string, ids []int64, in model.TriageInput) (int, error) {
	if len(ids) == 0 {
		return 0, model.Invalidf("finding_ids: none given (or the filter selects none)")
	}
	if len(ids) > MaxBulkTriage {
		return 0, model.Invalidf("%d findings: at most %d in one bulk triage; narrow the filter", len(ids), MaxBulkTriage)
	}
	return s.triage(ctx, actor, ids, in)
}

func (s *Service) triage(ctx context.Context, actor string, ids []int64, in model.TriageInput) (int, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := in.Validate(); err != nil {
		return 0, err
	}
	n := 0
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		fs, err := tx.TriagedFindings(ctx, ids)
		if err != nil {
			return err
		}
		if fs, err = tx.WithOpenSiblings(ctx, fs); err != nil {
			return err
		}
		for _, f := range fs {
			if f.State == model.StateRiskAccepted && f.Exception != 0 {
				return fmt.Errorf("finding %d: its risk is accepted by exception %d; revoke the exception first: %w", f.ID, f.Exception, model.ErrConflict)
			}
		}
		at := tx.Now()
		if err := tx.Decide(ctx, fs, store.Decision{State: in.State, Justification: in.Justification, Reason: in.Reason,
			Actor: actor, At: at}); err != nil {
			return err
		}
		for _, f := range fs {
			e := event(actor, "finding.triaged", "finding", f.ID)
			e.At = at
			if err := tx.AppendEvent(ctx, e, map[string]string{"state": f.State},
				map[string]string{"state": in.State, "justification": in.Justification, "reason": in.Reason}); err != nil {
				return err
			}
		}
		n = len(fs)
		return nil
	})
	return n, err
}

// FindingHistory lists the history of a finding's decision key, oldest
// first.
func (s *Service) FindingHistory(ctx context.Context, id int64) ([]model.HistoryEntry, error) {
	f, err := s.Store.Finding(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("finding %d: %w", id, err)
	}
	h, err := s.Store.FindingHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	// Its detection opens the history: the entries before it are of the
	// findings of earlier versions of the package.
	first := model.HistoryEntry{At: f.FirstSeen, Actor: ActorSystem, Kind: "detected", To: model.StateNew, FindingID: f.ID,
		Reason: fmt.Sprintf("detected: %s %s in %s is affected by %s", f.Package, f.Version, f.AssetName, f.VulnID)}
	i, _ := slices.BinarySearchFunc(h, first.At, func(e model.HistoryEntry, at time.Time) int { return e.At.Compare(at) })
	return slices.Insert(h, i, first), nil
}

// Assign assigns a finding (and later findings of its vulnerability in
// its package of the asset) to a person or team; "" unassigns it.
func (s *Service) Assign(ctx context.Context, actor string, id int64, assignee string) (model.AssetFinding, error) {
	assignee = strings.TrimSpace(assignee)
	if err := model.ValidName("assignee", assignee); err != nil {
		return model.AssetFinding{}, err
	}
	return s.annotate(ctx, id, store.Note{Kind: "assignment", Assignee: assignee, Actor: actor}, "finding.assigned",
		map[string]string{"assignee": assignee})
}

// Comment adds a comment to a finding's history.
func (s *Service) Comment(ctx context.Context, actor string, id int64, body string) (model.AssetFinding, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return model.AssetFinding{}, model.Invalidf("body: required")
	}
	if err := model.ValidNote("body", body); err != nil {
		return model.AssetFinding{}, err
	}
	return s.annotate(ctx, id, store.Note{Kind: "comment", Body: body, Actor: actor}, "finding.commented", map[string]string{"body": body})
}

// SetTicket records the external ticket that tracks a finding's
// remediation: an https URL and an optional key; both empty remove it.
func (s *Service) SetTicket(ctx context.Context, actor string, id int64, tk model.Ticket) (model.AssetFinding, error) {
	tk.URL, tk.Key = strings.TrimSpace(tk.URL), strings.TrimSpace(tk.Key)
	if err := tk.Validate(); err != nil {
		return model.AssetFinding{}, err
	}
	return s.annotate(ctx, id, store.Note{Kind: "ticket", Ticket: tk, Actor: actor}, "finding.ticket_set", tk)
}

func (s *Service) annotate(ctx context.Context, id int64, n store.Note, kind string, after any) (model.AssetFinding, error) {
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		fs, err := tx.TriagedFindings(ctx, []int64{id})
		if err != nil {
			return err
		}
		n.At = tx.Now()
		if err := tx.Annotate(ctx, fs, n); err != nil {
			return err
		}
		e := event(n.Actor, kind, "finding", id)
		e.At = n.At
		return tx.AppendEvent(ctx, e, nil, after)
	})
	if err != nil {
		return model.AssetFinding{}, err
	}
	return s.Finding(ctx, id)
}
