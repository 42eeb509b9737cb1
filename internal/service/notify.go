package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/notify"
	"github.com/vulndesk/vulndesk/internal/store"
)

// CreateChannel adds a notification channel. A webhook gets a secret the
// server makes, returned here once and never shown again: receivers
// verify its signatures with it. A webhook URL must be one feeds could
// reach (https, http only to loopback; no private address unless the
// server allows them).
func (s *Service) CreateChannel(ctx context.Context, c model.Channel, by string) (model.Channel, string, error) {
	if err := c.Normalize(); err != nil {
		return model.Channel{}, "", err
	}
	c.Secret, c.CreatedBy = "", by
	if c.Kind == model.ChannelWebhook {
		if err := s.Sources.Check(c.URL); err != nil {
			return model.Channel{}, "", inputError(fmt.Errorf("url: %w", err))
		}
		b := make([]byte, 32)
		rand.Read(b)
		c.Secret = "whsec_" + hex.EncodeToString(b)
	}
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.CreateChannel(ctx, c); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "notify_channel.created", "notify_channel", c.ID), nil, c)
	})
	if err != nil {
		return model.Channel{}, "", err
	}
	return c, c.Secret, nil
}

// DeleteChannel removes a channel with its rules and deliveries.
func (s *Service) DeleteChannel(ctx context.Context, id int64, by string) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.ChannelForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("channel %d: %w", id, err)
		}
		if err := tx.DeleteChannel(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "notify_channel.deleted", "notify_channel", id), before, nil)
	})
}

// CreateRule adds a rule to a channel.
func (s *Service) CreateRule(ctx context.Context, r model.NotifyRule, by string) (model.NotifyRule, error) {
	if err := r.Normalize(); err != nil {
		return model.NotifyRule{}, err
	}
	r.CreatedBy = by
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.CreateRule(ctx, r); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "notify_rule.created", "notify_rule", r.ID), nil, r)
	})
	return r, err
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, id int64, by string) error {
	return s.Store.Transact(ctx, func(tx *store.Tx) error {
		before, err := tx.RuleForUpdate(ctx, id)
		if err != nil {
			return fmt.Errorf("rule %d: %w", id, err)
		}
		if err := tx.DeleteRule(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "notify_rule.deleted", "notify_rule", id), before, nil)
	})
}

// TestChannel queues a test message to a channel and returns its
// delivery: its state and log say whether the channel works.
func (s *Service) TestChannel(ctx context.Context, id int64, by string) (model.Delivery, error) {
	var d model.Delivery
	err := s.Store.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.ChannelForUpdate(ctx, id); err != nil {
			return fmt.Errorf("channel %d: %w", id, err)
		}
		var err error
		if d, err = s.addDelivery(ctx, tx, id, "test", nil); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event(by, "notify_channel.tested", "notify_channel", id), nil, d)
	})
	if err == nil {
		s.Wake()
	}
	return d, err
}

// addDelivery stores a delivery of items to a channel and queues its job.
func (s *Service) addDelivery(ctx context.Context, tx *store.Tx, channelID int64, event string, items []model.NotifyItem) (model.Delivery, error) {
	at := tx.Now()
	d, err := tx.AddDelivery(ctx, channelID, event, func(id int64) []byte { return notify.Body(event, at, id, items) })
	if err != nil {
		return d, err
	}
	_, _, err = tx.Enqueue(ctx, deliverJob(d.ID, 1, time.Time{}))
	return d, err
}

// deliverJob is the job that makes attempt n at a delivery.
func deliverJob(id int64, n int, at time.Time) store.NewJob {
	return store.NewJob{Kind: model.JobDeliver, DedupeKey: fmt.Sprintf("notify-deliver:%d:%d", id, n),
		Payload: mustJSON(model.DeliverPayload{DeliveryID: id}), RunAt: at}
}

// notifyJob is the periodic detection of events; one is queued or runs.
func notifyJob() store.NewJob {
	return store.NewJob{Kind: model.JobNotify, DedupeKey: "notify"}
}

// QueueNotify queues the detection of events to notify, unless one is
// queued or running (on any replica).
func (s *Service) QueueNotify(ctx context.Context) error {
	_, created, err := s.Store.Enqueue(ctx, notifyJob())
	if err == nil && created {
		s.Wake()
	}
	return err
}

// notifyOverlap is how far before its watermark the detection looks
// again: a finding is stamped when its match's transaction starts and
// seen when it commits, so a detection in between would pass over it.
// What is looked at twice is sent once (notification_events).
const notifyOverlap = 30 * time.Minute

// The watermarks of the detection: when it last looked, and per channel
// the day (UTC) of its last digest.
const (
	markDetect = "detect"
	markDigest = "digest:%d"
)

