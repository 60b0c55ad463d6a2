#!/usr/bin/env python3
"""Checks one `tocsin hunt --format jsonl` run over a lab recording against its ground truth.

Usage: check_hunt.py TRUTH.json ALERTS.jsonl EXIT_CODE NAME [VARIANT [LOG [TOCSIN]]]

VARIANT says which audit rule set the log stands for: derived from a full recording by
tests/e2e/lab/derive.py (full | minimal | no-cwd | community | execve-only), or recorded live under
that rule set by `scripts/lab record-cell` (live:tocsin | live:community | live:minimal |
live:execve-only; the truth — and its audit_rules — then come from that very log). What a
variant's records can support is expected; what they cannot support must not be claimed, and
the summary's coverage verdict per rule (docs/coverage.md) must be the one the scenario, the
variant and the rules in the truth file imply. With LOG (the log hunted: the client runs are read
from it, independently of tocsin), and TOCSIN, the same rules — narrowed as the variant narrows
them — are checked with `tocsin audit-rules --check`, and both answers must agree: a rule the
data shows blind is not covered by the rules, a rule the rules leave blind is blind or unknown
in the data.

podman copies (truth "engine": "podman") have no helper: `won` is where the file really landed
(ground truth read from the container), and AU004 is expected exactly when the copy's own
records show it (`win_in_records`: the created name copying in, the identity of the file the
client's last check saw copying out; reads are not recorded, so a won copy out may leave none).
"""
import datetime, json, os, re, subprocess, sys, tempfile
truth = json.load(open(sys.argv[1]))
records = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
alerts = [r for r in records if "rule" in r]
summary_rec = next((r["summary"] for r in records if "summary" in r), None)
rc = int(sys.argv[3]); name = sys.argv[4]
variant = sys.argv[5] if len(sys.argv) > 5 else "full"
log_path = sys.argv[6] if len(sys.argv) > 6 else None
tocsin = sys.argv[7] if len(sys.argv) > 7 else None
# What each rule set records (see derive.py): loops = the container's renameat2 records;
# landing = the helper's chdir/CREATE records with inodes (use-time wins, a1 unchanged).
SEES = {"full": dict(loops=True, landing=True), "minimal": dict(loops=True, landing=True),
        "no-cwd": dict(loops=True, landing=True), "community": dict(loops=True, landing=True),
        "execve-only": dict(loops=False, landing=False)}
# Live cells: the truth is computed from the cell's own log, so what it says the records show is
# what they show (an execve-only log has no loop and no helper writes in its truth).
for live in ("tocsin", "community", "minimal", "execve-only"):
    SEES["live:" + live] = dict(loops=live != "execve-only", landing=live != "execve-only")
sees = SEES[variant]
live = variant.startswith("live:")
podman = truth.get("engine") == "podman"
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
        # The truth has the log's value; the alert says an unset auid/ses ((uint32_t)-1) as null.
        want = None if k in ("auid", "ses") and c[k] == 4294967295 else c[k]
        if u.get(k) != want: err(f"copy {i}: AU001 user.{k}={u.get(k)!r}, truth {c[k]!r}")
    cp = a.get("docker_cp") or {}
    if cp.get("direction") != c["direction"]: err(f"copy {i}: direction {cp.get('direction')} != {c['direction']}")
    if cp.get("container") != c["container"]: err(f"copy {i}: container {cp.get('container')} != {c['container']}")
    if cp.get("path") != c["requested_path"]: err(f"copy {i}: path {cp.get('path')} != {c['requested_path']}")
    if c.get("helper") and c["helper"]["event_id"] not in a["event_ids"]:
        err(f"copy {i}: AU001 not correlated with helper {c['helper']['event_id']}: {a['event_ids']}")
    au4 = for_copy("AU004", c)
    if podman:
        shown = bool(c.get("win_in_records")) and sees["landing"]
        if shown:
            ident = c.get("records_identity")
            got = au4[0]["docker_cp"].get("resolved_path") if len(au4) == 1 else None
            # copying out the records show the file only by its identity (reads are not recorded)
            ok = got is not None and (norm(got) == norm(c["landed_dir"]) or
                                      (ident is not None and f"inode {ident['inode']}" in got))
            if len(au4) != 1: err(f"copy {i}: won (landed in {c['landed_dir']}, shown by its records) but {len(au4)} AU004")
            elif not ok: err(f"copy {i}: AU004 resolved_path {got} != {c['landed_dir']}")
            elif not au4[0].get("reason"): err(f"copy {i}: AU004 without a reason")
        elif au4 and not c["won"] and c["landed_dir"] is not None:
            # (landed_dir None: the copy failed or its file matches no candidate — no ground
            # truth to judge an AU004 by; the records may still show where it was resolved)
            err(f"copy {i}: AU004 on a copy that landed where it was asked ({c['landed_dir']})")
        au4 = None
    # A use-time win: the helper was given the requested directory, but the file landed in
    # another one (the lab's dir-link points at the container root "/").
    landed = bool(c.get("landed_outside")) and sees["landing"]
    if au4 is None:
        pass
    elif c["won"] or landed:
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
        want_n = swap.get("exchanges", swap["success"])
        if s["count"] != want_n: err(f"AU002 count {s['count']} != {want_n} successful exchanges in the records")
