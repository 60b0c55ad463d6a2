#!/usr/bin/env bash
# Whole-program benchmark of `tocsin baseline train`: generates a synthetic audit log in which
# copies are a small fraction of the events (--noise N non-copy events per copy, record shapes
# from the lab recordings), checks that training found exactly the generated copies, and reports
# events/s and MB/s beside `grep -c` over the same file (a floor for reading it).
#   bench/baseline_train.sh BUILD/tocsin [DAYS] [NOISE]      (defaults: 7 days, 450 noise events)
# The target is 10 million events in under a minute on one core (~167k events/s).
set -euo pipefail
tocsin=${1:?usage: baseline_train.sh TOCSIN [DAYS] [NOISE]}
days=${2:-7}
noise=${3:-450}
work=$(mktemp -d /tmp/tocsin-bench-baseline.XXXXXX)
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/../tests/eval/baseline/gen_copies.py" --seed 3 --days "$days" --noise "$noise" \
  --out "$work/log" --truth "$work/truth.json" 2>"$work/gen.txt"
copies=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['copies']))" "$work/truth.json")
bytes=$(stat -c %s "$work/log")
t0=$(date +%s.%N); grep -c 'type=EXECVE' "$work/log" >/dev/null; t1=$(date +%s.%N)
taskset -c 0 "$tocsin" baseline train "$work/log" -o "$work/model" 2>"$work/train.txt" || true
t2=$(date +%s.%N)
learned=$(grep -o '[0-9]* copies learned' "$work/train.txt" | cut -d' ' -f1)
events=$(grep -o '^tocsin baseline train: [0-9]* events' "$work/train.txt" | grep -o '[0-9]*')
python3 - "$events" "$bytes" "$t0" "$t1" "$t2" "$copies" "$learned" <<'PY'
import sys
ev, by, t0, t1, t2, copies, learned = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), int(sys.argv[6]), int(sys.argv[7])
train, grep = t2 - t1, t1 - t0
ok = "OK" if copies == learned else f"MISMATCH (generated {copies})"
print(f"baseline train: {ev} events ({by/1e6:.0f} MB), {learned} copies {ok}")
print(f"  train (1 core): {train:.2f} s = {ev/train:,.0f} events/s, {by/1e6/train:.1f} MB/s; "
      f"10M events would take {1e7/(ev/train):.0f} s")
print(f"  grep -c (reference): {grep:.2f} s = {by/1e6/grep:.0f} MB/s")
PY
