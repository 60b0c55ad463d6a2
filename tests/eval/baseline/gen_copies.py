#!/usr/bin/env python3
"""Generates audit logs of container copies for evaluating the AU010 baseline.

The record shapes are templates taken from a real dockerd 20.10 + auditd recording
(tests/e2e/recordings/benign-admin.raw.log.gz): the docker client's execve event and the
daemon's docker-tar/docker-untar helper event. Each generated copy rewrites their timestamps,
serials, node=, pid, auid, ses, tty, uid/euid, container name/id, paths and PROCTITLE.

A population with habits produces the routine copies (admins with shifts and favourite
containers, service accounts without a terminal, a CI user, weekends and holidays, container
redeploys that change name suffixes), and the test month gets injected anomalies: a new user, a
new host, an odd hour, a copy out of a secrets path, a burst loop like an exploit script.

  gen_copies.py --seed 7 --start 2026-09-01 --days 30 --out history.log
  gen_copies.py --seed 8 --start 2026-10-01 --days 30 --anomalies --out month.log --truth month.truth.json
Optionally --noise N adds N non-copy events per copy (the benchmark uses this).
Python 3 standard library only.
"""
import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDING = os.path.join(HERE, "..", "..", "e2e", "recordings", "benign-admin.raw.log.gz")
UNSET = 4294967295


def load_templates(path):
    """Client-to, client-from, helper-untar, helper-tar event templates (lists of lines)."""
    events = {}
    order = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"msg=audit\((\d+\.\d+:\d+)\)", line)
            if not m:
                continue
            k = m.group(1)
            if k not in events:
                events[k] = []
                order.append(k)
            events[k].append(line.rstrip("\n"))
    t = {}
    for k in order:
        body = "\n".join(events[k])
        if 'a1="cp"' in body and "client_to" not in t and re.search(r'a3="[^"/]+:/', body):
            t["client_to"] = events[k]
        elif 'a1="cp"' in body and "client_from" not in t and re.search(r'a2="[^"/]+:/', body):
            t["client_from"] = events[k]
        elif 'a0="docker-untar"' in body and "untar" not in t:
            t["untar"] = events[k]
        elif 'a0="docker-tar"' in body and "tar" not in t:
            t["tar"] = events[k]
    missing = {"client_to", "client_from", "untar", "tar"} - set(t)
    if missing:
        sys.exit(f"templates not found in {path}: {sorted(missing)}")
    # A non-copy event for noise: the first SYSCALL event that is not a copy.
    for k in order:
        body = "\n".join(events[k])
        if "type=SYSCALL" in body and 'a1="cp"' not in body and "docker-" not in body and "syscall=257" in body:
            t["noise"] = events[k]
            break
    return t


def hexs(args):
    return "".join(a.encode().hex().upper() + "00" for a in args)[:-2]


