package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// The audit log is a hash chain. Event number seq (1, 2, 3, … in commit
// order) stores prev_hash, the hash of event seq-1 ('' for the first), and
// hash, the lower-case hex SHA-256 of this canonical encoding:
//
//	vulndesk-audit-v1\n
//	then, for each of seq (decimal), at (RFC 3339 with nanoseconds, UTC,
//	as time.RFC3339Nano formats it), actor, kind, object_type, object_id,
//	before, after and prev_hash, in that order:
//	<length of the value in bytes, decimal>:<the value>\n
//
// The lengths make the encoding unambiguous whatever a value contains.
// audit_head keeps the last seq and hash: a transaction locks it to append
// its events, at commit, so the chain is linear in commit order on
// PostgreSQL with several replicas too, and a deleted tail shows as a chain
// shorter than its head. The chain proves the log was not changed by
// someone without write access to the database; one who has it can
// rewrite the chain and the head, so keep the head hash VerifyAudit
// reports somewhere else to compare later.

const auditEncodingVersion = "vulndesk-audit-v1\n"

// chained is an event as the chain stores it.
type chained struct {
	id                                int64
	seq                               int64
	at                                time.Time
	actor, kind, objectType, objectID string
	before, after, prevHash, hash     string
}

// eventHash returns the hash of e, chained to e.prevHash.
func eventHash(e *chained) string {
	h := sha256.New()
	h.Write([]byte(auditEncodingVersion))
	for _, v := range []string{strconv.FormatInt(e.seq, 10), e.at.UTC().Format(time.RFC3339Nano),
		e.actor, e.kind, e.objectType, e.objectID, e.before, e.after, e.prevHash} {
		fmt.Fprintf(h, "%d:%s\n", len(v), v)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// eventColumns are the columns of events a chained row is written with.
const eventColumns = 10

// flushEvents appends the events the transaction buffered to the chain:
// it locks the head, numbers and hashes the events after it, inserts them
// and moves the head. The lock is held from here to the commit that
// follows, which is all that is left of the transaction.
func (t *Tx) flushEvents(ctx context.Context) error {
	if len(t.events) == 0 {
		return nil
	}
	var seq int64
	var prev string
	if err := t.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+t.forUpdate()).
		Scan(&seq, &prev); err != nil {
		return fmt.Errorf("locking the audit chain head: %w", err)
	}
	for i := range t.events {
		e := &t.events[i]
		seq++
		e.seq, e.prevHash = seq, prev
		e.hash = eventHash(e)
		prev = e.hash
	}
	if err := insertChained(ctx, t.tx, t.dialect, t.events); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev)
	t.events = nil
	return err
}

// insertChained inserts chained events, many to a statement.
func insertChained(ctx context.Context, tx *sql.Tx, d Dialect, evs []chained) error {
	const batch = 200
	for start := 0; start < len(evs); start += batch {
		part := evs[start:min(start+batch, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO events (seq, at, actor, kind, object_type, object_id, before, after, prev_hash, hash) VALUES `)
		args := make([]any, 0, len(part)*eventColumns)
		for i, e := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + rowPlaceholders(d, len(args)+1, eventColumns) + ")")
			args = append(args, e.seq, e.at, e.actor, e.kind, e.objectType, e.objectID, e.before, e.after, e.prevHash, e.hash)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("appending audit events: %w", err)
		}
	}
	return nil
}

// chainUnchained chains the events recorded before the audit chain
// existed (migration 00013), in id order, once: while the chain is still
// empty. Afterwards an event without a seq was put there around the store
// and VerifyAudit reports it, instead of the next start chaining it.
func (s *Store) chainUnchained(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE seq IS NULL LIMIT 1) x`).Scan(&n); err != nil {
		return fmt.Errorf("audit chain: %w", err)
	}
	if n == 0 {
		return nil
	}
	return s.Transact(ctx, func(t *Tx) error {
		var seq int64
		var prev string
		if err := t.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+t.forUpdate()).
			Scan(&seq, &prev); err != nil {
			return fmt.Errorf("locking the audit chain head: %w", err)
		}
		if seq != 0 {
			return nil // chained by another replica, or events outside the chain: VerifyAudit's to report
		}
		for {
			evs, err := queryAll(ctx, t.tx, scanChained, `SELECT `+chainedColumns+` FROM events
				WHERE seq IS NULL ORDER BY id LIMIT 500`)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				break
			}
			for i := range evs {
				e := &evs[i]
				seq++
				e.seq, e.prevHash = seq, prev
				e.hash = eventHash(e)
				prev = e.hash
				if _, err := t.tx.ExecContext(ctx, `UPDATE events SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4`,
					e.seq, e.prevHash, e.hash, e.id); err != nil {
					return fmt.Errorf("chaining event %d: %w", e.id, err)
				}
			}
		}
		_, err := t.tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev)
		return err
	})
}

const chainedColumns = `id, COALESCE(seq, 0), at, actor, kind, object_type, object_id, before, after, prev_hash, hash`

func scanChained(row rowScanner) (chained, error) {
	var e chained
	err := row.Scan(&e.id, &e.seq, &e.at, &e.actor, &e.kind, &e.objectType, &e.objectID, &e.before, &e.after, &e.prevHash, &e.hash)
	e.at = e.at.UTC()
	return e, err
}

// AuditFilter selects audit events; zero fields select all. After is a
// seq: the page starts after it.
type AuditFilter struct {
	ObjectType, ObjectID, Actor, Kind string
	Since, Until                      time.Time // at >= Since, at < Until
	After                             int64
	Limit                             int
	// Newest lists the newest first, before the seq Before (0: from the
	// head), instead of the oldest first after After.
	Newest bool
	Before int64
}

// AuditEvents returns a page of the audit chain in seq order (newest
// first with f.Newest).
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]model.AuditEvent, error) {
	q := `SELECT ` + chainedColumns + ` FROM events WHERE seq > $1`
	args := []any{f.After}
	order := "seq"
	if f.Newest {
		order = "seq DESC"
		if f.Before > 0 {
			args = append(args, f.Before)
			q += " AND seq < $2"
		}
	}
	for _, c := range []struct {
		col string
		v   any
		ok  bool
	}{
		{"object_type = ", f.ObjectType, f.ObjectType != ""}, {"object_id = ", f.ObjectID, f.ObjectID != ""},
		{"actor = ", f.Actor, f.Actor != ""}, {"kind = ", f.Kind, f.Kind != ""},
		{"at >= ", f.Since.UTC(), !f.Since.IsZero()}, {"at < ", f.Until.UTC(), !f.Until.IsZero()},
	} {
		if c.ok {
			args = append(args, c.v)
			q += fmt.Sprintf(" AND %s$%d", c.col, len(args))
		}
	}
	q += fmt.Sprintf(` ORDER BY %s LIMIT %d`, order, PageSize(f.Limit))
	return queryAll(ctx, s.db, func(row rowScanner) (model.AuditEvent, error) {
		e, err := scanChained(row)
		ev := model.AuditEvent{Event: model.Event{ID: e.id, At: e.at, Actor: e.actor, Kind: e.kind,
			ObjectType: e.objectType, ObjectID: e.objectID}, Seq: e.seq, PrevHash: e.prevHash, Hash: e.hash}
		if e.before != "" {
			ev.Before = []byte(e.before)
		}
		if e.after != "" {
			ev.After = []byte(e.after)
		}
		return ev, err
	}, q, args...)
}
