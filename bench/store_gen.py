#!/usr/bin/env python3
"""Simulated fleet logs for the store benchmark, made from the lab recordings.

  store_gen.py RECORDINGS_DIR OUT_DIR HOSTS SESSIONS_PER_DAY [DAY_START_EPOCH [NAME]]

For each host h (NAME-000 …, NAME defaults to host) writes OUT_DIR/NAME-NNN.log: SESSIONS_PER_DAY recordings (taken in
turn from the raw/enriched *.log.gz of RECORDINGS_DIR, demo included), the k-th shifted so that it
starts at DAY_START + k * 24h / SESSIONS_PER_DAY (+ h seconds, so hosts differ), every line
prefixed with node=NAME-NNN. Event ids stay unique per host (the time moves, serials stay); the
detections see what they saw in the recording, at another time on another host.
"""
import glob
import gzip
import os
import re
import sys

AUDIT = re.compile(rb"audit\((\d+)\.")


def main():
    rec, out, hosts, sessions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    day = int(sys.argv[5]) if len(sys.argv) > 5 else 1795305600  # 2026-11-22T00:00:00Z
    stem = sys.argv[6] if len(sys.argv) > 6 else "host"
    logs = []
    for p in sorted(glob.glob(os.path.join(rec, "*.log.gz"))):
        data = gzip.open(p).read()
        first = int(AUDIT.search(data).group(1))
        logs.append((os.path.basename(p), data, first))
    os.makedirs(out, exist_ok=True)
    total = 0
    for h in range(hosts):
        name = f"{stem}-{h:03d}"
        prefix = b"node=" + name.encode() + b" "
        with open(os.path.join(out, name + ".log"), "wb") as f:
            for k in range(sessions):
                _, data, first = logs[(h + k) % len(logs)]
                shift = day + k * 86400 // sessions + h - first
                shifted = AUDIT.sub(lambda m: b"audit(%d." % (int(m.group(1)) + shift), data)
                body = prefix + shifted.rstrip(b"\n").replace(b"\n", b"\n" + prefix) + b"\n"
                f.write(body)
                total += len(body)
    print(f"{hosts} hosts x {sessions} sessions: {total / 1e6:.1f} MB in {out}")


main()
