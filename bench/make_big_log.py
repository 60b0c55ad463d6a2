#!/usr/bin/env python3
"""Builds a large realistic audit log by replaying the recorded lab events (real dockerd 20.10 +
auditd recordings in tests/e2e/recordings) with shifted timestamps and serials, so every event
is unique and time moves forward. Usage: make_big_log.py OUT SIZE_MB [recording.log.gz ...]"""
import gzip, re, sys, glob, os

out, size_mb = sys.argv[1], float(sys.argv[2])
inputs = sys.argv[3:] or sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "tests", "e2e",
                                                       "recordings", "*.enriched.log.gz")))
lines = []
for p in inputs:
    with gzip.open(p, "rb") as f:
        lines.extend(f.read().splitlines(keepends=True))
stamp = re.compile(rb"audit\((\d+)\.(\d+):(\d+)\)")
first = None
span = 0
parsed = []
for l in lines:
    m = stamp.search(l)
    if not m:
        continue
    sec, ms, serial = int(m.group(1)), m.group(2), int(m.group(3))
    if first is None:
        first = sec
    span = max(span, sec - first)
    parsed.append((l[:m.start()], sec - first, ms, serial, l[m.end():]))
target = int(size_mb * 1024 * 1024)
written = 0
rnd = 0
base_sec = 1_790_000_000
with open(out, "wb") as f:
    while written < target:
        off_sec = base_sec + rnd * (span + 60)
        off_serial = rnd * 10_000_000
        chunk = []
        for pre, s, ms, serial, post in parsed:
            chunk.append(b"%saudit(%d.%s:%d)%s" % (pre, off_sec + s, ms, serial + off_serial, post))
        data = b"".join(chunk)
        f.write(data)
        written += len(data)
        rnd += 1
print(f"{out}: {written/1e6:.0f} MB, {rnd} replays of {len(parsed)} records", file=sys.stderr)
