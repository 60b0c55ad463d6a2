#!/usr/bin/env bash
# `tocsin watch` on the lab's live audit log: copies made with `docker cp` while watch runs give
# one AU001 each within 2 s; the lab's auditd rotates its log mid-run (SIGUSR1 to the auditd
# the lab started, by its recorded pid) and watch is restarted with --state while copies
# continue — every copy is alerted exactly once. With a swap loop racing some copies in the
# victim container, AU003/AU004 appear too (reported, the race outcome is random).
# Starts the lab when it is not running (and then takes it down); needs root.
set -euo pipefail
TOCSIN=${1:?usage: runtime_watch_live.test.sh path/to/tocsin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
KEY=tocsin-lab-rtwatch
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; [ "${CI:-}" = true ] && { echo "FAIL: CI must run this lab test"; exit 1; }; exit 0; }
command -v auditctl >/dev/null || { echo "SKIP: no auditctl"; [ "${CI:-}" = true ] && { echo "FAIL: CI must run this lab test"; exit 1; }; exit 0; }
work=$(mktemp -d /tmp/tocsin-watch-live.XXXXXX)
started_lab=0 wpid=""
cleanup() {
  if [ -n "$wpid" ]; then kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; fi
  auditctl -D -k "$KEY" >/dev/null 2>&1 || true
  "$DOCKER" rm -f tocsin-lab-rtwatch >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! [ -s "$STATE/auditd.pid" ] || ! kill -0 "$(cat "$STATE/auditd.pid")" 2>/dev/null; then
  "$ROOT/scripts/lab" up >"$work/up.log" 2>&1 || { cat "$work/up.log"; echo "FAIL: lab up"; exit 1; }
  started_lab=1
fi
AUDITD_PID=$(cat "$STATE/auditd.pid")
[ "$(readlink /proc/$AUDITD_PID/exe)" = /usr/sbin/auditd ] || { echo "FAIL: $AUDITD_PID is not the lab auditd"; exit 1; }
LOG=$STATE/log/audit.log
[ -f "$LOG" ] || { echo "FAIL: no lab log at $LOG"; exit 1; }

"$DOCKER" rm -f tocsin-lab-rtwatch >/dev/null 2>&1 || true
"$DOCKER" run -d --network none --name tocsin-lab-rtwatch tocsin-lab:1 /bin/sleep 600 >/dev/null
for s in execve execveat; do
  auditctl -a always,exit -F arch=b64 -S "$s" -F exe=/usr/bin/docker -k "$KEY"
  auditctl -a always,exit -F arch=b64 -S "$s" -F exe=/usr/sbin/dockerd -k "$KEY"
done
echo hello >"$work/payload"

start_watch() {
  "$TOCSIN" watch --audit-log "$LOG" --state "$work/state.json" --poll-ms 20 --format jsonl \
    >>"$work/alerts.jsonl" 2>>"$work/watch.err" &
  wpid=$!
  sleep 0.5
}
stop_watch() { kill -TERM "$wpid"; wait "$wpid" || true; wpid=""; }
n=0
latencies=()
copy() {  # one docker cp; waits for its AU001 and records the latency
  n=$((n + 1))
  local before t0 t1
  before=$(grep -c '"rule":"AU001"' "$work/alerts.jsonl" 2>/dev/null || true)
  t0=$(date +%s%N)
  "$DOCKER" cp "$work/payload" "tocsin-lab-rtwatch:/tmp/p$n"
  for ((i = 0; i < 100; i++)); do
    [ "$(grep -c '"rule":"AU001"' "$work/alerts.jsonl" 2>/dev/null || true)" -gt "${before:-0}" ] && break
    sleep 0.02
  done
  t1=$(date +%s%N)
  latencies+=($(( (t1 - t0) / 1000000 )))
}

: >"$work/alerts.jsonl"
start_watch
copy; copy; copy
kill -USR1 "$AUDITD_PID"            # auditd rotates: audit.log -> audit.log.1
sleep 0.5
copy; copy
stop_watch                          # restart with --state while copies go on
copy; copy
start_watch
copy; copy
sleep 1
stop_watch

# Final records (each copy is also written early, at its client's exec: counted apart).
early=$(grep '"rule":"AU001","stage":"early"' "$work/alerts.jsonl" | python3 -c 'import sys,json; print(len({tuple(json.loads(l)["event_ids"][:1]) for l in sys.stdin}))')
got=$(grep -v '"stage":"early"' "$work/alerts.jsonl" | grep -c '"rule":"AU001"' || true)
uniq=$(grep -v '"stage":"early"' "$work/alerts.jsonl" | grep '"rule":"AU001"' | python3 -c 'import sys,json; print(len({tuple(json.loads(l)["event_ids"]) for l in sys.stdin}))')
echo "copies=$n AU001=$got unique=$uniq latency_ms(copy start -> its first AU001 record, the early one)=${latencies[*]}"
grep -E "rotated|resuming" "$work/watch.err" | sed 's/^/  /' || true
fail=0
[ "$got" = "$n" ] && [ "$uniq" = "$n" ] || { echo "FAIL: want exactly $n AU001"; fail=1; }
[ "$early" = "$n" ] || { echo "FAIL: want an early AU001 for each of the $n copies, got $early"; fail=1; }
grep -q rotated "$work/watch.err" || { echo "FAIL: the rotation was not seen"; fail=1; }
for i in 0 1 2 3 4 7 8; do   # copies made while watch ran: alert within 2 s of the copy
  [ "${latencies[$i]}" -le 2000 ] || { echo "FAIL: copy $((i + 1)) alerted after ${latencies[$i]} ms"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS runtime_watch_live" || { tail -20 "$work/watch.err"; }
exit $fail
