#!/usr/bin/env python3
# Helper of bench/watch_latency_auditd.sh (the alert latency of `tocsin watch` with the real
# auditd of the lab). Subcommands (and `tail`, `table`, described where they are defined):
#   stamp OUT -- CMD...     runs CMD (its stdin inherited: the audisp stream when auditd runs this
#                           as a plugin), and writes each line CMD prints on stdout to OUT prefixed
#                           with the wall clock (CLOCK_REALTIME, ms) at which it was read; SIGTERM
#                           is passed on to CMD, whose last lines are still read.
#   load DIR RATE SECONDS   the background load: open/close of files under DIR (audited by a rule
#                           scoped to DIR) at RATE opens/s, paced every millisecond; prints what it did.
#   analyze ...             latency per rule and stage from the stamped alerts and the log slice.
# Audit event ids are "SEC.MS:SERIAL" with the kernel's CLOCK_REALTIME stamp of the syscall, so
# latency = arrival_ms - audit_ms(decisive event) needs no clock translation.
import argparse
import collections
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time


class Arrivals:
    """Stamps the arrival of the decisive events' last record (PROCTITLE, which the kernel writes
    last) among lines read, for the events of the rule key KEY (the bench's docker/swap rules)."""

    def __init__(self, path, key):
        self.out = open(path, "w", buffering=1)
        self.key = ('key="%s"' % key).encode()
        self.pending = set()
        self.rest = b""

    def feed(self, chunk, now_ms):
        lines = (self.rest + chunk).split(b"\n")
        self.rest = lines.pop()
        for line in lines:
            if line.startswith(b"type=SYSCALL") and self.key in line:
                m = AUDIT_B.search(line)
                if m:
                    self.pending.add(m.group(0))
            elif line.startswith(b"type=PROCTITLE") and self.pending:
                m = AUDIT_B.search(line)
                if m and m.group(0) in self.pending:
                    self.pending.discard(m.group(0))
                    self.out.write("%.3f\t%s\n" % (now_ms, m.group(0)[10:-1].decode()))


def cmd_stamp(a):
    out = open(a.out, "w", buffering=1)
    tee = Arrivals(a.arrivals, a.key) if a.arrivals else None
    child = subprocess.Popen(a.command, stdout=subprocess.PIPE, stdin=subprocess.PIPE if tee else None, bufsize=0)
    if tee:
        # Diagnostics: this helper reads the audisp stream and passes it on, stamping when the
        # decisive events arrive, to split the latency into auditd's part and watch's part.
        def pump():
            while True:
                try:
                    chunk = os.read(0, 65536)
                except InterruptedError:
                    continue
                if not chunk:
                    break
                tee.feed(chunk, time.time() * 1000.0)
                try:
                    child.stdin.write(chunk)
                except (BrokenPipeError, ValueError):
                    break
            try:
                child.stdin.close()
            except OSError:
                pass

        threading.Thread(target=pump, daemon=True).start()

    def forward(sig, _frame):
        try:
            child.send_signal(sig)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d %d\n" % (os.getpid(), child.pid))
    buf = b""
    while True:
        try:
            chunk = os.read(child.stdout.fileno(), 65536)
        except InterruptedError:
            continue
        if not chunk:
            break
        now = time.time()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            out.write("%.3f\t%s\n" % (now * 1000.0, line.decode("utf-8", "replace")))
    if buf:
        out.write("%.3f\t%s\n" % (time.time() * 1000.0, buf.decode("utf-8", "replace")))
    sys.exit(child.wait())


def cmd_load(a):
    os.makedirs(a.dir, exist_ok=True)
    names = []
    for i in range(16):
        p = os.path.join(a.dir, "f%d" % i)
        open(p, "w").close()
        names.append(p)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    t0 = time.monotonic()
    end = t0 + a.seconds
    n = 0
    while not stop[0]:
        now = time.monotonic()
        if now >= end:
            break
        want = int((now - t0) * a.rate)
        while n < want:
            os.close(os.open(names[n & 15], os.O_RDONLY))
            n += 1
        time.sleep(0.001)
    el = time.monotonic() - t0
    print(json.dumps({"opens": n, "seconds": round(el, 3), "rate": round(n / el) if el else 0}))


ID = re.compile(r"^(\d+)\.(\d+):(\d+)$")
AUDIT = re.compile(r"msg=audit\((\d+)\.(\d+):(\d+)\)")
AUDIT_B = re.compile(rb"msg=audit\(\d+\.\d+:\d+\)")


def cmd_tail(a):
    # Diagnostics for the file mode: reads the log from OFFSET every 2 ms and stamps when the
    # decisive events' last record is in the file.
    tee = Arrivals(a.out, a.key)
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    with open(a.log, "rb") as f:
        f.seek(a.offset)
        while not stop[0]:
            chunk = f.read(1 << 20)
            if chunk:
                tee.feed(chunk, time.time() * 1000.0)
            else:
                time.sleep(0.002)


