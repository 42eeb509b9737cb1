package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/ssvc"
	"github.com/vulndesk/vulndesk/internal/store"
)

// The triage of the bulk store, as a year of use leaves it: one finding in
// ten has a decision (100,000 of a million), most of the others are new
// and the resolved ones fixed. Of the decisions, 35% are
// under_investigation, 25% affected, 15% in_remediation, 12% not_affected,
// 8% false_positive and 5% risk_accepted (by one approved exception); 70%
// are assigned, to one of 40 people ("user-0" … "user-39") or, for one
// decision in 2,000, to "auditor". Every finding has the remediation clock
// of the default policy on an internal asset (critical 14 days, high and
// unknown 60, medium 90, low 180, none without deadline) from its first
// sighting, so that at the fill's now the open ones are a mix of
// on_track, due_soon and breached, and an SSVC priority: act for the KEV
// ones and 4% of the others, attend 12%, track* 24%, track the rest.

// BulkAuditor is the assignee of few findings in the bulk store: the
// rare name of the assignee filter's benchmark.
const BulkAuditor = "auditor"

// bulkTriage writes the SQL of the triage columns and tables of BulkFill.
type bulkTriage struct {
	pg    bool
	start time.Time
	span  int
	hx    func(x string, mul, mod int) string
	ts    func(secs string) string
}

// decided is the condition "finding x has a decision" (x is the row
// number, the finding's ID - 1); decision its state.
func (bt bulkTriage) decided(x string) string { return bt.hx(x, 97531, 10) + " = 0" }

func (bt bulkTriage) decision(x string) string {
	d := bt.hx(x, 7919, 100)
	return fmt.Sprintf(`CASE WHEN %[1]s < 35 THEN 'under_investigation' WHEN %[1]s < 60 THEN 'affected' WHEN %[1]s < 75 THEN 'in_remediation'
		WHEN %[1]s < 87 THEN 'not_affected' WHEN %[1]s < 95 THEN 'false_positive' ELSE 'risk_accepted' END`, d)
}

// closes is the condition "finding x's decision stops its clock".
func (bt bulkTriage) closes(x string) string { return bt.hx(x, 7919, 100) + " >= 75" }

// decidedAt is when finding x's decision was made: between its first
// sighting (first seconds after the start) and now.
func (bt bulkTriage) decidedAt(x, first string) string {
	return bt.ts(fmt.Sprintf("%s + (%d - %s) * %s / 100", first, bt.span, first, bt.hx(x, 5381, 100)))
}

func (bt bulkTriage) assignee(x string) string {
	return fmt.Sprintf(`CASE WHEN %s AND %s < 7 THEN CASE WHEN %s < 5 THEN '%s' ELSE 'user-' || CAST(%s AS TEXT) END ELSE '' END`,
		bt.decided(x), bt.hx(x, 131, 10), bt.hx(x, 137, 10000), BulkAuditor, bt.hx(x, 139, 40))
}

