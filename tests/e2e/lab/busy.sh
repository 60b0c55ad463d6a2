#!/usr/bin/env bash
# Benign busy-host activity for the lab's busy-host scenario (scripts/lab): what a host and its
# containers do all day while admins copy files — none of it is a swap loop or a race.
# Usage: busy.sh host WORKDIR     (on the host, in the admin session: auid 1000)
#        busy.sh container         (inside the lab container, busybox only, via docker exec; its
#                                   dpkg -i waits for the .deb the session copies in)
# Each part is bounded (counts, not time) and runs in the background of this script, which waits
# for all of them.
set -u
mode=${1:?host|container}
if [ "$mode" = host ]; then
  w=${2:?workdir}
  mkdir -p "$w/etc" "$w/log" "$w/build"
  # 1. atomic configuration replacement by one process, hundreds of times (write a temp file,
  #    rename it over the target): rename(2) and, through coreutils mv, renameat2 with flags 0
  python3 - "$w/etc" <<'PY' &
import os, sys
d = sys.argv[1]
for i in range(400):
    tmp = os.path.join(d, "app.conf.tmp")
    with open(tmp, "w") as f:
        f.write(f"generation={i}\n")
    os.replace(tmp, os.path.join(d, "app.conf"))
PY
  (for i in $(seq 1 150); do echo "v=$i" >"$w/etc/svc.conf.new"; mv -f "$w/etc/svc.conf.new" "$w/etc/svc.conf"; done) &
  # 2. editor-style saves (vim backupcopy=no): rename the original to file~, write a new file
  python3 - "$w/etc" <<'PY' &
import os, sys
f = os.path.join(sys.argv[1], "notes.txt")
open(f, "w").write("start\n")
for i in range(120):
    os.rename(f, f + "~")
    with open(f, "w") as out:
        out.write(f"edit {i}\n")
PY
  # 3. logrotate-style rotations: log.N -> log.N+1, log -> log.1, a new log
  (for r in $(seq 1 40); do
     echo "line $r" >>"$w/log/app.log"
     for n in 4 3 2 1; do [ -e "$w/log/app.log.$n" ] && mv "$w/log/app.log.$n" "$w/log/app.log.$((n + 1))"; done
     mv "$w/log/app.log" "$w/log/app.log.1"; : >"$w/log/app.log"
   done) &
  # 4. a package install and removal: real dpkg on a small local .deb, in its own root
  #    (--root: its own database, so the host's packages are never touched)
  (for r in 1 2; do
     dpkg --root="$w/dpkgroot" --force-not-root --force-script-chrootless -i "$w/tocsin-lab-busy.deb" >/dev/null 2>&1
     dpkg --root="$w/dpkgroot" --force-not-root --force-script-chrootless -P tocsin-lab-busy >/dev/null 2>&1
   done) &
  # 5. a build writing thousands of files (objects written directly, an archive extracted)
  python3 - "$w/build" <<'PY' &
import os, sys
d = sys.argv[1]
for i in range(2500):
    sub = os.path.join(d, f"obj{i // 100}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i}.o"), "wb") as f:
        f.write(b"\0" * 64)
PY
  (mkdir -p "$w/build/x" && tar -C "$w/build/x" -xf "$w/src.tar") &
  wait
else
  mkdir -p /busy/etc /busy/log /busy/build
  (for i in $(seq 1 150); do echo "v=$i" >/busy/etc/app.conf.tmp; mv -f /busy/etc/app.conf.tmp /busy/etc/app.conf; done) &
  (echo start >/busy/etc/notes; for i in $(seq 1 60); do mv /busy/etc/notes /busy/etc/notes~; echo "edit $i" >/busy/etc/notes; done) &
  (for r in $(seq 1 30); do echo "l $r" >>/busy/log/app.log; mv /busy/log/app.log /busy/log/app.log.1; : >/busy/log/app.log; done) &
  (for i in $(seq 1 800); do echo x >/busy/build/f$i.o; done) &
  (addgroup -S busyapp 2>/dev/null; adduser -S -D -G busyapp busyapp 2>/dev/null; true) &
  # busybox dpkg installing the .deb the session copies in (docker cp) meanwhile
  (for i in $(seq 1 100); do [ -s /tmp/tocsin-lab-busy.deb ] && break; sleep 0.1; done
   mkdir -p /var/lib/dpkg/info && touch /var/lib/dpkg/status && dpkg -i /tmp/tocsin-lab-busy.deb >/dev/null 2>&1
   echo "busy: dpkg -i in the container: $?" >&2) &
  wait
fi
