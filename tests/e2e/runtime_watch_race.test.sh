#!/usr/bin/env bash
# `tocsin watch --audit-log --docker` on the lab's live audit log while a swap loop (the victim's
# /bin/swap, renameat2 RENAME_EXCHANGE of /w/dir and /w/dir-link) races `docker cp` copies into
# the container. Asserted against the truth read from the same log (tests/e2e/lab/truth.py:
# client execve, the daemon's docker-untar helper and the a1 it resolved, the loop's renames):
# - every copy made while the loop ran gets one AU003 within 2 s of the copy command returning;
# - every won race (helper a1 resolved to another directory than requested) gets one AU004
#   within 2 s, and no copy that was not won gets one (a run where nothing was won expects zero);
# - no alert is repeated (same rule + same copy path / event ids);
# - a copy made before the loop started and copies made after it stopped get no AU003.
# Latency = wall clock when the alert line was read from watch's stdout minus wall clock when
# the copy command returned; max and p50 are printed. Starts the lab when it is not running
# (and then takes it down); removes its rules and container either way. Needs root.
set -euo pipefail
TOCSIN=${1:?usage: runtime_watch_race.test.sh path/to/tocsin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
KEY=tocsin-lab-rtrace
CTR=tocsin-lab-rtrace
NCOPIES=${TOCSIN_RACE_COPIES:-10}
NAFTER=3
SWAP_INTERVAL_US=${TOCSIN_RACE_SWAP_INTERVAL_US:-800}
LIMIT_MS=${TOCSIN_RACE_LIMIT_MS:-2000}
# shellcheck source=lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require

work=$(mktemp -d /tmp/tocsin-watch-race.XXXXXX)
started_lab=0 wpid="" rpid="" rootfs="" victim_mntns=""
# The swap loop's pids: /proc/PID/exe of a container process reads as the path inside the
# container (/bin/swap), so it is told apart from other programs of that name by its mount
# namespace, the victim's.
swap_pids() {
  [ -n "$victim_mntns" ] || return 0
  local d
  for d in /proc/[0-9]*; do
    [ "$(readlink "$d/exe" 2>/dev/null)" = /bin/swap ] && [ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$victim_mntns" ] &&
      echo "${d#/proc/}"
  done
  return 0
}
stop_swap() {
  local p i
  for p in $(swap_pids); do kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 100; i++)); do
    [ -z "$(swap_pids)" ] && return 0
    sleep 0.1
  done
  echo "FAIL: the swap loop did not stop"
  return 1
}
cleanup() {
  if [ -n "$wpid" ]; then kill "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; fi
  if [ -n "$rpid" ]; then wait "$rpid" 2>/dev/null || true; fi
  auditctl -D -k "$KEY" >/dev/null 2>&1 || true
  stop_swap || true
  "$DOCKER" rm -f "$CTR" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
lab_ensure_up "$work"
LOG=$STATE/log/audit.log
[ -f "$LOG" ] || { echo "FAIL: no lab log at $LOG"; exit 1; }
"$DOCKER" image inspect tocsin-lab:1 >/dev/null 2>&1 || { echo "FAIL: lab image tocsin-lab:1 missing"; exit 1; }

# The victim, and the host path of its root (vfs: the "/" line of its mountinfo).
"$DOCKER" rm -f "$CTR" >/dev/null 2>&1 || true
cid=$("$DOCKER" run -d --network none --name "$CTR" tocsin-lab:1 /bin/sleep 600)
for ((i = 0; i < 50; i++)); do
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$CTR")
  [ "${pid:-0}" != 0 ] && break
  sleep 0.1
done
rootfs=$(awk '$5 == "/" {print $4; exit}' "/proc/$pid/mountinfo")
victim_mntns=$(readlink "/proc/$pid/ns/mnt")
[ -x "$rootfs/bin/swap" ] || { echo "FAIL: cannot find the victim's rootfs ($rootfs)"; exit 1; }

# Scoped rules: the client's and the daemon's execs (copy + helper a1), the swap loop's renames.
auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe="$DOCKER" -k "$KEY"
auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe=/usr/sbin/dockerd -k "$KEY"
auditctl -a always,exit -F arch=b64 -S rename,renameat,renameat2 -F exe="$rootfs/bin/swap" -k "$KEY"
auditctl -l | grep "key=$KEY" >"$work/rules.txt"
start_off=$(stat -c %s "$LOG")
start_ts=$(date -u +%FT%TZ)

# watch, its stdout stamped with the wall clock of each line as it is read.
mkfifo "$work/out.fifo"
python3 -u -c '
import sys, time
out = open(sys.argv[1], "w", buffering=1)
for line in sys.stdin:
    out.write("%.3f\t%s" % (time.time(), line))
' "$work/alerts.ts" <"$work/out.fifo" &
rpid=$!
"$TOCSIN" watch --audit-log "$LOG" --docker --poll-ms 20 --format jsonl >"$work/out.fifo" 2>"$work/watch.err" &
wpid=$!
sleep 1
kill -0 "$wpid" 2>/dev/null || { cat "$work/watch.err"; echo "FAIL: watch exited"; exit 1; }

echo 'payload from the host' >"$work/payload"
: >"$work/copies.tsv"
n=0
copy() {  # one docker cp into the victim, logged as scripts/lab does (truth.py reads it)
  n=$((n + 1))
  local dst="$CTR:/w/dir/payload$n" t0 t1 rc=0
  t0=$EPOCHREALTIME
  "$DOCKER" cp "$work/payload" "$dst" 2>"$work/err.$n" || rc=$?
  t1=$EPOCHREALTIME
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t0" "$t1" to-container "/w/dir/payload$n" \
    "$work/payload" "$dst" "$rc" "$work/err.$n" >>"$work/copies.tsv"
}

copy                                   # before the loop
sleep 1.5
"$DOCKER" exec -d "$CTR" /bin/swap -t 60 -i "$SWAP_INTERVAL_US" /w/dir /w/dir-link
sleep 0.5
for ((k = 0; k < NCOPIES; k++)); do copy; done
stop_swap
sleep 1.5                              # the loop is over well before the next copies
for ((k = 0; k < NAFTER; k++)); do copy; done
sleep 3                                # late alerts would show up here (and fail the 2 s bound)
kill -TERM "$wpid"; wait "$wpid" || true; wpid=""
wait "$rpid" || true; rpid=""
auditctl -D -k "$KEY" >/dev/null 2>&1 || true
left=$(auditctl -l | grep -c "key=$KEY" || true)
lab_cut_log "$LOG" "$start_off" "$KEY" "$work/audit.log"
python3 "$ROOT/tests/e2e/lab/truth.py" --scenario watch-race --format ENRICHED --log "$work/audit.log" \
  --copies "$work/copies.tsv" --container "$CTR" --container-id "$cid" --rootfs "$rootfs" \
  --recorded "$start_ts" --log-name live --rules "$work/rules.txt" --docker "$DOCKER" >"$work/truth.json"

fail=0
python3 - "$work/truth.json" "$work/alerts.ts" "$work/copies.tsv" "$LIMIT_MS" "$NCOPIES" $((NAFTER + 1)) <<'PY' || fail=1
import collections, datetime, json, sys
truth = json.load(open(sys.argv[1]))
limit = int(sys.argv[4])
ends = {}  # requested path -> wall clock (s) when the copy command returned
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split("\t")
    ends[f[3]] = float(f[1])
alerts, early = [], []  # final records; early records (docs/live.md), checked apart below
for line in open(sys.argv[2]):
    ts, _, body = line.partition("\t")
    body = body.strip()
    if body and '"rule"' in body:  # alerts only: not the summary at exit, nor {"coverage": …} lines
        a = json.loads(body)
        if "rule" not in a: continue
        (early if a.get("stage") == "early" else alerts).append((float(ts), a))
def t(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
swap = truth["swap"]
bad = []
if not swap:
    print("FAIL: the log shows no swap loop"); sys.exit(1)
s0, s1 = t(swap["first"]), t(swap["last"])
during, outside, won = [], [], []
for c in truth["copies"]:
    if not c["client"]:
        bad.append(f"copy {c['index']} ({c['requested_path']}): no client execve in the log")
        continue
    c0, c1 = t(c["start"]), t(c["end"])
    if s0 <= c0 and c1 <= s1:
        during.append(c)
    elif c1 + 0.5 < s0 or c0 > s1 + 0.5:
        outside.append(c)
    else:
        bad.append(f"copy {c['index']} straddles the loop ({c['start']}..{c['end']} vs {swap['first']}..{swap['last']})")
    if c["won"]:
        won.append(c)
if len(during) != int(sys.argv[5]) or len(outside) != int(sys.argv[6]):
    bad.append(f"schedule: want {sys.argv[5]} copies during the loop and {sys.argv[6]} outside, the log shows "
               f"{len(during)} and {len(outside)}")
print(f"loop: pid {swap['pid']} {swap['count']} swaps in {swap['duration_ms']} ms; copies: "
      f"{len(during)} during the loop, {len(outside)} outside, won {len(won)} "
      f"({[c['index'] for c in won]}: {[c['resolved_path'] for c in won]})")
by = collections.defaultdict(list)
keys = collections.Counter()
for ts, a in alerts:
    path = (a.get("docker_cp") or {}).get("path")
    by[(a["rule"], path)].append((ts, a))
    keys[(a["rule"], path, tuple(a.get("event_ids", [])))] += 1
for k, v in keys.items():
    if v > 1:
        bad.append(f"duplicate alert {k} x{v}")
for (rule, path), v in by.items():
    if rule in ("AU001", "AU003", "AU004") and len(v) > 1:
        bad.append(f"{rule} for {path} reported {len(v)} times")
lat = collections.defaultdict(list)
def expect(rule, c, want):
    got = by.get((rule, c["requested_path"]), [])
    if want and not got:
        bad.append(f"{rule} missing for copy {c['index']} {c['requested_path']}")
    if not want and got:
        bad.append(f"{rule} for copy {c['index']} {c['requested_path']} (not expected): {got[0][1]['message']}")
    for ts, a in got[:1]:
        if want:
            ms = int(round((ts - ends[c["requested_path"]]) * 1000))
            lat[rule].append(ms)
            if ms > limit:
                bad.append(f"{rule} for copy {c['index']} came {ms} ms after the copy returned (limit {limit})")
            if c["client"]["event_id"] not in a.get("event_ids", []):
                bad.append(f"{rule} for copy {c['index']} does not name the client's execve {c['client']['event_id']}")
for c in truth["copies"]:
    if not c["client"]:
        continue
    expect("AU001", c, True)
    expect("AU003", c, c in during)
    expect("AU004", c, bool(c["won"]))
    if c["won"] and c["helper"]:
        got = by.get(("AU004", c["requested_path"]), [])
        if got and (got[0][1].get("docker_cp") or {}).get("resolved_path") != c["resolved_path"]:
            bad.append(f"AU004 for copy {c['index']}: resolved_path {(got[0][1].get('docker_cp') or {}).get('resolved_path')} != log {c['resolved_path']}")
known = {c["requested_path"] for c in truth["copies"]}
for (rule, path), v in by.items():
    if rule in ("AU003", "AU004") and path not in known:
        bad.append(f"{rule} for a path no copy of this test used: {path}")
def p50(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None
for rule in ("AU001", "AU003", "AU004"):
    xs = lat[rule]
    print(f"latency {rule} (copy returned -> alert read): n={len(xs)} max={max(xs) if xs else '-'} ms "
          f"p50={p50(xs) if xs else '-'} ms all={xs}")
print("alerts:", dict(sorted(collections.Counter(a['rule'] for _, a in alerts).items())))
# Early records: AU001 and AU003 of every copy that has the final one, AU004 of every won copy
# (the helper's a1 shows it), each read before its final record, none without one; the loop's
# AU002 early, before the loop's final record. Their latency from the copy's return can be
# negative: the verdict comes while the copy still runs.
final_at = {(a["rule"], a["event_ids"][0]): ts for ts, a in alerts if a.get("event_ids")}
early_lat = collections.defaultdict(list)
seen = set()
for ts, a in early:
    k = (a["rule"], a["event_ids"][0])
    if k in seen:
        bad.append(f"early record repeated: {k}")
    seen.add(k)
    if a["rule"] != "AU002" and k not in final_at:
        bad.append(f"early {a['rule']} without a final record: {a['message']}")
    elif k in final_at and ts > final_at[k]:
        bad.append(f"early {a['rule']} read after its final record: {a['message']}")
    path = (a.get("docker_cp") or {}).get("path")
    if path in ends:
        early_lat[a["rule"]].append(int(round((ts - ends[path]) * 1000)))
for ts, a in alerts:
    k = (a["rule"], a["event_ids"][0])
    if a["rule"] in ("AU001", "AU002", "AU003") and k not in seen:
        bad.append(f"{a['rule']} final record without its early one: {a['message']}")
for c in won:
    if c["helper"] and not any(r == "AU004" and (a.get("docker_cp") or {}).get("path") == c["requested_path"]
                               for r, a in ((a["rule"], a) for _, a in early)):
        bad.append(f"no early AU004 for won copy {c['index']} {c['requested_path']}")
for rule in ("AU001", "AU003", "AU004"):
    xs = early_lat[rule]
    print(f"latency early {rule} (copy returned -> early record read): n={len(xs)} max={max(xs) if xs else '-'} ms "
          f"p50={p50(xs) if xs else '-'} ms")
print("early records:", dict(sorted(collections.Counter(a['rule'] for _, a in early).items())))
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
if grep -qi "error\|cannot" "$work/watch.err"; then echo "watch stderr:"; sed 's/^/  /' "$work/watch.err"; fi
[ "$left" = 0 ] || { echo "FAIL: $left audit rules with key $KEY left behind"; fail=1; }
[ $fail -eq 0 ] && echo "PASS runtime_watch_race" || { echo "watch stderr (tail):"; tail -5 "$work/watch.err"; }
exit $fail
