// Package store is the only package that speaks SQL. It keeps users,
// sessions, API tokens, assets and their inventory snapshots, advisories,
// KEV and EPSS data, findings and the job queue, in embedded SQLite (the
// default: a file under the data directory) or in PostgreSQL. Both dialects
// have their own forward-only numbered migrations under migrations/, and the
// same test suite runs on both.
//
// Queries use $1-style placeholders, which both drivers accept; the few
// statements that differ live in the Dialect.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/vulndesk/vulndesk/internal/model"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine.
type Dialect string

// The engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// The store's errors are the model's (see model/errors.go): ErrNotFound
// for a row asked for by key that does not exist, ErrInvalid for a bad
// field the caller gave, ErrConflict for a unique name already taken.
var (
	ErrNotFound = model.ErrNotFound
	ErrInvalid  = model.ErrInvalid
	ErrConflict = model.ErrConflict
)

func invalidf(format string, args ...any) error { return model.Invalidf(format, args...) }

// Config says where the data lives.
type Config struct {
	// DatabaseURL selects PostgreSQL (postgres:// or postgresql://). When
	// empty, the store is SQLite under DataDir.
	DatabaseURL string
	// DataDir holds vulndesk.db for SQLite.
	DataDir string
}

// Store is an open database.
type Store struct {
	db      *sql.DB
	dialect Dialect

	dataDir string       // SQLite: where the database lives, for Ready's free-space check
	fullAt  atomic.Int64 // Unix nanoseconds of the last write refused for a full disk; 0 when the last write went in

	mu       sync.Mutex
	analyzed time.Time    // when the planner statistics were last refreshed
	written  atomic.Int64 // rows written since then (components, findings)

	advisoryIDs idIndex // for text search

	stmts sync.Map // SQLite: list query text -> *sql.Stmt, see query
	nstmt atomic.Int32
	// Where describes the database for logs, without credentials.
	Where string
	// clock is what Now reads: time.Now, or a test's clock (SetClock).
	clock atomic.Pointer[func() time.Time]
	// exports counts the exports reading now (EachFinding): long reads,
	// which Maintain's checkpoint must not wait for.
	exports atomic.Int32
}

// SetClock makes fn the store's clock for what depends on the time of
// day: remediation clocks (SLA states), triage and exception times. Tests
// move it forward to let time pass; set it before the store is used.
func (s *Store) SetClock(fn func() time.Time) { s.clock.Store(&fn) }

// Now is the store's clock (see SetClock), UTC, in microseconds.
func (s *Store) Now() time.Time {
	if fn := s.clock.Load(); fn != nil {
		return (*fn)().UTC().Truncate(time.Microsecond)
	}
	return now()
}

// Open connects, migrates the schema to the newest version and returns the
// store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s, err := connect(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.chainUnchained(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func connect(cfg Config) (*Store, error) {
	if cfg.DatabaseURL != "" {
		u, err := url.Parse(cfg.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("database URL %q: want postgres://user@host:port/db", redact(cfg.DatabaseURL))
		}
		db, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", redact(cfg.DatabaseURL), err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return &Store{db: db, dialect: Postgres, Where: redact(cfg.DatabaseURL)}, nil
	}
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory and no database URL")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "vulndesk.db")
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	// WAL lets readers run beside the one writer; immediate transactions
	// take the write lock up front, so two writers queue on busy_timeout
	// instead of failing half-way with SQLITE_BUSY.
	dsn := "file:" + path + "?_time_format=sqlite&_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		// Each connection caches 32 MiB of pages instead of 2: the
		// findings list read most of its pages with a system call each.
		// (A memory map of the file served reads faster still but cut
		// ingest to a third.)
		"&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(10000)" +
		// All connections together keep at most 96 MiB of SQLite's own
		// memory (a soft limit: caches shrink first). Eight full caches
		// were 256 MiB outside the Go heap, which the server's memory
		// limit does not see.
		"&_pragma=soft_heap_limit(100663296)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return &Store{db: db, dialect: SQLite, Where: path, dataDir: cfg.DataDir}, nil
}