elif n2: err(f"{n2} AU002 in a recording without a loop")
if not copies and by.get("AU003"): err("AU003 in a recording without copies")
if "benign" in name:
    for r in ("AU002", "AU003", "AU004", "AU005", "AU006"):
        if by.get(r): err(f"benign recording: {len(by[r])} {r}")
    if rc != 0: err(f"benign recording: exit code {rc}, want 0")
    hi = [a for a in alerts if a["severity"] in ("high", "critical")]
    if hi: err(f"benign recording: {len(hi)} high/critical alerts, first: {hi[0]['rule']} {hi[0]['message']}")
else:
    want = 1 if ((swap and sees["loops"]) or any(c["won"] and (not podman or (c.get("win_in_records") and sees["landing"])) for c in copies)
                 or any(c.get("landed_outside") and sees["landing"] for c in copies)) else 0
    if rc != want: err(f"exit code {rc}, want {want}")
if "busy" in name:
    # A busy host (tests/e2e/lab/busy.sh): the benign noise gives nothing high or critical; only
    # the swap loop (AU002) and the copies it raced (AU003/AU004) may be.
    for r in ("AU005", "AU009"):
        if by.get(r): err(f"busy host: {len(by[r])} {r}, first: {by[r][0]['message']}")
    raced = {(c.get("client") or {}).get("event_id") for c in copies if "/payload" in c["requested_path"]}
    for a in alerts:
        if a["severity"] in ("high", "critical") and a["rule"] != "AU002" and a["event_ids"][0] not in raced:
            err(f"busy host: {a['rule']} {a['severity']} outside the race: {a['message']}")
for r in ("AU000", "AU006", "AU007"):
    if by.get(r): err(f"unexpected {r}: {by[r][0]['message']}")

# --- coverage verdicts (docs/coverage.md): what this variant's records let each rule see.
MOUNT_NS = {"mount", "umount2", "unshare", "pivot_root", "chroot", "setns"}
def derive_rules(rules, variant):
    """The truth's rules as the variant narrows them (what derive.py does to the records)."""
    out = []
    for r in rules:
        m = re.search(r" -S (\S+)", r)
        if m and variant in ("minimal", "community", "execve-only"):
            keep = [x for x in m.group(1).split(",")
                    if (x in ("execve", "execveat") if variant == "execve-only" else x not in MOUNT_NS)]
            if not keep: continue
            r = r.replace(m.group(0), " -S " + ",".join(keep))
        elif not m and variant == "execve-only":
            continue
        out.append(r)
    if variant in ("no-cwd", "community"): out.insert(0, "-a always,exclude -F msgtype=CWD")
    return out
def combine(parts):
    if all(p == "covered" for p in parts): return "covered"
    if all(p == "unknown" for p in parts): return "unknown"
    if "blind" in parts and not any(p in ("covered", "partial") for p in parts): return "blind"
    return "partial" if any(p in ("covered", "partial") for p in parts) else "unknown"
