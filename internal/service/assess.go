package service

import (
	"context"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/store"
)

// assessBatch is how many findings one transaction of a reassessment
// covers.
const assessBatch = 2000

// AssessBacklog sets the remediation clocks and priorities of findings
// stored before they existed, a batch per transaction, at most max
// batches (0: all). It returns how many it set.
func (s *Service) AssessBacklog(ctx context.Context, max int) (int, error) {
	total := 0
	for i := 0; max == 0 || i < max; i++ {
		ids, err := s.assessOnce(ctx, func(tx *store.Tx) ([]int64, error) { return tx.Unassessed(ctx, assessBatch) })
		total += len(ids)
		if err != nil || len(ids) < assessBatch {
			return total, err
		}
	}
	return total, nil
}

// reassess computes again the clocks and priorities of the open findings
// a selection names (see store.Tx.OpenFindingIDs), a batch per
// transaction: after a KEV or EPSS sync, or a change of an asset's
// exposure or criticality.
func (s *Service) reassess(ctx context.Context, assetID int64, kev, epss bool) error {
	after, done := int64(0), int64(0)
	for {
		ids, err := s.assessOnce(ctx, func(tx *store.Tx) ([]int64, error) {
			return tx.OpenFindingIDs(ctx, assetID, kev, epss, after, assessBatch)
		})
		if err != nil {
			return fmt.Errorf("reassessing findings: %w", err)
		}
		if len(ids) < assessBatch {
			return nil
		}
		// A sync job's progress: how many open findings were assessed
		// again (the total is not known ahead).
		done += int64(len(ids))
		reportProgress(ctx, done, done+assessBatch, "findings re-prioritized")
		after = ids[len(ids)-1]
	}
}

// assessOnce assesses the findings pick selects, in one transaction with
// the events of the priorities that changed, and returns their IDs.
func (s *Service) assessOnce(ctx context.Context, pick func(*store.Tx) ([]int64, error)) ([]int64, error) {
	var ids []int64
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if ids, err = pick(tx); err != nil || len(ids) == 0 {
			return err
		}
		st, err := tx.Assess(ctx, ids, nil, tx.Now())
		if err != nil {
			return err
		}
		return tx.ReprioritizedEvents(ctx, st.Reprioritized, tx.Now())
	})
	return ids, err
}
