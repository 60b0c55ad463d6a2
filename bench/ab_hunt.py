#!/usr/bin/env python3
# Compares tocsin builds on one log, interleaved (A B A B ...) so that a busy neighbour on the
# machine slows all of them alike; prints each build's fastest and median wall time.
# Usage: bench/ab_hunt.py LOG ROUNDS BINARY [BINARY ...]   (EXTRA="-j1" adds hunt options)
import subprocess, sys, time, os
log, n, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
extra = os.environ.get("EXTRA", "").split()
best = {b: 1e9 for b in bins}; allt = {b: [] for b in bins}
for i in range(n):
    for b in bins:
        t0 = time.perf_counter()
        subprocess.run([b, "hunt", "--format", "jsonl", "-q"] + extra + [log], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        allt[b].append(t); best[b] = min(best[b], t)
for b in bins:
    s = sorted(allt[b]); print(f"{b}: min {best[b]:.3f} median {s[len(s)//2]:.3f}")
