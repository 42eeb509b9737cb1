#!/usr/bin/env bash
# bench-pages.sh — server time of the web pages with a large store: the
# dashboard (/) and the findings page (default view, severity=critical&kev=true,
# and text searches) through the real HTTP server over loopback, on SQLite and
# PostgreSQL, each filled by storetest.BulkFill with FINDINGS findings (2,000
# assets, 90 days of first sightings, ~30% resolved, 1% KEV). Runs
# BenchmarkPages (internal/server/pagesbench_test.go) and prints a table:
# page, engine, p50, p95, max, the 200 ms target and ok/MISS.
#
# Env (all optional):
#   FINDINGS 1000000   ROUNDS 30 (timed requests a page, after 2 to warm up)
#   ENGINES  sqlite,postgres
#   VULNDESK_TEST_DATABASE_URL  the PostgreSQL server (default
#            postgres://postgres@127.0.0.1:5432/test?sslmode=disable; a fresh
#            schema is made and dropped)
#   OUT      where the raw output goes (default .bench/pages.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
FINDINGS=${FINDINGS:-1000000}
ROUNDS=${ROUNDS:-30}
ENGINES=${ENGINES:-sqlite,postgres}
OUT=${OUT:-.bench/pages.txt}
TARGET_MS=200
mkdir -p "$(dirname "$OUT")"
echo "bench-pages: $FINDINGS findings, $ROUNDS requests a page, engines $ENGINES (filling takes a few minutes an engine)" >&2
VULNDESK_BENCH_FINDINGS=$FINDINGS VULNDESK_BENCH_ROUNDS=$ROUNDS VULNDESK_BENCH_ENGINES=$ENGINES \
  go test ./internal/server -run '^$' -bench '^BenchmarkPages$' -benchtime=1x -timeout 120m | tee "$OUT" >&2
awk -F'\t' -v target="$TARGET_MS" '
  $1 == "FILL" { fill[$2] = $4 }
  $1 == "PAGE" { n++; page[n] = $3; eng[n] = $2; p50[n] = $4; p95[n] = $5; mx[n] = $6 }
  END {
    printf "\n%-28s %-9s %9s %9s %9s %8s  %s\n", "page", "engine", "p50 ms", "p95 ms", "max ms", "target", "p95"
    printf "%-28s %-9s %9s %9s %9s %8s  %s\n", "----", "------", "------", "------", "------", "------", "---"
    for (i = 1; i <= n; i++)
      printf "%-28s %-9s %9.1f %9.1f %9.1f %5d ms  %s\n", page[i], eng[i], p50[i], p95[i], mx[i], target, (p95[i] < target ? "ok" : "MISS")
    for (e in fill) printf "fill %s: %.0f s\n", e, fill[e]
    if (n == 0) { print "no results: see the output above"; exit 1 }
  }' "$OUT"
