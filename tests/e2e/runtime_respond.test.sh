#!/usr/bin/env bash
# `tocsin watch --respond pause` stops the CVE-2018-15664 race in the lab: the raced-copy
# scenario (a swap loop, /bin/swap renameat2 RENAME_EXCHANGE of /w/dir and /w/dir-link in the
# victim container, while the host copies into /w/dir with `docker cp`) run twice against the
# lab's real dockerd and auditd. The client is /usr/bin/docker, Debian 12's docker.io 20.10, whose
# daemon chroots into the container: a won race lands inside the container's own / (not on the
# host), and the helper's EXECVE a1 shows it — the ground truth (tests/e2e/lab/truth.py).
#   (a) watch without --respond: at least one copy's race is won (retried up to 3 times).
#   (b) watch --respond pause: the loop's container is paused (docker inspect State.Paused), the
#       alerts about it (AU002, AU003, early and final) carry response {action pause, ok, ms}; no
#       copy made after the pause is won (the loop made no rename between the pause and the
#       test's unpause, and every such copy resolved as the frozen /w/dir resolves: a directory,
#       or — when the pause froze the pair swapped — the symlink's target, which is ordinary
#       symlink resolution inside the container, not a race); a second, benign container
#       (--network none) is not paused; a swap loop run by a host process (a copy of /bin/swap in
#       a temp directory, its own pair) gets response "none" and is neither stopped nor signalled
#       (audited: no kill/tkill/tgkill by tocsin at all; dockerd's pause events name only the victim).
# Unpauses and removes what it started, and removes its audit rules, pass or fail. Needs root;
# run it under the lab lock: flock -o /tmp/tocsin-lab.lock ctest --test-dir build-ci -R runtime_respond
set -euo pipefail
TOCSIN=$(readlink -f "${1:?usage: runtime_respond.test.sh path/to/tocsin}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
KEY=tocsin-lab-resp
CTR=tocsin-lab-resp
BENIGN=tocsin-lab-resp-benign
NCOPIES=${TOCSIN_RESPOND_COPIES:-12}
SWAP_INTERVAL_US=${TOCSIN_RACE_SWAP_INTERVAL_US:-800}
# shellcheck source=lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require

work=$(mktemp -d /tmp/tocsin-respond.XXXXXX)
started_lab=0 wpid="" rpid="" hpid="" victim_mntns="" rootfs=""
swap_pids() {  # the victim's loop: /bin/swap in the victim's mount namespace
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
  "$DOCKER" unpause "$CTR" >/dev/null 2>&1 || true  # a paused loop cannot act on SIGTERM
  for p in $(swap_pids); do kill -TERM "$p" 2>/dev/null || true; done
  for ((i = 0; i < 100; i++)); do
    [ -z "$(swap_pids)" ] && return 0
    sleep 0.1
  done
  echo "FAIL: the swap loop did not stop"
  return 1
}
stop_watch() {
  if [ -n "$wpid" ]; then kill -TERM "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true; wpid=""; fi
  if [ -n "$rpid" ]; then wait "$rpid" 2>/dev/null || true; rpid=""; fi
}
cleanup() {
  stop_watch
  if [ -n "$hpid" ]; then kill -TERM "$hpid" 2>/dev/null || true; wait "$hpid" 2>/dev/null || true; fi
  auditctl -D -k "$KEY" >/dev/null 2>&1 || true
  stop_swap || true
  "$DOCKER" unpause "$BENIGN" >/dev/null 2>&1 || true
  "$DOCKER" rm -f "$CTR" "$BENIGN" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  if [ -n "${TOCSIN_KEEP_WORK:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
lab_ensure_up "$work"
LOG=$STATE/log/audit.log
[ -f "$LOG" ] || { echo "FAIL: no lab log at $LOG"; exit 1; }
"$DOCKER" image inspect tocsin-lab:1 >/dev/null 2>&1 || { echo "FAIL: lab image tocsin-lab:1 missing"; exit 1; }
"$DOCKER" version --format 'docker client {{.Client.Version}}, engine {{.Server.Version}}' || true

"$DOCKER" rm -f "$CTR" "$BENIGN" >/dev/null 2>&1 || true
cid=$("$DOCKER" run -d --network none --name "$CTR" tocsin-lab:1 /bin/sleep 900)
bid=$("$DOCKER" run -d --network none --name "$BENIGN" tocsin-lab:1 /bin/sleep 900)
for ((i = 0; i < 50; i++)); do
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$CTR")
  [ "${pid:-0}" != 0 ] && break
  sleep 0.1
done
rootfs=$(awk '$5 == "/" {print $4; exit}' "/proc/$pid/mountinfo")
victim_mntns=$(readlink "/proc/$pid/ns/mnt")
[ -x "$rootfs/bin/swap" ] || { echo "FAIL: cannot find the victim's rootfs ($rootfs)"; exit 1; }
# The host decoy: the same static program, on the host, exchanging its own pair under $work.
cp "$rootfs/bin/swap" "$work/hswap"
mkdir -p "$work/hd" "$work/hostdir"
ln -s "$work/hostdir" "$work/hd-link"
echo 'payload from the host' >"$work/payload"

fail=0
# phase NAME [watch flags...]: one run of the scenario; leaves $work/NAME.{truth.json,alerts.ts,copies.tsv,...}
phase() {
  local name=$1 decoy=$2
  shift 2
  local k="$KEY-$name" d="$work/$name" n=0 t0 t1 rc
  mkdir -p "$d"
  auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe="$DOCKER" -k "$k"
  auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe=/usr/sbin/dockerd -k "$k"
  auditctl -a always,exit -F arch=b64 -S rename,renameat,renameat2 -F exe="$rootfs/bin/swap" -k "$k"
  auditctl -a always,exit -F arch=b64 -S rename,renameat,renameat2 -F exe="$work/hswap" -k "$k"
  auditctl -a always,exit -F arch=b64 -S kill,tkill,tgkill -F exe="$TOCSIN" -k "$k"
  auditctl -l | grep "key=$k" >"$d/rules.txt"
  local start_off start_ts since
  start_off=$(stat -c %s "$LOG")
  start_ts=$(date -u +%FT%TZ)
  since=$(date +%s)
  mkfifo "$d/out.fifo"
  python3 -u -c '
import sys, time
out = open(sys.argv[1], "w", buffering=1)
for line in sys.stdin:
    out.write("%.3f\t%s" % (time.time(), line))
' "$d/alerts.ts" <"$d/out.fifo" &
  rpid=$!
  "$TOCSIN" watch --audit-log "$LOG" --docker --check-running --poll-ms 20 --format jsonl "$@" \
    >"$d/out.fifo" 2>"$d/watch.err" &
  wpid=$!
  sleep 1.5
  kill -0 "$wpid" 2>/dev/null || { cat "$d/watch.err"; echo "FAIL: watch exited"; exit 1; }
  : >"$d/copies.tsv"
  if [ "$decoy" = 1 ]; then
    "$work/hswap" -t 30 -i "$SWAP_INTERVAL_US" "$work/hd" "$work/hd-link" 2>/dev/null &
    hpid=$!
    sleep 0.3
  fi
  "$DOCKER" exec -d "$CTR" /bin/swap -t 60 -i "$SWAP_INTERVAL_US" /w/dir /w/dir-link
  date +%s.%N >"$d/loop_started"
  sleep 0.5
  for ((n = 1; n <= NCOPIES; n++)); do
    local dst="$CTR:/w/dir/payload-$name-$n"
    rc=0
    t0=$EPOCHREALTIME
    "$DOCKER" cp "$work/payload" "$dst" 2>"$d/err.$n" || rc=$?
    t1=$EPOCHREALTIME
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t0" "$t1" to-container "/w/dir/payload-$name-$n" \
      "$work/payload" "$dst" "$rc" "$d/err.$n" >>"$d/copies.tsv"
  done
  # What the copies left: the victim's and the benign container's state, the frozen pair, the
  # host decoy's state — before anything is undone.
  "$DOCKER" inspect -f '{{.State.Paused}} {{.State.Running}}' "$CTR" >"$d/victim.state"
  "$DOCKER" inspect -f '{{.State.Paused}} {{.State.Running}}' "$BENIGN" >"$d/benign.state"
  # (read twice: a pair still being swapped shows as "moving")
  local f1 f2
  f1=$(readlink "$rootfs/w/dir" || echo dir)
  sleep 0.2
  f2=$(readlink "$rootfs/w/dir" || echo dir)
  if [ "$f1" = "$f2" ]; then echo "$f1" >"$d/frozen"; else echo moving >"$d/frozen"; fi
  if [ -n "$hpid" ]; then
    if kill -0 "$hpid" 2>/dev/null; then awk '/^State:/ {print $2}' "/proc/$hpid/status" >"$d/decoy.state"
    else echo gone >"$d/decoy.state"; fi
  fi
  date +%s.%N >"$d/unpaused"
  stop_swap
  if [ -n "$hpid" ]; then kill -TERM "$hpid" 2>/dev/null || true; wait "$hpid" 2>/dev/null || true; hpid=""; fi
  sleep 3  # final records (AU002 about 6 s after a loop's last swap would need more; the early ones suffice)
  stop_watch
  "$DOCKER" events --since "$since" --until "$(date +%s)" --filter type=container --filter event=pause \
    --format '{{.Actor.Attributes.name}}' >"$d/pause.events" 2>/dev/null || true
  auditctl -D -k "$k" >/dev/null 2>&1 || true
  lab_cut_log "$LOG" "$start_off" "$k" "$d/audit.log"
  python3 "$ROOT/tests/e2e/lab/truth.py" --scenario watch-race --format ENRICHED --log "$d/audit.log" \
    --copies "$d/copies.tsv" --container "$CTR" --container-id "$cid" --rootfs "$rootfs" \
    --recorded "$start_ts" --log-name live --rules "$d/rules.txt" --docker "$DOCKER" >"$d/truth.json"
}

# (a) no response: the race is won (at least once in up to 3 runs).
won=0
for attempt in 1 2 3; do
  phase "a$attempt" 0
  won=$(python3 -c 'import json,sys; print(sum(1 for c in json.load(open(sys.argv[1]))["copies"] if c["won"]))' \
    "$work/a$attempt/truth.json")
  echo "(a) run $attempt without --respond: $won of $NCOPIES copies won the race"
  python3 - "$work/a$attempt/alerts.ts" <<'PY' || fail=1
import json, sys
bad = [l for l in open(sys.argv[1]) if '"response"' in l]
if bad:
    print("FAIL: an alert carries a response without --respond:", bad[0][:300]); sys.exit(1)
PY
  [ "$won" -gt 0 ] && break
done
[ "$won" -gt 0 ] || { echo "FAIL: (a) no copy won the race in 3 runs: the scenario does not show the race"; fail=1; }

# (b) --respond pause.
phase b 1 --respond pause
python3 - "$work/b" "$cid" "$bid" "$CTR" "$BENIGN" "$rootfs" <<'PY' || fail=1
import json, os, re, sys
d, cid, bid, ctr, benign, rootfs = sys.argv[1:7]
bad = []
alerts, summary = [], None
for line in open(os.path.join(d, "alerts.ts")):
    ts, _, body = line.partition("\t")
    body = body.strip()
    if not body.startswith("{"):
        continue
    j = json.loads(body)
    if "rule" in j: alerts.append((float(ts), j))
    elif "summary" in j: summary = j["summary"]
truth = json.load(open(os.path.join(d, "truth.json")))
victim_state = open(os.path.join(d, "victim.state")).read().split()
benign_state = open(os.path.join(d, "benign.state")).read().split()
frozen = open(os.path.join(d, "frozen")).read().strip()
decoy = open(os.path.join(d, "decoy.state")).read().strip()
pauses = open(os.path.join(d, "pause.events")).read().split()
unpaused = float(open(os.path.join(d, "unpaused")).read())

if victim_state != ["true", "true"]:
    bad.append(f"victim not paused after the copies: Paused/Running = {victim_state}")
if benign_state != ["false", "true"]:
    bad.append(f"benign container touched: Paused/Running = {benign_state}")
if pauses != [ctr]:
    bad.append(f"dockerd's pause events: {pauses} (want exactly [{ctr}])")
if decoy not in ("S", "R"):
    bad.append(f"the host decoy's state after the run is {decoy!r} (want S or R: running, never stopped)")

acted = [(ts, a) for ts, a in alerts if (a.get("response") or {}).get("action") == "pause"]
first = min(acted, key=lambda x: x[0]) if acted else None
ms = [a["response"]["ms"] for _, a in acted if a["response"].get("detail", "").startswith("paused ")]
if not first:
    bad.append("no alert records a pause")
for ts, a in alerts:
    if a["rule"] not in ("AU002", "AU003"):
        if "response" in a: bad.append(f"{a['rule']} carries a response: {a['response']}")
        continue
    r = a.get("response")
    if r is None:
        bad.append(f"{a['rule']} {a.get('stage', 'final')} without a response: {a['message']}")
        continue
    if "/hd" in a["message"] or "hd-link" in a["message"]:  # the host decoy
        if r["action"] != "none" or "not known to be in a container" not in r.get("detail", ""):
            bad.append(f"the host decoy's {a['rule']} got {r}")
        continue
    if r["action"] != "pause" or not r["ok"] or r["container"] != cid or not isinstance(r["ms"], int):
        bad.append(f"{a['rule']} {a.get('stage', 'final')} response {r}")
decoy_seen = any("hd-link" in a["message"] for _, a in alerts if a["rule"] == "AU002")
if not decoy_seen:
    bad.append("no AU002 for the host decoy's loop")
resp = (summary or {}).get("responses")
if not resp or resp.get("acted") != 1 or resp.get("failed") != 0:
    bad.append(f"summary responses: {resp}")
pause_ts = first[0] if first else float("inf")

# Renames by the victim's loop between the pause (the line was written after dockerd answered)
# and the test's unpause: zero when the loop was frozen.
ev = re.compile(r"msg=audit\((\d+\.\d+):\d+\).*syscall=(?:316|82|264).*exe=\"?([^\" ]+)")
late = 0
for line in open(os.path.join(d, "audit.log"), errors="replace"):
    m = ev.search(line)
    if m and m.group(2) == rootfs + "/bin/swap" and pause_ts < float(m.group(1)) < unpaused:
        late += 1
if late:
    bad.append(f"the loop renamed {late} times after the pause")
if frozen == "moving":
    bad.append("the pair /w/dir, /w/dir-link was still being swapped after the copies")
want_dir = "/w/dir" if frozen == "dir" else os.path.normpath(frozen)
import datetime
def t(iso): return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
after = [c for c in truth["copies"] if c["client"] and t(c["start"]) > pause_ts]
before = [c for c in truth["copies"] if c["client"] and t(c["start"]) <= pause_ts]
won_after = []
for c in after:
    rd = (c.get("helper") or {}).get("resolved_dir")
    if rd is not None and os.path.normpath(rd) != want_dir:
        won_after.append((c["index"], rd))
if won_after:
    bad.append(f"copies after the pause resolved elsewhere than the frozen pair gives ({want_dir}): {won_after}")
loop0 = float(open(os.path.join(d, "loop_started")).read())
print(f"(b) --respond pause: paused {ctr} {pause_ts - loop0:.3f} s after `docker exec` started the loop; "
      f"response ms {ms}; pair frozen as {frozen}; {len(after)} copies after the pause "
      f"(truth.py's won flag: {sum(1 for c in after if c['won'])}, races won: {len(won_after)}), "
      f"{len(before)} before it (won {sum(1 for c in before if c['won'])}); renames while paused: {late}; "
      f"benign {benign_state}; decoy {decoy}; summary {resp}")
if not after:
    bad.append("no copy was made after the pause")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
kills=$(grep -c 'syscall=\(62\|200\|234\) ' "$work/b/audit.log" || true)
[ "$kills" = 0 ] || { echo "FAIL: tocsin made $kills kill/tkill/tgkill calls"; fail=1; }
for f in "$work"/a*/watch.err "$work"/b/watch.err; do
  if grep -qi "error\|cannot\|failed" "$f"; then echo "watch stderr ($f):"; sed 's/^/  /' "$f"; fi
done
echo "watch stderr (b):"; sed 's/^/  /' "$work/b/watch.err"
left=$(auditctl -l | grep -c "key=$KEY" || true)
[ "$left" = 0 ] || { echo "FAIL: $left audit rules with key $KEY left behind"; fail=1; }
[ $fail -eq 0 ] && echo "PASS runtime_respond"
exit $fail
