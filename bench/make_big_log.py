#!/usr/bin/env python3
"""Builds a large realistic audit log by replaying the recorded lab events (real dockerd 20.10 +
auditd recordings in tests/e2e/recordings) with shifted timestamps and serials, so every event
is unique and time moves forward. Usage: make_big_log.py OUT SIZE_MB [recording.log.gz ...]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import auditreplay  # noqa: E402

out, size_mb = sys.argv[1], float(sys.argv[2])
records, span, _ = auditreplay.load(sys.argv[3:] or None)
target = int(size_mb * 1024 * 1024)
written = 0
rnd = 0
base_sec = 1_790_000_000
with open(out, "wb") as f:
    while written < target:
        off_sec = base_sec + rnd * (span + 60)
        off_serial = rnd * 10_000_000
        data = b"".join(auditreplay.stamp(r, off_sec + r.sec, r.ms, r.serial + off_serial) for r in records)
        f.write(data)
        written += len(data)
        rnd += 1
print(f"{out}: {written/1e6:.0f} MB, {rnd} replays of {len(records)} records", file=sys.stderr)