// ownerOnly makes the database file, before the driver opens it, readable
// by its owner alone: it holds password and token hashes and the whole
// inventory. A new file is created empty with mode 0600; SQLite gives its
// -wal and -shm files the database file's mode. Files left more open by an
// older version are narrowed. Nothing here keeps a file open: closing a
// descriptor of the database in a process that has it open through SQLite
// would drop SQLite's POSIX locks — and no driver connection exists yet.
func ownerOnly(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("database %s: %w", path, err)
		}
		if err == nil {
			if err := f.Close(); err != nil {
				return fmt.Errorf("database %s: %w", path, err)
			}
		}
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("database %s: %w", p, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("database %s: narrowing its permissions: %w", p, err)
			}
		}
	}
	return nil
}

// redact hides a password in a database URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, s.db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrating %s: %w", s.Where, err)
	}
	return nil
}

// Dialect reports the engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// maxStmts bounds the prepared statements query keeps.
const maxStmts = 256

// query runs a read of the API's lists. On SQLite the statement is
// prepared once and kept (parsing it anew took a tenth of a findings
// request): the lists' statements are few, their values parameters. pgx
// keeps prepared statements per connection by itself.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.dialect != SQLite {
		return s.db.QueryContext(ctx, q, args...)
	}
	if v, ok := s.stmts.Load(q); ok {
		return v.(*sql.Stmt).QueryContext(ctx, args...)
	}
	if s.nstmt.Load() >= maxStmts {
		return s.db.QueryContext(ctx, q, args...)
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if v, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		st = v.(*sql.Stmt)
	} else {
		s.nstmt.Add(1)
	}
	return st.QueryContext(ctx, args...)
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DB exposes the handle for tests and the schema dump.
func (s *Store) DB() *sql.DB { return s.db }

// tx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise, so every import is all or nothing. A full disk is reported as
// ErrFull and remembered for Ready.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.noteFull(s.runTx(ctx, fn))
}

func (s *Store) runTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// nullTime maps a zero time to NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf reads a nullable time.
func timeOf(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}

