package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// AuditReport is what VerifyAudit found. When OK, Events is the length
// of the chain and Head its last hash; otherwise BadID and BadSeq name the
// first event that breaks the chain (0 when there is no such row, as for
// a deleted tail) and Problem says how.
type AuditReport struct {
	OK      bool   `json:"ok"`
	Events  int64  `json:"events"`
	Head    string `json:"head"`
	BadID   int64  `json:"bad_id,omitempty"`
	BadSeq  int64  `json:"bad_seq,omitempty"`
	Problem string `json:"problem,omitempty"`
}

// VerifyAudit walks the audit chain in seq order, one row at a time, and
// recomputes every hash. The first event whose seq is not the next one
// (an event before it was deleted), whose prev_hash is not the hash of the
// event before it (one was deleted, inserted or reordered) or whose hash
// is not that of its contents (it was edited) is reported. So are a chain
// shorter than its head (its last events were deleted), events past the
// head and events without a chain position. Events committed while it
// runs are past the head it read first and are left for the next run.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	var headSeq int64
	var headHash string
	if err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return AuditReport{}, fmt.Errorf("reading the audit chain head: %w", err)
	}
	r := AuditReport{Head: headHash}
	var prev string
	err := queryRows(ctx, s.db, `SELECT `+chainedColumns+` FROM events WHERE seq <= $1 ORDER BY seq`, []any{headSeq},
		func(rows *sql.Rows) error {
			e, err := scanChained(rows)
			if err != nil {
				return err
			}
			want := r.Events + 1
			switch {
			case e.seq != want:
				r.Problem = fmt.Sprintf("seq %d follows seq %d: the events between were deleted", e.seq, want-1)
			case e.prevHash != prev:
				r.Problem = fmt.Sprintf("prev_hash %s is not the hash of event seq %d (%s): an event before it was deleted, inserted or reordered",
					short(e.prevHash), want-1, short(prev))
			case e.hash != eventHash(&e):
				r.Problem = fmt.Sprintf("hash %s is not the hash of its contents (%s): the event was edited",
					short(e.hash), short(eventHash(&e)))
			}
			if r.Problem != "" {
				r.BadID, r.BadSeq = e.id, e.seq
				return errChainBroken // stop reading: the first bad event is named
			}
			r.Events, prev = want, e.hash
			return nil
		})
	if errors.Is(err, errChainBroken) {
		return r, nil
	}
	if err != nil {
		return AuditReport{}, fmt.Errorf("verifying the audit chain: %w", err)
	}
	if r.Events != headSeq || prev != headHash {
		r.BadSeq = r.Events + 1
		r.Problem = fmt.Sprintf("the chain ends at seq %d (hash %s) but its head is seq %d (hash %s): the last events were deleted",
			r.Events, short(prev), headSeq, short(headHash))
		return r, nil
	}
	// Any event committed is at or before the head of its commit: one
	// past the head read after it was put there around the store.
	var maxSeq int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&maxSeq); err != nil {
		return AuditReport{}, fmt.Errorf("verifying the audit chain: %w", err)
	}
	var nowSeq int64
	if err := s.db.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&nowSeq); err != nil {
		return AuditReport{}, fmt.Errorf("verifying the audit chain: %w", err)
	}
	if maxSeq > nowSeq {
		s.db.QueryRowContext(ctx, `SELECT id FROM events WHERE seq > $1 ORDER BY seq LIMIT 1`, nowSeq).Scan(&r.BadID)
		r.BadSeq = nowSeq + 1
		r.Problem = fmt.Sprintf("event seq %d is past the chain's head (seq %d): it was inserted around the chain", r.BadSeq, nowSeq)
		return r, nil
	}
	var stray int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM events WHERE seq IS NULL ORDER BY id LIMIT 1`).Scan(&stray)
	switch {
	case err == nil:
		r.BadID = stray
		r.Problem = "the event has no place in the chain: it was inserted around it"
		return r, nil
	case !errors.Is(err, sql.ErrNoRows):
		return AuditReport{}, fmt.Errorf("verifying the audit chain: %w", err)
	}
	r.OK = true
	return r, nil
}

var errChainBroken = errors.New("audit chain broken")

// short is a hash's first 12 digits, for messages.
func short(h string) string {
	if h == "" {
		return "none"
	}
	return h[:min(12, len(h))]
}
