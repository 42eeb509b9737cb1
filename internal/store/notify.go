package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

const channelColumns = `id, name, kind, url, address, secret, created_by, created_at`

func scanChannel(row rowScanner) (model.Channel, error) {
	var c model.Channel
	err := row.Scan(&c.ID, &c.Name, &c.Kind, &c.URL, &c.Address, &c.Secret, &c.CreatedBy, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Channel{}, ErrNotFound
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// CreateChannel adds a notification channel (normalized by the caller,
// its secret set); ErrConflict when the name is taken.
func (t *Tx) CreateChannel(ctx context.Context, c model.Channel) (model.Channel, error) {
	c.CreatedAt = t.now()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO notify_channels (name, kind, url, address, secret, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, c.Name, c.Kind, c.URL, c.Address, c.Secret, c.CreatedBy, c.CreatedAt).Scan(&c.ID)
	if isUnique(err) {
		return model.Channel{}, fmt.Errorf("channel %q: %w", c.Name, ErrConflict)
	}
	return c, err
}

// ChannelForUpdate reads a channel in the transaction, locked until it
// ends (on PostgreSQL).
func (t *Tx) ChannelForUpdate(ctx context.Context, id int64) (model.Channel, error) {
	return scanChannel(t.tx.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM notify_channels WHERE id = $1`+t.forUpdate(), id))
}

// DeleteChannel removes a channel with its rules and deliveries.
func (t *Tx) DeleteChannel(ctx context.Context, id int64) error {
	return deleteByID(ctx, t.tx, `DELETE FROM notify_channels WHERE id = $1`, id)
}

func deleteByID(ctx context.Context, tx *sql.Tx, q string, id int64) error {
	res, err := tx.ExecContext(ctx, q, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Channel returns one channel, its secret included.
func (s *Store) Channel(ctx context.Context, id int64) (model.Channel, error) {
	return scanChannel(s.db.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM notify_channels WHERE id = $1`, id))
}

// Channels lists the channels.
func (s *Store) Channels(ctx context.Context) ([]model.Channel, error) {
	return queryAll(ctx, s.db, scanChannel, `SELECT `+channelColumns+` FROM notify_channels ORDER BY id`)
}

const ruleColumns = `id, channel_id, events, assets, tags, owners, min_priority, digest, created_by, created_at`

func scanRule(row rowScanner) (model.NotifyRule, error) {
	var r model.NotifyRule
	var events, assets, tags, owners string
	err := row.Scan(&r.ID, &r.ChannelID, &events, &assets, &tags, &owners, &r.MinPriority, &r.Digest, &r.CreatedBy, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return model.NotifyRule{}, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	for _, l := range []struct {
		s  string
		to *[]string
	}{{events, &r.Events}, {assets, &r.Assets}, {tags, &r.Tags}, {owners, &r.Owners}} {
		if err := json.Unmarshal([]byte(l.s), l.to); err != nil {
			return r, fmt.Errorf("rule %d: %w", r.ID, err)
		}
	}
	return r, nil
}

// CreateRule adds a notification rule (normalized by the caller);
// ErrNotFound when its channel does not exist.
func (t *Tx) CreateRule(ctx context.Context, r model.NotifyRule) (model.NotifyRule, error) {
	if _, err := t.ChannelForUpdate(ctx, r.ChannelID); err != nil {
		return model.NotifyRule{}, fmt.Errorf("channel %d: %w", r.ChannelID, err)
	}
	r.CreatedAt = t.now()
	err := t.tx.QueryRowContext(ctx, `INSERT INTO notify_rules (channel_id, events, assets, tags, owners, min_priority, digest, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, r.ChannelID, mustJSON(r.Events), mustJSON(r.Assets),
		mustJSON(r.Tags), mustJSON(r.Owners), r.MinPriority, r.Digest, r.CreatedBy, r.CreatedAt).Scan(&r.ID)
	return r, err
}

// RuleForUpdate reads a rule in the transaction.
func (t *Tx) RuleForUpdate(ctx context.Context, id int64) (model.NotifyRule, error) {
	return scanRule(t.tx.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM notify_rules WHERE id = $1`+t.forUpdate(), id))
}

// DeleteRule removes a rule.
func (t *Tx) DeleteRule(ctx context.Context, id int64) error {
	return deleteByID(ctx, t.tx, `DELETE FROM notify_rules WHERE id = $1`, id)
}

// Rules lists the rules, by channel.
func (s *Store) Rules(ctx context.Context) ([]model.NotifyRule, error) {
	return queryAll(ctx, s.db, scanRule, `SELECT `+ruleColumns+` FROM notify_rules ORDER BY channel_id, id`)
}

// Rules lists the rules in the transaction.
func (t *Tx) Rules(ctx context.Context) ([]model.NotifyRule, error) {
	return queryAll(ctx, t.tx, scanRule, `SELECT `+ruleColumns+` FROM notify_rules ORDER BY channel_id, id`)
}

const deliveryColumns = `id, channel_id, event, body, state, attempts, last_status, last_error, created_at, next_at, delivered_at`

func scanDelivery(row rowScanner) (model.Delivery, error) {
	var d model.Delivery
	var next, delivered sql.NullTime
	err := row.Scan(&d.ID, &d.ChannelID, &d.Event, &d.Body, &d.State, &d.Attempts, &d.LastStatus, &d.LastError,
		&d.CreatedAt, &next, &delivered)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Delivery{}, ErrNotFound
	}
	d.CreatedAt, d.NextAt, d.DeliveredAt = d.CreatedAt.UTC(), timeOf(next), timeOf(delivered)
	return d, err
}

