package arch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The module itself keeps every rule.
func TestRealTree(t *testing.T) {
	vs, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Error(v)
	}
}

// The write detection reads the real store right: the methods that change
// state are found, directly (ExecContext, an UPDATE … RETURNING, a
// transaction) and through the methods they call; the reads are not.
func TestRealStoreWrites(t *testing.T) {
	writes, err := StoreWrites("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"Transact", "Enqueue", "Claim", "Finish", "FeedFailed", "PruneSessions", "PruneJobs", "FeedAttempted"} {
		if writes[m] == "" {
			t.Errorf("store method %s not found writing", m)
		}
	}
	for _, m := range []string{"Findings", "Summary", "Assets", "Feeds", "Ready", "Tokens", "Dialect"} {
		if r := writes[m]; r != "" {
			t.Errorf("store method %s taken for a write: %s", m, r)
		}
	}
}

const mod = `"github.com/vulndesk/vulndesk/internal/`

// fakeTree is a minimal module that keeps every rule: a store with reads
// and several kinds of writes, a service and a server that hold it, an
// exempt OpenAPI file and test files that break the rules (exempt).
var fakeTree = map[string]string{
	"internal/model/model.go": "package model\n\ntype Asset struct{}\n",
	"internal/model/model_test.go": "package model\n\nimport (\n\t\"database/sql\"\n\t\"net/http\"\n\n\t" + mod + `store"
)

var _ = sql.ErrNoRows
var _ = http.StatusOK
var _ *store.Store
`,
	"internal/store/store.go": `package store

import (
	"context"
	"database/sql"

	_ "modernc.org/sqlite"

	` + mod + `model"
)

type Store struct{ db *sql.DB }

type Tx struct{ tx *sql.Tx }

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) Asset(ctx context.Context) (model.Asset, error) {
	return model.Asset{}, s.db.QueryRowContext(ctx, ` + "`SELECT 1 FROM assets`" + `).Err()
}

func (s *Store) Rename(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, ` + "`UPDATE assets SET name = 'x'`" + `)
	return err
}

func (s *Store) Claim(ctx context.Context) error {
	return s.db.QueryRowContext(ctx, ` + "`UPDATE jobs SET state = 'running' RETURNING id`" + `).Err()
}

func (s *Store) Insert(ctx context.Context) error { return insert(ctx, s.db) }

func insert(ctx context.Context, q querier) error {
	return q.QueryRowContext(ctx, ` + "`INSERT INTO jobs (kind) VALUES ('x') RETURNING id`" + `).Err()
}

func (s *Store) Touch(ctx context.Context) error { return s.Rename(ctx) }

func (s *Store) Transact(ctx context.Context, fn func(*Tx) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx}) })
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) DB() *sql.DB { return s.db }
`,
	"internal/store/storetest/storetest.go": "package storetest\n\nimport (\n\t\"database/sql\"\n\n\t" + mod + "store\"\n)\n\nvar _ *sql.DB\nvar _ *store.Store\n",
	"internal/service/service.go":           "package service\n\nimport (\n\t\"net/http\"\n\n\t" + mod + "store\"\n)\n\ntype Service struct {\n\tStore  *store.Store\n\tClient *http.Client\n}\n",
	"internal/server/server.go": `package server

import (
	"context"
	"net/http"

	` + mod + `service"
	` + mod + `store"
)

type Server struct {
	Svc    *service.Service
	Store  *store.Store
	Runner runner
}

type runner struct{}

func (runner) Rename(context.Context) error { return nil }

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.Store.Asset(r.Context())
	s.Runner.Rename(r.Context())
}
`,
	"internal/server/openapi.go":               "package server\n\nfunc document() map[string]any { return map[string]any{\"openapi\": \"3.1.0\"} }\n",
	"internal/server/servertest/servertest.go": "package servertest\n\nimport \"net/http\"\n\nvar _ = http.Get\n",
	"internal/cli/cli.go":                      "package cli\n\nimport (\n\t" + mod + "server\"\n\t" + mod + "store\"\n)\n\nvar _ server.Server\nvar _ *store.Store\n",
	"internal/sbom/testdata/broken.go":         "this is not Go",
	"cmd/vulndesk/main.go":                     "package main\n\nimport _ " + mod + "cli\"\n\nfunc main() {}\n",
}

