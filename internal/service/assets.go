package service

import (
	"context"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// CreateAsset validates and creates an asset.
func (s *Service) CreateAsset(ctx context.Context, a model.Asset, by string) (model.Asset, error) {
	if err := a.Normalize(); err != nil {
		return model.Asset{}, err
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = tx.CreateAsset(ctx, a); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "asset.created", "asset", a.ID), nil, a)
	})
	return a, err
}

// UpdateAsset changes an asset: change edits a copy of it as stored, and
// the result is validated and stored.
func (s *Service) UpdateAsset(ctx context.Context, id int64, change func(*model.Asset), by string) (model.Asset, error) {
	var after model.Asset
	reprioritize := false
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.AssetForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("asset %d: %w", id, err)
		}
		after = before
		after.Tags, after.CPEs = append([]string(nil), before.Tags...), append([]string(nil), before.CPEs...)
		change(&after)
		if err := after.Normalize(); err != nil {
			return err
		}
		if after, err = tx.UpdateAsset(ctx, after); err != nil {
			return err
		}
		reprioritize = before.Exposure != after.Exposure || before.Criticality != after.Criticality
		return tx.AppendEvent(ctx, event(by, "asset.changed", "asset", id), before, after)
	})
	if err == nil && reprioritize {
		// Exposure and criticality are inputs of every SSVC priority of
		// the asset (a clock keeps the inputs that set it).
		err = s.reassess(ctx, id, false, false)
	}
	return after, err
}

// DeleteAsset removes an asset with its snapshots, findings and decisions.
func (s *Service) DeleteAsset(ctx context.Context, id int64, by string) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.AssetForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("asset %d: %w", id, err)
		}
		if err := tx.DeleteAsset(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "asset.deleted", "asset", id), before, nil)
	})
}
