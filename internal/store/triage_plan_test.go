package store

import (
	"context"
	"strings"
	"testing"
)

// TestSiblingsPlan: on SQLite, which plans without statistics, the open
// siblings of triaged findings are read by the findings' unique (asset,
// package, …) index, each key a seek to its own few rows, and not by an
// index that holds every open finding of the asset.
func TestSiblingsPlan(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+siblingsQuery(SQLite, 2), 1, "GHSA-1", "npm|a", 2, "GHSA-2", "npm|b")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	seek := false
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		seek = seek || strings.HasPrefix(detail, "SEARCH f USING INDEX sqlite_autoindex_findings_1 (asset_id=? AND pkey=?)")
	}
	if !seek {
		t.Errorf("siblings not read by the unique index:\n  %s", strings.Join(plan, "\n  "))
	}
}
