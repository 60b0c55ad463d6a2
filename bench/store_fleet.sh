#!/usr/bin/env bash
# Fleet store numbers (docs/performance.md), on a real two-shard ClickHouse cluster started for
# the run (tests/e2e/store/cluster.sh) and stopped at the end:
#   - ingest, one host: the rows of a one-host log spooled while the store is down, then
#     replayed by tocsin's shipper (batches of 5,000 rows, JSONEachRow over HTTP, sync inserts
#     into the Distributed front) — beside curl POSTing the same rows, one request per table,
#     into a fresh database (the reference: the server's own insert path, no client logic)
#   - a fleet hunt over HOSTS simulated hosts x one day (bench/store_gen.py: the lab recordings
#     with shifted hosts and times), each host shipped by `tocsin hunt --sink` — beside the same
#     SELECT run with curl, and beside hunting the HOSTS logs locally (what a fleet hunt replaces)
# Checks before timing: the fleet hunt prints the union of the local hunts.
# Usage: bench/store_fleet.sh [build/tocsin] [HOSTS=100] [SESSIONS=8]
#   STORE_BENCH_LOGS=DIR keeps the generated logs in DIR (and reuses them when present).
set -euo pipefail
TOCSIN=${1:-build/tocsin}
HOSTS=${2:-100}
SESSIONS=${3:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/e2e/store/cluster.sh"
store_require
WORK=$(mktemp -d /tmp/tocsin-store-bench.XXXXXX)
trap 'cluster_down; rm -rf "$WORK"' EXIT
cluster_up
CRED=$WORK/credentials
"$TOCSIN" store init "$URL2" --cluster tocsin_fleet --credentials "$CRED" >/dev/null
"$TOCSIN" store init "$URL1" --cluster tocsin_fleet --credentials "$CRED" >/dev/null
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

LOGS=${STORE_BENCH_LOGS:-$WORK/logs}
if [ -s "$LOGS/fleet-$HOSTS-$SESSIONS/host-000.log" ] && [ -s "$LOGS/one/ingest-000.log" ]; then
  echo "== reusing the logs in $LOGS"
else
  echo "== generating $HOSTS hosts x $SESSIONS sessions (one day each)"
  python3 "$ROOT/bench/store_gen.py" "$ROOT/tests/e2e/recordings" "$LOGS/fleet-$HOSTS-$SESSIONS" "$HOSTS" "$SESSIONS"
  python3 "$ROOT/bench/store_gen.py" "$ROOT/tests/e2e/recordings" "$LOGS/one" 1 240 1795305600 ingest >/dev/null
fi
mkdir -p "$WORK/fleet"
for f in "$LOGS/fleet-$HOSTS-$SESSIONS"/host-*.log; do ln -s "$f" "$WORK/fleet/"; done
# The ingest runs write into their own databases, so the fleet database holds the fleet only.
for db in ingest ref; do
  "$TOCSIN" store init "clickhouse://127.0.0.1:$HTTP2/$db" --cluster tocsin_fleet --credentials "$CRED" >/dev/null
  "$TOCSIN" store init "clickhouse://127.0.0.1:$HTTP1/$db" --cluster tocsin_fleet --credentials "$CRED" >/dev/null
done
INGEST=clickhouse://127.0.0.1:$HTTP1/ingest

echo "== ingest, one host (rows/s)"
# The rows of one host: spooled by a hunt whose store is unreachable (port 1), then replayed.
"$TOCSIN" hunt -q --format jsonl -o /dev/null --sink "clickhouse://127.0.0.1:1/fleet" --spool "$WORK/one.spool" \
  --sink-wait 0 "$LOGS/one/ingest-000.log" 2>/dev/null || true
rows=$(wc -l <"$WORK/one.spool")
bytes=$(stat -c %s "$WORK/one.spool")
tables=(alerts copies loops helper_execs runtime_writes coverage)
for i in 0 1 2 3 4 5; do grep "^$i	" "$WORK/one.spool" | cut -f2- >"$WORK/ref.$i.jsonl" || true; done
: >"$WORK/empty.log"
best_t=""; best_c=""
for r in 1 2 3 4 5; do
  cp "$WORK/one.spool" "$WORK/replay.spool"
  t0=$(now)
  "$TOCSIN" hunt -q --format jsonl -o /dev/null --sink "$INGEST" --sink-credentials "$CRED" --spool "$WORK/replay.spool" \
    --sink-wait 120 "$WORK/empty.log" 2>"$WORK/replay.err" || true
  t1=$(now)
  [ ! -s "$WORK/replay.spool" ] || { cat "$WORK/replay.err"; echo "FAIL: the spool was not emptied"; exit 1; }
  d=$(secs "$t0" "$t1"); best_t=$(python3 -c "print(min(float('${best_t:-1e9}'), $d))")
  # Reference: the same rows with curl, one POST per table (the server's own insert path).
  t0=$(now)
  for i in 0 1 2 3 4 5; do
    [ -s "$WORK/ref.$i.jsonl" ] || continue
    curl -fsS -K - "http://127.0.0.1:$HTTP1/?database=ref&insert_distributed_sync=1&query=INSERT%20INTO%20${tables[$i]}%20FORMAT%20JSONEachRow" \
      --data-binary "@$WORK/ref.$i.jsonl" <<<"user = \"default:$STORE_PASSWORD\"" >/dev/null
  done
  t1=$(now)
  d=$(secs "$t0" "$t1"); best_c=$(python3 -c "print(min(float('${best_c:-1e9}'), $d))")
done
[ "$(sql "$HTTP1" "SELECT count() FROM ref.alerts FINAL")" = "$(sql "$HTTP1" "SELECT count() FROM ingest.alerts FINAL")" ] ||
  { echo "FAIL: the reference stored another number of alerts"; exit 1; }
echo "rows of one host, 240 sessions ($(python3 -c "print(240 // $SESSIONS)") host-days of the fleet below ($(du -m "$LOGS/one/ingest-000.log" | cut -f1) MB of log): $rows rows, $((bytes / 1000)) kB of JSON"
echo "tocsin shipper (replaying the spool, whole process): best of 5: $best_t s = $(python3 -c "print(int($rows / $best_t))") rows/s"
echo "curl, one POST per table (reference): best of 5: $best_c s = $(python3 -c "print(int($rows / $best_c))") rows/s"
best_p=""; best_s=""
for r in 1 2 3; do
  t0=$(now); "$TOCSIN" hunt -q --format jsonl -o /dev/null "$LOGS/one/ingest-000.log" || true; t1=$(now)
  d=$(secs "$t0" "$t1"); best_p=$(python3 -c "print(min(float('${best_p:-1e9}'), $d))")
  t0=$(now)
  "$TOCSIN" hunt -q --format jsonl -o /dev/null --sink "$INGEST" --sink-credentials "$CRED" --spool "$WORK/one2.spool" \
    "$LOGS/one/ingest-000.log" 2>/dev/null || true
  t1=$(now)
  d=$(secs "$t0" "$t1"); best_s=$(python3 -c "print(min(float('${best_s:-1e9}'), $d))")
done
echo "hunt of that log: best of 3: $best_p s without --sink, $best_s s with --sink (shipping its $rows rows)"

echo "== shipping $HOSTS hosts (tocsin hunt --sink, one host after the other)"
t0=$(now)
for f in "$WORK"/fleet/host-*.log; do
  h=$(basename "$f" .log)
  "$TOCSIN" hunt -q --format jsonl -o "$WORK/fleet/$h.jsonl" --sink "$URL1" --sink-credentials "$CRED" \
    --spool "$WORK/fleet.spool" "$f" 2>>"$WORK/ship.err" || true
done
t1=$(now)
echo "hunt --sink of $HOSTS host-days: $(secs "$t0" "$t1") s"
"$TOCSIN" store status "$URL1" --credentials "$CRED"

echo "== fleet hunt over $HOSTS hosts x one day"
python3 "$ROOT/tests/e2e/store/compare.py" union "$WORK/union.jsonl" "$WORK"/fleet/host-*.jsonl
best=""
for r in 1 2 3; do
  t0=$(now)
  "$TOCSIN" hunt -q --format jsonl --source "$URL1" --source-credentials "$CRED" --since 2026-11-22 --until 2026-11-23 \
    -o "$WORK/fleet.jsonl" || true
  t1=$(now)
  d=$(secs "$t0" "$t1"); best=$(python3 -c "print(min(float('${best:-1e9}'), $d))")
done
python3 "$ROOT/tests/e2e/store/compare.py" same "$WORK/union.jsonl" "$WORK/fleet.jsonl" "fleet hunt = union of $HOSTS local hunts"
echo "tocsin hunt --source (all hosts, one day): best of 3: $best s, $(grep -vc summary "$WORK/fleet.jsonl") alerts"
t0=$(now)
sql "$HTTP1" "SELECT * FROM alerts FINAL WHERE (has_time = 0 OR time_ms >= 1795305600000) AND (has_time = 0 OR time_ms <= 1795392000000) ORDER BY host, time_ms, rule, key FORMAT JSON" >"$WORK/curl.json"
t1=$(now)
echo "curl, the same SELECT (reference): $(secs "$t0" "$t1") s, $(du -k "$WORK/curl.json" | cut -f1) kB"
t0=$(now)
"$TOCSIN" hunt -q --format jsonl -o /dev/null "$WORK"/fleet/host-*.log || true
t1=$(now)
echo "local hunt of the $HOSTS logs ($(du -smL "$WORK/fleet" | cut -f1) MB) in one process: $(secs "$t0" "$t1") s"
