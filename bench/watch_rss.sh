#!/usr/bin/env bash
# Memory of `tocsin watch` over a long run: 1,000,000 events (the recorded lab events replayed
# with shifted timestamps and serials by bench/make_big_log.py) go through `watch --audit-log`
# (appended to a followed file) and through `watch --audisp` (a pipe on stdin). After every
# EVERY events the feeder (bench/watch_feed.py) waits until watch has read everything written
# (/proc/PID/io rchar), then samples VmRSS and VmHWM from /proc/PID/status. The writer stands
# in for auditd / audispd (neither is used). Memory must stay flat: RSS after 100k, 500k and
# 1M events is reported. The replay repeats the lab's processes; a third run (stdin) moves the
# process ids by 100,000 every 20 events, a stream of new processes far above any real host's
# rate, to show where the per-process state stops (the process table's cap of 65,536 processes).
# Usage: bench/watch_rss.sh [TOCSIN_BINARY] [EVENTS] [EVERY]   (default 1000000 events, sample every 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/tocsin}"; events="${2:-1000000}"; every="${3:-50000}"
work=$(mktemp -d /var/tmp/tocsin-bench-rss.XXXXXX); trap 'rm -rf "$work"' EXIT
# About 630 events per MB in the replayed recordings; a margin so the log holds EVENTS.
python3 bench/make_big_log.py "$work/staging.log" $(( events / 550 + 20 ))
for run in file stdin churn; do
  mode=$run; churn=0
  [ $run = churn ] && { mode=stdin; churn=20; }
  echo "== watch $([ $mode = file ] && echo --audit-log FILE || echo --audisp '< PIPE')$([ $churn = 0 ] || echo ", new process ids every $churn events")"
  python3 bench/watch_feed.py rss --tocsin "$bin" --mode "$mode" --staging "$work/staging.log" \
    --events "$events" --every "$every" --pid-every "$churn" --work "$work/$run"
done
python3 - "$work" "$events" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
for mode in ("file", "stdin", "churn"):
    r = json.load(open(f"{work}/{mode}/rss.json"))
    at = {s["events"]: s["rss_kb"] / 1024 for s in r["samples"]}
    marks = [m for m in (100_000, 500_000, 1_000_000, n) if m in at]
    marks = sorted(set(marks))
    print(f"{mode:<5} RSS after " + ", ".join(f"{m:,} events: {at[m]:.1f} MB" for m in marks)
          + f"; start {at[0]:.1f} MB, peak (VmHWM) {max(s['hwm_kb'] for s in r['samples']) / 1024:.1f} MB"
          + f"; {r['events'] / r['seconds']:,.0f} events/s; alerts {r['alerts']}")
    if r.get("hunt_alerts") is not None:
        same = "the same" if r["hunt_alerts"] == r["alerts"] else "DIFFERENT"
        print(f"      hunt over the same events: {r['hunt_alerts']} ({same})")
PY