class Writer:
    def __init__(self, out, templates):
        self.out = out
        self.t = templates
        self.serial = {}
        self.pid = 3000
        self.lines = 0
        self.events = 0

    def _stamp(self, node, ms):
        s = self.serial.get(node, 100000) + random.randint(1, 40)
        self.serial[node] = s
        return f"{ms // 1000}.{ms % 1000:03d}:{s}"

    def _emit(self, node, lines, stamp, subs):
        prefix = f"node={node} " if node else ""
        for ln in lines:
            ln = re.sub(r"msg=audit\([^)]*\)", f"msg=audit({stamp})", ln)
            for pat, rep in subs:
                ln = re.sub(pat, rep, ln)
            self.out.write(prefix + ln + "\n")
            self.lines += 1
        self.events += 1

    def copy(self, c):
        """c: dict node, ms, auid, ses, tty, uid, euid, direction, container, cid, path, local."""
        self.pid += random.randint(2, 9)
        stamp = self._stamp(c["node"], c["ms"])
        to = c["direction"] == "to-container"
        argv = ["/usr/bin/docker", "cp"] + ([c["local"], f'{c["container"]}:{c["path"]}'] if to
                                           else [f'{c["container"]}:{c["path"]}', c["local"]])
        tty = c["tty"] or "(none)"
        sys_subs = [(r" pid=\d+", f" pid={self.pid}"), (r" ppid=\d+", f" ppid={self.pid - 1}"),
                    (r" auid=\d+", f' auid={c["auid"]}'), (r" ses=\d+", f' ses={c["ses"]}'),
                    (r" tty=\S+", f" tty={tty}"), (r" uid=\d+", f' uid={c["uid"]}'),
                    (r" euid=\d+", f' euid={c["euid"]}'), (r" suid=\d+", f' suid={c["euid"]}'),
                    (r" fsuid=\d+", f' fsuid={c["euid"]}')]
        ex = " ".join(f'a{i}="{a}"' for i, a in enumerate(argv))
        subs = sys_subs + [(r"argc=\d+ .*", f"argc={len(argv)} {ex}"),
                           (r"proctitle=\S+", "proctitle=" + hexs(argv))]
        self._emit(c["node"], self.t["client_to" if to else "client_from"], stamp,
                   [(p, r) for p, r in subs if True])
        c["event_id"] = stamp
        # The daemon's helper a little later.
        d = c["path"].rsplit("/", 1)[0] or "/"
        rootfs = f'/var/lib/docker/vfs/dir/{c["cid"]}'
        hargv = ["docker-untar", d, rootfs] if to else ["docker-tar", d.rstrip("/") + "/", rootfs]
        hstamp = self._stamp(c["node"], c["ms"] + random.randint(40, 120))
        hex_ = " ".join(f'a{i}="{a}"' for i, a in enumerate(hargv))
        self.pid += 1
        hsubs = [(r" pid=\d+", f" pid={self.pid}"), (r"argc=\d+ .*", f"argc=3 {hex_}"),
                 (r"/var/lib/docker/vfs/dir/[0-9a-f]{64}", rootfs),
                 (r"proctitle=\S+", "proctitle=" + hexs(hargv))]
        self._emit(c["node"], self.t["untar" if to else "tar"], hstamp, hsubs)

    def noise(self, node, ms):
        if "noise" not in self.t:
            return
        self.pid += 1
        self._emit(node, self.t["noise"], self._stamp(node, ms), [(r" pid=\d+", f" pid={self.pid}")])


# ---------------------------------------------------------------- population

CONTAINERS = {  # pattern -> (paths to, paths from)
    "web": (["/usr/share/nginx/html/index.html", "/etc/nginx/conf.d/site.conf", "/tmp/patch.tar"],
            ["/var/log/nginx/access.log", "/var/log/nginx/error.log", "/etc/nginx/nginx.conf"]),
    "db": (["/tmp/restore.sql", "/docker-entrypoint-initdb.d/init.sql"],
           ["/var/lib/postgresql/backup.dump", "/var/log/postgresql/pg.log", "/tmp/explain.txt"]),
    "cache": (["/usr/local/etc/redis/redis.conf"], ["/data/dump.rdb"]),
    "api": (["/app/config/settings.yaml", "/app/static/app.js"], ["/app/logs/api.log", "/tmp/heap.prof"]),
    "worker": (["/app/jobs/job.py"], ["/app/logs/worker.log", "/tmp/trace.json"]),
    "queue": (["/etc/rabbitmq/rabbitmq.conf"], ["/var/log/rabbitmq/rabbit.log"]),
    "build": (["/workspace/src.tar", "/workspace/.env.ci"], ["/workspace/out/app.tar", "/workspace/out/report.xml"]),
}
HOSTS = [f"node-{i}" for i in range(1, 7)]


def rid(n):
    return "".join(random.choice("0123456789abcdef") for _ in range(n))


