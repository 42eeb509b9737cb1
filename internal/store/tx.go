package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// Tx is one transaction on the store. A use case of the service runs on
// one Tx: it changes state, appends its event and queues its jobs, and
// all of it is stored or none. The Tx carries the dialect its statements
// need.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// written counts the rows a bulk write added, for the planner
	// statistics refresh (AnalyzeAfterWrites).
	written int64
	// events are the audit events appended so far, written to the chain
	// when fn returns (flushEvents).
	events []chained
	// now is the store's clock (Store.Now).
	now func() time.Time
	// policy is the SLA policy in force, once read (SLAPolicy).
	policy *sla.Policy
}

// Transact runs fn in one transaction: committed when fn returns nil,
// rolled back otherwise. A full disk is ErrFull.
func (s *Store) Transact(ctx context.Context, fn func(*Tx) error) error {
	var written int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t := &Tx{tx: tx, dialect: s.dialect, now: s.Now}
		err := fn(t)
		written = t.written
		if err != nil {
			return err
		}
		return t.flushEvents(ctx)
	})
	if err == nil && written > 0 {
		s.written.Add(written)
	}
	return err
}

// forUpdate locks the rows a SELECT reads until the transaction ends, on
// PostgreSQL; SQLite's one writer holds the whole database already. The
// lock is FOR NO KEY UPDATE: it orders changes of the row, but does not
// wait for the key-share locks that rows referencing it take — a running
// feed sync (advisories → feeds) or match (findings → assets) would
// otherwise hold up a request to sync the feed or rename the asset until
// it commits. A DELETE takes the stronger lock itself when it runs.
func (t *Tx) forUpdate() string {
	if t.dialect == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// Now is the store's clock (Store.Now).
func (t *Tx) Now() time.Time { return t.now() }

// Dialect is the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.dialect }

// Enqueue queues a job in the transaction; a job whose dedupe key is
// queued or running already is not queued twice: its ID is returned, with
// created false.
func (t *Tx) Enqueue(ctx context.Context, j NewJob) (id int64, created bool, err error) {
	// The job that held the key may end between the two statements: the
	// insert is then tried again.
	for range 3 {
		id, err = enqueue(ctx, t.tx, j)
		if !errors.Is(err, errDuplicateJob) {
			return id, err == nil, err
		}
		err = t.tx.QueryRowContext(ctx, `SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running')`,
			j.DedupeKey).Scan(&id)
		if !errors.Is(err, sql.ErrNoRows) {
			return id, false, err
		}
	}
	return id, false, err
}

// AppendEvent records a state change in the transaction that makes it.
// before and after are marshalled to JSON (nil for none). The event is
// written to the audit chain when the transaction's work is done, just
// before it commits (see audit.go).
func (t *Tx) AppendEvent(ctx context.Context, e model.Event, before, after any) error {
	b, err := jsonOrEmpty(before)
	if err != nil {
		return err
	}
	a, err := jsonOrEmpty(after)
	if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = now()
	}
	// Both engines keep microseconds: the hash is over what is stored.
	t.events = append(t.events, chained{at: e.At.UTC().Truncate(time.Microsecond), actor: e.Actor, kind: e.Kind,
		objectType: e.ObjectType, objectID: e.ObjectID, before: b, after: a})
	return nil
}

func jsonOrEmpty(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// EventsOf returns the events recorded about one object, oldest first.
func (s *Store) EventsOf(ctx context.Context, objectType, objectID string) ([]model.Event, error) {
	return queryAll(ctx, s.db, func(row rowScanner) (model.Event, error) {
		var e model.Event
		var before, after string
		err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &e.ObjectType, &e.ObjectID, &before, &after)
		e.At = e.At.UTC()
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		return e, err
	}, `SELECT id, at, actor, kind, object_type, object_id, before, after FROM events
		WHERE object_type = $1 AND object_id = $2 ORDER BY id`, objectType, objectID)
}