def id_ms(eid):
    m = ID.match(eid)
    return int(m.group(1)) * 1000 + int(m.group(2)) if m else None


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(round(q * (len(xs) - 1) + 0.4999))))  # nearest rank, upper
    return xs[k]


def cmd_analyze(a):
    # The log slice: the load actually achieved (events of the load rule's key per second of
    # their own span) and every event's audit time.
    load_t = []
    ev_keys = collections.Counter()
    seen = set()
    keyre = re.compile(r' key="([^"]*)"')
    with open(a.log, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = AUDIT.search(line)
            if not m:
                continue
            serial = m.group(3)
            if "type=SYSCALL" not in line:
                continue
            if serial in seen:
                continue
            seen.add(serial)
            k = keyre.search(line)
            key = k.group(1) if k else ""
            ev_keys[key] += 1
            if key == a.load_key:
                load_t.append(int(m.group(1)) * 1000 + int(m.group(2)))
    load = {"events": len(load_t)}
    if len(load_t) > 1:
        span = (max(load_t) - min(load_t)) / 1000.0
        load["span_s"] = round(span, 1)
        load["rate"] = round(len(load_t) / span) if span else 0
        # the steadiest second-wide windows: the rate the generator held, not its ramp
        per_s = collections.Counter(t // 1000 for t in load_t)
        secs = sorted(per_s.values())[1:-1] or sorted(per_s.values())
        load["rate_p50_per_s"] = secs[len(secs) // 2]
    load["events_by_key"] = dict(ev_keys)

    alerts = []
    summary = None
    with open(a.alerts) as f:
        for line in f:
            ts, _, body = line.rstrip("\n").partition("\t")
            if not body.startswith("{"):
                continue
            try:
                j = json.loads(body)
            except json.JSONDecodeError:
                continue
            if "rule" in j:
                alerts.append((float(ts), j))
            elif "summary" in j or "events" in j or "stats" in j:
                summary = j
    # establishing exchange of each loop (AU002 early), by swap pid
    est = {}
    for ts, j in alerts:
        if j["rule"] == "AU002" and j.get("stage") == "early" and len(j.get("event_ids", [])) > 1:
            pid = (j.get("swap") or {}).get("pid")
            est.setdefault(pid, []).append((id_ms(j["event_ids"][1]), j["event_ids"][1]))
    arrived = {}
    if a.arrivals and os.path.exists(a.arrivals):
        for line in open(a.arrivals):
            ts, _, eid = line.rstrip("\n").partition("\t")
            arrived.setdefault(eid, float(ts))
    split = collections.defaultdict(lambda: ([], []))  # (rule, stage) -> (to input, in watch)
    lat = collections.defaultdict(list)
    problems = []
    finals = {(j["rule"], (j.get("event_ids") or [""])[0]) for _, j in alerts if j.get("stage") != "early"}
    counts = collections.Counter()
    for ts, j in alerts:
        rule, ids = j["rule"], j.get("event_ids") or []
        early = j.get("stage") == "early"
        counts[(rule, "early" if early else "final")] += 1
        if a.benign and rule in ("AU003", "AU004") and (j.get("docker_cp") or {}).get("container") == a.benign:
            problems.append("%s on a benign copy: %s" % (rule, (j.get("docker_cp") or {}).get("path")))
        times = [t for t in (id_ms(i) for i in ids) if t is not None]
        if not times:
            problems.append("%s without event ids" % rule)
            continue
        if early:
            dec_id = None
            if rule == "AU001":
                dec = id_ms(ids[0])
                dec_id = ids[0]
            elif rule == "AU002":
                dec = id_ms(ids[1]) if len(ids) > 1 else None
                dec_id = ids[1] if len(ids) > 1 else None
            elif rule == "AU003":
                pid = (j.get("swap") or {}).get("pid")
                # the loop's establishing exchange that is the latest before this record
                cands = [c for c in est.get(pid, []) if c[0] <= ts]
                dec = None
                if cands:
                    dec, dec_id = max([(id_ms(ids[0]), ids[0])] + cands)
                else:
                    problems.append("AU003 early %s: no AU002 early for swap pid %s before it" % (ids[0], pid))
            else:
                dec = max(times)
                dec_id = max(ids, key=id_ms)
            if dec_id in arrived:
                split[(rule, "early")][0].append(arrived[dec_id] - dec)
                split[(rule, "early")][1].append(ts - arrived[dec_id])
            if (rule, ids[0]) not in finals:
                problems.append("%s early %s has no final record" % (rule, ids[0]))
        else:
            dec = max(times)  # the latest event the final record names
        if dec is not None:
            lat[(rule, "early" if early else "final")].append(ts - dec)
    earlies = {(j["rule"], (j.get("event_ids") or [""])[0]) for _, j in alerts if j.get("stage") == "early"}
    late_only = sorted("%s %s" % k for k in finals - earlies if k[0] in ("AU001", "AU003", "AU004"))
    rows = []
    for rule in ("AU001", "AU002", "AU003", "AU004"):
        for stage in ("early", "final"):
            xs = lat.get((rule, stage), [])
            rows.append({
                "rule": rule, "stage": stage, "n": len(xs),
                "p50": None if not xs else round(pct(xs, 0.5)),
                "p99": None if not xs else round(pct(xs, 0.99)),
                "max": None if not xs else round(max(xs)),
                "min": None if not xs else round(min(xs)),
            })
            to_in, in_watch = split.get((rule, stage), ([], []))
            if to_in:
                rows[-1]["to_input_p50_p99"] = [round(pct(to_in, 0.5)), round(pct(to_in, 0.99))]
                rows[-1]["in_watch_p50_p99"] = [round(pct(in_watch, 0.5)), round(pct(in_watch, 0.99))]
    other = sorted({j["rule"] for _, j in alerts} - {"AU001", "AU002", "AU003", "AU004"})
    res = {"mode": a.mode, "rate_asked": a.rate, "load": load, "rows": rows,
           "alerts": {"%s/%s" % k: v for k, v in sorted(counts.items())}, "other_rules": other,
           "problems": problems, "final_without_early": late_only}
    if a.loadgen and os.path.exists(a.loadgen):
        try:
            res["loadgen"] = json.load(open(a.loadgen))
        except (ValueError, OSError):
            pass
    if a.extra:
        res.update(json.loads(a.extra))
    print(json.dumps(res))


def cmd_table(a):
    # The markdown table of one or more analyze results, and a line of counts per result.
    print("| mode | load asked | load reached (events/s) | rule | stage | n | p50 / p99 / max (ms) |")
    print("|---|---|---|---|---|---|---|")
    for path in a.results:
        r = json.load(open(path))
        reached = r["load"].get("rate_p50_per_s", 0)
        for row in r["rows"]:
            if not row["n"]:
                continue
            extra = ""
            if "to_input_p50_p99" in row:
                extra = " (syscall to watch's input %d / %d, in watch %d / %d)" % (
                    *row["to_input_p50_p99"], *row["in_watch_p50_p99"])
            print("| %s | %s/s | %s | %s | %s | %d | %s / %s / %s%s |" % (
                r["mode"], f"{int(r['rate_asked']):,}", f"{reached:,}", row["rule"], row["stage"], row["n"],
                f"{row['p50']:,}", f"{row['p99']:,}", f"{row['max']:,}", extra))
    for path in a.results:
        r = json.load(open(path))
        print("\n%s %s/s: alerts %s; lost %s; load %s; loadgen %s; problems: %s" % (
            r["mode"], r["rate_asked"], r["alerts"], r.get("lost"), {k: v for k, v in r["load"].items() if k != "events_by_key"},
            r.get("loadgen"), r["problems"] or "none"))
        if r.get("final_without_early"):
            print("  final records with no early record before them: %s" % r["final_without_early"])


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("stamp")
    s.add_argument("out")
    s.add_argument("--pidfile")
    s.add_argument("--arrivals", help="diagnostics: pass stdin on to the command, stamping the decisive events")
    s.add_argument("--key", default="tocsin-lab-bench")
    s.add_argument("command", nargs=argparse.REMAINDER)
    s.set_defaults(fn=cmd_stamp)
    s = sub.add_parser("tail")
    s.add_argument("log")
    s.add_argument("offset", type=int)
    s.add_argument("out")
    s.add_argument("--key", default="tocsin-lab-bench")
    s.set_defaults(fn=cmd_tail)
    s = sub.add_parser("load")
    s.add_argument("dir")
    s.add_argument("rate", type=float)
    s.add_argument("seconds", type=float)
    s.set_defaults(fn=cmd_load)
    s = sub.add_parser("analyze")
    s.add_argument("--log", required=True)
    s.add_argument("--alerts", required=True)
    s.add_argument("--load-key", required=True)
    s.add_argument("--mode", required=True)
    s.add_argument("--rate", required=True)
    s.add_argument("--loadgen")
    s.add_argument("--extra")
    s.add_argument("--arrivals", help="diagnostics: when the decisive events reached watch's input")
    s.add_argument("--benign", help="the container with no loop: its copies must get no AU003/AU004")
    s.set_defaults(fn=cmd_analyze)
    s = sub.add_parser("table")
    s.add_argument("results", nargs="+")
    s.set_defaults(fn=cmd_table)
    a = p.parse_args()
    if a.cmd == "stamp" and a.command[:1] == ["--"]:
        a.command = a.command[1:]
    a.fn(a)


if __name__ == "__main__":
    main()
