#!/usr/bin/env python3
"""Ground truth for a lab recording, read independently of tocsin's C++ parser.

Joins the copies the lab session made (copies.tsv written by scripts/lab) with what the audit log
shows: the client's execve, the daemon's docker-untar/docker-tar helper execve and the path it
resolved, and the swap loop's renameat2 storm. Prints one JSON object (the <scenario>.truth.json).
Works on RAW and ENRICHED logs (the 0x1D separator and everything after it are ignored).
"""
import argparse
import collections
import json
import os
import platform
import re
import subprocess
import sys

EV_RE = re.compile(r"msg=audit\((\d+)\.(\d+):(\d+)\):\s?(.*)$")
KV_RE = re.compile(r'(\w+)=("[^"]*"|\S+)')
HEX_RE = re.compile(r"^[0-9A-F]+$")


def unhex(v):
    if v.startswith('"') and v.endswith('"'):
        return v[1:-1]
    if v != "(null)" and len(v) % 2 == 0 and HEX_RE.match(v):
        try:
            return bytes.fromhex(v).decode("utf-8", "replace")
        except ValueError:
            return v
    return v


def parse(path):
    events = collections.OrderedDict()
    lines = 0
    types = collections.Counter()
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        for line in f:
            lines += 1
            line = line.rstrip("\n").split("\x1d", 1)[0]
            m = re.match(r"(?:node=\S+ )?type=(\S+) ", line)
            e = EV_RE.search(line)
            if not m or not e:
                continue
            typ = m.group(1)
            types[typ] += 1
            eid = f"{e.group(1)}.{e.group(2)}:{e.group(3)}"
            ev = events.setdefault(eid, {"id": eid, "time": int(e.group(1)) + int(e.group(2)) / 1000.0,
                                         "serial": int(e.group(3)), "records": []})
            fields = {k: v for k, v in KV_RE.findall(e.group(4))}
            ev["records"].append((typ, fields))
    return events, lines, types


def rec(ev, typ):
    for t, f in ev["records"]:
        if t == typ:
            return f
    return None


def recs(ev, typ):
    return [f for t, f in ev["records"] if t == typ]


def argv(ev):
    x = rec(ev, "EXECVE")
    if not x:
        return None
    n = int(x.get("argc", "0"))
    out = []
    for i in range(n):
        if f"a{i}" in x:
            out.append(unhex(x[f"a{i}"]))
        else:  # split argument a{i}_len / a{i}[j]
            parts, j = [], 0
            while f"a{i}[{j}]" in x:
                parts.append(unhex(x[f"a{i}[{j}]"]))
                j += 1
            out.append("".join(parts))
    return out


def sysc(ev):
    return rec(ev, "SYSCALL") or {}


def who(ev):
    s = sysc(ev)
    auid = int(s.get("auid", "4294967295"))
    return {"auid": auid, "uid": int(s.get("uid", "-1")), "tty": unhex(s.get("tty", "(none)")),
            "ses": int(s.get("ses", "4294967295")), "pid": int(s.get("pid", "0")),
            "ppid": int(s.get("ppid", "0"))}


def helper_writes(evs, pid):
    """Files the helper created: CREATE name and the inode of the directory it landed in."""
    out = []
    for e in evs:
        sc = sysc(e)
        if int(sc.get("pid", "0")) != pid or sc.get("syscall") not in ("2", "85", "257", "437") or sc.get("success") != "yes":
            continue
        ps = recs(e, "PATH")
        parent = next((p for p in ps if p.get("nametype") == "PARENT"), None)
        for p in ps:
            if p.get("nametype") == "CREATE":
                out.append({"event_id": e["id"], "name": unhex(p.get("name", "")),
                            "parent_name": unhex(parent.get("name", "")) if parent else None,
                            "parent_inode": int(parent["inode"]) if parent and "inode" in parent else None})
    return out


def md5_of(path):
    import hashlib
    try:
        return hashlib.md5(open(path, "rb").read()).hexdigest()
    except OSError:
        return None


