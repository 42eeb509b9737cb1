// Package storetest opens real databases for tests: a fresh SQLite file and,
// when PostgreSQL answers, a fresh schema on it. Tests run the same checks
// on both engines through Each.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/vulndesk/vulndesk/internal/store"
)

// DefaultPostgres is the server CI provides (trust auth on loopback).
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engine is one database engine a test runs on.
type Engine struct {
	Name string
	// Config opens a new, empty database of this engine for one test.
	Config func(t testing.TB) store.Config
}

// Engines returns SQLite and, when reachable, PostgreSQL. With
// VULNDESK_REQUIRE_POSTGRES=1 (CI sets it) an unreachable PostgreSQL fails
// the test instead of skipping that engine.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", Config: func(t testing.TB) store.Config {
		return store.Config{DataDir: t.TempDir()}
	}}}
	base := PostgresURL()
	if err := ping(base); err != nil {
		if os.Getenv("VULNDESK_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL at %s is required (VULNDESK_REQUIRE_POSTGRES) but does not answer: %v", base, err)
		}
		t.Logf("PostgreSQL at %s does not answer (%v): running on SQLite only; set VULNDESK_TEST_DATABASE_URL to test PostgreSQL", base, err)
		return es
	}
	return append(es, Engine{Name: "postgres", Config: func(t testing.TB) store.Config {
		return store.Config{DatabaseURL: NewSchema(t)}
	}})
}

// PostgresURL is the server tests use: VULNDESK_TEST_DATABASE_URL or the
// CI default.
func PostgresURL() string {
	if u := os.Getenv("VULNDESK_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgres
}

func ping(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// NewSchema creates an empty schema for one test, dropped when it ends,
// and returns a database URL whose search_path points at it.
func NewSchema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	base := PostgresURL()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE SCHEMA ` + name); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest on every engine with a freshly migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s, err := store.Open(context.Background(), e.Config(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}
