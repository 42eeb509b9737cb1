package store

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// ErrFull is returned when a write was refused because the database's
// disk (or, on SQLite, the database's size limit) is full. Nothing of that
// write was stored.
var ErrFull = errors.New("storage full")

// Result codes of the engines, as their documentation numbers them.
const (
	sqliteFull             = 13   // SQLITE_FULL
	sqliteConstraintUnique = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqliteConstraintPK     = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	pgUniqueViolation      = "23505"
	pgDiskFull             = "53100"
)

// sqliteCode is err's SQLite extended result code, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// pgCode is err's PostgreSQL SQLSTATE, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// isUnique reports whether err is a unique-constraint violation, by the
// engine's error code (never by message text).
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	c := sqliteCode(err)
	return c == sqliteConstraintUnique || c == sqliteConstraintPK || pgCode(err) == pgUniqueViolation
}

// isFull reports whether err says the disk is full.
func isFull(err error) bool {
	if err == nil {
		return false
	}
	return sqliteCode(err)&0xff == sqliteFull || pgCode(err) == pgDiskFull || errors.Is(err, syscall.ENOSPC)
}

// IsFull reports whether err is, or wraps, a write refused for a full disk.
func IsFull(err error) bool { return errors.Is(err, ErrFull) || isFull(err) }

// noteFull turns a full-disk error into ErrFull and remembers when it
// happened; a write that went through clears the memory.
func (s *Store) noteFull(err error) error {
	switch {
	case err == nil:
		if s.fullAt.Load() != 0 {
			s.fullAt.Store(0)
		}
		return nil
	case isFull(err):
		s.fullAt.Store(time.Now().UnixNano())
		return fmt.Errorf("%w (%v)", ErrFull, err)
	}
	return err
}

// minFreeBytes is the free space on an SQLite database's disk below which
// Ready reports the service not ready: an SBOM upload or a feed sync needs
// room for its transaction and its write-ahead log.
const minFreeBytes = 64 << 20

// Ready tells whether the store can take writes: the database answers,
// the last write was not refused for a full disk, and (SQLite) the data
// directory's disk has room. The error says which is wrong; /readyz
// answers 503 with it, so a load balancer stops sending uploads here.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("database unavailable: %w", err)
	}
	if at := s.fullAt.Load(); at != 0 {
		return fmt.Errorf("%w: a write was refused at %s for lack of disk space", ErrFull, time.Unix(0, at).UTC().Format(time.RFC3339))
	}
	if s.dialect == SQLite {
		free, err := freeBytes(s.dataDir)
		if err == nil && free < minFreeBytes {
			return fmt.Errorf("%w: %d MiB free on the data directory's disk (at least %d MiB needed)", ErrFull, free>>20, minFreeBytes>>20)
		}
	}
	return nil
}
