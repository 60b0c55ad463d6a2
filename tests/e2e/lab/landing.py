#!/usr/bin/env python3
"""Where a lab container's files really are: the ground truth of where copies landed.

Usage: landing.py ROOTFS HOSTNAME_PATH CONTAINER_PATH...
Prints `container_path<TAB>md5` for every given path that is a regular file in the container,
read from the host through the container's root directory (vfs dir or overlay merged dir) with
every component checked by lstat: a symlink inside the container (the swap pair) is never
followed from the host, where an absolute link would lead to the host's own files. The
container's /etc/hostname is a bind mount of HOSTNAME_PATH (docker and podman both), so that
one path is read from there. Run it after the swap loop stopped (scripts/lab record_landing).
"""
import hashlib
import os
import stat
import sys


def read_in_root(root, path):
    cur = root
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts):
        if part in (".", ".."):
            return None
        cur = os.path.join(cur, part)
        try:
            st = os.lstat(cur)
        except OSError:
            return None
        last = i == len(parts) - 1
        if stat.S_ISLNK(st.st_mode) or (not last and not stat.S_ISDIR(st.st_mode)):
            return None
        if last and not stat.S_ISREG(st.st_mode):
            return None
    fd = os.open(cur, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    root, hostname = argv[0], argv[1]
    seen = set()
    for p in argv[2:]:
        if p in seen:
            continue
        seen.add(p)
        if p == "/etc/hostname" and hostname:
            try:
                data = open(hostname, "rb").read()
            except OSError:
                data = None
        else:
            data = read_in_root(root, p)
        if data is not None:
            print(f"{p}\t{hashlib.md5(data).hexdigest()}")


if __name__ == "__main__":
    main(sys.argv[1:])
