#!/usr/bin/env bash
# Alert latency of `tocsin watch --format jsonl` with the REAL auditd of the lab (scripts/lab:
# auditd 3.0.9 writing the log, dockerd 20.10, the victim container's /bin/swap loop racing
# `docker cp`), from the syscall that decides to the alert line's arrival on watch's stdout.
# Two modes:
#   file    `tocsin watch --audit-log LOG` following the log auditd writes;
#   audisp  `tocsin watch --audisp` run by auditd's dispatcher as a plugin (a conf in the lab
#           auditd's plugin_dir: active=yes direction=out type=always format=string), auditd
#           reloaded with `auditctl --signal HUP` to start it and again to stop it after the
#           last audisp phase (one plugin for all of them: see start_watch).
# In each mode, background load at each RATE: open/close of files in a temporary directory that
# one bench-scoped rule (-F dir=) audits (bench/watch_latency_auditd.py load); the rate reached
# is read back from the log. Meanwhile ROUNDS rounds of the race: the victim's swap loop
# (renameat2 RENAME_EXCHANGE of /w/dir and /w/dir-link, -t LOOP_S) started with `docker exec -d`,
# COPIES `docker cp` copies into /w/dir while it runs, and BENIGN copies into a second container
# that runs no loop. Each line of watch's stdout is stamped with the wall clock (CLOCK_REALTIME,
# ms) when it is read (bench/watch_latency_auditd.py stamp); audit event ids carry the kernel's
# CLOCK_REALTIME time of the syscall, so latency = arrival - audit time of the decisive event:
#   AU001 early: event_ids[0] (the client's execve); AU002 early: event_ids[1] (the exchange that
#   establishes the loop); AU003 early: the later of event_ids[0] and the establishing exchange of
#   the loop (AU002 early, same swap pid); AU004 early: the latest of its event_ids; final records:
#   the latest event they name. Every early record must be followed by its final record (same
#   rule and event_ids[0]); benign copies must get no AU003/AU004.
# Usage (root, under the lab lock):
#   flock -o /tmp/tocsin-lab.lock bench/watch_latency_auditd.sh path/to/tocsin [OUTDIR]
# Environment: RATES ("2000 20000"), MODES ("file audisp"), ROUNDS (4), COPIES (3), BENIGN (1),
#   LOOP_S (3), WATCH_OPTS (extra watch options, e.g. "--poll-ms 20"), DIAG=1 (also stamp when the
#   decisive events reach watch's input: the log file polled every 2 ms, or the audisp stream
#   passed through the stamp helper; splits the latency into auditd's part and watch's part, at
#   the cost of one more reader of the stream), AUDITD_FLUSH ("NONE", "INCREMENTAL_ASYNC:1000"…:
#   auditd's flush and freq for this run, the lab's conf restored and auditd reloaded at the end;
#   default: the lab's INCREMENTAL_ASYNC, freq 50). Prints a table and
#   leaves OUTDIR (default /var/tmp/tocsin-watch-latency-auditd.TIME) with the stamped alerts,
#   each phase's result (JSON) and the table. Starts the lab when it is not running (and then
#   takes it down); its rules, plugin conf, containers and processes are removed on any exit.
set -euo pipefail
TOCSIN=$(realpath "${1:?usage: watch_latency_auditd.sh path/to/tocsin [OUTDIR]}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${2:-/var/tmp/tocsin-watch-latency-auditd.$(date -u +%Y%m%dT%H%M%S)}
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
HELPER=$ROOT/bench/watch_latency_auditd.py
PY=$(command -v /usr/bin/python3 || command -v python3)  # auditd starts plugins with a bare environment
KEY=tocsin-lab-bench            # the lab prefix: `scripts/lab down` removes them too
LOADKEY=tocsin-lab-bench-load
VICTIM=tocsin-lab-bench-victim
BENIGNCTR=tocsin-lab-bench-benign
RATES=${RATES:-2000 20000}
MODES=${MODES:-file audisp}
ROUNDS=${ROUNDS:-4}
COPIES=${COPIES:-3}
BENIGN=${BENIGN:-1}
LOOP_S=${LOOP_S:-3}
WATCH_OPTS=${WATCH_OPTS:-}
DIAG=${DIAG:-0}
AUDITD_FLUSH=${AUDITD_FLUSH:-}
# shellcheck source=tests/e2e/lab/lib.sh source-path=SCRIPTDIR/..
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require
[ -x "$TOCSIN" ] || { echo "no tocsin binary at $TOCSIN"; exit 2; }

work=$(mktemp -d /tmp/tocsin-bench-lat.XXXXXX)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
started_lab=0 spid="" lpid="" tpid="" plugconf="" plugdir="" conf_saved=0

audit_status() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
reload_auditd() { auditctl --signal HUP >/dev/null; }  # auditd re-reads its conf and plugin_dir
# the stamp helper's pid and watch's, as the helper wrote them (audisp mode: auditd started it)
plugin_pids() { if [ -s "$work/plugin.pid" ]; then cat "$work/plugin.pid"; fi; }
stop_plugin() {
  [ -n "$plugconf" ] || return 0
  rm -f "$plugconf"; plugconf=""
  reload_auditd || true
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$(plugin_pids)
    { [ -z "$p" ] || ! kill -0 "${p%% *}" 2>/dev/null; } && break
    sleep 0.1
  done
  # still running after 10 s (auditd did not stop it): the helper is ours, by its recorded pid
  p=$(plugin_pids)
  if [ -n "$p" ] && kill -0 "${p%% *}" 2>/dev/null; then
    echo "warning: auditd did not stop the plugin; stopping it (pid ${p%% *})"
    kill -TERM "${p%% *}" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$work/plugin.pid"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$lpid" ]; then kill "$lpid" 2>/dev/null || true; wait "$lpid" 2>/dev/null || true; fi
  if [ -n "$spid" ]; then kill -TERM "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
  if [ -n "$tpid" ]; then kill -TERM "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true; fi
  stop_plugin || true
  if [ "$conf_saved" = 1 ]; then
    if cp "$work/auditd.conf.saved" "$STATE/auditd/auditd.conf"; then reload_auditd || true; fi
  fi
  auditctl -D -k "$KEY" >/dev/null 2>&1 || true
  auditctl -D -k "$LOADKEY" >/dev/null 2>&1 || true
  "$DOCKER" rm -f "$VICTIM" "$BENIGNCTR" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
lab_ensure_up "$work"
LOG=$STATE/log/audit.log
[ -f "$LOG" ] || { echo "no lab log at $LOG"; exit 1; }
plugdir=$(awk -F' *= *' '$1 == "plugin_dir" {print $2}' "$STATE/auditd/auditd.conf")
[ -d "$plugdir" ] || { echo "the lab auditd has no plugin_dir ($plugdir)"; exit 1; }

if [ -n "$AUDITD_FLUSH" ]; then
  cp -p "$STATE/auditd/auditd.conf" "$work/auditd.conf.saved"; conf_saved=1
  sed -i -e "s/^flush = .*/flush = ${AUDITD_FLUSH%%:*}/" "$STATE/auditd/auditd.conf"
  [ "${AUDITD_FLUSH#*:}" = "$AUDITD_FLUSH" ] || sed -i -e "s/^freq = .*/freq = ${AUDITD_FLUSH#*:}/" "$STATE/auditd/auditd.conf"
  reload_auditd
  sleep 1
fi

# The victim (runs the loop) and a benign container (no loop); the victim's root on the host.
"$DOCKER" rm -f "$VICTIM" "$BENIGNCTR" >/dev/null 2>&1 || true
"$DOCKER" run -d --network none --name "$VICTIM" tocsin-lab:1 /bin/sleep 3600 >/dev/null
"$DOCKER" run -d --network none --name "$BENIGNCTR" tocsin-lab:1 /bin/sleep 3600 >/dev/null
for ((i = 0; i < 50; i++)); do
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$VICTIM")
  [ "${pid:-0}" != 0 ] && break
  sleep 0.1
done
rootfs=$(awk '$5 == "/" {print $4; exit}' "/proc/$pid/mountinfo")
victim_mntns=$(readlink "/proc/$pid/ns/mnt")
[ -x "$rootfs/bin/swap" ] || { echo "cannot find the victim's rootfs ($rootfs)"; exit 1; }

# Rules: those of tests/e2e/runtime_watch_race.test.sh (the clients' and the daemon's execs, the
# loop's renames) and the load's opens, scoped to its directory.
mkdir -p "$work/load"
auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe="$DOCKER" -k "$KEY"
auditctl -a always,exit -F arch=b64 -S execve,execveat -F exe=/usr/sbin/dockerd -k "$KEY"
auditctl -a always,exit -F arch=b64 -S rename,renameat,renameat2 -F exe="$rootfs/bin/swap" -k "$KEY"
auditctl -a always,exit -F arch=b64 -S open,openat -F dir="$work/load" -k "$LOADKEY"
auditctl -l | grep -E "key=($KEY|$LOADKEY)( |$)" >"$OUT/rules.txt"
echo 'payload from the host' >"$work/payload"

conf_of() { grep -E "^[[:space:]]*($(echo "$1" | tr ' ' '|'))[[:space:]]*=" "$STATE/auditd/auditd.conf" | tr -s ' ' | paste -sd ';'; }
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo ' (src modified)')"
  echo "tocsin: $TOCSIN"
  echo "machine: $(nproc) cores, $(uname -r); auditd $(dpkg-query -W -f '${Version}' auditd 2>/dev/null); docker $("$DOCKER" version -f '{{.Server.Version}}')"
  echo "auditd.conf: $(conf_of 'log_format flush freq q_depth overflow_action end_of_event_timeout')"
  echo "kernel: backlog_limit $(audit_status backlog_limit) lost $(audit_status lost)"
  echo "uptime before: $(uptime)"
  echo "settings: RATES=$RATES MODES=$MODES ROUNDS=$ROUNDS COPIES=$COPIES BENIGN=$BENIGN LOOP_S=$LOOP_S WATCH_OPTS=$WATCH_OPTS DIAG=$DIAG AUDITD_FLUSH=$AUDITD_FLUSH"
  echo "other busy processes: $(ps -eo pcpu=,comm= --sort=-pcpu | head -6 | awk '{printf "%s(%s%%) ", $2, $1}')"
} | tee "$OUT/env.txt"

