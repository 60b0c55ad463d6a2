#!/usr/bin/env python3
"""Drives `tocsin watch` for the watch benchmarks (bench/watch_latency.sh, bench/watch_rss.sh).

The writer here STANDS IN FOR AUDITD: auditd itself is not used. It appends the recorded lab
events (real dockerd 20.10 + auditd output, tests/e2e/recordings) to a log file the way auditd
would: every record keeps its text, the `audit(SEC.MS:SERIAL)` stamp is rewritten to the wall
clock at the moment the event is written and to a fresh serial, so `watch` sees live, unique,
in-order events. Writes are write(2)+nothing (no fsync; auditd's default flush=incremental_async
does not fsync each record either).

  watch_feed.py latency --tocsin BIN --rate EV_PER_S --seconds S --work DIR [--kind enriched|raw]
      Writes at a steady rate, timestamps every alert line as it arrives (a separate reader
      process on watch's stdout, CLOCK_MONOTONIC on both sides), matches alerts to written
      events by event id and prints p50/p99/max latency per rule.
  watch_feed.py rss --tocsin BIN --mode file|stdin --staging LOG --events N --every K --work DIR
      Streams the first N events of LOG (bench/make_big_log.py output) into `watch --audit-log`
      (appended to a file) or `watch --audisp` (a pipe on stdin), waits after every K events until
      watch has read them all, and samples VmRSS/VmHWM from /proc/PID/status.
  watch_feed.py stamp OUT   (internal: the alert reader)
"""
import argparse
import bisect
import collections
import glob
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time

STAMP = re.compile(rb"audit\((\d+)\.(\d+):(\d+)\)")
PID = re.compile(rb" pid=(\d+)")
PIDS = re.compile(rb"(?<= )(pid|ppid|opid)=(\d+)")
# Each replay round moves process ids by this much (cycling through kPidRounds values), so a
# process of one round is never taken for the same process in the next, as it would be when
# rounds follow each other faster than the copy settle time.
PID_STEP, PID_ROUNDS = 100_000, 40
HERE = os.path.dirname(os.path.abspath(__file__))
RECORDINGS = os.path.join(HERE, "..", "tests", "e2e", "recordings")


def mono():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# ---------------------------------------------------------------- recordings

class Record:
    """One stamped line: text before the stamp, the text after it as a %-template whose slots
    are its process ids (`pids`), and the index of its event."""
    __slots__ = ("pre", "post", "pids", "event", "last")

    def __init__(self, pre, post, event):
        self.pre, self.event, self.last = pre, event, False
        self.pids = tuple(int(m.group(2)) for m in PIDS.finditer(post))
        self.post = PIDS.sub(rb"\1=%d", post.replace(b"%", b"%%"))

    def text(self, rnd):
        off = (rnd % PID_ROUNDS) * PID_STEP
        return self.post % tuple(p + off for p in self.pids) if self.pids else self.post % ()


def load_recordings(kind, only=None):
    """Records of every `*.{kind}.log.gz` recording in file order. Each record knows its event
    (index in order of first appearance) and whether it is that event's last record; also
    returns each event's pid (from its SYSCALL record; 0 when it has none)."""
    records, keys, pids = [], {}, []
    for path in sorted(glob.glob(os.path.join(RECORDINGS, f"*.{kind}.log.gz"))):
        if only and os.path.basename(path).split(".")[0] not in only:
            continue
        with gzip.open(path, "rb") as f:
            data = f.read()
        for line in data.splitlines(keepends=True):
            m = STAMP.search(line)
            if not m:
                continue
            key = (path, m.group(0))  # the same serial can come back in another recording
            idx = keys.get(key)
            if idx is None:
                idx = keys[key] = len(pids)
                pids.append(0)
            if b"type=SYSCALL " in line[:m.start()]:
                p = PID.search(line, m.end())
                if p:
                    pids[idx] = int(p.group(1))
            records.append(Record(line[:m.start()], line[m.end():], idx))
    seen = set()
    for r in reversed(records):
        if r.event not in seen:
            r.last = True
            seen.add(r.event)
    if not records:
        sys.exit(f"no *.{kind}.log.gz recordings in {RECORDINGS}")
    return records, pids


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))  # nearest rank
    return xs[k]


# ---------------------------------------------------------------- latency

