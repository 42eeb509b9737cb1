#!/usr/bin/env bash
# bench.sh — vulndesk against osv-scanner 2.5.0 (offline), side by side, on
# the same SBOMs and the same OSV corpus, using ../shared/bench:
#   setup-peers.sh    installs osv-scanner and builds its offline DB (once)
#   make-workloads.sh writes the SBOMs (two real, synthetic 1k/10k/100k)
#   run-peers.sh      runs both, prints wall time, peak RSS, findings, ratios
# vulndesk scans with a compiled index (vulndesk db build), its intended
# use; set VULNDESK_DB_MODE=direct to scan the corpus zips directly instead.
# Env: SHARED (../shared), BENCH_WORK (.bench), SIZES, RUNS, MATCH,
#      SKIP_OSV_SCANNER=1 (reuse osv-scanner's last results).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
export BENCH_WORK=${BENCH_WORK:-$PWD/.bench}
export SIZES=${SIZES:-"1000 10000 100000"}
CORPUS=$SHARED/data/osv-corpus
[ -d "$CORPUS" ] || { echo "bench: $CORPUS not found: the benchmark needs ../shared beside the repo" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

[ -x vulndesk ] || go build -trimpath -o vulndesk ./cmd/vulndesk
if [ ! -x "$BENCH_WORK/bin/osv-scanner" ] || [ ! -d "$BENCH_WORK/osv-db" ]; then
  "$SHARED/bench/setup-peers.sh"
fi
"$SHARED/bench/make-workloads.sh"

index=$BENCH_WORK/vulndesk.idx
./vulndesk db build --no-progress --out "$index" "$CORPUS"
if [ "${VULNDESK_DB_MODE:-index}" = direct ]; then db=$CORPUS; else db=$index; fi

# One key per matched advisory record: a merged finding (GHSA + PYSEC of one
# CVE) counts under each ID, as osv-scanner lists each.
export PROJECT_NAME=vulndesk
export PROJECT_CMD="./vulndesk scan --no-progress --fail-on none --format json --db $db"
export PROJECT_KEYS='.findings[] | .component.purl as $p | ([.evidence[].advisory] | unique[]) | "\($p) \(.)"'
"$SHARED/bench/run-peers.sh"