def landed_dir(c, landing):
    """Where the copy's file really is (read from the container after the run, scripts/lab
    record_landing): into the container, the candidate path that exists; out of it, the
    candidate whose content the host-side copy has. None when neither shows."""
    req = c["requested_path"]
    base = os.path.basename(req)
    cands = [req, "/" + base, "/etc/" + base]
    c["landed_dir"] = None
    if not landing:
        return
    if c["direction"] == "to-container":
        for p in cands:
            if p in landing:
                c["landed_dir"] = os.path.dirname(p) or "/"
                return
    else:
        h = md5_of(c["dst"])
        for p in cands:
            if h and landing.get(p) == h:
                c["landed_dir"] = os.path.dirname(p) or "/"
                return


def descendants(evs, pid):
    """pid and the processes it started (execve/any syscall naming it as ppid), transitively."""
    out = {pid}
    for e in evs:
        s = sysc(e)
        if int(s.get("ppid", "0")) in out:
            out.add(int(s.get("pid", "0")))
    return out


def podman_copy(c, evs, cl):
    """podman has no helper: the client copies in its own pid (PRODUCT.md). The resolved path
    is where the file landed (ground truth); what the log shows of it is recorded separately:
    the client's own records naming the copied file (CREATE copying in, any item copying out)."""
    c["helper"] = None
    won = c["landed_dir"] is not None and norm_dir(c["landed_dir"]) != norm_dir(c["requested_dir"])
    c["won"] = won
    c["resolved_path"] = c["landed_dir"] if won else None
    c["landed_outside"] = False
    c["podman"] = {"pids": [], "reexecs": [], "records": []}
    if not cl:
        return
    pids = descendants([e for e in evs if cl["time"] - 0.01 <= e["time"] <= c["_t1"] + 1], who(cl)["pid"])
    base = os.path.basename(c["requested_path"])
    recs_ = []
    for e in evs:
        s = sysc(e)
        if int(s.get("pid", "0")) not in pids or not (c["_t0"] - 0.01 <= e["time"] <= c["_t1"] + 0.5):
            continue
        a = argv(e)
        if a and a[0] in ("chrootuser-open", "buildah-copier"):
            c["podman"]["reexecs"].append({"event_id": e["id"], "pid": int(s.get("pid", "0")), "argv": a})
        for p in recs(e, "PATH"):
            n = unhex(p.get("name", ""))
            if os.path.basename(n) == base and n.startswith("/"):
                recs_.append({"event_id": e["id"], "syscall": s.get("syscall"), "pid": int(s.get("pid", "0")),
                              "name": n, "nametype": p.get("nametype"), "inode": p.get("inode"), "dev": p.get("dev")})
    c["podman"]["pids"] = sorted(pids)
    c["podman"]["records"] = recs_
    # Copying in, the log shows the win when the copy's own records create the file where it
    # really landed. Copying out (reads are not recorded), see podman_copy_out_evidence.
    want = os.path.join(c["landed_dir"] or "", base) if won else None
    c["win_in_records"] = bool(won and c["direction"] == "to-container"
                               and any(r["name"] == want and r["nametype"] == "CREATE" for r in recs_))


CHECKS = {"4", "6", "262", "332"}  # stat lstat newfstatat statx


def podman_copy_out_evidence(copies):
    """Copying out, podman's client stats the requested name inside the container; the log
    shows a won copy when its last such check saw another file (dev, inode) than the one the
    copies that read the right file (ground truth) last saw there."""
    def last_check(c):
        ck = [r for r in (c.get("podman") or {}).get("records", [])
              if r["syscall"] in CHECKS and r["name"] == c["requested_path"] and r["inode"]]
        return (ck[-1]["dev"], ck[-1]["inode"]) if ck else None
    outs = [c for c in copies if c["direction"] == "from-container" and c.get("podman") is not None]
    genuine = {last_check(c) for c in outs if not c["won"] and c["landed_dir"] is not None} - {None}
    for c in outs:
        lc = last_check(c)
        c["win_in_records"] = bool(c["won"] and lc and genuine and lc not in genuine)
        if c["win_in_records"]:
            c["records_identity"] = {"dev": lc[0], "inode": int(lc[1])}


