package store_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestFindingsListPlans: every page of the findings list, by severity and
// by score, the first and one after a cursor, under each filter that has
// an index, is a walk of an index in the list's order — no plan reads
// the findings the filter selects and sorts them — and by score the index
// is one of the score-ordered ones of migration 00010. SQLite plans as in
// production, without statistics; PostgreSQL plans with fresh statistics
// and sorting and sequential scans priced out, so the test asks whether
// such a walk exists and is chosen over the other indexes (on a table
// this small a sequential scan and a sort cost next to nothing).
func TestFindingsListPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		all := seedScored(t, s, 60)
		if s.Dialect() == store.Postgres {
			if _, err := s.DB().Exec(`ANALYZE findings, assets`); err != nil {
				t.Fatal(err)
			}
		}
		filters := []store.FindingFilter{
			{}, {Status: "resolved"}, {AssetID: all[0].AssetID}, {Ecosystem: "Go"}, {KEV: true},
			{Severity: []string{"high", "critical"}}, {MinScore: ptr(7)}, {MaxScore: ptr(5)},
			{AssetID: all[0].AssetID, MinScore: ptr(4), MaxScore: ptr(9)},
		}
		cursors := map[string]string{store.SortSeverity: "4.100", store.SortScore: "score:7.5:4:100"}
		for _, sort := range store.FindingSorts {
			for _, f := range filters {
				for _, cursor := range []string{"", cursors[sort]} {
					f.Sort, f.Cursor = sort, cursor
					indexes, problem := listPlan(t, s, f)
					what := describe(f)
					if problem != "" {
						t.Errorf("%s: %s", what, problem)
					}
					for _, ix := range indexes {
						if byScore := strings.Contains(ix, "score"); byScore != (sort == store.SortScore) {
							t.Errorf("%s: reads findings by %s", what, ix)
						}
					}
					if len(indexes) == 0 {
						t.Errorf("%s: reads findings by no index", what)
					}
				}
			}
		}

		// The triage filters, by severity (no index orders them by score),
		// alone, with a severity, of one asset and in combination.
		for _, f := range []store.FindingFilter{
			{State: []string{"affected"}}, {State: []string{"new", "affected"}}, {Priority: []string{"act"}},
			{Priority: []string{"attend", "act"}}, {Assignee: "ann"}, {Assignee: "none"},
			{SLAState: "breached"}, {SLAState: "due_soon"}, {SLAState: "on_track"},
			{State: []string{"affected"}, Severity: []string{"critical"}}, {SLAState: "breached", Severity: []string{"high"}},
			{Priority: []string{"act"}, AssetID: all[0].AssetID}, {SLAState: "breached", AssetID: all[0].AssetID},
			{State: []string{"affected"}, SLAState: "breached", Priority: []string{"attend", "act"}},
		} {
			for _, cursor := range []string{"", cursors[store.SortSeverity]} {
				f.Cursor = cursor
				if indexes, problem := listPlan(t, s, f); problem != "" || len(indexes) == 0 {
					t.Errorf("%s: %s (indexes %v)", describe(f), problem, indexes)
				}
			}
		}

		// The text lookup reads each match by the index that leads with
		// it (package name, advisory, asset) alone, whatever the order,
		// filters and cursor, and then the page's findings by ID. Only on
		// SQLite: PostgreSQL, on a table this small, reads any index
		// whole as cheaply.
		if s.Dialect() != store.SQLite {
			return
		}
		for _, sort := range store.FindingSorts {
			for _, f := range []store.FindingFilter{{}, {MinScore: ptr(7)}, {Severity: []string{"high"}}, {MaxScore: ptr(5), Status: "all"}} {
				for _, q := range []string{"pkg1", "pysec-web-1", "web"} {
					for _, cursor := range []string{"", cursors[sort]} {
						f.Sort, f.Cursor, f.Text = sort, cursor, q
						stmt, args, err := s.TextLookupSQL(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						for _, n := range sqliteNodes(t, s, stmt, args) {
							if !strings.HasPrefix(n.detail, "SEARCH f ") && !strings.HasPrefix(n.detail, "SCAN f") {
								continue
							}
							// A severity filter reads each match's row: no
							// index holds the severity.
							using := "SEARCH f USING COVERING INDEX "
							if len(f.Severity) > 0 {
								using = "SEARCH f USING INDEX "
							}
							ok := strings.HasPrefix(n.detail, "SEARCH f USING INTEGER PRIMARY KEY")
							for _, ix := range []string{"findings_package_list", "findings_advisory_list", "findings_asset_list", "findings_asset_score"} {
								ok = ok || strings.HasPrefix(n.detail, using+ix+" ")
							}
							if !ok {
								t.Errorf("lookup %s: %s", describe(f), n.detail)
							}
						}
					}
				}
			}
		}
	})
}

