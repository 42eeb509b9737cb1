package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// SLAPolicy returns the SLA policy in force: its highest version. A
// database that has none gets version 1, sla.DefaultPolicy, recorded with
// its audit event in this transaction.
func (t *Tx) SLAPolicy(ctx context.Context) (sla.Policy, error) {
	if t.policy != nil { // read once a transaction: a match assesses twice
		return *t.policy, nil
	}
	p, err := slaPolicy(ctx, t.tx)
	if err == nil {
		t.policy = &p
	}
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	p = sla.DefaultPolicy(t.now())
	if err := t.AddSLAPolicy(ctx, p, "system"); err != nil {
		return sla.Policy{}, err
	}
	return p, nil
}

// SLAPolicy returns the SLA policy in force, sla.DefaultPolicy (version 1)
// when none was recorded yet.
func (s *Store) SLAPolicy(ctx context.Context) (sla.Policy, error) {
	p, err := slaPolicy(ctx, s.db)
	if errors.Is(err, ErrNotFound) {
		return sla.DefaultPolicy(now()), nil
	}
	return p, err
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func slaPolicy(ctx context.Context, db rowQuerier) (sla.Policy, error) {
	var body string
	err := db.QueryRowContext(ctx, `SELECT body FROM sla_policies ORDER BY version DESC LIMIT 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return sla.Policy{}, ErrNotFound
	}
	if err != nil {
		return sla.Policy{}, fmt.Errorf("reading the SLA policy: %w", err)
	}
	return sla.ParsePolicy([]byte(body))
}

// AddSLAPolicy records p as the next version of the SLA policy, with its
// event; p.Version must be one above the highest stored (a conflict
// otherwise: someone else changed it first).
func (t *Tx) AddSLAPolicy(ctx context.Context, p sla.Policy, actor string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var top sql.NullInt64
	if err := t.tx.QueryRowContext(ctx, `SELECT MAX(version) FROM sla_policies`).Scan(&top); err != nil {
		return err
	}
	if int64(p.Version) != top.Int64+1 {
		return fmt.Errorf("sla policy version %d: the newest is %d, so the next is %d: %w", p.Version, top.Int64, top.Int64+1, model.ErrConflict)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO sla_policies (version, body, created_by, created_at) VALUES ($1, $2, $3, $4)`,
		p.Version, mustJSON(p), actor, p.CreatedAt.UTC())
	if isUnique(err) {
		return fmt.Errorf("sla policy version %d: %w", p.Version, model.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("recording the SLA policy: %w", err)
	}
	t.policy = &p
	return t.AppendEvent(ctx, model.Event{At: p.CreatedAt, Actor: actor, Kind: "sla_policy.created", ObjectType: "sla_policy",
		ObjectID: fmt.Sprint(p.Version)}, nil, p)
}

// SLAPolicies returns every version of the SLA policy, newest first.
func (s *Store) SLAPolicies(ctx context.Context) ([]sla.Policy, error) {
	return queryAll(ctx, s.db, func(row rowScanner) (sla.Policy, error) {
		var body string
		if err := row.Scan(&body); err != nil {
			return sla.Policy{}, err
		}
		return sla.ParsePolicy([]byte(body))
	}, `SELECT body FROM sla_policies ORDER BY version DESC`)
}