// now is the store's clock, UTC and truncated to microseconds so both
// engines give back exactly what was written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// rowPlaceholders is placeholders for one row of a bulk INSERT whose
// statement has no other parameters. SQLite looks "$N" parameters up by
// name in a list, once when it parses the statement and again for every
// value bound: quadratic in the parameters of a statement, so a batch of
// 200 components (2,200 values) cost 20 ms and a 200,000-component SBOM
// 20 s. Plain "?" are numbered in order, as the values are passed.
func rowPlaceholders(d Dialect, from, n int) string {
	if d != SQLite {
		return placeholders(from, n)
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// eachChunk calls fn with the strings n at a time, as query arguments.
func eachChunk(ss []string, n int, fn func(args []any) error) error {
	for start := 0; start < len(ss); start += n {
		part := ss[start:min(start+n, len(ss))]
		args := make([]any, len(part))
		for i, v := range part {
			args[i] = v
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// placeholders returns "$from, $from+1, …" for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// Maintain does the engine's housekeeping; the scheduler calls it now and
// then. On SQLite it checkpoints the write-ahead log and truncates it: with
// readers always about, the automatic checkpoints never get to reset it,
// and it grew past 2 GB in the benchmark.
//
// On PostgreSQL it refreshes the planner statistics of the busiest tables,
// at most once a minute (ANALYZE samples, so it costs a fraction of a
// second at any size). Autovacuum does that too, when it is on; where it is
// off or lags behind a bulk load, the planner picks sequential scans for
// the findings list (2 s instead of 70 ms in the benchmark). Where
// autovacuum is off it also vacuums them: without that, dead rows pile up
// and no index can be read alone (the visibility map is never set), which
// made a text search read ten thousand table rows. VACUUM skips the pages
// it found clean last time, so after the first it is quick.
//
// While an export reads (EachFinding: one statement for minutes), SQLite's
// checkpoint is a passive one: a TRUNCATE checkpoint waits for every
// reader to reach the newest snapshot, holding the write lock meanwhile,
// so each one blocked every writer for the busy timeout (30 s) during an
// export of a million findings. The log is truncated at the first
// housekeeping after the export.
func (s *Store) Maintain(ctx context.Context) error {
	if s.dialect == SQLite {
		mode := "TRUNCATE"
		if s.exports.Load() > 0 {
			mode = "PASSIVE"
		}
		_, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`)
		return err
	}
	s.mu.Lock()
	due := time.Since(s.analyzed) > time.Minute
	if due {
		s.analyzed = time.Now()
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	s.written.Store(0)
	if err := s.foldTallies(ctx, false); err != nil {
		return err
	}
	off, err := s.AutovacuumOff(ctx)
	if err != nil {
		return err
	}
	if !off {
		_, err = s.db.ExecContext(ctx, `ANALYZE `+statTables)
		return err
	}
	// Paced as autovacuum paces itself (a 2 ms rest after each 200 pages'
	// worth of work), on one connection: the first vacuum after a bulk
	// load reads every page, and unpaced it slowed the findings API
	// running beside it by half. SKIP_LOCKED: another replica's vacuum
	// of a table is as good.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET vacuum_cost_delay = 2`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `VACUUM (ANALYZE, SKIP_LOCKED) `+statTables)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `RESET vacuum_cost_delay`); err == nil {
		err = rerr
	}
	return err
}

// The tables whose planner statistics vulndesk keeps fresh on PostgreSQL.
const statTables = `findings, advisory_aliases, finding_packages, components, snapshots,
	assets, advisories, advisory_records, kev, epss, jobs`

// bulkRows written make AnalyzeAfterWrites refresh the statistics.
const bulkRows = 20000

// AnalyzeAfterWrites refreshes PostgreSQL's planner statistics when this
// process has written bulkRows rows since they were last refreshed, at
// most every ten seconds; the runner calls it after each job. Statistics
// a minute old after a bulk load (or taken of the empty tables at the
// first start) had the text search sort every open finding: the planner
// took them for a few hundred. A no-op on SQLite.
func (s *Store) AnalyzeAfterWrites(ctx context.Context) error {
	if s.dialect != Postgres || s.written.Load() < bulkRows {
		return nil
	}
	s.mu.Lock()
	due := time.Since(s.analyzed) > 10*time.Second
	if due {
		s.analyzed = time.Now()
		s.written.Store(0)
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `ANALYZE `+statTables)
	return err
}

// AutovacuumOff tells whether PostgreSQL's autovacuum is off, in which
// case Maintain vacuums vulndesk's tables itself. Always false on SQLite.
func (s *Store) AutovacuumOff(ctx context.Context) (bool, error) {
	if s.dialect != Postgres {
		return false, nil
	}
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT current_setting('autovacuum')`).Scan(&v)
	return v == "off", err
}

// kept is the store as a querier whose statements are kept (see query).
type kept struct{ s *Store }

func (k kept) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return k.s.query(ctx, q, args...)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// queryStrings returns the one text column a query selects, row by row.
func queryStrings(ctx context.Context, db querier, q string, args ...any) ([]string, error) {
	var out []string
	err := queryRows(ctx, db, q, args, func(rows *sql.Rows) error {
		var v string
		err := rows.Scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// queryAll runs q and returns every row as scan reads it: an empty list,
// not nil, when there is none (the API shows [] rather than null).
func queryAll[T any](ctx context.Context, db querier, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	out := []T{}
	err := queryRows(ctx, db, q, args, func(rows *sql.Rows) error {
		v, err := scan(rows)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryRows runs q and calls each for every row.
func queryRows(ctx context.Context, db querier, q string, args []any, each func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