def expected_coverage():
    rules = truth.get("audit_rules", [])
    # live cells: the truth's rules are the ones loaded (the CWD exclude among them)
    exec_only = variant in ("execve-only", "live:execve-only")
    no_cwd = variant in ("no-cwd", "community") or any("msgtype=CWD" in r for r in rules)
    log = ""
    if log_path:
        opener = __import__("gzip").open if log_path.endswith(".gz") else open
        with opener(log_path, "rt", errors="replace") as fh: log = fh.read()
    # A container client ran (any subcommand: docker exec starts the loop), read from the log.
    # (raw logs give the syscall's number, enriched ones its name)
    client_ran = bool(copies) or bool(re.search(
        r'type=SYSCALL .* syscall=(59|322|execve|execveat) .*exe="?/usr/(local/)?bin/(docker|podman)\b', log))
    def has_rule(syscalls, exe_part):
        return any(re.search(exe_part, r) and re.search(r" -S \S*\b(" + "|".join(syscalls) + r")\b", r)
                   for r in derive_rules(rules, variant))
    runtime_exe = r"exe=/usr/(s?bin|local/s?bin)/(dockerd|podman|runc|containerd|crun|conmon)\b"
    podman = truth.get("engine") == "podman"
    e = {}
    e["AU001"] = "covered" if client_ran else "unknown"
    # An execve-only log says renames are not recorded once it holds enough events (10) to tell.
    syscall_events = len(re.findall(r"^(?:node=\S+ )?type=SYSCALL ", log, re.M))
    e["AU002"] = ("blind" if syscall_events >= 10 else "unknown") if exec_only else "covered" if swap else "unknown"
    e["AU003"] = "blind" if "blind" in (e["AU001"], e["AU002"]) else "unknown" if "unknown" in (e["AU001"], e["AU002"]) else "covered"
    if not copies: e["AU004"] = "unknown"
    else:
        parts = []
        to = [c for c in copies if c["direction"] == "to-container"]
        frm = [c for c in copies if c["direction"] == "from-container"]
        if podman:
            # No helper: the client's own file syscalls inside the container are the evidence
            # (creates copying in; its check of the requested name copying out, partial by nature).
            if to: parts.append("covered" if has_rule(["open", "openat", "openat2", "creat"], "exe=/usr/bin/podman") else "blind")
            if frm: parts.append("partial" if has_rule(["newfstatat", "statx", "stat", "lstat"], "exe=/usr/bin/podman") else "blind")
        else:
            if to: parts.append("blind" if not any(c.get("helper") for c in to) else "partial" if exec_only else "covered")
            if frm: parts.append("blind" if not any(c.get("helper") for c in frm) else "partial")
        e["AU004"] = combine(parts)
    runtime_writes = has_rule(["open", "openat", "creat", "openat2"], runtime_exe)
    e["AU005"] = "blind" if not runtime_writes else "partial" if no_cwd else "covered"
    # Every execve is recorded only under tocsin audit-rules --scope lab (its unfiltered _exec rule);
    # otherwise execve outside login sessions is recorded for some programs only.
    # (the lab scopes its rules to its session, auid=1000; host scope's _exec rule records login
    # sessions only, auid!=-1, or named programs, exe=: neither is every execve)
    every_exec = any(re.search(r" -S \S*execve", r) and "exe=" not in r and "auid!=-1" not in r
                     and re.search(r"tocsin_exec\b", r) for r in derive_rules(rules, variant))
    e["AU006"] = "covered" if every_exec and not exec_only else "unknown"
    e["AU007"] = "blind" if no_cwd else "covered"
    e["AU008"] = "covered" if truth.get("summary", {}).get("record_types", {}).get("DAEMON_START") else "partial"
    # The checks of this recording's engine: podman's own check rule (host scope) does not make a
    # docker recording's runtime checks visible.
    engine_exe = (r"exe=/usr/(s?bin|local/s?bin)/(podman|runc|conmon|crun)\b" if podman
                  else r"exe=/usr/(s?bin|local/s?bin)/(dockerd|runc|containerd)\b")
    checks = has_rule(["stat", "lstat", "newfstatat", "statx", "access", "faccessat", "readlink", "readlinkat"], engine_exe)
    e["AU009"] = "covered" if checks else "blind"
    e["AU010"] = e["AU001"]
    return e
cov = (summary_rec or {}).get("coverage")
if not cov or sorted(cov.get("rules", {})) != [f"AU{i:03d}" for i in range(1, 11)]:
    err(f"summary without a coverage verdict for AU001-AU010: {list((cov or {}).get('rules', {}))}")
else:
    got = {r: v["verdict"] for r, v in cov["rules"].items()}
    for r, want in expected_coverage().items():
        if got[r] != want: err(f"coverage {r}: {got[r]} ({cov['rules'][r]['reason']}), want {want}")
        if not cov["rules"][r]["reason"]: err(f"coverage {r} without a reason")
        if (got[r] == "covered") != (cov["rules"][r]["fix"] is None): err(f"coverage {r}: fix {cov['rules'][r]['fix']!r} with {got[r]}")
    if tocsin and truth.get("audit_rules"):
        with tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False) as fh:
            fh.write("\n".join(derive_rules(truth["audit_rules"], variant)) + "\n")
        try:
            out = subprocess.run([tocsin, "audit-rules", "--check", fh.name, "--format", "json"],
                                 capture_output=True, text=True)
        finally:
            os.unlink(fh.name)
        if out.returncode not in (0, 1): err(f"audit-rules --check failed ({out.returncode}): {out.stderr.strip()}")
        else:
            check = {d["rule"]: d["verdict"] for d in json.loads(out.stdout)["detections"]}
            for r, v in got.items():
                if v == "blind" and check[r] == "covered": err(f"{r}: the data is blind, the rules cover it")
                if check[r] == "blind" and v not in ("blind", "unknown"): err(f"{r}: the rules are blind, the data says {v}")
summary = {r: len(v) for r, v in sorted(by.items())}
if errors:
    print(f"FAIL {name}: " + "; ".join(errors[:12]) + (f" (+{len(errors)-12} more)" if len(errors) > 12 else ""))
    print(f"     alerts: {summary}")
    sys.exit(1)
print(f"ok   {name}: {len(copies)} copies, won {sum(c['won'] for c in copies)}, alerts {summary}")
