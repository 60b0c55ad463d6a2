#!/usr/bin/env python3
"""Builds DF001's automatic fixes in the lab's real dockerd and compares the images.

For every Dockerfile given: `tocsin scan --select DF001 --format json` lists the fixes, `--fix`
writes the fixed file (on a copy), and both versions are built with the lab's dockerd 20.10
(BuildKit, the Debian `/usr/bin/docker` client, `--network=none`) — every named stage
(`--target`) and the final image — and flattened with `docker export`; the owner, group, mode,
type, size and link target of every path must be the same.

No registry is reachable: every external base image the files name (`FROM debian:12`) is the
lab base, imported under that name: BusyBox (the applets give sh, chmod, chown, adduser, ...)
plus the host's real shadow `useradd`/`groupadd` with their libraries, and Debian's base
passwd/group files. Steps the lab cannot run are handled honestly:

- `--reduce`: RUN steps whose commands are not all permission or account steps (chmod, chown,
  useradd, groupadd, mkdir, ...) and ADDs of URLs are removed from BOTH versions alike, before
  building; a pair whose fixed COPY is an ADD from a URL, or that still fails to build, is
  counted as not built, with why.
- without it (CI), a Dockerfile that does not build is a failure.

Build contexts are made up: every local COPY/ADD source becomes a file (mode 0644) or, for `.`,
`dir/` and directory-like names, a directory with two files.

Output: one JSON line per fix ({"file", "line", "status": "equivalent" | "different" |
"not-built", "why", "diff"}) and a summary line; exit 1 when a fix built differently (or, without
--reduce, when something did not build).
"""
import argparse
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

DOCKER = os.environ.get("TOCSIN_LAB_DOCKER", "/usr/bin/docker")
BASE = "tocsin-lab-df001-base:1"
PREFIX = "tocsin-lab-df001"

# Commands a reduced RUN may keep: the permission and account steps the fixes depend on, which
# need no network, no tool the lab base lacks, and no file a removed step would have made.
OFFLINE = {
    "chmod", "chown", "chgrp", "useradd", "groupadd", "usermod", "mkdir", "touch", "true", "set", "cd", "export",
}
DIR_NAMES = {"bin", "conf", "config", "configs", "etc", "scripts", "src", "app", "dist", "build", "public", "static",
             "assets", "html", "www", "web", "templates", "rootfs", "root", "files", "data", "docs", "lib", "certs"}


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def docker(*args, **kw):
    return run([DOCKER, *args], **kw)


