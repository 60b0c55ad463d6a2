#!/usr/bin/env python3
"""Builds a large realistic audit log by replaying the recorded lab events (real dockerd 20.10 +
auditd recordings in tests/e2e/recordings) with shifted timestamps and serials, so every event
is unique and time moves forward: each recording is laid after the previous one (a 60 s gap),
as one host's log would hold a sequence of sessions. Usage: make_big_log.py OUT SIZE_MB [recording.log.gz ...]"""
import gzip, re, sys, glob, os

out, size_mb = sys.argv[1], float(sys.argv[2])
inputs = sys.argv[3:] or sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "tests", "e2e",
                                                       "recordings", "*.enriched.log.gz")))
stamp = re.compile(rb"audit\((\d+)\.(\d+):(\d+)\)")
# Per recording: its lines as (prefix, seconds since the recording's start, ms, serial since the
# recording's first serial, suffix) and its length in seconds and serials.
recordings = []
for p in inputs:
    with gzip.open(p, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    parsed, first_sec, first_serial, span, serials = [], None, None, 0, 0
    for l in lines:
        m = stamp.search(l)
        if not m:
            continue
        sec, ms, serial = int(m.group(1)), m.group(2), int(m.group(3))
        if first_sec is None:
            first_sec, first_serial = sec, serial
        parsed.append((l[:m.start()], sec - first_sec, ms, serial - first_serial, l[m.end():]))
        span = max(span, sec - first_sec)
        serials = max(serials, serial - first_serial)
    if parsed:
        recordings.append((parsed, span, serials))
target = int(size_mb * 1024 * 1024)
written = 0
rnd = 0
records = 0
sec_at = 1_790_000_000
serial_at = 1000
with open(out, "wb") as f:
    while written < target:
        for parsed, span, serials in recordings:
            chunk = [b"%saudit(%d.%s:%d)%s" % (pre, sec_at + s, ms, serial_at + max(serial, 0), post)
                     for pre, s, ms, serial, post in parsed]
            data = b"".join(chunk)
            f.write(data)
            written += len(data)
            records += len(parsed)
            sec_at += span + 60
            serial_at += serials + 1000
        rnd += 1
print(f"{out}: {written/1e6:.0f} MB, {rnd} replays of {len(recordings)} recordings ({records} records)",
      file=sys.stderr)
