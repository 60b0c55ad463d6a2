#!/usr/bin/env bash
# Alert latency of `tocsin watch --audit-log FILE --format jsonl` (default options: poll 20 ms, 100 ms
# when docs/performance.md's replay numbers were taken;
# live copy settle 1 s). A writer (bench/watch_feed.py) appends the recorded lab events
# (tests/e2e/recordings/*.enriched.log.gz: real dockerd 20.10 + auditd output) to FILE at a
# steady rate, restamped with the wall clock and fresh serials as they are written. THE WRITER
# STANDS IN FOR AUDITD: auditd is not used, so the latency measured is from the moment the
# record is in the file to the moment the alert line reaches a reader of watch's stdout.
# Each alert is matched to the written events by its event ids; p50/p99/max are reported per
# rule, from the anchoring event (a copy's client execve, a loop's first swap) and from the
# last activity the alert waits for (the copy's client and helper, the loop's swapper). The
# alerts are also checked against `tocsin hunt` over the same file (watch / hunt / both).
# Usage: bench/watch_latency.sh [TOCSIN_BINARY] [SECONDS] [RATE...]   (default: 30 s at 2000 and 20000 events/s)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/tocsin}"; secs="${2:-30}"
shift $(( $# > 2 ? 2 : $# ))
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(2000 20000)
work=$(mktemp -d /var/tmp/tocsin-bench-watch.XXXXXX); trap 'rm -rf "$work"' EXIT
# Two mixes: every enriched recording (benign sessions, a loop alone, both races), and the
# race-to recording alone. (The recordings use one container name for containers re-created
# between sessions; AU004 in the first mix checks that helpers of the later ones still attach.)
for rate in "${rates[@]}"; do
  for mix in all race-to; do
    echo "== $rate events/s for $secs s, recordings: $mix"
    only=(); [ "$mix" = all ] || only=(--only "$mix")
    python3 bench/watch_feed.py latency --tocsin "$bin" --rate "$rate" --seconds "$secs" "${only[@]}" \
      --work "$work/$rate-$mix"
  done
done
