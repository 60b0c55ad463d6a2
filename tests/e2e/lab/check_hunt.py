#!/usr/bin/env python3
"""Checks one `tocsin hunt --format jsonl` run over a lab recording against its ground truth.

Usage: check_hunt.py TRUTH.json ALERTS.jsonl EXIT_CODE NAME [VARIANT]

VARIANT says which audit rule set the log stands for (tests/e2e/lab/derive.py derives the
narrower ones from a full recording): full | minimal | no-cwd | community | execve-only. What a
variant's records can support is expected; what they cannot support must not be claimed (and,
once the hunt reports coverage, must be reported blind).
"""
import datetime, json, sys
truth = json.load(open(sys.argv[1]))
records = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
alerts = [r for r in records if "rule" in r]
summary_rec = next((r["summary"] for r in records if "summary" in r), None)
rc = int(sys.argv[3]); name = sys.argv[4]
variant = sys.argv[5] if len(sys.argv) > 5 else "full"
# What each rule set records (see derive.py): loops = the container's renameat2 records;
# landing = the helper's chdir/CREATE records with inodes (use-time wins, a1 unchanged).
SEES = {"full": dict(loops=True, landing=True), "minimal": dict(loops=True, landing=True),
        "no-cwd": dict(loops=True, landing=True), "community": dict(loops=True, landing=True),
        "execve-only": dict(loops=False, landing=False)}
sees = SEES[variant]
name = f"{name} [{variant}]"
errors = []
def err(msg): errors.append(msg)
# The last line is the summary: these recordings are intact, so the run is complete.
if not records or "summary" not in records[-1]: err("no summary record as the last line")
else:
    summ = records[-1]["summary"]
    if not summ["complete"] or summ["errors"] or summ["alerts"] != len(alerts):
        err(f"summary: complete={summ['complete']} errors={summ['errors']} alerts={summ['alerts']} (printed {len(alerts)})")
    elif [i["status"] for i in summ["inputs"]] != ["ok"]: err(f"summary inputs: {summ['inputs']}")
def ts(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
def norm(p):
    p = (p or "").rstrip("/")
    return p or "/"
by = {}
for a in alerts:
    by.setdefault(a["rule"], []).append(a)
    for k in ("rule", "severity", "time", "host", "event_ids", "message"):
        if k not in a: err(f"alert without {k}: {a}")
def for_copy(rule, c):
    cid = (c.get("client") or {}).get("event_id")
    return [a for a in by.get(rule, []) if a["event_ids"] and a["event_ids"][0] == cid]
copies = truth["copies"]
swap = truth.get("swap")
for c in copies:
    i = c["index"]
    if not c.get("client"):
        err(f"copy {i}: the truth has no client execve (recording problem)"); continue
    au1 = for_copy("AU001", c)
    if len(au1) != 1: err(f"copy {i}: {len(au1)} AU001 (want 1)"); continue
    a = au1[0]; u = a.get("user") or {}
    for k in ("auid", "uid", "tty", "ses"):
        if u.get(k) != c[k]: err(f"copy {i}: AU001 user.{k}={u.get(k)!r}, truth {c[k]!r}")
    cp = a.get("docker_cp") or {}
    if cp.get("direction") != c["direction"]: err(f"copy {i}: direction {cp.get('direction')} != {c['direction']}")
    if cp.get("container") != c["container"]: err(f"copy {i}: container {cp.get('container')} != {c['container']}")
    if cp.get("path") != c["requested_path"]: err(f"copy {i}: path {cp.get('path')} != {c['requested_path']}")
    if c.get("helper") and c["helper"]["event_id"] not in a["event_ids"]:
        err(f"copy {i}: AU001 not correlated with helper {c['helper']['event_id']}: {a['event_ids']}")
    au4 = for_copy("AU004", c)
    # A use-time win: the helper was given the requested directory, but the file landed in
    # another one (the lab's dir-link points at the container root "/").
    landed = bool(c.get("landed_outside")) and sees["landing"]
    if c["won"] or landed:
        want = c["resolved_path"] if c["won"] else "/"
        if len(au4) != 1: err(f"copy {i}: won race ({'a1 ' + c['resolved_path'] if c['won'] else 'landed in /'}) but {len(au4)} AU004")
        elif norm(au4[0]["docker_cp"].get("resolved_path")) != norm(want):
            err(f"copy {i}: AU004 resolved_path {au4[0]['docker_cp'].get('resolved_path')} != {want}")
        elif not au4[0].get("reason"): err(f"copy {i}: AU004 without a reason")
    elif au4 and not c.get("landed_outside"): err(f"copy {i}: AU004 on a copy the truth says was not won")
    au3 = for_copy("AU003", c)
    if swap and sees["loops"]:
        s0, s1 = ts(swap["first"]), ts(swap["last"])
        c0, c1 = ts(c["start"]), ts(c["end"])
        inside = c0 >= s0 + 0.05 and c0 <= s1 - 0.05            # started while the loop ran
        outside = c1 < s0 - 1.0 or c0 > s1 + 1.0
        on_path = any(norm(c["requested_path"]).startswith(norm(p) + "/") or norm(p) == norm(c["requested_path"])
                      for p in swap["paths"])
        if inside and on_path and len(au3) != 1: err(f"copy {i}: made during the loop, {len(au3)} AU003")
        if outside and au3: err(f"copy {i}: AU003 although the copy is >1 s away from the loop")
    elif au3: err(f"copy {i}: AU003 without any swap loop {'in the recording' if not swap else 'in the records of this rule set'}")
n2 = len(by.get("AU002", []))
if swap and sees["loops"]:
    if n2 != 1: err(f"{n2} AU002 for one swap loop (want exactly 1)")
    else:
        s = by["AU002"][0]["swap"]
        if s["pid"] != swap["pid"]: err(f"AU002 pid {s['pid']} != {swap['pid']}")
        if sorted(s["paths"]) != sorted(swap["paths"]): err(f"AU002 paths {s['paths']} != {swap['paths']}")
        if s["count"] != swap["success"]: err(f"AU002 count {s['count']} != {swap['success']} successful renames")
elif n2: err(f"{n2} AU002 in a recording without a loop")
if not copies and by.get("AU003"): err("AU003 in a recording without copies")
if "benign" in name:
    for r in ("AU002", "AU003", "AU004", "AU005", "AU006"):
        if by.get(r): err(f"benign recording: {len(by[r])} {r}")
    if rc != 0: err(f"benign recording: exit code {rc}, want 0")
    hi = [a for a in alerts if a["severity"] in ("high", "critical")]
    if hi: err(f"benign recording: {len(hi)} high/critical alerts, first: {hi[0]['rule']} {hi[0]['message']}")
else:
    want = 1 if ((swap and sees["loops"]) or any(c["won"] for c in copies)
                 or any(c.get("landed_outside") and sees["landing"] for c in copies)) else 0
    if rc != want: err(f"exit code {rc}, want {want}")
for r in ("AU000", "AU006", "AU007"):
    if by.get(r): err(f"unexpected {r}: {by[r][0]['message']}")
summary = {r: len(v) for r, v in sorted(by.items())}
if errors:
    print(f"FAIL {name}: " + "; ".join(errors[:12]) + (f" (+{len(errors)-12} more)" if len(errors) > 12 else ""))
    print(f"     alerts: {summary}")
    sys.exit(1)
print(f"ok   {name}: {len(copies)} copies, won {sum(c['won'] for c in copies)}, alerts {summary}")
