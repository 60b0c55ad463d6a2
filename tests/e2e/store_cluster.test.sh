#!/usr/bin/env bash
# End-to-end: the fleet store on a real two-shard ClickHouse cluster (two clickhouse-server
# processes on loopback, started once for this script and stopped by pid at the end; a
# Distributed front over both, rows sharded by host; a password read from a file).
#   1. every lab recording (tests/e2e/recordings/*.log.gz), tagged as its own host, hunted
#      locally with --sink: the fleet hunt of that host (--source --host) prints the same alert
#      lines; the fleet hunt of every host prints the union of the local hunts; a --sink run
#      prints what a run without it prints; the text report (copies with their verdicts) too
#   2. a recording shipped twice is stored once (counts with duplicates merged are unchanged)
#   3. baseline train --source writes the same model, byte for byte, as local training on the
#      same logs
#   4. watch --sink while the server it ships to is stopped: rows are spooled, the server
#      restarted, the spool replayed; then the store holds exactly the alerts watch printed
#      (count and lines), nothing lost, nothing doubled
#   TLS: the fleet hunt over clickhouses:// with the test's CA (?ca=); refused without it
#   5. a shard killed mid-query (stopped with SIGSTOP while the fleet hunt waits on it, then
#      SIGKILL): a clear partial-result error and exit 2, no alert printed; the same for a shard
#      already down, and for baseline train --source
# Needs clickhouse-server (scripts/install-deps --store); skips without it, except in CI.
set -euo pipefail
TOCSIN=${1:?usage: store_cluster.test.sh /path/to/tocsin}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REC=$ROOT/tests/e2e/recordings
CMP="python3 $ROOT/tests/e2e/store/compare.py"
source "$ROOT/tests/e2e/store/cluster.sh"
store_require
WORK=$(mktemp -d /tmp/tocsin-store.XXXXXX)
wpid=""
cleanup() {
  if [ -n "$wpid" ]; then kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; fi
  cluster_down
  rm -rf "$WORK"
}
trap cleanup EXIT
cluster_up
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
C=(--sink-credentials "$WORK/credentials")
S=(--source-credentials "$WORK/credentials")

"$TOCSIN" store init "$URL2" --cluster tocsin_fleet --credentials "$WORK/credentials" >"$WORK/init2.out"
"$TOCSIN" store init "$URL1" --cluster tocsin_fleet --credentials "$WORK/credentials" >"$WORK/init1.out"
# Twice: a migrated store is left as it is.
"$TOCSIN" store init "$URL1" --cluster tocsin_fleet --credentials "$WORK/credentials" | grep -q "nothing to do" ||
  fail "a second store init changed something"