// serverFile is a server handler file whose body is the given lines.
func serverFile(body string) string {
	return "package server\n\nimport (\n\t\"context\"\n\t" + mod + "store\"\n)\n\nvar _ *store.Store\n\n" +
		"func (s *Server) h(ctx context.Context) {\n" + body + "\n}\n"
}

// plant writes fakeTree plus the given files into a new directory.
func plant(t *testing.T, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, files := range []map[string]string{fakeTree, extra} {
		for name, text := range files {
			p := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func TestFakeTreeKeepsTheRules(t *testing.T) {
	vs, err := Check(plant(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Error(v)
	}
}

// Each planted violation is reported, of its rule, at its file and line,
// with a message that says what to do; nothing else is reported.
func TestPlantedViolations(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		rule  Rule
		want  []string // each the start of a violation's String(): file:line: [rule] message…
	}{
		{"upward import", map[string]string{
			"internal/model/up.go": "package model\n\nimport _ " + mod + "service\"\n"},
			RuleUpward, []string{"internal/model/up.go:3: [upward-import] internal/model (layer 0) imports internal/service (layer 6): imports must point to a lower layer"}},
		{"import within one layer", map[string]string{
			"internal/sbom/s.go": "package sbom\n\nimport _ " + mod + "osv\"\n"},
			RuleUpward, []string{"internal/sbom/s.go:3: [upward-import] internal/sbom (layer 3) imports internal/osv (layer 3)"}},
		{"unplaced package", map[string]string{
			"internal/widget/w.go": "package widget\n"},
			RuleUnplaced, []string{"internal/widget/w.go:0: [unplaced] internal/widget has no layer: place it in arch.Layers"}},
		{"unplaced nested package", map[string]string{
			"internal/store/migrations/m.go": "package migrations\n"},
			RuleUnplaced, []string{"internal/store/migrations/m.go:0: [unplaced] internal/store/migrations has no layer"}},
		{"domain package imports the store", map[string]string{
			"internal/report/r.go": "package report\n\nimport _ " + mod + "store\"\n"},
			RuleStore, []string{"internal/report/r.go:3: [store-import] internal/report imports internal/store: only the service, server and CLI"}},
		{"domain package imports a store helper", map[string]string{
			"internal/match/m.go": "package match\n\nimport _ " + mod + "store/storetest\"\n"},
			RuleStore, []string{"internal/match/m.go:3: [store-import] internal/match imports internal/store/storetest"}},
		{"database/sql outside the store", map[string]string{
			"internal/service/db.go": "package service\n\nimport _ \"database/sql\"\n"},
			RuleDatabase, []string{"internal/service/db.go:3: [database] internal/service imports database/sql: only internal/store opens and speaks to the database"}},
		{"a driver outside the store", map[string]string{
			"internal/cli/pg.go": "package cli\n\nimport _ \"github.com/jackc/pgx/v5/stdlib\"\n"},
			RuleDatabase, []string{"internal/cli/pg.go:3: [database] internal/cli imports github.com/jackc/pgx/v5/stdlib"}},
		{"migrations run from a command", map[string]string{
			"cmd/migrate/main.go": "package main\n\nimport _ \"github.com/pressly/goose/v3\"\n\nfunc main() {}\n"},
			RuleDatabase, []string{"cmd/migrate/main.go:3: [database] cmd/migrate/main.go imports github.com/pressly/goose/v3"}},
		{"net/http in a domain package", map[string]string{
			"internal/severity/h.go": "package severity\n\nimport _ \"net/http\"\n"},
			RuleHTTP, []string{"internal/severity/h.go:3: [net-http] internal/severity imports net/http: only the network packages"}},
		{"net/http/httptest in a domain package", map[string]string{
			"internal/version/h.go": "package version\n\nimport _ \"net/http/httptest\"\n"},
			RuleHTTP, []string{"internal/version/h.go:3: [net-http] internal/version imports net/http/httptest"}},
		{"server runs an UPDATE through the store", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.Rename(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Rename, which writes (runs ExecContext in store.go)"}},
		{"server writes through a store method that calls a writer", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.Touch(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Touch, which writes (calls Store.Rename, which writes)"}},
		{"server inserts through QueryRow in a store function", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.Insert(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Insert, which writes (calls insert, which writes)"}},
		{"server claims a job (UPDATE … RETURNING)", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.Claim(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Claim, which writes (runs UPDATE in store.go)"}},
		{"server writes through the service's store", map[string]string{
			"internal/server/h.go": serverFile("\ts.Svc.Store.Rename(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Rename"}},
		{"server writes through a variable", map[string]string{
			"internal/server/h.go": serverFile("\tst := s.Store\n\tother := st\n\tother.Rename(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:13: [server-write] calls store method Rename"}},
		{"server writes through a parameter", map[string]string{
			"internal/server/h.go": serverFile("\t_ = ctx\n}\n\nfunc rename(ctx context.Context, db *store.Store) error {\n\treturn db.Rename(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:15: [server-write] calls store method Rename"}},
		{"server takes a writing method's value", map[string]string{
			"internal/server/h.go": serverFile("\tf := s.Store.Rename\n\tf(ctx)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method Rename"}},
		{"server opens a transaction", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.Transact(ctx, func(tx *store.Tx) error { return nil })")},
			RuleServerTx, []string{
				"internal/server/h.go:11: [server-write] refers to store.Tx: a transaction is a use case of the service",
				"internal/server/h.go:11: [server-write] uses Transact: a transaction is a use case of the service",
			}},
		{"server names store.Tx under another import name", map[string]string{
			"internal/server/h.go": "package server\n\nimport db " + mod + "store\"\n\nvar _ func(*db.Tx)\n"},
			RuleServerTx, []string{"internal/server/h.go:5: [server-write] refers to store.Tx"}},
		{"server takes the database handle", map[string]string{
			"internal/server/h.go": serverFile("\ts.Store.DB().ExecContext(ctx, `DELETE FROM assets`)")},
			RuleServerTx, []string{"internal/server/h.go:11: [server-write] calls store method DB, which hands out the database handle itself"}},
		{"server embeds the store", map[string]string{
			"internal/server/h.go": "package server\n\nimport " + mod + "store\"\n\ntype handler struct {\n\t*store.Store\n}\n"},
			RuleServerTx, []string{"internal/server/h.go:6: [server-write] embeds *store.Store"}},
		{"server answers a map[string]any", map[string]string{
			"internal/server/api.go": "package server\n\nimport (\n\t\"encoding/json\"\n\t\"net/http\"\n)\n\nfunc ok(w http.ResponseWriter) {\n\tjson.NewEncoder(w).Encode(map[string]any{\"ok\": true})\n}\n"},
			RuleAnyMap, []string{"internal/server/api.go:9: [map-any] builds a map[string]any: a response is a named type"}},
		{"server answers a map[string]interface{}", map[string]string{
			"internal/server/api.go": "package server\n\nvar body = map[string]interface{}{}\n"},
			RuleAnyMap, []string{"internal/server/api.go:3: [map-any] builds a map[string]any"}},
		{"a file that does not parse", map[string]string{
			"internal/model/broken.go": "package model\n\nfunc {\n"},
			RuleParseFile, []string{"internal/model/broken.go:0: [unparsable-go] cannot parse: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vs, err := Check(plant(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != len(c.want) {
				t.Errorf("got %d violations, want %d", len(vs), len(c.want))
			}
			for i, v := range vs {
				if v.Rule != c.rule {
					t.Errorf("rule %q, want %q: %s", v.Rule, c.rule, v)
				}
				if i < len(c.want) && !strings.HasPrefix(v.String(), c.want[i]) {
					t.Errorf("got  %s\nwant %s…", v, c.want[i])
				}
			}
		})
	}
}

// A root that is not the module is an error, not a clean bill.
func TestCheckNeedsTheModule(t *testing.T) {
	if _, err := Check(t.TempDir()); err == nil {
		t.Error("an empty directory passed the check")
	}
}
