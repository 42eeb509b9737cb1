#!/usr/bin/env bash
# bench-export.sh — the findings export of issue 13 with a large store, on
# SQLite and PostgreSQL: each store is filled by storetest.BulkFill with
# FINDINGS findings (scripts/benchexport; about 70% of them open), then
# served by `vulndesk serve` (its own process), and
#   GET /api/v1/findings/export?format=FORMAT&STATUS_QUERY
# is read with curl to a file. Prints, per engine: rows, bytes, seconds,
# rows/s, and the server's peak RSS (VmHWM of /proc/<pid>/status) before
# and after the export — the export's memory is the difference (the peak
# before is the server's start).
#
# Env (all optional):
#   FINDINGS 1000000   ENGINES sqlite,postgres   FORMAT csv
#   STATUS_QUERY status=all (every finding; "" for the default, open ones)
#   PG_URL   the PostgreSQL server (default
#            postgres://postgres@127.0.0.1:5432/test?sslmode=disable; a fresh
#            schema is made and dropped)
#   BENCH_WORK  where the stores, logs and files go (default .bench); the
#            export file is removed unless KEEP=1
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
FINDINGS=${FINDINGS:-1000000}
ENGINES=${ENGINES:-sqlite,postgres}
FORMAT=${FORMAT:-csv}
STATUS_QUERY=${STATUS_QUERY-status=all}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
BENCH_WORK=${BENCH_WORK:-$PWD/.bench}
OUT=$BENCH_WORK/export
mkdir -p "$OUT"
echo "bench-export: $FINDINGS findings, format $FORMAT, engines $ENGINES (filling takes minutes an engine)" >&2
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
go build -trimpath -o "$OUT/vulndesk" ./cmd/vulndesk
go build -trimpath -o "$OUT/benchexport" ./scripts/benchexport

hwm() { awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

results=()
for engine in ${ENGINES//,/ }; do
  dir=$OUT/$engine
  rm -rf "$dir"; mkdir -p "$dir"
  db=()
  schema=""
  if [ "$engine" = postgres ]; then
    schema=bench_export_$$
    psql "$PG_URL" -qAtc "CREATE SCHEMA $schema" >/dev/null
    sep='?'; [[ $PG_URL == *\?* ]] && sep='&'
    db=(--database-url "$PG_URL${sep}search_path=$schema")
  fi
  echo "== $engine: filling" >&2
  if [ "$engine" = postgres ]; then
    "$OUT/benchexport" -data-dir "$dir" -database-url "${db[1]}" -findings "$FINDINGS" >&2
  else
    "$OUT/benchexport" -data-dir "$dir" -findings "$FINDINGS" >&2
  fi
  token=$(VULNDESK_DATABASE_URL= "$OUT/vulndesk" token create --data-dir "$dir" "${db[@]}" --name bench-export --role admin)
  VULNDESK_DATABASE_URL= "$OUT/vulndesk" serve --empty --addr 127.0.0.1:0 --data-dir "$dir" "${db[@]}" >"$dir/stdout.log" 2>"$dir/server.log" &
  pid=$!
  base=""
  for _ in $(seq 600); do
    base=$(sed -n 's/^vulndesk listening on //p' "$dir/stdout.log" | head -1)
    [ -n "$base" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "the server exited; see $dir/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$base" ] || { echo "the server did not start; see $dir/server.log" >&2; kill "$pid"; exit 1; }
  sleep 1
  before=$(hwm "$pid")
  echo "== $engine: exporting from $base (server pid $pid, VmHWM $before MiB)" >&2
  file=$dir/findings.$FORMAT
  read -r code bytes secs < <(curl -sS -H "Authorization: Bearer $token" -o "$file" -w '%{http_code} %{size_download} %{time_total}\n' \
    "$base/api/v1/findings/export?format=$FORMAT${STATUS_QUERY:+&$STATUS_QUERY}")
  after=$(hwm "$pid")
  kill "$pid"; wait "$pid" || true
  [ "$code" = 200 ] || { echo "the export answered $code: $(head -c 300 "$file")" >&2; exit 1; }
  case $FORMAT in
    csv) rows=$(( $(wc -l <"$file") - 1 )) ;; # no row of the bulk store holds a newline
    ndjson) rows=$(wc -l <"$file") ;;
    json) rows=$(grep -c '^{' "$file" || true) ;;
  esac
  [ "${KEEP:-0}" = 1 ] || rm -f "$file"
  [ -n "$schema" ] && psql "$PG_URL" -qAtc "DROP SCHEMA $schema CASCADE" >/dev/null
  results+=("$(printf '%-9s %9d %12d %8.1f %10.0f %12d %12d' "$engine" "$rows" "$bytes" "$secs" "$(echo "$rows / $secs" | bc -l)" "$before" "$after")")
  echo "== $engine: ${results[-1]}" >&2
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '\n%-9s %9s %12s %8s %10s %12s %12s\n' engine rows bytes seconds rows/s "VmHWM before" "VmHWM after"
printf '%s\n' "${results[@]}"
echo "(VmHWM in MiB: the server's peak resident memory before the export, after its start, and after the export)"