// AddDelivery stores a delivery to send now; the caller queues its job.
func (t *Tx) AddDelivery(ctx context.Context, channelID int64, event string, body func(id int64) []byte) (model.Delivery, error) {
	d := model.Delivery{ChannelID: channelID, Event: event, State: model.DeliveryPending, CreatedAt: t.now()}
	d.NextAt = d.CreatedAt
	err := t.tx.QueryRowContext(ctx, `INSERT INTO notify_deliveries (channel_id, event, body, state, created_at, next_at)
		VALUES ($1, $2, '', $3, $4, $4) RETURNING id`, channelID, event, d.State, d.CreatedAt).Scan(&d.ID)
	if err != nil {
		return d, err
	}
	d.Body = string(body(d.ID))
	_, err = t.tx.ExecContext(ctx, `UPDATE notify_deliveries SET body = $1 WHERE id = $2`, d.Body, d.ID)
	return d, err
}

// DeliveryForUpdate reads a delivery in the transaction, locked.
func (t *Tx) DeliveryForUpdate(ctx context.Context, id int64) (model.Delivery, error) {
	return scanDelivery(t.tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM notify_deliveries WHERE id = $1`+t.forUpdate(), id))
}

// Delivery returns one delivery with its log of attempts.
func (s *Store) Delivery(ctx context.Context, id int64) (model.Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM notify_deliveries WHERE id = $1`, id))
	if err != nil {
		return d, err
	}
	d.Log, err = queryAll(ctx, s.db, func(row rowScanner) (model.DeliveryAttempt, error) {
		var a model.DeliveryAttempt
		err := row.Scan(&a.Attempt, &a.At, &a.Status, &a.Error)
		a.At = a.At.UTC()
		return a, err
	}, `SELECT attempt, at, status, error FROM notify_attempts WHERE delivery_id = $1 ORDER BY id`, id)
	return d, err
}

// DeliveryFilter narrows the list of deliveries.
type DeliveryFilter struct {
	ChannelID int64  // 0: every channel
	State     string // "": every state
	Limit     int
}

// Deliveries lists deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, f DeliveryFilter) ([]model.Delivery, error) {
	return queryAll(ctx, s.db, scanDelivery, `SELECT `+deliveryColumns+` FROM notify_deliveries
		WHERE ($1 = 0 OR channel_id = $1) AND ($2 = '' OR state = $2) ORDER BY id DESC LIMIT $3`,
		f.ChannelID, f.State, PageSize(f.Limit))
}