def is_exchange(e):
    dels = {unhex(p.get("name", "")) for p in recs(e, "PATH") if p.get("nametype") == "DELETE"}
    cres = {unhex(p.get("name", "")) for p in recs(e, "PATH") if p.get("nametype") == "CREATE"}
    return len(dels) == 2 and dels <= cres


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def norm_dir(p):
    p = p.rstrip("/")
    return p if p else "/"


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001
        return None


def main():
    ap = argparse.ArgumentParser()
    for a in ("scenario", "format", "log", "copies", "container", "container-id", "rootfs", "recorded", "log-name"):
        ap.add_argument("--" + a, default="")
    ap.add_argument("--docker", default="/usr/bin/docker")  # the client (docker or podman)
    ap.add_argument("--engine", default="docker")
    ap.add_argument("--rules", default="")
    ap.add_argument("--rule-set", default="lab")
    ap.add_argument("--landing", default="")  # landing.tsv: container path -> md5 (scripts/lab)
    o = ap.parse_args()
    landing = {}
    if o.landing and os.path.exists(o.landing):
        for ln in open(o.landing):
            if "\t" in ln:
                p_, h_ = ln.rstrip("\n").split("\t", 1)
                landing[p_] = h_
    events, nlines, types = parse(o.log)
    evs = list(events.values())

    clients = [e for e in evs if (argv(e) or [None, None])[1:2] == ["cp"]
               and (unhex(sysc(e).get("exe", "")) == o.docker or (argv(e) or [""])[0] == o.docker)]
    helpers = [e for e in evs if (argv(e) or [""])[0] in ("docker-untar", "docker-tar")]
    copies = []
    with open(o.copies) as f:
        for i, line in enumerate(l for l in f.read().splitlines() if l):
            t0, t1, direction, req, src, dst, rc, errf = line.split("\t")
            try:
                err = open(errf).read().strip()
            except OSError:
                err = ""
            copies.append({"index": i + 1, "start": iso(float(t0)), "end": iso(float(t1)),
                           "_t0": float(t0), "_t1": float(t1), "direction": direction,
                           "container": o.container, "container_id": o.container_id,
                           "requested_path": req, "requested_dir": os.path.dirname(req) or "/",
                           "src": src, "dst": dst, "exit_code": int(rc), "client_stderr": err})
    used = set()
    for c in copies:
        cl = next((e for e in clients if e["id"] not in used and argv(e)[2:4] == [c["src"], c["dst"]]
                   and c["_t0"] - 1 <= e["time"] <= c["_t1"] + 1), None)
        if cl:
            used.add(cl["id"])
            w = who(cl)
            c["client"] = {"event_id": cl["id"], "pid": w["pid"], "argv": argv(cl)}
            c.update({"auid": w["auid"], "uid": w["uid"], "tty": w["tty"], "ses": w["ses"]})
        else:
            c["client"] = None
        want = "docker-untar" if c["direction"] == "to-container" else "docker-tar"
        hs = [h for h in helpers if argv(h)[0] == want and h["id"] not in used
              and c["_t0"] - 0.01 <= h["time"] <= c["_t1"] + 0.01]
        landed_dir(c, landing)
        if o.engine == "podman":
            podman_copy(c, evs, cl)
            del c["_t0"], c["_t1"]
            continue
        if hs:
            h = hs[0]
            used.add(h["id"])
            a = argv(h)
            c["helper"] = {"event_id": h["id"], "pid": who(h)["pid"], "ppid": who(h)["ppid"],
                           "exe": unhex(sysc(h).get("exe", "")), "comm": unhex(sysc(h).get("comm", "")),
                           "argv": a, "resolved_dir": norm_dir(a[1]) if len(a) > 1 else None,
                           "rootfs": a[2] if len(a) > 2 else None}
            c["helper"]["writes"] = helper_writes(evs, c["helper"]["pid"])
            c["resolved_path"] = c["helper"]["resolved_dir"]
            c["won"] = c["helper"]["resolved_dir"] != norm_dir(c["requested_dir"])
        else:
            c["helper"] = None
            c["resolved_path"] = None
            c["won"] = False
        del c["_t0"], c["_t1"]

    if o.engine == "podman":
        podman_copy_out_evidence(copies)
    # the swap loop: renameat2 (316) by one pid, both names nametype=DELETE
    swaps = collections.defaultdict(list)
    for e in evs:
        s = sysc(e)
        if s.get("syscall") in ("316", "renameat2"):
            swaps[int(s.get("pid", "0"))].append(e)
    swap = None
    if swaps:
        pid, es = max(swaps.items(), key=lambda kv: len(kv[1]))
        names = collections.Counter()
        for e in es:
            for p in recs(e, "PATH"):
                if p.get("nametype") == "DELETE":
                    names[unhex(p.get("name", ""))] += 1
        s0 = sysc(es[0])
        swap = {"pid": pid, "ppid": int(s0.get("ppid", "0")), "exe": unhex(s0.get("exe", "")),
                "comm": unhex(s0.get("comm", "")), "cwd": unhex((rec(es[0], "CWD") or {}).get("cwd", "")),
                "paths": [n for n, _ in names.most_common(2)], "count": len(es),
                "success": sum(1 for e in es if sysc(e).get("success") == "yes"),
                # the successful ones whose records show an exchange: both DELETE names are
                # CREATE items too (a rename over a name creates only the target; rarely the
                # log has an event whose PATH records are missing although items= says 6)
                "exchanges": sum(1 for e in es if sysc(e).get("success") == "yes" and is_exchange(e)),
                "first_event_id": es[0]["id"], "last_event_id": es[-1]["id"],
                "first": iso(es[0]["time"]), "last": iso(es[-1]["time"]),
                "duration_ms": int(round((es[-1]["time"] - es[0]["time"]) * 1000)),
                "other_renameat2_pids": sorted(p for p in swaps if p != pid)}

    if swap:
        # the real directory of the swapped pair: the DELETE item that is a directory (mode 040...)
        dir_inodes = set()
        for e in swaps[swap["pid"]]:
            for p in recs(e, "PATH"):
                if p.get("nametype") == "DELETE" and p.get("mode", "").startswith("040"):
                    dir_inodes.add(int(p["inode"]))
        swap["dir_inode"] = sorted(dir_inodes)[0] if len(dir_inodes) == 1 else sorted(dir_inodes)
    for c in copies:
        if o.engine == "podman":
            continue
        ws = (c.get("helper") or {}).get("writes") or []
        if swap and c["direction"] == "to-container" and ws and os.path.dirname(c["requested_path"]) in swap["paths"]:
            c["landed_outside"] = any(w["parent_inode"] != swap["dir_inode"] for w in ws)
        else:
            c["landed_outside"] = None if swap and c["direction"] == "to-container" else False

    out = {
        "scenario": o.scenario, "format": o.format, "log": o.log_name, "recorded": o.recorded,
        "engine": o.engine, "rule_set": o.rule_set,
        "environment": {"kernel": platform.release(),
                        "docker_client": o.docker,
                        "docker_client_version": version([o.docker, "version", "-f", "{{.Client.Version}}"]),
                        "dockerd_version": version([o.docker, "version", "-f", "{{.Server.Version}}"]),
                        "auditd": version(["dpkg-query", "-W", "-f", "${Version}", "auditd"])},
        "audit_rules": open(o.rules).read().splitlines() if o.rules else [],
        "container": {"name": o.container, "id": o.container_id, "rootfs": o.rootfs},
        "copies": copies,
        "swap": swap,
        "summary": {"copies": len(copies),
                    "to_container": sum(1 for c in copies if c["direction"] == "to-container"),
                    "from_container": sum(1 for c in copies if c["direction"] == "from-container"),
                    "won": sum(1 for c in copies if c["won"]),
                    "won_indexes": [c["index"] for c in copies if c["won"]],
                    "failed": sum(1 for c in copies if c["exit_code"] != 0),
                    "landed_outside": sum(1 for c in copies if c.get("landed_outside")),
                    "won_and_succeeded": sum(1 for c in copies if c["won"] and c["exit_code"] == 0),
                    "won_in_records": sum(1 for c in copies if c.get("win_in_records")),
                    "landed": {str(c["index"]): c.get("landed_dir") for c in copies},
                    "client_execs": len(clients), "helper_execs": len(helpers),
                    "swap_events": swap["count"] if swap else 0,
                    "events": len(evs), "records": nlines, "record_types": dict(sorted(types.items()))},
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
