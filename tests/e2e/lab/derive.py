#!/usr/bin/env python3
"""Derive what a narrower audit rule set would have recorded from a lab recording.

A rule set that does not audit a syscall simply never writes its events; one that excludes a
record type (`-a always,exclude -F msgtype=CWD`) writes the events without those records. Both
are reproduced here by dropping, from a recording made with the full lab rules, every record of
the events whose SYSCALL record names a dropped syscall, and every record of a dropped type.
This stands in for a live recording only where the lab matrix has none (it is not one: the
kernel's serial numbers of the dropped events are simply missing, as with real filtering rules).

Usage: derive.py PRESET|--keep-syscalls N,… |--drop-syscalls N,… [--drop-types T,…] IN OUT
Presets (x86_64 syscall numbers):
  minimal      no mount/umount2/unshare/pivot_root/chroot/setns records
  execve-only  only execve/execveat events (and the audit system's own records)
  no-cwd       CWD records excluded (the community best-practice exclude filter)
  community    no-cwd + minimal
"""
import gzip
import re
import sys

MOUNT_NS = {165, 166, 272, 155, 161, 308}
EXEC = {59, 322}
PRESETS = {
    "minimal": dict(drop=MOUNT_NS, keep=None, types=set()),
    "execve-only": dict(drop=set(), keep=EXEC, types=set()),
    "no-cwd": dict(drop=set(), keep=None, types={"CWD"}),
    "community": dict(drop=MOUNT_NS, keep=None, types={"CWD"}),
}
ID = re.compile(rb"msg=audit\((\d+\.\d+:\d+)\)")
SC = re.compile(rb" syscall=(\d+)")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    spec = dict(drop=set(), keep=None, types=set())
    args = list(argv)
    while args and args[0].startswith("--") or (args and args[0] in PRESETS):
        a = args.pop(0)
        if a in PRESETS:
            spec = dict(PRESETS[a])
        elif a == "--drop-syscalls":
            spec["drop"] = {int(x) for x in args.pop(0).split(",")}
        elif a == "--keep-syscalls":
            spec["keep"] = {int(x) for x in args.pop(0).split(",")}
        elif a == "--drop-types":
            spec["types"] = set(args.pop(0).split(","))
        else:
            sys.exit(f"derive.py: unknown option {a}")
    src, dst = args
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rb") as f:
        lines = f.read().split(b"\n")
    dropped = set()
    for ln in lines:
        if b"type=SYSCALL " not in ln:
            continue
        m, s = ID.search(ln), SC.search(ln)
        if not m or not s:
            continue
        n = int(s.group(1))
        if n in spec["drop"] or (spec["keep"] is not None and n not in spec["keep"]):
            dropped.add(m.group(1))
    types = {b"type=" + t.encode() + b" " for t in spec["types"]}
    out = []
    for ln in lines:
        m = ID.search(ln)
        if m and m.group(1) in dropped:
            continue
        if any(t in ln for t in types):
            continue
        out.append(ln)
    wopen = gzip.open if dst.endswith(".gz") else open
    with wopen(dst, "wb") as f:
        f.write(b"\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