def ldd_libs(binary):
    out = run(["ldd", binary]).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def build_base(work):
    """The lab base image: BusyBox + shadow's useradd/groupadd (real binaries) + Debian base accounts."""
    root = os.path.join(work, "base")
    # The directory layout of a Debian base image (debian:12's rootfs has these).
    for d in ("bin", "sbin", "usr/sbin", "usr/lib", "usr/share", "usr/src", "usr/local/bin", "usr/local/sbin",
              "usr/local/etc", "usr/local/include", "usr/local/lib", "usr/local/share", "usr/local/src",
              "etc/default", "etc/skel", "etc/init.d", "etc/cron.d", "etc/profile.d", "etc/security",
              "etc/ssl/certs", "etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d",
              "tmp", "root", "home", "opt", "srv", "mnt", "media", "run/lock", "var/lib", "var/log", "var/cache",
              "var/spool", "var/mail", "var/backups", "var/local", "var/opt", "var/tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    os.symlink("../run", os.path.join(root, "var/run"))
    for d in ("tmp", "var/tmp"):
        os.chmod(os.path.join(root, d), 0o1777)
    shutil.copy2("/bin/busybox", os.path.join(root, "bin/busybox"))
    applets = run([os.path.join(root, "bin/busybox"), "--list"]).stdout.split()
    for a in applets:
        p = os.path.join(root, "bin", a)
        if not os.path.lexists(p):
            os.symlink("busybox", p)
    for tool in ("/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/sbin/usermod"):
        if not os.path.exists(tool):
            continue
        shutil.copy2(tool, os.path.join(root, tool.lstrip("/")))
        for lib in ldd_libs(tool):
            dst = os.path.join(root, os.path.realpath(lib).lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.realpath(lib), dst)
            link = os.path.join(root, lib.lstrip("/"))
            if link != dst and not os.path.lexists(link):
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink(os.path.realpath(lib), link)
    # Debian's base accounts (root, daemon, ..., www-data 33, nobody 65534).
    def master(name, fields):
        src = f"/usr/share/base-passwd/{name}.master"
        lines = open(src).read().splitlines() if os.path.exists(src) else ["root:*:0:0:root:/root:/bin/sh"]
        return "\n".join(":".join(l.split(":")[:fields]) for l in lines if l) + "\n"
    open(os.path.join(root, "etc/passwd"), "w").write(master("passwd", 7))
    open(os.path.join(root, "etc/group"), "w").write(master("group", 4))
    open(os.path.join(root, "etc/shadow"), "w").write("".join(
        l.split(":")[0] + ":*:19000:0:99999:7:::\n" for l in open(os.path.join(root, "etc/passwd"))))
    open(os.path.join(root, "etc/gshadow"), "w").write("".join(
        l.split(":")[0] + ":*::\n" for l in open(os.path.join(root, "etc/group"))))
    os.chmod(os.path.join(root, "etc/shadow"), 0o640)
    os.chmod(os.path.join(root, "etc/gshadow"), 0o640)
    for f in ("/etc/login.defs", "/etc/default/useradd"):
        if os.path.exists(f):
            shutil.copy2(f, os.path.join(root, f.lstrip("/")))
    tar = subprocess.Popen(["tar", "--numeric-owner", "-C", root, "-c", "."], stdout=subprocess.PIPE)
    r = subprocess.run([DOCKER, "import", "-c", 'CMD ["/bin/sh"]', "-", BASE], stdin=tar.stdout,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tar.wait()
    if r.returncode != 0:
        raise SystemExit(f"cannot import the lab base: {r.stderr.strip()}")


def logical_lines(text):
    """Dockerfile instructions as (first line number, text with continuations joined)."""
    out, cur, start = [], "", 0
    for i, line in enumerate(text.split("\n"), 1):
        if not cur:
            start = i
            if not line.strip() or line.lstrip().startswith("#"):
                out.append((i, line, False))
                continue
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        out.append((start, cur, True))
        cur = ""
    if cur:
        out.append((start, cur, True))
    return out


def arg_defaults(text):
    vals = {}
    for _, line, ins in logical_lines(text):
        if not ins:
            continue
        w = line.split(None, 1)
        if not w:
            continue
        if w[0].upper() == "FROM":
            break
        if w[0].upper() == "ARG" and len(w) > 1 and "=" in w[1]:
            k, v = w[1].split("=", 1)
            vals[k.strip()] = v.strip().strip('"\'')
    return vals


def expand(s, vals):
    return re.sub(r"\$\{?(\w+)(?::?-([^}]*))?\}?", lambda m: vals.get(m.group(1), m.group(2) or ""), s)


def base_images(text):
    vals, stages, bases = arg_defaults(text), set(), []
    for _, line, ins in logical_lines(text):
        if not ins:
            continue
        w = line.split()
        if not w or w[0].upper() != "FROM":
            continue
        w = [x for x in w[1:] if not x.startswith("--")]
        if not w:
            continue
        img = expand(w[0], vals)
        if img.lower() != "scratch" and img.lower() not in stages:
            bases.append(img)
        if len(w) >= 3 and w[1].lower() == "as":
            stages.add(w[2].lower())
    return bases


def run_is_offline(body):
    """Whether every command of a RUN body is in the offline set (a rough split on ; && || |)."""
    if body.lstrip().startswith("["):
        return False  # exec form: whatever it runs
    for part in re.split(r"&&|\|\||;|\|", body):
        words = part.split()
        while words and re.match(r"^\w+=", words[0]):
            words = words[1:]
        if not words:
            continue
        if words[0].startswith("--"):  # RUN flags (--mount=...)
            return False
        if os.path.basename(words[0]) not in OFFLINE:
            return False
    return True


def reduce(text):
    """Removes the RUN steps the lab cannot run (needing the network or tools the base lacks);
    line numbers stay where they were."""
    out, dropped, groups, cur = [], 0, [], []
    for line in text.split("\n"):
        cur.append(line)
        if not line.rstrip().endswith("\\"):
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    for g in groups:
        joined = " ".join(l.rstrip().rstrip("\\") for l in g)
        w = joined.split(None, 1)
        remote = bool(w) and w[0].upper() == "ADD" and re.search(r"\b(https?|ftp)://", joined) and \
            "--chmod" not in joined and "--chown" not in joined
        if remote or (w and w[0].upper() == "RUN" and not run_is_offline(w[1] if len(w) > 1 else "")):
            dropped += 1
            out.extend(["# (removed for the offline lab build)"] + [""] * (len(g) - 1))
            continue
        out.extend(g)
    return "\n".join(out), dropped


def stage_names(text):
    """The `AS name` of every stage, in order (the builds compare each one, `--target`)."""
    names = []
    for _, line, ins in logical_lines(text):
        w = line.split()
        if ins and w and w[0].upper() == "FROM":
            w = [x for x in w[1:] if not x.startswith("--")]
            if len(w) >= 3 and w[1].lower() == "as":
                names.append(w[2])
    return names


def make_context(text, ctx):
    try:
        _make_context(text, ctx)
    except OSError as e:  # a name that is a file for one COPY and a directory for another
        print(f"note: build context incomplete: {e}", file=sys.stderr)


def _make_context(text, ctx):
    """Creates every local COPY/ADD source of the Dockerfile under `ctx`. A directory source gets
    two files, plus every path the Dockerfile names below the directory it is copied to
    (`COPY conf /etc/nginx/` then `chmod 600 /etc/nginx/nginx.conf`: conf/nginx.conf)."""
    vals = arg_defaults(text)
    mentioned = set(re.findall(r"(/[\w.@+-]+(?:/[\w.@+-]+)+)", text))
    os.makedirs(ctx, exist_ok=True)
    open(os.path.join(ctx, "context-file.txt"), "w").write("context\n")
    for _, line, ins in logical_lines(text):
        if not ins:
            continue
        try:
            w = shlex.split(line, posix=True)
        except ValueError:
            w = line.split()
        if not w or w[0].upper() not in ("COPY", "ADD"):
            continue
        args = [x for x in w[1:] if not x.startswith("--")]
        if any(x.startswith("--from") for x in w[1:]) or len(args) < 2:
            continue
        if args[0].startswith("["):
            try:
                args = json.loads(line.split(None, 1)[1].split("]", 1)[0] + "]")
            except ValueError:
                continue
        dest = os.path.normpath(expand(args[-1], vals))
        for src in args[:-1]:
            src = expand(src, vals)
            if re.match(r"^(https?|ftp|git)://", src) or src.startswith("<<"):
                continue
            src = src.replace("*", "x").replace("?", "x")
            path = os.path.normpath(os.path.join(ctx, src.lstrip("/")))
            if not path.startswith(ctx):
                continue
            name = os.path.basename(src.rstrip("/"))
            if src in (".", "./") or src.endswith("/") or name in DIR_NAMES or (name and "." not in name[1:]
                                                                                 and name.lower() in DIR_NAMES):
                os.makedirs(path, exist_ok=True)
                below = [m[len(dest) + 1:] for m in mentioned if dest.startswith("/") and m.startswith(dest + "/")]
                for f in ["a.txt", "run.sh"] + below:
                    p = os.path.normpath(os.path.join(path, f))
                    if not p.startswith(path) or os.path.exists(p):
                        continue
                    os.makedirs(os.path.dirname(p), exist_ok=True)
                    open(p, "w").write(f"{f}\n")
                    os.chmod(p, 0o644)
            elif not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "w").write(f"{name}\n")
                os.chmod(path, 0o644)


def listing(image, work):
    """The flattened file system of `image`: path -> (type, mode, uid, gid, size, link)."""
    name = f"{PREFIX}-x-{os.getpid()}"
    docker("rm", "-f", name)
    r = docker("create", "--network", "none", "--name", name, image, "/nonexistent")
    if r.returncode != 0:
        raise RuntimeError(f"docker create: {r.stderr.strip()}")
    try:
        p = subprocess.run([DOCKER, "export", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError(f"docker export: {p.stderr.decode(errors='replace').strip()}")
        out = {}
        with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
            for m in t.getmembers():
                out["/" + m.name.lstrip("./")] = (m.type.decode() if isinstance(m.type, bytes) else str(m.type),
                                                  oct(m.mode & 0o7777), m.uid, m.gid, m.size if m.isfile() else 0,
                                                  m.linkname)
        return out
    finally:
        docker("rm", "-f", name)


def build(dockerfile, ctx, tag, log, target=None):
    env = dict(os.environ, DOCKER_BUILDKIT="1")
    r = run([DOCKER, "build", "--network=none", "-q", "-t", tag, "-f", dockerfile,
             *(["--target", target] if target else []), ctx], env=env)
    open(log, "w").write(r.stdout + r.stderr)
    if r.returncode != 0:
        lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
        return lines[-1] if lines else "docker build failed"
    return None


def fixes_of(tocsin, path):
    r = run([tocsin, "scan", "--no-config", "--select", "DF001", "--format", "json", path])
    if r.returncode == 2:
        raise RuntimeError(f"tocsin scan {path}: {r.stderr.strip()}")
    doc = json.loads(r.stdout)
    return [f for f in doc["findings"] if f.get("fix")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tocsin", required=True)
    ap.add_argument("--reduce", action="store_true", help="drop RUN steps the offline lab cannot run")
    ap.add_argument("--work", default=None)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="tocsin-df001-")
    os.makedirs(work, exist_ok=True)
    build_base(work)
    tagged, results = [], []
    try:
        for n, path in enumerate(a.files):
            fixes = fixes_of(a.tocsin, path)
            if not fixes:
                continue
            d = os.path.join(work, f"f{n}")
            os.makedirs(d)
            orig = open(path, encoding="utf-8", errors="surrogateescape").read()
            fixed_path = os.path.join(d, "Dockerfile.fixed")
            shutil.copy(path, fixed_path)
            r = run([a.tocsin, "scan", "--no-config", "--select", "DF001", "--fix", fixed_path])
            fixed = open(fixed_path, encoding="utf-8", errors="surrogateescape").read()
            if fixed == orig:
                raise RuntimeError(f"{path}: --fix changed nothing ({r.stderr.strip()})")
            texts = {"orig": orig, "fixed": fixed}
            note = ""
            if a.reduce:
                texts["orig"], dropped = reduce(orig)
                texts["fixed"], _ = reduce(fixed)
                note = f"{dropped} RUN step(s) removed for the offline build" if dropped else ""
            for img in set(base_images(orig)):
                if docker("image", "inspect", img).returncode != 0:
                    if docker("tag", BASE, img).returncode == 0:
                        tagged.append(img)
            ctx = os.path.join(d, "ctx")
            make_context(orig, ctx)
            why, lists = None, {}
            url_add = any(re.match(r"^\s*ADD\b.*\b(https?|ftp)://", l, re.I) for l in fixed.splitlines()
                          if "--chmod" in l or "--chown" in l)
            if url_add:
                why = "the fixed ADD fetches a URL: the lab has no network"
            # Every named stage and the final image, each built from both versions.
            targets = stage_names(orig) + [None]
            for v in ("orig", "fixed"):
                if why:
                    break
                df = os.path.join(d, f"Dockerfile.{v}")
                open(df, "w", encoding="utf-8", errors="surrogateescape").write(texts[v])
                for t in targets:
                    tag = f"{PREFIX}-{n}-{v}-{t or 'final'}:1".lower()
                    why = build(df, ctx, tag, os.path.join(d, f"build.{v}.{t or 'final'}.log"), t)
                    if why:
                        why = f"{v} does not build{' --target ' + t if t else ''}: {why}"
                        break
                    for p, meta in listing(tag, d).items():
                        lists.setdefault(v, {})[(t or "(final)") + ":" + p] = meta
                    docker("image", "rm", "-f", tag)
            for f in fixes:
                res = {"file": path, "line": f["line"], "fix": f["fix"]["description"]}
                if why:
                    res.update(status="not-built", why=why)
                else:
                    diff = []
                    for p in sorted(set(lists["orig"]) | set(lists["fixed"])):
                        o, x = lists["orig"].get(p), lists["fixed"].get(p)
                        if o != x:
                            diff.append({"path": p, "orig": o, "fixed": x})
                    res.update(status="different" if diff else "equivalent", diff=diff[:20],
                               paths=len(lists["orig"]), images=len(targets))
                if note:
                    res["note"] = note
                results.append(res)
                print(json.dumps(res), flush=True)
    finally:
        for img in tagged:
            docker("image", "rm", img)
        docker("image", "rm", "-f", BASE)
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    summary = {s: sum(1 for r in results if r["status"] == s) for s in ("equivalent", "different", "not-built")}
    summary["fixes"] = len(results)
    print(json.dumps({"summary": summary}))
    bad = summary["different"] or (not a.reduce and summary["not-built"])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