def latency(a):
    records, pids = load_recordings(a.kind, a.only.split(",") if a.only else None)
    os.makedirs(a.work, exist_ok=True)
    log = os.path.join(a.work, "audit.log")
    open(log, "wb").close()
    err = open(os.path.join(a.work, "watch.err"), "wb")
    watch = subprocess.Popen([a.tocsin, "watch", "--audit-log", log, "--format", "jsonl"] + a.watch_args,
                             stdout=subprocess.PIPE, stderr=err)
    reader = subprocess.Popen([sys.executable, os.path.abspath(__file__), "stamp",
                               os.path.join(a.work, "alerts.tsv")], stdin=watch.stdout)
    watch.stdout.close()
    time.sleep(0.5)  # watch opens the (empty) log and seeks to its end

    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    written = {}                           # serial -> (monotonic write time, round, pid)
    activity = collections.defaultdict(list)  # (round, pid) -> write times
    open_stamps = {}                       # (round, event) -> (sec, ms, serial) of an event being written
    serial, idx, rnd, done, nbytes = 1000, 0, 0, 0, 0
    max_batch = max(1, int(a.rate * 0.01))
    t0 = mono()
    while True:
        now = mono()
        if now - t0 >= a.seconds:
            break
        due = min(int((now - t0) * a.rate), done + max_batch)
        if done >= due:
            time.sleep(min(0.001, max(0.0, (done + 1) / a.rate - (now - t0))))
            continue
        wall = time.time()
        sec, ms = int(wall), int((wall % 1) * 1000)
        buf, completed = [], []
        while done < due:
            r = records[idx]
            key = (rnd, r.event)
            st = open_stamps.get(key)
            if st is None:
                serial += 1
                st = open_stamps[key] = (sec, ms, serial)
            buf.append(b"%saudit(%d.%03d:%d)%s" % (r.pre, st[0], st[1], st[2], r.text(rnd)))
            if r.last:
                completed.append((st[2], rnd, pids[r.event]))
                del open_stamps[key]
                done += 1
            idx += 1
            if idx == len(records):
                idx, rnd = 0, rnd + 1
        data = b"".join(buf)
        write_all(fd, data)
        nbytes += len(data)
        t = mono()
        for s, rd, pid in completed:
            written[s] = (t, rd, pid)
            activity[(rd, pid)].append(t)
    elapsed = mono() - t0
    os.close(fd)
    time.sleep(a.tail)  # the last copies settle and are reported
    watch.send_signal(signal.SIGTERM)
    watch.wait()
    reader.wait()
    err.close()

    # Match alerts to written events.
    rows = []
    with open(os.path.join(a.work, "alerts.tsv"), "rb") as f:
        for line in f:
            t_arr, js = line.split(b"\t", 1)
            al = json.loads(js)
            # alerts: not the run summary at exit, nor {"coverage": …} lines, nor the early records
            # (their latency: bench/watch_latency_auditd.sh)
            if "rule" in al and al.get("stage") != "early":
                rows.append((float(t_arr), al))
    # A copy's processes are named by its AU001 alert: the client's execve and the helper's.
    copy_ids = {al["event_ids"][0]: al["event_ids"] for _, al in rows if al["rule"] == "AU001" and al.get("event_ids")}
    lat = collections.defaultdict(lambda: {"anchor": [], "quiet": []})
    unmatched = 0
    watch_keys = collections.Counter()
    for t_arr, al in rows:
        rule, ids = al["rule"], al.get("event_ids") or []
        watch_keys[(rule, ids[0] if ids else None)] += 1
        if not ids or int(ids[0].rsplit(":", 1)[1]) not in written:
            unmatched += 1
            continue
        lat[rule]["anchor"].append(t_arr - written[int(ids[0].rsplit(":", 1)[1])][0])
        # The last activity the alert waited for: the newest write, before the alert, of any
        # event of the processes it is about (a copy's client and helper; a loop's swapper) in
        # the same replay round.
        procs = copy_ids.get(ids[0], ids[:1]) if al.get("docker_cp") else ids[:1]
        last = 0.0
        for i in procs:
            k = written.get(int(i.rsplit(":", 1)[1]))
            if not k:
                continue
            ts = activity.get((k[1], k[2]), [])
            j = bisect.bisect_right(ts, t_arr)
            if j:
                last = max(last, ts[j - 1])
        lat[rule]["quiet"].append(t_arr - last)

    # What `tocsin hunt` finds in the same file (the offline reference, 8 s settle).
    hunt = subprocess.run([a.tocsin, "hunt", "--format", "jsonl", "--quiet", log], capture_output=True)
    hunt_keys = collections.Counter()
    for line in hunt.stdout.splitlines():
        al = json.loads(line)
        if "rule" not in al:
            continue
        ids = al.get("event_ids") or []
        hunt_keys[(al["rule"], ids[0] if ids else None)] += 1

    res = {"rate_target": a.rate, "rate_achieved": done / elapsed, "seconds": elapsed, "events": done,
           "bytes": nbytes, "unmatched_alerts": unmatched, "rules": {}}
    print(f"writer: {done} events ({nbytes / 1e6:.0f} MB) in {elapsed:.1f} s = {done / elapsed:,.0f} events/s "
          f"(target {a.rate:,.0f})")
    print(f"{'rule':<6} {'watch':>6} {'hunt':>6} {'both':>6}   after the anchoring event (ms)         "
          f"after the last activity (ms)")
    print(f"{'':<6} {'':>6} {'':>6} {'':>6}   {'p50':>7} {'p99':>7} {'max':>7}            "
          f"{'p50':>7} {'p99':>7} {'max':>7}")
    rules = sorted(set(k[0] for k in watch_keys) | set(k[0] for k in hunt_keys))
    for rule in rules:
        w = sum(v for k, v in watch_keys.items() if k[0] == rule)
        h = sum(v for k, v in hunt_keys.items() if k[0] == rule)
        both = sum(min(v, hunt_keys[k]) for k, v in watch_keys.items() if k[0] == rule)
        n, q = lat[rule]["anchor"], lat[rule]["quiet"]
        row = {"watch": w, "hunt": h, "both": both}
        if n:
            row.update({"p50_ms": pct(n, 50) * 1e3, "p99_ms": pct(n, 99) * 1e3, "max_ms": max(n) * 1e3,
                        "quiet_p50_ms": pct(q, 50) * 1e3, "quiet_p99_ms": pct(q, 99) * 1e3,
                        "quiet_max_ms": max(q) * 1e3})
            print(f"{rule:<6} {w:>6} {h:>6} {both:>6}   {row['p50_ms']:7.0f} {row['p99_ms']:7.0f} {row['max_ms']:7.0f}"
                  f"            {row['quiet_p50_ms']:7.0f} {row['quiet_p99_ms']:7.0f} {row['quiet_max_ms']:7.0f}")
        else:
            print(f"{rule:<6} {w:>6} {h:>6} {both:>6}")
        res["rules"][rule] = row
    if unmatched:
        print(f"WARNING: {unmatched} alerts name events the writer did not write")
    with open(os.path.join(a.work, "latency.json"), "w") as f:
        json.dump(res, f, indent=1)
    return 0


