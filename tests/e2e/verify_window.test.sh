#!/usr/bin/env bash
# verify's own window, closed: a writer swaps a configuration file between the verified version
# and another one in a tight loop (rename over, and a symlink swapped in), while
#   (a) a probe-then-read sequence (`tocsin verify FILE && cat FILE`, the readiness-probe shape)
#   (b) `tocsin verify FILE --emit OUT && cat OUT`
#   (c) `tocsin verify FILE -- cat {verified}` (the bytes on a sealed memfd)
# run many times. (a) must be caught reading the unverified version at least once (the window
# is real); (b) and (c) never (the application uses exactly the verified bytes). No root needed.
# Usage: verify_window.test.sh path/to/tocsin [RUNS]
set -euo pipefail
TOCSIN=${1:?usage: verify_window.test.sh path/to/tocsin [RUNS]}
RUNS=${2:-${TOCSIN_WINDOW_RUNS:-400}}
work=$(mktemp -d /tmp/tocsin-verify-window.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$TOCSIN" "$RUNS" "$work" <<'PY'
import hashlib, os, subprocess, sys, threading, time
tocsin, runs, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
good, evil = b"mode: safe\n" * 8, b"mode: evil\n" * 8
os.makedirs(f"{work}/cfg"); os.makedirs(f"{work}/out", mode=0o700)
v1, v2 = f"{work}/v1", f"{work}/v2"
open(v1, "wb").write(good); open(v2, "wb").write(evil)
path = f"{work}/cfg/app.conf"
sha = hashlib.sha256(good).hexdigest()

def writer(mode, stop):
    tmp = f"{work}/cfg/.tmp"
    flip = False
    while not stop.is_set():
        try:
            if os.path.lexists(tmp): os.unlink(tmp)
            if mode == "rename" or not flip:
                os.link(v2 if flip else v1, tmp)     # a whole new version, renamed over
            else:
                os.symlink(v2, tmp)                  # a symlink to the other version
            os.rename(tmp, path)
        except FileNotFoundError:
            pass
        flip = not flip

def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return p.returncode, p.stdout

fail = False
print(f"{'writer':8} {'method':28} {'runs':>5} {'verified':>8} {'refused':>7} {'used evil after ok':>18}")
for mode in ("rename", "symlink"):
    os.link(v1, path) if not os.path.lexists(path) else None
    stop = threading.Event()
    t = threading.Thread(target=writer, args=(mode, stop), daemon=True); t.start()
    time.sleep(0.05)
    methods = {
        "probe, then read": lambda: (lambda rc: (rc, open(path, "rb").read() if rc == 0 else b""))(
            run([tocsin, "verify", path, "--sha256", sha, "-q"])[0]),
        "verify --emit, read emitted": lambda: (lambda rc: (rc, open(f"{work}/out/app.conf", "rb").read() if rc == 0 else b""))(
            run([tocsin, "verify", path, "--sha256", sha, "-q", "--emit", f"{work}/out/app.conf"])[0]),
        "verify -- cat {verified}": lambda: run([tocsin, "verify", path, "--sha256", sha, "-q", "--", "cat", "{verified}"]),
    }
    for name, fn in methods.items():
        ok = refused = evil_used = 0
        for _ in range(runs):
            try:
                rc, data = fn()
            except FileNotFoundError:
                rc, data = 0, b""   # the probe passed, the read found no file mid-swap
            if rc == 0:
                ok += 1
                if data != good: evil_used += 1
            elif rc == 1:
                refused += 1
            else:
                print(f"FAIL: {name}: exit {rc}"); fail = True; break
        print(f"{mode:8} {name:28} {runs:5} {ok:8} {refused:7} {evil_used:18}")
        if name == "probe, then read":
            if evil_used == 0: print(f"FAIL: the probe-then-read window was never caught ({mode}): the test proves nothing"); fail = True
        elif evil_used: print(f"FAIL: {name} handed over bytes that were not verified ({mode})"); fail = True
        if name != "probe, then read" and ok == 0: print(f"FAIL: {name} never verified ({mode}): the test proves nothing"); fail = True
    stop.set(); t.join()
sys.exit(1 if fail else 0)
PY
echo "PASS verify_window"