start_watch() { # MODE TAG LOG_OFFSET
  local mode=$1 tag=$2 i tee=""
  if [ "$mode" = file ]; then
    : >"$OUT/$tag.alerts.ts"
    if [ "$DIAG" = 1 ]; then
      "$PY" "$HELPER" tail "$LOG" "$3" "$OUT/$tag.arrivals" --key "$KEY" &
      tpid=$!
    fi
    # shellcheck disable=SC2086
    "$PY" "$HELPER" stamp "$OUT/$tag.alerts.ts" -- "$TOCSIN" watch --audit-log "$LOG" --docker --format jsonl \
      $WATCH_OPTS 2>"$OUT/$tag.watch.err" &
    spid=$!
    sleep 1
    kill -0 "$spid" 2>/dev/null || { cat "$OUT/$tag.watch.err"; echo "watch exited"; exit 1; }
  elif [ -z "$plugconf" ]; then
    # One plugin for every audisp phase (each phase takes its lines by arrival time): auditd
    # 3.0.9 starts a plugin whose conf appears on SIGHUP only until one was removed; later ones
    # never started (a reconfigure that reports success; checked with three confs in turn).
    : >"$OUT/audisp.alerts.ts"
    [ "$DIAG" = 1 ] && tee="--arrivals $OUT/audisp.arrivals --key $KEY"
    cat >"$work/plugin.sh" <<EOF
#!/bin/sh
# generated by bench/watch_latency_auditd.sh: tocsin watch as an audisp plugin, its lines stamped
exec 2>>"$OUT/audisp.plugin.err"
exec $PY "$HELPER" stamp --pidfile "$work/plugin.pid" $tee "$OUT/audisp.alerts.ts" -- \\
  "$TOCSIN" watch --audisp --docker --format jsonl $WATCH_OPTS 2>"$OUT/audisp.watch.err"
EOF
    chmod 0750 "$work/plugin.sh"
    plugconf=$plugdir/tocsin-bench.conf
    printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' "$work/plugin.sh" >"$plugconf"
    rm -f "$work/plugin.pid"
    reload_auditd
    for ((i = 0; i < 100; i++)); do [ -s "$work/plugin.pid" ] && break; sleep 0.1; done
    [ -s "$work/plugin.pid" ] || {
      echo "auditd did not start the plugin within 10 s (auditd 3.0.9 starts none once a plugin was removed"
      echo "since it started: take the lab down and run again)"
      tail -n 5 "$OUT/audisp.plugin.err" "$OUT/audisp.watch.err"; exit 1; }
    sleep 1
  fi
}
stop_watch() { # MODE (the audisp plugin is stopped after the last audisp phase)
  if [ "$1" = file ]; then
    kill -TERM "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; spid=""
    if [ -n "$tpid" ]; then kill -TERM "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true; tpid=""; fi
  fi
}
# audisp: this phase's lines of the plugin's files, by arrival time (ms)
take_lines() { # TAG FROM_MS TO_MS
  awk -F'\t' -v a="$2" -v b="$3" '$1 + 0 >= a && $1 + 0 <= b' "$OUT/audisp.alerts.ts" >"$OUT/$1.alerts.ts"
  [ ! -f "$OUT/audisp.arrivals" ] ||
    awk -F'\t' -v a="$2" -v b="$3" '$1 + 0 >= a && $1 + 0 <= b' "$OUT/audisp.arrivals" >"$OUT/$1.arrivals"
}