def stamp(a):
    """Reads alert lines on stdin; writes 'MONOTONIC_TIME<TAB>line' for each as it arrives."""
    out = open(a.out, "wb")
    src = sys.stdin.buffer
    while True:
        line = src.readline()
        if not line:
            break
        out.write(b"%.6f\t%s" % (mono(), line))
        out.flush()
    return 0


# ---------------------------------------------------------------- rss

def proc_status(pid):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                vals[k] = int(v.split()[0])
    return vals


def proc_rchar(pid):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def rss(a):
    os.makedirs(a.work, exist_ok=True)
    alerts = open(os.path.join(a.work, "alerts.jsonl"), "wb")
    err = open(os.path.join(a.work, "watch.err"), "wb")
    cmd = [a.tocsin, "watch", "--format", "jsonl"] + a.watch_args
    if a.mode == "file":
        log = os.path.join(a.work, "audit.log")
        open(log, "wb").close()
        watch = subprocess.Popen(cmd + ["--audit-log", log], stdout=alerts, stderr=err)
        out_fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    else:
        watch = subprocess.Popen(cmd + ["--audisp"], stdin=subprocess.PIPE, stdout=alerts, stderr=err)
        out_fd = watch.stdin.fileno()
    time.sleep(0.5)
    rchar0 = proc_rchar(watch.pid)
    samples = [(0, proc_status(watch.pid), 0.0)]
    t0 = mono()
    events, sent, paused = 0, 0, 0.0
    recent, recent_set = collections.deque(), set()
    buf = []
    next_sample = a.every

    def drain():
        nonlocal sent
        data = b"".join(buf)
        buf.clear()
        write_all(out_fd, data)
        sent += len(data)

    def sample():
        nonlocal paused
        drain()
        # Wait until watch has read everything written, then let it process the last read.
        while proc_rchar(watch.pid) - rchar0 < sent:
            if watch.poll() is not None:
                sys.exit(f"watch exited early ({watch.returncode}); see {a.work}/watch.err")
            time.sleep(0.02)
        time.sleep(0.25)
        paused += 0.25  # not counted in the throughput
        st = proc_status(watch.pid)
        samples.append((events, st, mono() - t0))
        print(f"  {events:>9,} events  VmRSS {st['VmRSS'] / 1024:7.1f} MB  VmHWM {st['VmHWM'] / 1024:7.1f} MB"
              f"  ({events / (mono() - t0 - paused):,.0f} events/s)", flush=True)

    def shift_pids(line, off):
        return PIDS.sub(lambda p: b"%s=%d" % (p.group(1), int(p.group(2)) + off), line)

    with open(a.staging, "rb", buffering=1 << 20) as f:
        for line in f:
            if a.pid_every:
                # New process ids every PID_EVERY events: the process table keeps meeting
                # processes it has never seen, as on a long-running host.
                line = shift_pids(line, (events // a.pid_every) * PID_STEP)
            m = STAMP.search(line)
            if m and m.group(0) not in recent_set:
                # The first record of a new event: pause (to sample) only between events, as
                # auditd writes an event's records in one burst.
                if events >= next_sample:
                    sample()
                    next_sample += a.every
                if events == a.events:
                    break
                events += 1
                recent.append(m.group(0))
                recent_set.add(m.group(0))
                if len(recent) > 512:  # records of one event come close together
                    recent_set.discard(recent.popleft())
            buf.append(line)
            if len(buf) >= 4096:
                drain()
    if events >= next_sample:
        sample()
    drain()
    while proc_rchar(watch.pid) - rchar0 < sent and watch.poll() is None:
        time.sleep(0.02)
    elapsed = mono() - t0 - paused
    final = proc_status(watch.pid)
    if a.mode == "file":
        os.close(out_fd)
        watch.send_signal(signal.SIGTERM)
    else:
        watch.stdin.close()  # end of stream: watch finishes and exits
    watch.wait(timeout=120)
    alerts.close()
    err.close()
    n_alerts = collections.Counter()
    with open(os.path.join(a.work, "alerts.jsonl"), "rb") as f:
        for line in f:
            al = json.loads(line)
            if "rule" in al:
                n_alerts[al["rule"]] += 1
    hunt_alerts = None
    if a.mode == "file":
        # The reference: `tocsin hunt` over the same events (the file watch followed).
        h = subprocess.run([a.tocsin, "hunt", "--format", "jsonl", "--quiet", log], capture_output=True)
        hunt_alerts = dict(sorted(collections.Counter(al["rule"] for al in map(json.loads, h.stdout.splitlines()) if "rule" in al).items()))
        print(f"hunt over the same events: alerts {hunt_alerts}")
    res = {"mode": a.mode, "events": events, "bytes": sent, "seconds": elapsed, "hunt_alerts": hunt_alerts,
           "samples": [{"events": e, "rss_kb": s["VmRSS"], "hwm_kb": s["VmHWM"], "t": t} for e, s, t in samples],
           "final_rss_kb": final["VmRSS"], "alerts": dict(sorted(n_alerts.items())), "exit": watch.returncode}
    with open(os.path.join(a.work, "rss.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(f"{a.mode}: {events:,} events ({sent / 1e6:.0f} MB) in {elapsed:.1f} s = {events / elapsed:,.0f} events/s, "
          f"{sent / 1e6 / elapsed:.1f} MB/s; alerts {dict(sorted(n_alerts.items()))}; watch exit {watch.returncode}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("latency")
    lp.add_argument("--tocsin", required=True)
    lp.add_argument("--rate", type=float, default=2000)
    lp.add_argument("--seconds", type=float, default=30)
    lp.add_argument("--tail", type=float, default=4.0, help="seconds to wait for the last alerts")
    lp.add_argument("--kind", default="enriched", choices=["enriched", "raw"])
    lp.add_argument("--only", help="comma-separated scenarios (race-to,race-from,...); default: all")
    lp.add_argument("--work", required=True)
    lp.add_argument("watch_args", nargs="*", help="extra `tocsin watch` options (after --)")
    rp = sub.add_parser("rss")
    rp.add_argument("--tocsin", required=True)
    rp.add_argument("--mode", choices=["file", "stdin"], required=True)
    rp.add_argument("--staging", required=True)
    rp.add_argument("--events", type=int, default=1_000_000)
    rp.add_argument("--every", type=int, default=50_000)
    rp.add_argument("--work", required=True)
    rp.add_argument("--pid-every", type=int, default=0,
                    help="move process ids by 100000 every N events: a stream of new processes (0: the recorded ids)")
    rp.add_argument("watch_args", nargs="*")
    sp = sub.add_parser("stamp")
    sp.add_argument("out")
    a = p.parse_args()
    return {"latency": latency, "rss": rss, "stamp": stamp}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
