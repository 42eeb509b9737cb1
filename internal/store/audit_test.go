package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// appendEvents runs n use cases of one event each.
func appendEvents(t testing.TB, s *store.Store, actor string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := s.Transact(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(ctx, model.Event{Actor: actor, Kind: "asset.changed", ObjectType: "asset",
				ObjectID: fmt.Sprint(i + 1)}, map[string]int{"n": i}, map[string]int{"n": i + 1})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, s *store.Store) store.AuditReport {
	t.Helper()
	r, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func idOfSeq(t *testing.T, db *sql.DB, seq int64) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT id FROM events WHERE seq = $1`, seq).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAuditChainIntact: events of several use cases, one of them with
// three events, chain 1…n and verify; the head is the last hash.
func TestAuditChainIntact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if r := verify(t, s); !r.OK || r.Events != 0 || r.Head != "" {
			t.Fatalf("empty log: %+v", r)
		}
		appendEvents(t, s, "alice", 3)
		// Nanoseconds and a zone other than UTC: the hash is over what is stored.
		at := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("X", 3600))
		err := s.Transact(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				if err := tx.AppendEvent(ctx, model.Event{At: at, Actor: "bob <b@x>", Kind: "user.changed", ObjectType: "user",
					ObjectID: fmt.Sprint(i)}, nil, map[string]string{"name": "ü\n\"x\""}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A use case that fails leaves no event and no gap.
		s.Transact(ctx, func(tx *store.Tx) error {
			tx.AppendEvent(ctx, model.Event{Actor: "x", Kind: "asset.deleted", ObjectType: "asset", ObjectID: "9"}, nil, nil)
			return model.ErrInvalid
		})
		appendEvents(t, s, "carol", 1)
		r := verify(t, s)
		var last string
		s.DB().QueryRow(`SELECT hash FROM events WHERE seq = 7`).Scan(&last)
		if !r.OK || r.Events != 7 || r.Head != last || len(last) != 64 {
			t.Fatalf("got %+v, want 7 events, head %s", r, last)
		}
		evs, err := s.EventsOf(ctx, "user", "1")
		if err != nil || len(evs) != 1 || !evs[0].At.Equal(at.Truncate(time.Microsecond)) || evs[0].Actor != "bob <b@x>" {
			t.Fatalf("EventsOf: %+v, %v", evs, err)
		}
	})
}

// TestAuditTamper: each way of tampering with the log is found, and the
// first bad event named.
func TestAuditTamper(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, db *sql.DB)
		badSeq  int64 // the seq the report names
		problem string
	}{
		{"edit after", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE events SET after = '{"n":99}' WHERE seq = 3`)
		}, 3, "edited"},
		{"edit actor", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE events SET actor = 'mallory' WHERE seq = 2`)
		}, 2, "edited"},
		{"edit time", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE events SET at = $1 WHERE seq = 4`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		}, 4, "edited"},
		{"delete", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM events WHERE seq = 3`)
		}, 4, "deleted"},
		{"delete the first", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM events WHERE seq = 1`)
		}, 2, "deleted"},
		{"delete the last", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM events WHERE seq = 6`)
		}, 6, "last events were deleted"},
		{"delete and renumber", func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM events WHERE seq = 3`)
			renumber(t, db, 4, -1)
		}, 3, "deleted, inserted or reordered"},
		{"insert forged", func(t *testing.T, db *sql.DB) {
			forge(t, db, func(string, time.Time) string { return strings.Repeat("ab", 32) })
		}, 4, "edited"},
		{"insert forged with a right hash", func(t *testing.T, db *sql.DB) {
			forge(t, db, func(prev string, at time.Time) string {
				return store.AuditHash(4, at, "alice", "user.changed", "user", "1", "", "", prev)
			})
		}, 5, "deleted, inserted or reordered"},
		{"insert outside the chain", func(t *testing.T, db *sql.DB) {
			exec(t, db, `INSERT INTO events (at, actor, kind, object_type, object_id) VALUES ($1, 'alice', 'user.changed', 'user', '1')`,
				time.Now().UTC())
		}, 0, "no place in the chain"},
		{"insert past the head", func(t *testing.T, db *sql.DB) {
			exec(t, db, `INSERT INTO events (seq, at, actor, kind, object_type, object_id) VALUES (7, $1, 'alice', 'user.changed', 'user', '1')`,
				time.Now().UTC())
		}, 7, "past the chain's head"},
		{"swap contents", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE events SET actor = CASE seq WHEN 2 THEN 'bob' ELSE 'alice' END,
				after = CASE seq WHEN 2 THEN '{"n":2}' ELSE '{"n":1}' END WHERE seq IN (2, 3)`)
			// seq 2 was alice {"n":1}, seq 3 bob {"n":2}: swapped.
		}, 2, "edited"},
		{"reorder", func(t *testing.T, db *sql.DB) {
			exec(t, db, `UPDATE events SET seq = -seq WHERE seq IN (3, 4)`)
			exec(t, db, `UPDATE events SET seq = CASE seq WHEN -3 THEN 4 ELSE 3 END WHERE seq IN (-3, -4)`)
		}, 3, "deleted, inserted or reordered"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				appendEvents(t, s, "alice", 1)
				appendEvents(t, s, "bob", 1)
				appendEvents(t, s, "carol", 4)
				if r := verify(t, s); !r.OK || r.Events != 6 {
					t.Fatalf("before tampering: %+v", r)
				}
				c.tamper(t, s.DB())
				// The event named is the one that has the seq after tampering.
				var wantID int64
				switch c.name {
				case "delete the last": // no row to name
				case "insert outside the chain":
					s.DB().QueryRow(`SELECT id FROM events WHERE seq IS NULL`).Scan(&wantID)
				default:
					wantID = idOfSeq(t, s.DB(), c.badSeq)
				}
				r := verify(t, s)
				if r.OK || r.BadSeq != c.badSeq || r.BadID != wantID || !strings.Contains(r.Problem, c.problem) {
					t.Fatalf("got %+v, want event id %d seq %d: …%s…", r, wantID, c.badSeq, c.problem)
				}
			})
		})
	}
}

// forge makes room after seq 3 and inserts a forged event there, chained
// to seq 3 and with the hash hash gives.
func forge(t *testing.T, db *sql.DB, hash func(prev string, at time.Time) string) {
	t.Helper()
	renumber(t, db, 4, 1)
	var prev string
	db.QueryRow(`SELECT hash FROM events WHERE seq = 3`).Scan(&prev)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exec(t, db, `INSERT INTO events (seq, at, actor, kind, object_type, object_id, prev_hash, hash)
		VALUES (4, $1, 'alice', 'user.changed', 'user', '1', $2, $3)`, at, prev, hash(prev, at))
}

// renumber adds by to the seq of the events from seq on, as a forger
// making room (or closing a gap) would.
func renumber(t *testing.T, db *sql.DB, from, by int64) {
	t.Helper()
	exec(t, db, `UPDATE events SET seq = -(seq + $1) WHERE seq >= $2`, by, from)
	exec(t, db, `UPDATE events SET seq = -seq WHERE seq < 0`)
}

// TestAuditConcurrent: use cases committing at once, from two stores on
// one database (two replicas; on PostgreSQL each with its pool of
// connections), still make one linear chain.
func TestAuditConcurrent(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			cfg := e.Config(t)
			var replicas [2]*store.Store
			for i := range replicas {
				s, err := store.Open(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				replicas[i] = s
			}
			const workers, each = 8, 50
			var wg sync.WaitGroup
			for w := range workers {
				s := replicas[w%2]
				wg.Go(func() {
					for i := range each {
						err := s.Transact(context.Background(), func(tx *store.Tx) error {
							return tx.AppendEvent(context.Background(), model.Event{Actor: fmt.Sprint("worker", w), Kind: "session.opened",
								ObjectType: "user", ObjectID: fmt.Sprint(i)}, nil, nil)
						})
						if err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if r := verify(t, replicas[0]); !r.OK || r.Events != workers*each {
				t.Fatalf("got %+v, want %d events intact", r, workers*each)
			}
			// Each worker's events are in the chain in the order it committed them.
			for w := range workers {
				rows, err := replicas[1].DB().Query(`SELECT object_id FROM events WHERE actor = $1 ORDER BY seq`, fmt.Sprint("worker", w))
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var id string
					rows.Scan(&id)
					if id != fmt.Sprint(n) {
						t.Errorf("worker %d: event %s at place %d of its own", w, id, n)
					}
					n++
				}
				rows.Close()
				if n != each {
					t.Errorf("worker %d: %d events", w, n)
				}
			}
		})
	}
}

// TestAuditChainsOldEvents: events recorded before the chain existed are
// chained in id order when the store opens, once; an event put without a
// place in the chain later is not, and is reported.
func TestAuditChainsOldEvents(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := e.Config(t)
			s, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				exec(t, s.DB(), `INSERT INTO events (at, actor, kind, object_type, object_id, after) VALUES ($1, 'old', 'asset.created', 'asset', $2, '{}')`,
					time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC), fmt.Sprint(i))
			}
			s.Close()
			if s, err = store.Open(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			appendEvents(t, s, "new", 2)
			if r := verify(t, s); !r.OK || r.Events != 5 {
				t.Fatalf("got %+v, want 5 events intact", r)
			}
			var actor string
			s.DB().QueryRow(`SELECT actor FROM events WHERE seq = 1`).Scan(&actor)
			if actor != "old" {
				t.Errorf("seq 1 is %q's", actor)
			}
			exec(t, s.DB(), `INSERT INTO events (at, actor, kind, object_type, object_id) VALUES ($1, 'forger', 'asset.created', 'asset', '9')`,
				time.Now().UTC())
			s.Close()
			if s, err = store.Open(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if r := verify(t, s); r.OK || !strings.Contains(r.Problem, "no place in the chain") {
				t.Fatalf("a forged event was chained on open: %+v", r)
			}
		})
	}
}