// RecordAttempt logs attempt n at a delivery and sets its state: delivered
// when err is "" and status says so (delivered true), pending until next
// when next is set, failed otherwise.
func (t *Tx) RecordAttempt(ctx context.Context, id int64, n, status int, errText string, delivered bool, next time.Time) error {
	at := t.now()
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO notify_attempts (delivery_id, attempt, at, status, error)
		VALUES ($1, $2, $3, $4, $5)`, id, n, at, status, errText); err != nil {
		return err
	}
	state := model.DeliveryFailed
	var nextAt, deliveredAt sql.NullTime
	switch {
	case delivered:
		state, deliveredAt = model.DeliveryDelivered, sql.NullTime{Time: at, Valid: true}
	case !next.IsZero():
		state, nextAt = model.DeliveryPending, sql.NullTime{Time: next.UTC(), Valid: true}
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE notify_deliveries SET attempts = $1, last_status = $2, last_error = $3,
		state = $4, next_at = $5, delivered_at = $6 WHERE id = $7`, n, status, errText, state, nextAt, deliveredAt, id)
	return err
}

// NotifyMark returns the watermark of name; zero when it was never set.
func (t *Tx) NotifyMark(ctx context.Context, name string) (time.Time, error) {
	var at time.Time
	err := t.tx.QueryRowContext(ctx, `SELECT at FROM notify_marks WHERE name = $1`+t.forUpdate(), name).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return at.UTC(), err
}

// SetNotifyMark sets the watermark of name.
func (t *Tx) SetNotifyMark(ctx context.Context, name string, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO notify_marks (name, at) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET at = excluded.at`, name, at.UTC())
	return err
}

// AddNotificationEvent records that rule is told of item, waiting for
// its delivery (SetEventsDelivery), and returns the record's ID; 0 when
// the rule was told already (the same event kind and subject), and then
// nothing is stored.
func (t *Tx) AddNotificationEvent(ctx context.Context, ruleID int64, it model.NotifyItem) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `INSERT INTO notification_events (kind, subject, rule_id, at, item)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, subject, rule_id) DO NOTHING RETURNING id`,
		it.Kind, it.Subject, ruleID, it.At.UTC(), mustJSON(it)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// PendingDigest returns the items waiting for a digest of the channel's
// digest rules that happened before `before`, oldest first, an item
// notified by several rules once, and their rows' IDs.
func (t *Tx) PendingDigest(ctx context.Context, channelID int64, before time.Time) ([]model.NotifyItem, []int64, error) {
	var items []model.NotifyItem
	var ids []int64
	seen := map[string]bool{}
	err := queryRows(ctx, t.tx, `SELECT e.id, e.kind, e.subject, e.item FROM notification_events e
		JOIN notify_rules r ON r.id = e.rule_id
		WHERE r.channel_id = $1 AND r.digest AND e.delivery_id IS NULL AND e.at < $2 ORDER BY e.at, e.id`,
		[]any{channelID, before.UTC()}, func(rows *sql.Rows) error {
			var id int64
			var kind, subject, item string
			if err := rows.Scan(&id, &kind, &subject, &item); err != nil {
				return err
			}
			ids = append(ids, id)
			if seen[kind+" "+subject] {
				return nil
			}
			seen[kind+" "+subject] = true
			var it model.NotifyItem
			if err := json.Unmarshal([]byte(item), &it); err != nil {
				return fmt.Errorf("notification event %d: %w", id, err)
			}
			items = append(items, it)
			return nil
		})
	return items, ids, err
}

// SetEventsDelivery ties waiting events to the delivery that carries them.
func (t *Tx) SetEventsDelivery(ctx context.Context, ids []int64, deliveryID int64) error {
	for _, id := range ids {
		if _, err := t.tx.ExecContext(ctx, `UPDATE notification_events SET delivery_id = $1 WHERE id = $2`, deliveryID, id); err != nil {
			return err
		}
	}
	return nil
}