class Fleet:
    """Container instances per host; redeploys change the suffix weekly."""

    def __init__(self):
        self.inst = {}
        self.style = {}

    def name(self, host, pattern, day):
        """A service keeps its naming style on a host; its instance suffix changes on redeploy."""
        if pattern == "build":
            return f"build-{random.randint(1000, 99999)}", rid(64)
        style = self.style.setdefault((host, pattern), random.Random(f"{host}/{pattern}").random())
        k = (host, pattern, (day + sum(map(ord, host)) % 7) // 7)
        if k not in self.inst:
            if style < 0.5:
                nm = f"{pattern}-{rid(4)}"
            elif style < 0.8:
                nm = f"prod_{pattern}_{random.randint(1, 3)}"
            else:
                nm = f"{pattern}-{rid(9)}-{''.join(random.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))}"
            self.inst[k] = (nm, rid(64))
        return self.inst[k]


def make_people(rng):
    admins = []
    for i, auid in enumerate([1001, 1002, 1003, 1004, 1005]):
        start = [8, 9, 7, 10, 11][i]
        admins.append({
            "auid": auid, "kind": "admin",
            "hosts": rng.sample(HOSTS, rng.randint(2, 3)),
            "containers": rng.sample(["web", "db", "cache", "api", "worker", "queue"], rng.randint(2, 3)),
            "hours": (start, start + 9),
            "sessions_per_day": rng.uniform(0.8, 2.5),
            "oncall_weekend": rng.random() < 0.6,
            "root": rng.random() < 0.8,  # sudo docker (euid 0) or docker group (euid = auid)
        })
    services = [
        {"name": "backup", "auid": UNSET, "kind": "service", "hosts": HOSTS[:4], "container": "db",
         "direction": "from-container", "path": "/var/lib/postgresql/backup.dump", "hour": 2, "minute": 15},
        {"name": "logship", "auid": UNSET, "kind": "service", "hosts": HOSTS[2:], "container": "web",
         "direction": "from-container", "path": "/var/log/nginx/access.log", "every_hours": 4},
    ]
    ci = {"auid": 2001, "kind": "ci", "hosts": ["node-5", "node-6"]}
    return admins, services, ci


def day_ms(start, d):
    return int((start + dt.timedelta(days=d)).timestamp() * 1000)


def routine(start, days, holidays, fleet, rng):
    admins, services, ci = make_people(random.Random(1234))  # the same people every month
    copies = []
    for d in range(days):
        date = start + dt.timedelta(days=d)
        weekend = date.weekday() >= 5
        holiday = d in holidays
        base = day_ms(start, d)
        for a in admins:
            if weekend or holiday:
                if not (a["oncall_weekend"] and rng.random() < 0.15):
                    continue
                nsess = 1
            else:
                nsess = sum(1 for _ in range(4) if rng.random() < a["sessions_per_day"] / 4)
            for _ in range(nsess):
                h0, h1 = a["hours"]
                t = base + int(rng.uniform(h0, h1) * 3600_000)
                host = rng.choice(a["hosts"])
                ses = rng.randint(10, 900)
                tty = f"pts{rng.randint(0, 4)}"
                for k in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
                    pat = rng.choice(a["containers"])
                    to = rng.random() < 0.5
                    nm, cid = fleet.name(host, pat, d)
                    path = rng.choice(CONTAINERS[pat][0 if to else 1])
                    copies.append(dict(node=host, ms=t + k * rng.randint(20_000, 180_000), auid=a["auid"], ses=ses,
                                       tty=tty, uid=0 if a["root"] else a["auid"], euid=0 if a["root"] else a["auid"],
                                       direction="to-container" if to else "from-container", container=nm, cid=cid,
                                       path=path, local=f"/home/u{a['auid']}/{os.path.basename(path)}",
                                       who=f"admin {a['auid']}"))
        for s in services:
            for host in s["hosts"]:
                times = ([base + (s["hour"] * 60 + s["minute"]) * 60_000 + rng.randint(0, 90_000)] if "hour" in s
                         else [base + h * 3600_000 + rng.randint(60_000, 300_000) for h in range(0, 24, s["every_hours"])])
                for t in times:
                    nm, cid = fleet.name(host, s["container"], d)
                    copies.append(dict(node=host, ms=t, auid=UNSET, ses=UNSET, tty=None, uid=0, euid=0,
                                       direction=s["direction"], container=nm, cid=cid, path=s["path"],
                                       local=f"/srv/{s['name']}/{os.path.basename(s['path'])}", who=s["name"]))
        for host in ci["hosts"]:
            njobs = rng.randint(2, 8) if weekend or holiday else rng.randint(10, 30)
            for _ in range(njobs):
                t = base + rng.randint(0, 86_399_000)
                nm, cid = fleet.name(host, "build", d)
                for k, (to, path) in enumerate([(True, "/workspace/src.tar"), (True, "/workspace/.env.ci"),
                                                (False, "/workspace/out/app.tar"), (False, "/workspace/out/report.xml")]):
                    copies.append(dict(node=host, ms=t + k * rng.randint(5_000, 60_000), auid=ci["auid"], ses=rng.randint(1000, 9000),
                                       tty=None, uid=0, euid=0, direction="to-container" if to else "from-container",
                                       container=nm, cid=cid, path=path, local=f"/builds/{os.path.basename(path)}", who="ci"))
    return copies, admins


def anomalies(start, days, fleet, admins, rng, per_kind):
    out = []

    def pick_day(weekend=None):
        while True:
            d = rng.randrange(days)
            if weekend is None or ((start + dt.timedelta(days=d)).weekday() >= 5) == weekend:
                return d

    def base_copy(a, d, hour, kind, host=None, pat=None, to=None, path=None):
        host = host or rng.choice(a["hosts"])
        pat = pat or rng.choice(a["containers"])
        to = rng.random() < 0.5 if to is None else to
        nm, cid = fleet.name(host, pat, d) if host in HOSTS else (f"{pat}-{rid(4)}", rid(64))
        path = path or rng.choice(CONTAINERS[pat][0 if to else 1])
        euid = 0 if a.get("root", True) else a["auid"]
        return dict(node=host, ms=day_ms(start, d) + int(hour * 3600_000) + rng.randint(0, 59_000), auid=a["auid"],
                    ses=rng.randint(10, 900), tty=f"pts{rng.randint(0, 4)}", uid=euid, euid=euid,
                    direction="to-container" if to else "from-container", container=nm, cid=cid, path=path,
                    local=f"/tmp/{os.path.basename(path)}", anomaly=kind, who=f"admin {a['auid']}")

    for i in range(per_kind):
        # A new user: an auid that never copied, on a known host, at a normal hour.
        newbie = {"auid": 1090 + i, "hosts": HOSTS, "containers": ["web", "db", "api"]}
        out.append(base_copy(newbie, pick_day(False), rng.uniform(9, 17), "new-user"))
        # A new host: a known admin on a host outside the fleet.
        a = rng.choice(admins)
        out.append(base_copy(a, pick_day(False), rng.uniform(*a["hours"]), "new-host", host=f"node-{20 + i}"))
        # An odd hour: a known admin, habitual container, at night on a weekend.
        a = rng.choice(admins)
        out.append(base_copy(a, pick_day(True), rng.uniform(1, 5), "odd-hour"))
        # A copy out of a secrets path, by a known admin at a normal hour.
        a = rng.choice(admins)
        out.append(base_copy(a, pick_day(False), rng.uniform(a["hours"][0] + 1, a["hours"][1] - 1), "secrets",
                             to=False, path=rng.choice(["/run/secrets/db_password", "/etc/shadow",
                                                        "/root/.ssh/id_rsa", "/var/run/secrets/kubernetes.io/serviceaccount/token"])))
        # A burst loop: an exploit script firing copies into one container (CVE-2018-15664 style).
        a = rng.choice(admins)
        c0 = base_copy(a, pick_day(False), rng.uniform(a["hours"][0], a["hours"][1] - 1), "burst", to=True)
        burst_id = f"burst-{i}"
        for k in range(rng.randint(20, 40)):
            c = dict(c0)
            c["ms"] = c0["ms"] + k * rng.randint(300, 3000)
            c["path"] = f"/w/dir/payload{k}"
            c["burst"] = burst_id
            out.append(c)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", default="2026-09-01")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--anomalies", action="store_true", help="inject anomalies (the test month)")
    ap.add_argument("--per-kind", type=int, default=4, help="anomaly incidents per kind")
    ap.add_argument("--noise", type=int, default=0, help="non-copy events per copy")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", help="write the copies and their labels as JSON")
    ap.add_argument("--templates", default=RECORDING)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    random.seed(args.seed)
    start = dt.datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    holidays = {d for d in range(args.days) if (start + dt.timedelta(days=d)).weekday() < 5 and rng.random() < 0.05}
    fleet = Fleet()
    copies, admins = routine(start, args.days, holidays, fleet, rng)
    if args.anomalies:
        copies += anomalies(start, args.days, fleet, admins, rng, args.per_kind)
    copies.sort(key=lambda c: c["ms"])
    # Copies of one node within 10 ms would share a timestamp; spread them.
    last = {}
    for c in copies:
        if c["ms"] <= last.get(c["node"], -1) + 200:
            c["ms"] = last[c["node"]] + 200 + rng.randint(0, 50)
        last[c["node"]] = c["ms"]
    copies.sort(key=lambda c: c["ms"])
    w = Writer(open(args.out, "w", encoding="utf-8"), load_templates(args.templates))
    for c in copies:
        for _ in range(args.noise):
            w.noise(c["node"], c["ms"] - rng.randint(1, 5000))
        w.copy(c)
    w.out.close()
    if args.truth:
        with open(args.truth, "w", encoding="utf-8") as f:
            json.dump({"start": args.start, "days": args.days, "seed": args.seed,
                       "holidays": sorted(holidays),
                       "copies": [{"event_id": c["event_id"], "node": c["node"], "auid": c["auid"], "who": c["who"],
                                   "container": c["container"], "direction": c["direction"], "path": c["path"],
                                   "anomaly": c.get("anomaly"), "burst": c.get("burst")} for c in copies]}, f, indent=0)
    print(f"{args.out}: {len(copies)} copies, {sum(1 for c in copies if c.get('anomaly'))} anomalous, "
          f"{w.events} events, {w.lines} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
