#!/usr/bin/env python3
"""Compares alert reports of the fleet store tests.

  compare.py same A.jsonl B.jsonl LABEL     the same alert lines (JSONL, summary records left out),
                                            as multisets; prints what differs
  compare.py union OUT.jsonl IN.jsonl...    the alert lines of several reports, concatenated
  compare.py ids A.jsonl                    prints "rule first_event_id" per alert (identity)
"""
import json
import sys


def alert_lines(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            obj = json.loads(line)  # every line must be JSON
            if "summary" in obj:
                continue
            if obj.get("stage") == "early":
                continue  # watch's early records: the store keeps the final ones (docs/live.md)
            # The store keeps an alert's command line and input file:line but not the pid and
            # exe of its process (docs/output.md): a fleet alert has them null. Compared
            # without them; everything else must be identical.
            if isinstance(obj.get("process"), dict):
                obj["process"]["pid"] = obj["process"]["exe"] = None
                line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            out.append(line)
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "same":
        a, b, label = alert_lines(sys.argv[2]), alert_lines(sys.argv[3]), sys.argv[4]
        if sorted(a) == sorted(b):
            print(f"ok   {label}: {len(a)} alerts, identical")
            return 0
        only_a = sorted(set(a) - set(b))
        only_b = sorted(set(b) - set(a))
        print(f"FAIL {label}: {len(a)} alerts vs {len(b)}")
        for l in only_a[:5]:
            print(f"  only in {sys.argv[2]}: {l[:400]}")
        for l in only_b[:5]:
            print(f"  only in {sys.argv[3]}: {l[:400]}")
        return 1
    if cmd == "union":
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            for p in sys.argv[3:]:
                for l in alert_lines(p):
                    out.write(l + "\n")
        return 0
    if cmd == "ids":
        for l in alert_lines(sys.argv[2]):
            o = json.loads(l)
            ids = o.get("event_ids") or []
            print(o["rule"], ids[0] if ids else "-")
        return 0
    print(__doc__)
    return 2


sys.exit(main())