// iso is the time start + secs as RFC 3339 text, as JSON holds it.
func (bt bulkTriage) iso(secs string) string {
	if bt.pg {
		return fmt.Sprintf(`to_char(to_timestamp(%d + (%s)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, bt.start.Unix(), secs)
	}
	return fmt.Sprintf(`strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', %d + (%s), 'unixepoch')`, bt.start.Unix(), secs)
}

// columns are the findings' triage columns and their values for finding
// x, first seen first seconds after the start, with severity bucket sev
// (see BulkFill), kev the condition of its KEV listing and resolved of
// its resolution (at resolvedAt).
func (bt bulkTriage) columns(x, first, sev, rating, kev, resolved, resolvedAt string) ([]string, []string) {
	days := fmt.Sprintf(`CASE WHEN %[1]s < 5 THEN 14 WHEN %[1]s < 30 THEN 60 WHEN %[1]s < 70 THEN 90 WHEN %[1]s < 85 THEN 180
		WHEN %[1]s < 87 THEN NULL ELSE 60 END`, sev)
	due := fmt.Sprintf("%s + (%s) * 86400", first, days)
	window := fmt.Sprintf("CASE WHEN (%[1]s) * 17280 < 604800 THEN (%[1]s) * 17280 ELSE 604800 END", days) // a fifth, 7 days at most
	clock := fmt.Sprintf(`'{"policy_version":1,"severity":"' || %[1]s || '","exposure":"internal","criticality":3,"start":"' || %[2]s ||
		'","days":' || COALESCE(CAST(%[3]s AS TEXT), '0') || COALESCE(',"policy_due_at":"' || %[4]s || '","due_at":"' || %[4]s || '"', '') ||
		',"kev_shortened":false,"rule":"' || %[1]s || ' × internal: ' || COALESCE(CAST(%[3]s AS TEXT) || ' days', 'no deadline') || '"}'`,
		rating, bt.iso(first), days, bt.iso(due))
	p := bt.hx(x, 211, 100)
	rank := fmt.Sprintf("CASE WHEN %[1]s OR %[2]s < 4 THEN 4 WHEN %[2]s < 16 THEN 3 WHEN %[2]s < 40 THEN 2 ELSE 1 END", kev, p)
	var prio, inputs strings.Builder
	prio.WriteString("CASE " + rank)
	inputs.WriteString("CASE " + rank)
	for _, d := range ssvc.Decisions {
		fmt.Fprintf(&prio, " WHEN %d THEN '%s'", d.Rank(), d)
		fmt.Fprintf(&inputs, " WHEN %d THEN '%s'", d.Rank(), strings.ReplaceAll(bulkPriority(d, bt.start.Add(time.Duration(bt.span)*time.Second)), "'", "''"))
	}
	state := fmt.Sprintf("CASE WHEN %s AND (%s OR NOT (%s)) THEN %s WHEN %s THEN 'fixed' ELSE 'new' END",
		bt.decided(x), bt.closes(x), resolved, bt.decision(x), resolved)
	closed := fmt.Sprintf("CASE WHEN %s THEN %s WHEN %s AND %s THEN %s END", resolved, resolvedAt, bt.decided(x), bt.closes(x), bt.decidedAt(x, first))
	return []string{"state", "assignee", "closed_at", "sla_due_at", "sla_soon_at", "sla_clock", "priority", "priority_rank", "priority_inputs"},
		[]string{state, bt.assignee(x), closed, bt.ts(due), bt.ts(due + " - " + window), clock, prio.String() + " END", rank, inputs.String() + " END"}
}

// tables are the statements that fill the decisions of the findings
// (read back from them by their IDs), their history and the exception of
// the risk_accepted ones; first is the first-sighting expression of row x.
func (bt bulkTriage) tables(first func(x string) string, nowTS, override string) []string {
	const x = "(f.id - 1)"
	key := "d.asset_id = f.asset_id AND d.vuln_id = f.vuln_id AND d.pkey = f.pkey"
	exc := fmt.Sprintf(`INSERT INTO exceptions (id, scope, reason, requested_by, requested_at, expires_at, state, decided_by, decided_at)
		%s VALUES (1, '%s', 'compensated by the WAF rules of the bench', 'user-1', %s, %s, 'approved', 'admin', %s)`,
		override, model.ScopeFindings, nowTS, bt.ts(fmt.Sprint(bt.span+365*86400)), nowTS)
	return []string{exc,
		fmt.Sprintf(`INSERT INTO decisions (asset_id, vuln_id, pkey, state, justification, reason, assignee, decided_by, decided_at, exception_id)
			SELECT f.asset_id, f.vuln_id, f.pkey, %[1]s, CASE WHEN %[2]s < 75 THEN '' WHEN %[2]s < 87 THEN 'vulnerable_code_not_present' ELSE '' END,
				'looked at it in the bench', %[3]s, 'user-' || CAST(%[4]s AS TEXT), %[5]s, CASE WHEN %[2]s >= 95 THEN 1 END
			FROM findings f WHERE %[6]s`,
			bt.decision(x), bt.hx(x, 7919, 100), bt.assignee(x), bt.hx(x, 149, 40), bt.decidedAt(x, first(x)), bt.decided(x)),
		`INSERT INTO exception_findings (exception_id, finding_id) SELECT 1, id FROM findings WHERE state = 'risk_accepted'`,
		`INSERT INTO decision_history (asset_id, vuln_id, pkey, finding_id, at, actor, kind, from_state, to_state, reason, justification)
			SELECT d.asset_id, d.vuln_id, d.pkey, f.id, d.decided_at, d.decided_by, 'state', 'new', d.state, d.reason, d.justification
			FROM decisions d JOIN findings f ON ` + key,
		`INSERT INTO decision_history (asset_id, vuln_id, pkey, finding_id, at, actor, kind, from_state, to_state, reason)
			SELECT d.asset_id, d.vuln_id, d.pkey, f.id, f.resolved_at, 'system', 'detected', d.state, f.state,
				'resolved: the current snapshot no longer has the affected version'
			FROM decisions d JOIN findings f ON ` + key + ` WHERE f.status = 'resolved'`,
	}
}

// bulkPriority is the stored priority (store.Priority as JSON) of a
// finding with SSVC decision d: the first outcome of d that
// ssvc.Decide gives over a range of inputs.
func bulkPriority(d ssvc.Decision, at time.Time) string {
	kev := &ssvc.KEV{DateAdded: at.AddDate(0, -2, 0)}
	epss := &ssvc.EPSS{Score: 0.4, Percentile: 0.97, Date: at.AddDate(0, 0, -1)}
	vectors := []string{"", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}
	for _, k := range []*ssvc.KEV{kev, nil} {
		for _, e := range []*ssvc.EPSS{epss, nil} {
			for _, v := range vectors {
				for _, exp := range model.Exposures {
					for crit := 1; crit <= 4; crit++ {
						in := ssvc.Inputs{At: at, KEV: k, EPSS: e, EPSSThreshold: ssvc.DefaultEPSSThreshold,
							Asset: ssvc.Asset{Criticality: crit, Exposure: exp}}
						if v != "" {
							in.CVSS = &ssvc.CVSS{Vector: v, Source: "GHSA"}
						}
						if out, err := ssvc.Decide(in); err == nil && out.Decision == d {
							b, _ := json.Marshal(store.Priority{Inputs: in, Outcome: out})
							return string(b)
						}
					}
				}
			}
		}
	}
	b, _ := json.Marshal(store.Priority{Inputs: ssvc.Inputs{At: at}, Outcome: ssvc.Outcome{Decision: d, Table: ssvc.TableName}})
	return string(b)
}
