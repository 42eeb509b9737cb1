package store

// Products the organisation makes (CRA Art. 13(8)) and the reports its
// team sends to others (NIS2 Art. 12, CRA Art. 13(6)).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

const productColumns = `p.asset_id, a.name, p.name, p.support_end, p.support_policy, p.security_contact, p.member_states,
	p.published, p.created_by, p.created_at, p.updated_by, p.updated_at`

const productFrom = ` FROM products p JOIN assets a ON a.id = p.asset_id`

func scanProduct(row rowScanner) (model.Product, error) {
	var p model.Product
	var states string
	err := row.Scan(&p.AssetID, &p.AssetName, &p.Name, &p.SupportEnd, &p.SupportPolicy, &p.SecurityContact, &states,
		&p.Published, &p.CreatedBy, &p.CreatedAt, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Product{}, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, json.Unmarshal([]byte(states), &p.MemberStates)
}

// PutProduct marks an asset as a product or changes it (normalized by the
// caller): who and when it was created stay as they were.
func (t *Tx) PutProduct(ctx context.Context, p model.Product, by string) (model.Product, error) {
	at := t.now()
	_, err := t.tx.ExecContext(ctx, `INSERT INTO products (asset_id, name, support_end, support_policy, security_contact,
		member_states, published, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9)
		ON CONFLICT (asset_id) DO UPDATE SET name = excluded.name, support_end = excluded.support_end,
		support_policy = excluded.support_policy, security_contact = excluded.security_contact,
		member_states = excluded.member_states, published = excluded.published, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`,
		p.AssetID, p.Name, p.SupportEnd, p.SupportPolicy, p.SecurityContact, mustJSON(p.MemberStates), p.Published, by, at)
	if err != nil {
		return p, err
	}
	return t.ProductForUpdate(ctx, p.AssetID)
}

// ProductForUpdate reads a product in the transaction, locked until it
// ends (on PostgreSQL).
func (t *Tx) ProductForUpdate(ctx context.Context, assetID int64) (model.Product, error) {
	q := `SELECT ` + productColumns + productFrom + ` WHERE p.asset_id = $1`
	if t.dialect == Postgres {
		q += " FOR NO KEY UPDATE OF p"
	}
	return scanProduct(t.tx.QueryRowContext(ctx, q, assetID))
}

// DeleteProduct unmarks an asset as a product.
func (t *Tx) DeleteProduct(ctx context.Context, assetID int64) error {
	return deleteByID(ctx, t.tx, `DELETE FROM products WHERE asset_id = $1`, assetID)
}

// Product reads the product an asset is.
func (s *Store) Product(ctx context.Context, assetID int64) (model.Product, error) {
	return scanProduct(s.db.QueryRowContext(ctx, `SELECT `+productColumns+productFrom+` WHERE p.asset_id = $1`, assetID))
}

// Products lists the products by name, each with its support status on
// the store's clock; published ones only when published is true (what the
// public policy page and report form list).
func (s *Store) Products(ctx context.Context, published bool) ([]model.Product, error) {
	q := `SELECT ` + productColumns + productFrom
	if published {
		q += ` WHERE p.published`
	}
	ps, err := queryAll(ctx, s.db, scanProduct, q+` ORDER BY p.name, p.asset_id`)
	now := s.Now()
	for i := range ps {
		ps[i].SupportStatus = ps[i].SupportStatusOn(now)
	}
	return ps, err
}

// PublishedProducts lists the products to show the public: on the
// disclosure policy page and as choices on the report form.
func (s *Store) PublishedProducts(ctx context.Context) ([]model.Product, error) {
	return s.Products(ctx, true)
}

const outboundColumns = `id, kind, case_id, finding_id, recipient, component, upstream_project, channel, reference, summary,
	sent_at, status, response, responded_at, created_by, created_at, updated_at`

func scanOutbound(row rowScanner) (model.OutboundReport, error) {
	var o model.OutboundReport
	var caseID, findingID sql.NullInt64
	var responded sql.NullTime
	err := row.Scan(&o.ID, &o.Kind, &caseID, &findingID, &o.Recipient, &o.Component, &o.Upstream, &o.Channel, &o.Reference,
		&o.Summary, &o.SentAt, &o.Status, &o.Response, &responded, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.OutboundReport{}, ErrNotFound
	}
	o.CaseID, o.FindingID, o.RespondedAt = caseID.Int64, findingID.Int64, timeOf(responded)
	o.SentAt, o.CreatedAt, o.UpdatedAt = o.SentAt.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// nullID maps 0 to NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateOutbound records an outbound report (normalized by the caller).
func (t *Tx) CreateOutbound(ctx context.Context, o model.OutboundReport) (model.OutboundReport, error) {
	o.CreatedAt = t.now()
	o.UpdatedAt = o.CreatedAt
	err := t.tx.QueryRowContext(ctx, `INSERT INTO outbound_reports (kind, case_id, finding_id, recipient, component,
		upstream_project, channel, reference, summary, sent_at, status, response, responded_at, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id`,
		o.Kind, nullID(o.CaseID), nullID(o.FindingID), o.Recipient, o.Component, o.Upstream, o.Channel, o.Reference, o.Summary,
		o.SentAt.UTC(), o.Status, o.Response, nullTime(o.RespondedAt), o.CreatedBy, o.CreatedAt).Scan(&o.ID)
	return o, err
}

// OutboundForUpdate reads an outbound report in the transaction.
func (t *Tx) OutboundForUpdate(ctx context.Context, id int64) (model.OutboundReport, error) {
	return scanOutbound(t.tx.QueryRowContext(ctx, `SELECT `+outboundColumns+` FROM outbound_reports WHERE id = $1`+t.forUpdate(), id))
}

// UpdateOutbound stores what became of an outbound report: its status,
// the response, its reference.
func (t *Tx) UpdateOutbound(ctx context.Context, o model.OutboundReport) (model.OutboundReport, error) {
	o.UpdatedAt = t.now()
	_, err := t.tx.ExecContext(ctx, `UPDATE outbound_reports SET status = $1, response = $2, responded_at = $3, reference = $4,
		updated_at = $5 WHERE id = $6`, o.Status, o.Response, nullTime(o.RespondedAt), o.Reference, o.UpdatedAt, o.ID)
	return o, err
}

// OutboundReport reads one outbound report.
func (s *Store) OutboundReport(ctx context.Context, id int64) (model.OutboundReport, error) {
	return scanOutbound(s.db.QueryRowContext(ctx, `SELECT `+outboundColumns+` FROM outbound_reports WHERE id = $1`, id))
}

// OutboundFilter narrows the outbound reports listed; zero values match
// all.
type OutboundFilter struct {
	CaseID, FindingID int64
	Kind              string
	Limit             int
}

// OutboundReports lists outbound reports, newest sent first.
func (s *Store) OutboundReports(ctx context.Context, f OutboundFilter) ([]model.OutboundReport, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CaseID != 0 {
		add("case_id = $%d", f.CaseID)
	}
	if f.FindingID != 0 {
		add("finding_id = $%d", f.FindingID)
	}
	if f.Kind != "" {
		add("kind = $%d", f.Kind)
	}
	q := `SELECT ` + outboundColumns + ` FROM outbound_reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return queryAll(ctx, s.db, scanOutbound, q+fmt.Sprintf(` ORDER BY sent_at DESC, id DESC LIMIT %d`, PageSize(f.Limit)), args...)
}
