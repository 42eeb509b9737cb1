#!/usr/bin/env bash
# bench-serve.sh — benchmark of `vulndesk serve` (the service, over HTTP) on
# each store engine, SQLite and PostgreSQL, with scripts/benchserve:
#   1. feed sync: the real OSV corpus ($SHARED/data/osv-corpus, Go, PyPI,
#      crates.io; 8,158 advisories), one OSV feed per all.zip, served over
#      loopback HTTP by the benchmark itself, plus the real CISA KEV catalogue;
#   2. ingest: ASSETS synthetic CycloneDX 1.5 SBOMs of COMPONENTS real
#      (ecosystem, package, version) triples each, uploaded by UPLOAD_CLIENTS
#      concurrent clients (components/s, SBOMs/s);
#   3. time to full match: first upload -> last match-snapshot job done;
#   4. incremental re-match, SETTLE after the load: CHANGES advisories of one zip revised (new
#      `modified`, new details, half with an added affected version), feed
#      sync triggered, timed until the re-match job it queues is done;
#   5. findings API: LAT_CLIENTS clients for LAT_SECONDS s on GET
#      /api/v1/findings (first page, deep keyset pages, severity, kev, asset,
#      ecosystem and text filters): p50/p90/p99/max, requests/s;
#   6. steady load: STEADY_RATE SBOMs a second of STEADY_COMPONENTS components
#      for STEADY_SECONDS s, with STEADY_READERS findings-list readers:
#      upload-to-findings (snapshot stored -> matched) p50/p99/max, the
#      match queue's depth;
#   7. memory: the server's VmHWM at the end, VmRSS sampled every 100 ms.
# Prints a table per engine and a side-by-side table with the targets; raw
# results go to $BENCH_WORK/serve/{summary,results-<engine>}.json, server
# logs to $BENCH_WORK/serve/<engine>/server.log. Loopback only: nothing is
# fetched from the internet. The workload is deterministic for SEED.
# Workload recipe: generate() in scripts/benchserve/workload.go (and the
# "The service" section of docs/benchmarks.md).
#
# Env (all optional):
#   SHARED       ../shared                 BENCH_WORK  .bench
#   ENGINES      sqlite,postgres           PG_URL      postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#                (PostgreSQL: a fresh schema bench_serve_<time> is created with psql and
#                 dropped afterwards; the server gets PG_URL&search_path=<schema>)
#   ASSETS 1000  COMPONENTS 500  SEED 42  HIT 0.08  UPLOAD_CLIENTS 4
#   CHANGES 100  CHANGE_ECO Go   LAT_CLIENTS 20  LAT_SECONDS 20  SETTLE 5s
#   WORKERS      serve --workers (default: the server's own, 2)
#   KEEP=1       keep the data directory and the PostgreSQL schema
#   PG_ANALYZE=1 ANALYZE the PostgreSQL schema before the findings-list phase
#                (what autovacuum does by itself; use it when the server runs
#                with autovacuum off, which leaves the planner without statistics)
#   VERIFY=1     also match every generated SBOM in-process to check the expected findings
#   PHASES       sync,ingest+match,rematch,findings-api,steady (the steady load alone:
#                PHASES=sync,steady — the lag figure of make bench-lag)
#   STEADY_RATE 10  STEADY_SECONDS 60  STEADY_COMPONENTS 200  STEADY_READERS 20
#   EXTRA        more flags for benchserve (see: go run ./scripts/benchserve -h)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
SHARED=${SHARED:-../shared}
BENCH_WORK=${BENCH_WORK:-$PWD/.bench}
OUT=$BENCH_WORK/serve
CORPUS=$SHARED/data/osv-corpus
KEV=$SHARED/data/kev/cisagov-kev-data/known_exploited_vulnerabilities.json
ENGINES=${ENGINES:-sqlite,postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
[ -d "$CORPUS" ] || { echo "bench-serve: $CORPUS not found: the benchmark needs ../shared beside the repo" >&2; exit 2; }
[ -f "$KEV" ] || KEV=""
if [[ ,$ENGINES, == *,postgres,* ]]; then
  command -v psql >/dev/null || { echo "bench-serve: postgres needs psql (or ENGINES=sqlite)" >&2; exit 2; }
  psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null || { echo "bench-serve: cannot reach $PG_URL (or set ENGINES=sqlite)" >&2; exit 2; }
fi
mkdir -p "$OUT"
echo "building vulndesk and benchserve"
go build -trimpath -o "$OUT/vulndesk" ./cmd/vulndesk
go build -trimpath -o "$OUT/benchserve" ./scripts/benchserve
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); $(go version | cut -d' ' -f3)"
flags=(-bin "$OUT/vulndesk" -corpus "$CORPUS" -kev "$KEV" -out "$OUT" -engines "$ENGINES" -pg-url "$PG_URL"
  -assets "${ASSETS:-1000}" -components "${COMPONENTS:-500}" -seed "${SEED:-42}" -hit "${HIT:-0.08}"
  -upload-clients "${UPLOAD_CLIENTS:-4}" -changes "${CHANGES:-100}" -change-eco "${CHANGE_ECO:-Go}"
  -lat-clients "${LAT_CLIENTS:-20}" -lat-duration "${LAT_SECONDS:-20}s" -workers "${WORKERS:-0}" -settle "${SETTLE:-5s}"
  -phases "${PHASES:-sync,ingest+match,rematch,findings-api,steady}" -steady-rate "${STEADY_RATE:-10}"
  -steady-seconds "${STEADY_SECONDS:-60}" -steady-components "${STEADY_COMPONENTS:-200}" -steady-readers "${STEADY_READERS:-20}")
[ "${KEEP:-0}" = 1 ] && flags+=(-keep)
[ "${PG_ANALYZE:-0}" = 1 ] && flags+=(-pg-analyze)
[ "${VERIFY:-0}" = 1 ] && flags+=(-verify)
# shellcheck disable=SC2086  # EXTRA is a list of flags
"$OUT/benchserve" "${flags[@]}" ${EXTRA:-} 2>&1 | tee "$OUT/bench-serve.log"
exit "${PIPESTATUS[0]}"
