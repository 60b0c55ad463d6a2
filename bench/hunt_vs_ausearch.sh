#!/usr/bin/env bash
# Whole-program benchmark of `tocsin hunt` on a large realistic log (recorded lab events
# replayed with shifted timestamps and serials, bench/make_big_log.py), in the same run as
# `ausearch -if FILE -m EXECVE` and `grep -c type=EXECVE FILE`. Reports wall and CPU time,
# MB/s and peak RSS, and checks the outputs agree (copies found = client execves).
# Usage: bench/hunt_vs_ausearch.sh [TOCSIN_BINARY] [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/tocsin}"; size="${2:-512}"
work=$(mktemp -d /var/tmp/tocsin-bench.XXXXXX); trap 'rm -rf "$work"' EXIT
log="$work/audit.log"
python3 bench/make_big_log.py "$log" "$size"
bytes=$(stat -c %s "$log")
measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/$name.out" 2>"$work/$name.err" || true
  read -r wall user sys rss < <(tail -n 1 "$work/time")
  python3 - "$name" "$wall" "$user" "$sys" "$rss" "$bytes" <<'PY'
import sys
name, wall, user, sys_, rss, b = sys.argv[1], *map(float, sys.argv[2:])
cpu = user + sys_
print(f"{name:<28} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {b/1e6/max(wall,1e-9):8.1f} MB/s wall  {b/1e6/max(cpu,1e-9):8.1f} MB/s cpu  RSS {rss/1024:6.1f} MB")
PY
}
measure grep grep -c type=EXECVE "$log"
measure tocsin-hunt "$bin" hunt --format jsonl --quiet "$log"
measure ausearch ausearch -if "$log" -m EXECVE --input-logs
copies=$(grep -c '"rule":"AU001"' "$work/tocsin-hunt.out" || true)
clients=$(grep -c 'a1="cp"' "$log" || true)
echo "input: $((bytes/1024/1024)) MB; AU001 copies: $copies; client 'cp' execve records: $clients"
[ "$copies" = "$clients" ] || echo "WARNING: copies found differ from client execves"