// DetectNotifications looks for what happened since it last looked
// (nothing on its first run: the past is not notified; and a little
// before, notifyOverlap), records each
// event once per rule that passes it, and queues the deliveries: one per
// channel and event kind for rules that notify at once, and per channel
// one digest a day, after the day ends (UTC), of its digest rules' events.
// It returns how many deliveries it queued.
func (s *Service) DetectNotifications(ctx context.Context) (int, error) {
	now := s.Store.Now()
	overdue, _, err := s.OverdueScans(ctx)
	if err != nil {
		return 0, fmt.Errorf("overdue scans: %w", err)
	}
	queued := 0
	err = s.Store.Transact(ctx, func(tx *store.Tx) error {
		queued = 0
		since, err := tx.NotifyMark(ctx, markDetect)
		if err != nil || since.IsZero() || !now.After(since) {
			if err == nil && since.IsZero() {
				err = tx.SetNotifyMark(ctx, markDetect, now)
			}
			return err
		}
		rules, err := tx.Rules(ctx)
		if err != nil {
			return err
		}
		if len(rules) > 0 {
			items, err := tx.NotifyItems(ctx, since.Add(-notifyOverlap), now)
			if err != nil {
				return err
			}
			items = append(items, overdueItems(overdue)...)
			if queued, err = s.recordEvents(ctx, tx, rules, items); err != nil {
				return err
			}
			n, err := s.queueDigests(ctx, tx, rules, now)
			if err != nil {
				return err
			}
			queued += n
		}
		return tx.SetNotifyMark(ctx, markDetect, now)
	})
	if err == nil && queued > 0 {
		s.Wake()
		s.Log.Info("notifications queued", "deliveries", queued)
	}
	return queued, err
}

// overdueItems are the scan.overdue events of the assets overdue for a
// scan: one per asset and due date, so that a scan that comes and goes
// overdue again is told again.
func overdueItems(overdue []model.OverdueAsset) []model.NotifyItem {
	var out []model.NotifyItem
	for _, o := range overdue {
		due := o.DueAt.UTC()
		out = append(out, model.NotifyItem{Kind: model.NotifyScanOverdue, Subject: fmt.Sprintf("asset:%d@%s", o.Asset.ID, due.Format(time.RFC3339)),
			At: due, Due: due, Asset: o.Asset.Name, Tags: o.Asset.Tags, Owner: o.Asset.Owner,
			Title: fmt.Sprintf("asset %s is overdue for a scan: due %s, every %d days", o.Asset.Name, due.Format(time.DateOnly), o.Days)})
	}
	return out
}

// recordEvents records each item once per rule passing it and queues one
// delivery per channel and event kind of the new ones, for rules that
// notify at once.
func (s *Service) recordEvents(ctx context.Context, tx *store.Tx, rules []model.NotifyRule, items []model.NotifyItem) (int, error) {
	type group struct {
		channel int64
		kind    string
	}
	var order []group
	batch := map[group][]model.NotifyItem{}
	rows := map[group][]int64{}
	seen := map[string]bool{} // channel, kind, subject
	for _, r := range rules {
		for _, it := range items {
			if !notify.Passes(r, it) || happenedBefore(it, r.CreatedAt) {
				continue
			}
			id, err := tx.AddNotificationEvent(ctx, r.ID, it)
			if err != nil || id == 0 || r.Digest {
				if err != nil {
					return 0, err
				}
				continue
			}
			g := group{r.ChannelID, it.Kind}
			rows[g] = append(rows[g], id)
			if key := fmt.Sprint(r.ChannelID, " ", it.Kind, " ", it.Subject); !seen[key] {
				seen[key] = true
				if batch[g] == nil {
					order = append(order, g)
				}
				batch[g] = append(batch[g], it)
			}
		}
	}
	for _, g := range order {
		d, err := s.addDelivery(ctx, tx, g.channel, g.kind, batch[g])
		if err != nil {
			return 0, err
		}
		if err := tx.SetEventsDelivery(ctx, rows[g], d.ID); err != nil {
			return 0, err
		}
	}
	return len(order), nil
}

// happenedBefore tells an event that happened before t: a rule created
// then is not told of it. Standing conditions (a failing feed, an overdue
// scan, an exception about to end, a finding in KEV) are told whenever
// they are found.
func happenedBefore(it model.NotifyItem, t time.Time) bool {
	switch it.Kind {
	case model.NotifyFindingNew, model.NotifySLADueSoon, model.NotifySLABreached:
		return it.At.Before(t)
	}
	return false
}

// queueDigests queues, for each channel with a digest rule that has not
// had today's digest, one delivery of its waiting events from before
// today (UTC).
func (s *Service) queueDigests(ctx context.Context, tx *store.Tx, rules []model.NotifyRule, now time.Time) (int, error) {
	day := now.UTC().Truncate(24 * time.Hour)
	n := 0
	done := map[int64]bool{}
	for _, r := range rules {
		if !r.Digest || done[r.ChannelID] {
			continue
		}
		done[r.ChannelID] = true
		mark := fmt.Sprintf(markDigest, r.ChannelID)
		last, err := tx.NotifyMark(ctx, mark)
		if err != nil {
			return 0, err
		}
		if !last.Before(day) {
			continue
		}
		items, ids, err := tx.PendingDigest(ctx, r.ChannelID, day)
		if err != nil {
			return 0, err
		}
		if len(items) == 0 {
			continue
		}
		d, err := s.addDelivery(ctx, tx, r.ChannelID, "digest", items)
		if err != nil {
			return 0, err
		}
		if err := tx.SetEventsDelivery(ctx, ids, d.ID); err != nil {
			return 0, err
		}
		if err := tx.SetNotifyMark(ctx, mark, day); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}
