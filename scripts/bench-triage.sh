#!/usr/bin/env bash
# bench-triage.sh — what issue 12 asks of triage with a large store, on
# SQLite and PostgreSQL, each filled by storetest.BulkFill with FINDINGS
# findings (2,000 assets; 100,000 decisions with their history; states,
# assignees, remediation clocks and SSVC priorities spread as a year of use
# leaves them). Runs BenchmarkTriage (internal/server/triagebench_test.go):
#   - GET /api/v1/findings with each triage filter (state, sla_state,
#     priority, assignee), alone, with a severity, of one asset, combined,
#     and deep pages by cursor: CLIENTS concurrent clients, ROUNDS requests
#     of each list a client: p50/p95/p99/max, target p99 < 100 ms;
#   - re-match after a feed delta (10 advisories revised, ~500 findings on
#     ~500 assets; the store's ApplyFindings with its triage): the slowest
#     of three, target < 2 s;
#   - bulk triage of 10,000 findings in one POST /api/v1/triage: the
#     slowest of three, target < 5 s.
# Prints a table a engine and a side-by-side table with the targets and
# ok/MISS. The server runs in the benchmark's process, over loopback.
#
# Env (all optional):
#   FINDINGS 1000000   ROUNDS 10   CLIENTS 20   ENGINES sqlite,postgres
#   VULNDESK_TEST_DATABASE_URL  the PostgreSQL server (default
#            postgres://postgres@127.0.0.1:5432/test?sslmode=disable; a fresh
#            schema is made and dropped)
#   OUT      where the raw output goes (default .bench/triage.txt)
#   TABLE_ONLY=1  print the tables of the raw output in OUT without running
#   VULNDESK_BENCH_CPUPROFILE  a path: the CPU profile of the lists'
#            requests goes to <path>.<engine> (go tool pprof reads it)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
FINDINGS=${FINDINGS:-1000000}
ROUNDS=${ROUNDS:-10}
CLIENTS=${CLIENTS:-20}
ENGINES=${ENGINES:-sqlite,postgres}
OUT=${OUT:-.bench/triage.txt}
mkdir -p "$(dirname "$OUT")"
echo "bench-triage: $FINDINGS findings, $CLIENTS clients x $ROUNDS requests a list, engines $ENGINES (filling takes minutes an engine)" >&2
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -z "${TABLE_ONLY:-}" ]; then
  VULNDESK_BENCH_FINDINGS=$FINDINGS VULNDESK_BENCH_ROUNDS=$ROUNDS VULNDESK_BENCH_CLIENTS=$CLIENTS VULNDESK_BENCH_ENGINES=$ENGINES \
    go test ./internal/server -run '^$' -bench '^BenchmarkTriage$' -benchtime=1x -timeout 120m | tee "$OUT" >&2
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
fi
awk -F'\t' -v clients="$CLIENTS" '
  function ok(v, t) { return v < t ? "ok" : "MISS" }
  function eng(e) { if (!(e in seen)) { seen[e] = 1; engines[++ne] = e } }
  $1 == "FILL" { fill[$2] = $4 }
  $1 == "LIST" { eng($2); if (!($3 in li)) { li[$3] = 1; lists[++nl] = $3 }
    p50[$2, $3] = $4; p95[$2, $3] = $5; p99[$2, $3] = $6; mx[$2, $3] = $7; cnt[$2, $3] = $8 }
  $1 == "REMATCH" { eng($2); if ($5 > rm[$2]) rm[$2] = $5; rmf[$2] = $3; rma[$2] = $4 }
  $1 == "BULK" { eng($2); if ($4 > bulk[$2]) bulk[$2] = $4; bn[$2] = $3 }
  END {
    if (nl == 0) { print "no results: see the output above"; exit 1 }
    for (k = 1; k <= ne; k++) {
      e = engines[k]
      printf "\n%s: findings list, %d concurrent clients (ms)\n", e, clients
      printf "%-40s %8s %8s %8s %8s %6s  %s\n", "list", "p50", "p95", "p99", "max", "n", "p99<100"
      for (i = 1; i <= nl; i++) { l = lists[i]
        printf "%-40s %8.1f %8.1f %8.1f %8.1f %6d  %s\n", l, p50[e, l], p95[e, l], p99[e, l], mx[e, l], cnt[e, l], ok(p99[e, l], 100) }
    }
    printf "\n%-50s %10s", "side by side", "target"
    for (k = 1; k <= ne; k++) printf " %16s", engines[k]
    printf "\n"
    for (i = 1; i <= nl; i++) { l = lists[i]
      printf "%-50s %10s", "list p99: " l, "< 100 ms"
      for (k = 1; k <= ne; k++) { e = engines[k]; printf " %11.1f %-4s", p99[e, l], ok(p99[e, l], 100) }
      printf "\n" }
    printf "%-50s %10s", "bulk triage of " bn[engines[1]] " (slowest of 3)", "< 5 s"
    for (k = 1; k <= ne; k++) { e = engines[k]; printf " %10.2f s %-4s", bulk[e], ok(bulk[e], 5) }
    printf "\n%-50s %10s", "re-match, " rmf[engines[1]] " findings (slowest of 3)", "< 2 s"
    for (k = 1; k <= ne; k++) { e = engines[k]; printf " %10.2f s %-4s", rm[e], ok(rm[e], 2) }
    printf "\n"
    for (k = 1; k <= ne; k++) printf "fill %s: %.0f s\n", engines[k], fill[engines[k]]
  }' "$OUT"