// listPlan returns the indexes the list f reads findings by on s's
// engine, and the problem of its plan (see sqlitePlan, postgresPlan).
func listPlan(t *testing.T, s *store.Store, f store.FindingFilter) (indexes []string, problem string) {
	q, args, err := s.ListSQL(f)
	if err != nil {
		t.Fatal(err)
	}
	if s.Dialect() == store.SQLite {
		return sqlitePlan(t, s, q, args)
	}
	return postgresPlan(t, s, q, args)
}

// sqliteNode is a line of SQLite's EXPLAIN QUERY PLAN.
type sqliteNode struct {
	parent int
	detail string
}

func sqliteNodes(t *testing.T, s *store.Store, q string, args []any) []sqliteNode {
	t.Helper()
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var nodes []sqliteNode
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, sqliteNode{parent, detail})
	}
	return nodes
}

// sqlitePlan returns the indexes q reads findings by, and a problem when
// it sorts findings it read (a temporary B-tree beside a read of f) or
// reads the table whole.
func sqlitePlan(t *testing.T, s *store.Store, q string, args []any) (indexes []string, problem string) {
	nodes := sqliteNodes(t, s, q, args)
	readsF := map[int]bool{} // parents of a read of findings
	for _, n := range nodes {
		if strings.HasPrefix(n.detail, "SEARCH f ") || strings.HasPrefix(n.detail, "SCAN f") {
			readsF[n.parent] = true
			_, ix, ok := strings.Cut(n.detail, " INDEX ")
			if !ok {
				problem += "reads the table: " + n.detail + "; "
			}
			ix, _, _ = strings.Cut(ix, " ")
			indexes = append(indexes, ix)
		}
	}
	for _, n := range nodes {
		if strings.HasPrefix(n.detail, "USE TEMP B-TREE") && readsF[n.parent] {
			problem += "sorts the findings it read; "
		}
	}
	if problem != "" {
		var plan []string
		for _, n := range nodes {
			plan = append(plan, n.detail)
		}
		problem += "plan:\n  " + strings.Join(plan, "\n  ")
	}
	return indexes, problem
}

// postgresPlan returns the indexes q reads findings by, and a problem when
// a sort takes rows from a read of findings with no LIMIT between them,
// or findings are read whole.
func postgresPlan(t *testing.T, s *store.Store, q string, args []any) (indexes []string, problem string) {
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, set := range []string{"enable_sort = off", "enable_seqscan = off", "enable_bitmapscan = off"} {
		if _, err := conn.ExecContext(ctx, "SET "+set); err != nil {
			t.Fatal(err)
		}
	}
	defer conn.ExecContext(ctx, "RESET ALL")
	var out string
	if err := conn.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) `+q, args...).Scan(&out); err != nil {
		t.Fatal(err)
	}
	var plans []struct{ Plan pgNode }
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatal(err)
	}
	var walk func(n pgNode, sorting bool)
	walk = func(n pgNode, sorting bool) {
		switch n.NodeType {
		case "Sort", "Incremental Sort":
			sorting = true
		case "Limit":
			sorting = false
		}
		if n.RelationName == "findings" {
			if n.IndexName == "" {
				problem += "reads findings by " + n.NodeType + "; "
			}
			if sorting {
				problem += "sorts the findings it read by " + n.IndexName + "; "
			}
			indexes = append(indexes, n.IndexName)
		}
		for _, c := range n.Plans {
			walk(c, sorting)
		}
	}
	walk(plans[0].Plan, false)
	if problem != "" {
		problem += "plan: " + out
	}
	return indexes, problem
}

// pgNode is a node of PostgreSQL's EXPLAIN (FORMAT JSON).
type pgNode struct {
	NodeType     string   `json:"Node Type"`
	RelationName string   `json:"Relation Name"`
	IndexName    string   `json:"Index Name"`
	Plans        []pgNode `json:"Plans"`
}