# --- 1. local hunt = fleet hunt, per recording and for the whole fleet
shopt -s nullglob
logs=("$REC"/*.log.gz)
[ ${#logs[@]} -gt 0 ] || { echo "FAIL: no recordings in $REC"; exit 1; }
locals=()
for log in "${logs[@]}"; do
  base=$(basename "$log" .log.gz)
  host=rec-${base//./-}
  zcat "$log" | sed "s/^/node=$host /" >"$WORK/$base.log"
  rc=0; "$TOCSIN" hunt --format jsonl -o "$WORK/$base.plain.jsonl" "$WORK/$base.log" 2>/dev/null || rc=$?
  [ "$rc" -le 1 ] || fail "$base: plain hunt exit $rc"
  rc=0
  "$TOCSIN" hunt --format jsonl -o "$WORK/$base.local.jsonl" --sink "$URL1" "${C[@]}" --spool "$WORK/hunt.spool" \
    "$WORK/$base.log" 2>"$WORK/$base.sink.err" || rc=$?
  [ "$rc" -le 1 ] || { cat "$WORK/$base.sink.err"; fail "$base: hunt --sink exit $rc"; }
  grep -q "stay spooled" "$WORK/$base.sink.err" && fail "$base: rows left in the spool with the store up"
  $CMP same "$WORK/$base.plain.jsonl" "$WORK/$base.local.jsonl" "$base: hunt with --sink prints what hunt prints" >/dev/null ||
    fail "$base: --sink changed the local report"
  rc=0
  "$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --host "$host" --since 2000-01-01 \
    >"$WORK/$base.fleet.jsonl" 2>"$WORK/$base.fleet.err" || rc=$?
  [ "$rc" -le 1 ] || { cat "$WORK/$base.fleet.err"; fail "$base: fleet hunt exit $rc"; }
  n=$(grep -vc '"summary"' "$WORK/$base.local.jsonl" || true)
  [ "$n" -gt 0 ] || fail "$base: the local hunt found nothing to compare"
  $CMP same "$WORK/$base.local.jsonl" "$WORK/$base.fleet.jsonl" "$base: local hunt = fleet hunt --host $host" || fails=$((fails + 1))
  locals+=("$WORK/$base.local.jsonl")
done
$CMP union "$WORK/union.jsonl" "${locals[@]}"
"$TOCSIN" hunt --format jsonl --source "$URL2" "${S[@]}" --since 2000-01-01 >"$WORK/fleet-all.jsonl" 2>"$WORK/fleet-all.err" || true
$CMP same "$WORK/union.jsonl" "$WORK/fleet-all.jsonl" "fleet hunt of every host (through the other shard) = union of ${#locals[@]} local hunts" ||
  fails=$((fails + 1))
# The text report too: a copy with its verdicts, the same as the local one.
# A local hunt ends with the coverage section, decided per log; the store keeps coverage per host
# and hour and a fleet report has no such section: compare what comes before it.
"$TOCSIN" hunt --format text "$WORK/race-to.raw.log" 2>/dev/null |
  python3 -c 'import sys; t = sys.stdin.read(); i = t.find("\ncoverage (what this log"); sys.stdout.write(t if i < 0 else t[:i])' \
  >"$WORK/local.txt" || true
grep -q "^coverage (" "$WORK/local.txt" && fail "the local report's coverage section was not cut"
"$TOCSIN" hunt --format text --source "$URL1" "${S[@]}" --host rec-race-to-raw --since 2000-01-01 >"$WORK/fleet.txt" 2>/dev/null || true
if grep -q "verdict:   AU003" "$WORK/local.txt" && cmp -s "$WORK/local.txt" "$WORK/fleet.txt"; then
  echo "ok   text report of a fleet hunt = the local one (race-to.raw, $(grep -c '^copy' "$WORK/local.txt") copies)"
else
  diff "$WORK/local.txt" "$WORK/fleet.txt" | head -10; fail "text report of a fleet hunt differs from the local one"
fi
# Both shards hold rows (sharded by host), so the fleet answer needed both.
for p in "$HTTP1" "$HTTP2"; do
  n=$(sql "$p" "SELECT count() FROM alerts_local")
  [ "$n" -gt 0 ] || fail "shard on port $p holds no alert rows: the cluster is not exercised"
done
# Filters are pushed down: one rule, one window.
rc=0; "$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --select AU004 --since 2000-01-01 >"$WORK/au004.jsonl" || rc=$?
[ "$rc" = 1 ] || fail "--select AU004 over the fleet: exit $rc (critical alerts: 1)"
want=$(cat "${locals[@]}" | grep -c '"rule":"AU004"' || true)
got=$(grep -c '"rule":"AU004"' "$WORK/au004.jsonl" || true)
other=$(grep -v '"summary"' "$WORK/au004.jsonl" | grep -vc '"rule":"AU004"' || true)
if [ "$want" -gt 0 ] && [ "$got" = "$want" ] && [ "$other" = 0 ]; then echo "ok   --select AU004 over the fleet: $got alerts"
else fail "--select AU004 over the fleet: $got (want $want), $other others"; fi
rc=0; "$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --since 2100-01-01 >"$WORK/none.jsonl" || rc=$?
[ "$rc" = 0 ] && [ "$(grep -vc '"summary"' "$WORK/none.jsonl" || true)" = 0 ] && grep -q '"summary"' "$WORK/none.jsonl" &&
  echo "ok   --since in the future: no alert, exit 0" || fail "--since 2100: exit $rc or alerts"

# --- TLS: clickhouses:// with the test's CA; without it the server's certificate is refused.
TLS="clickhouses://127.0.0.1:$HTTPS1/fleet?ca=$WORK/tls.crt"
rc=0; "$TOCSIN" hunt --format jsonl --source "$TLS" "${S[@]}" --host rec-race-to-raw --since 2000-01-01 \
  >"$WORK/tls.jsonl" 2>"$WORK/tls.err" || rc=$?
[ "$rc" = 1 ] && $CMP same "$WORK/race-to.raw.local.jsonl" "$WORK/tls.jsonl" "fleet hunt over TLS (clickhouses://, ?ca=)" ||
  { cat "$WORK/tls.err"; fail "fleet hunt over TLS: exit $rc"; }
rc=0; "$TOCSIN" store status "clickhouses://127.0.0.1:$HTTPS1/fleet" --credentials "$WORK/credentials" >/dev/null 2>"$WORK/notrust.err" || rc=$?
[ "$rc" = 2 ] && grep -qi "certificate\|SSL" "$WORK/notrust.err" && echo "ok   TLS without the CA: refused ($(head -c 100 "$WORK/notrust.err"))" ||
  fail "TLS without the CA: exit $rc"

# --- 2. shipped twice, stored once
before=$("$TOCSIN" store status "$URL1" --credentials "$WORK/credentials")
base=$(basename "${logs[0]}" .log.gz)
"$TOCSIN" hunt --format jsonl -o /dev/null --sink "$URL1" "${C[@]}" --spool "$WORK/hunt.spool" "$WORK/$base.log" 2>/dev/null || true
after=$("$TOCSIN" store status "$URL1" --credentials "$WORK/credentials")
raw=$(sql "$HTTP1" "SELECT count() FROM alerts")
final=$(sql "$HTTP1" "SELECT count() FROM alerts FINAL")
if [ "$before" = "$after" ] && [ "$(wc -l <"$WORK/union.jsonl")" = "$final" ]; then
  echo "ok   $base shipped twice: rows stored once ($final alerts; $raw physical rows before merges)"
else
  fail "shipped twice: before [$before] after [$after], $final alerts vs $(wc -l <"$WORK/union.jsonl") printed"
fi

# --- 3. fleet baseline = local baseline
all_logs=()
for log in "${logs[@]}"; do all_logs+=("$WORK/$(basename "$log" .log.gz).log"); done
"$TOCSIN" baseline train --timezone Europe/Berlin -q -o "$WORK/local.model" "${all_logs[@]}"
"$TOCSIN" baseline train --timezone Europe/Berlin -q -o "$WORK/fleet.model" --source "$URL2" "${S[@]}"
copies=$(grep -c . "$WORK/local.model" || true)
if cmp -s "$WORK/local.model" "$WORK/fleet.model" && grep -q $'^c\t[0-9]*\t\*\t\*\tn' "$WORK/local.model"; then
  echo "ok   baseline train --source = local training ($copies model lines, identical)"
else
  diff "$WORK/local.model" "$WORK/fleet.model" | head -10; fail "fleet baseline differs from the local one"
fi

# --- 4. watch --sink across a stop of the server it ships to
wlog=$WORK/live.log
: >"$wlog"
zcat "$REC/race-to.enriched.log.gz" | sed "s/^/node=watch-host /" >"$WORK/watch-all.log"
total=$(wc -l <"$WORK/watch-all.log")
third=$((total / 3))
"$TOCSIN" watch --audit-log "$wlog" --from-start --poll-ms 20 --idle-flush-ms 300 --format jsonl \
  -o "$WORK/watch.jsonl" --sink "$URL1" "${C[@]}" --spool "$WORK/watch.spool" --sink-wait 30 2>"$WORK/watch.err" &
wpid=$!
sleep 0.5
sed -n "1,${third}p" "$WORK/watch-all.log" >>"$wlog"
sleep 2
shard_stop 1
sed -n "$((third + 1)),$((2 * third))p" "$WORK/watch-all.log" >>"$wlog"
spooled=0
for ((i = 0; i < 100; i++)); do
  if [ -s "$WORK/watch.spool" ]; then spooled=1; break; fi
  sleep 0.2
done
[ "$spooled" = 1 ] && echo "ok   server stopped: watch spooled $(stat -c %s "$WORK/watch.spool") bytes" || fail "watch spooled nothing while the server was down"
shard_start 1
sed -n "$((2 * third + 1)),\$p" "$WORK/watch-all.log" >>"$wlog"
for ((i = 0; i < 150; i++)); do
  [ -s "$WORK/watch.spool" ] || break
  sleep 0.2
done
sleep 3
kill -TERM "$wpid"; wrc=0; wait "$wpid" || wrc=$?; wpid=""
[ "$wrc" -le 1 ] || { cat "$WORK/watch.err"; fail "watch exit $wrc"; }
grep -q "spooling" "$WORK/watch.err" || fail "watch did not say it spooled"
grep -q "stay spooled" "$WORK/watch.err" && fail "watch left rows in the spool"
"$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --host watch-host --since 2000-01-01 >"$WORK/watch-fleet.jsonl" || true
printed=$(grep -v '"summary"' "$WORK/watch.jsonl" | grep -vc '"stage":"early"' || true)  # final records
stored=$(sql "$HTTP1" "SELECT count() FROM alerts FINAL WHERE host = 'watch-host'")
if [ "$printed" -gt 0 ] && [ "$printed" = "$stored" ]; then echo "ok   watch across the outage: $printed alerts printed, $stored stored"
else fail "watch across the outage: $printed alerts printed, $stored stored"; fi
diff <($CMP ids "$WORK/watch.jsonl" | sort) <($CMP ids "$WORK/watch-fleet.jsonl" | sort) >/dev/null &&
  echo "ok   watch across the outage: the same alert ids" || fail "watch across the outage: alert ids differ"
$CMP same "$WORK/watch.jsonl" "$WORK/watch-fleet.jsonl" "watch output = fleet hunt of its host" || fails=$((fails + 1))
# Copy rows came with them: one per AU001.
cp_rows=$(sql "$HTTP1" "SELECT count() FROM copies FINAL WHERE host = 'watch-host'")
au001=$(grep -v '"stage":"early"' "$WORK/watch.jsonl" | grep -c '"rule":"AU001"' || true)
[ "$cp_rows" = "$au001" ] && echo "ok   $cp_rows copy rows for $au001 AU001" || fail "$cp_rows copy rows for $au001 AU001"

# --- 5. a shard killed mid-query, a shard down
kill -STOP "$PID2"
rc=0
"$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --since 2000-01-01 >"$WORK/partial.jsonl" 2>"$WORK/partial.err" &
hpid=$!
sleep 1.5
kill -0 "$hpid" 2>/dev/null || fail "the fleet hunt did not wait on the stopped shard"
kill -KILL "$PID2"
wait "$hpid" || rc=$?
PID2=""
if [ "$rc" = 2 ] && grep -q "fleet query failed" "$WORK/partial.err" && [ "$(grep -vc '"summary"' "$WORK/partial.jsonl" || true)" = 0 ]; then
  echo "ok   shard killed mid-query: exit 2, no partial answer ($(head -c 160 "$WORK/partial.err"))"
else
  cat "$WORK/partial.err"; fail "shard killed mid-query: exit $rc, $(grep -vc '"summary"' "$WORK/partial.jsonl" || true) lines"
fi
rc=0; "$TOCSIN" hunt --format jsonl --source "$URL1" "${S[@]}" --since 2000-01-01 >"$WORK/down.jsonl" 2>"$WORK/down.err" || rc=$?
[ "$rc" = 2 ] && [ ! -s "$WORK/down.jsonl" ] && echo "ok   shard down: exit 2 ($(head -c 120 "$WORK/down.err"))" || fail "shard down: exit $rc"
rc=0; "$TOCSIN" baseline train -q -o "$WORK/partial.model" --source "$URL1" "${S[@]}" 2>"$WORK/bdown.err" || rc=$?
[ "$rc" = 2 ] && [ ! -e "$WORK/partial.model" ] && echo "ok   shard down: baseline train --source exit 2" || fail "shard down: baseline train exit $rc"

[ "$fails" -eq 0 ] || { echo "FAIL: $fails check(s)"; exit 1; }
echo "store cluster: all checks passed"