# Until the victim's loop runs (docker exec -d returns before it starts; under load by much):
# /proc/PID/exe of a container process reads as its path inside the container, told apart from
# any other /bin/swap by the victim's mount namespace. Then 0.2 s (32 exchanges take ~30 ms).
wait_swap() {
  local i d
  for ((i = 0; i < 50; i++)); do
    for d in /proc/[0-9]*; do
      if [ "$(readlink "$d/exe" 2>/dev/null)" = /bin/swap ] && [ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$victim_mntns" ]; then
        sleep 0.2
        return 0
      fi
    done
    sleep 0.1
  done
  echo "warning: the swap loop did not show up within 5 s"
}

phase() { # MODE RATE
  local mode=$1 rate=$2 tag=$1-$2 r k t0 lost0 off0 left i t_begin
  echo "== $mode, load $rate events/s"
  off0=$(stat -c %s "$LOG")
  auditctl -m "tocsin-lab-bench begin $tag" >/dev/null
  t_begin=$(date +%s%3N)
  start_watch "$mode" "$tag" "$off0"
  lost0=$(audit_status lost)
  "$PY" "$HELPER" load "$work/load" "$rate" 600 >"$OUT/$tag.loadgen.json" &
  lpid=$!
  sleep 2
  for ((r = 1; r <= ROUNDS; r++)); do
    t0=$EPOCHREALTIME
    "$DOCKER" exec -d "$VICTIM" /bin/swap -t "$LOOP_S" -i 800 /w/dir /w/dir-link
    wait_swap
    for ((k = 1; k <= COPIES; k++)); do
      "$DOCKER" cp "$work/payload" "$VICTIM:/w/dir/$tag-r$r-c$k" 2>/dev/null || true
    done
    for ((k = 1; k <= BENIGN; k++)); do
      "$DOCKER" cp "$work/payload" "$BENIGNCTR:/tmp/$tag-r$r-b$k" 2>/dev/null || true
    done
    # the next loop 1.5 s after this one ends (a new episode: more than 1 s without exchanges)
    left=$("$PY" -c "import sys; print(max(0.0, float(sys.argv[1]) + $LOOP_S + 1.5 - float(sys.argv[2])))" "$t0" "$EPOCHREALTIME")
    sleep "$left"
  done
  kill -TERM "$lpid" 2>/dev/null || true; wait "$lpid" 2>/dev/null || true; lpid=""
  sleep 7.5   # the final AU002 comes ~6 s after the loop's last exchange
  stop_watch "$mode"
  [ "$mode" = file ] || take_lines "$tag" "$t_begin" "$(date +%s%3N)"
  auditctl -m "tocsin-lab-bench end $tag" >/dev/null
  for ((i = 0; i < 300; i++)); do
    tail -c +$((off0 + 1)) "$LOG" | grep -aq "tocsin-lab-bench end $tag" && break
    sleep 0.1
  done
  tail -c +$((off0 + 1)) "$LOG" | awk -v b="tocsin-lab-bench begin $tag" -v e="tocsin-lab-bench end $tag" \
    'index($0, b) {on = 1} on {print} index($0, e) {exit}' >"$work/$tag.log"
  "$PY" "$HELPER" analyze --log "$work/$tag.log" --alerts "$OUT/$tag.alerts.ts" --load-key "$LOADKEY" \
    --mode "$mode" --rate "$rate" --loadgen "$OUT/$tag.loadgen.json" --benign "$BENIGNCTR" --arrivals "$OUT/$tag.arrivals" \
    --extra "{\"lost\": $(($(audit_status lost) - lost0)), \"log_bytes\": $(stat -c %s "$work/$tag.log")}" \
    >"$OUT/$tag.result.json"
  rm -f "$work/$tag.log"
  "$PY" "$HELPER" table "$OUT/$tag.result.json" | tail -n +3
}

for mode in $MODES; do
  for rate in $RATES; do phase "$mode" "$rate"; done
  [ "$mode" = file ] || stop_plugin
done
echo "uptime after: $(uptime)" | tee -a "$OUT/env.txt"
results=()
for mode in $MODES; do for rate in $RATES; do results+=("$OUT/$mode-$rate.result.json"); done; done
"$PY" "$HELPER" table "${results[@]}" | tee "$OUT/table.md"
echo "results in $OUT"
