package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// kevAddedSince: the finding's vulnerability, by its ID or an alias,
// was added to KEV after $1.
const kevAddedSince = `EXISTS (SELECT 1 FROM kev_history h WHERE h.recorded_at > $1 AND h.change = 'added'
	AND (h.cve = f.vuln_id OR f.aliases LIKE '%"' || h.cve || '"%'))`

// ExpiringWithin is how long before its end an approved exception is
// notified as expiring.
const ExpiringWithin = 7 * 24 * time.Hour

// NotifyItems returns what happened in (since, now] that notifications
// tell: open findings first seen then with priority act or attend
// (finding.new), open findings in KEV first seen then or whose CVE was
// added to KEV then (finding.kev), remediation clocks that turned due
// soon or passed their deadline then; approved exceptions ending within
// ExpiringWithin of now, and enabled feeds whose last sync failed
// (whenever that was: they are de-duplicated by the caller).
func (t *Tx) NotifyItems(ctx context.Context, since, now time.Time) ([]model.NotifyItem, error) {
	since, now = since.UTC(), now.UTC()
	var out []model.NotifyItem
	err := queryRows(ctx, t.tx, `SELECT f.id, f.vuln_id, f.package, f.version, f.severity, f.priority, f.priority_rank,
		f.first_seen, f.kev AND (f.first_seen > $1 OR `+kevAddedSince+`), f.sla_soon_at, f.sla_due_at, a.name, a.owner, a.tags
		FROM findings f JOIN assets a ON a.id = f.asset_id
		WHERE f.status = 'open' AND f.closed_at IS NULL AND (
			(f.first_seen > $1 AND f.first_seen <= $2 AND (f.priority_rank >= 3 OR f.kev))
			OR (f.kev AND `+kevAddedSince+`)
			OR (f.sla_soon_at > $1 AND f.sla_soon_at <= $2)
			OR (f.sla_due_at > $1 AND f.sla_due_at <= $2))
		ORDER BY f.id`, []any{since, now}, func(rows *sql.Rows) error {
		var id int64
		var rank int
		var kev bool
		var first time.Time
		var soon, due sql.NullTime
		var tags, version string
		base := model.NotifyItem{}
		if err := rows.Scan(&id, &base.Vuln, &base.Package, &version, &base.Severity, &base.Priority, &rank, &first, &kev,
			&soon, &due, &base.Asset, &base.Owner, &tags); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(tags), &base.Tags); err != nil {
			return fmt.Errorf("asset %q tags: %w", base.Asset, err)
		}
		base.Package += "@" + version
		pkg := base.Package
		base.Subject, base.Due = fmt.Sprintf("finding:%d", id), timeOf(due)
		in := func(t sql.NullTime) bool { return t.Valid && t.Time.After(since) && !t.Time.After(now) }
		add := func(kind string, at time.Time, title string) {
			it := base
			it.Kind, it.At, it.Title = kind, at.UTC(), title
			out = append(out, it)
		}
		fresh := first.After(since) && !first.After(now)
		if fresh && rank >= 3 {
			add(model.NotifyFindingNew, first, fmt.Sprintf("new %s finding %s in %s on %s", base.Priority, base.Vuln, pkg, base.Asset))
		}
		if kev {
			add(model.NotifyFindingKEV, now, fmt.Sprintf("%s in %s on %s is in CISA KEV", base.Vuln, pkg, base.Asset))
		}
		if in(soon) {
			add(model.NotifySLADueSoon, soon.Time, fmt.Sprintf("%s in %s on %s is due soon", base.Vuln, pkg, base.Asset))
		}
		if in(due) {
			add(model.NotifySLABreached, due.Time, fmt.Sprintf("%s in %s on %s passed its deadline", base.Vuln, pkg, base.Asset))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("findings to notify: %w", err)
	}
	err = queryRows(ctx, t.tx, `SELECT id, scope, scope_value, expires_at FROM exceptions
		WHERE state = '`+model.ExceptionApproved+`' AND expires_at > $1 AND expires_at <= $2 ORDER BY id`,
		[]any{now, now.Add(ExpiringWithin)}, func(rows *sql.Rows) error {
			var id int64
			var scope, value string
			var exp time.Time
			if err := rows.Scan(&id, &scope, &value, &exp); err != nil {
				return err
			}
			out = append(out, model.NotifyItem{Kind: model.NotifyExceptionExpiring, Subject: fmt.Sprintf("exception:%d", id),
				At: now, Due: exp.UTC(), Title: fmt.Sprintf("exception %d (%s %s) expires %s", id, scope, value, exp.UTC().Format(time.DateOnly))})
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("exceptions to notify: %w", err)
	}
	err = queryRows(ctx, t.tx, `SELECT id, name, last_error, last_attempt_at, last_success_at FROM feeds
		WHERE enabled AND last_error <> '' ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id int64
		var name, lastErr string
		var attempt, success sql.NullTime
		if err := rows.Scan(&id, &name, &lastErr, &attempt, &success); err != nil {
			return err
		}
		since := "never"
		if success.Valid {
			since = success.Time.UTC().Format(time.RFC3339)
		}
		at := timeOf(attempt)
		if at.IsZero() {
			at = now
		}
		out = append(out, model.NotifyItem{Kind: model.NotifyFeedFailing, Subject: fmt.Sprintf("feed:%d@%s", id, since), At: at,
			Title: fmt.Sprintf("feed %s is failing: %s", name, shorten(lastErr, 300))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("feeds to notify: %w", err)
	}
	return out, nil
}

// shorten cuts s to at most n bytes (at a rune boundary), marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
