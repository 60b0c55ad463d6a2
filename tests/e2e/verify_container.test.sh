#!/usr/bin/env bash
# `tocsin verify` used as documented, in real containers on the lab's dockerd 20.10 (client
# /usr/bin/docker): a configuration directory is bind-mounted read-only, and the host swaps the
# file in it between the verified version and another one (rename over) while containers start.
#   probe:    sh -c 'tocsin verify /config/app.conf ... && sleep 0.05 && cat /config/app.conf'
#             (the application reads the path again after the check, as it does after a probe)
#   emit:     tocsin verify ... --emit /run/cfg/app.conf (a tmpfs), then cat that file
#   exec:     tocsin verify ... -- /bin/cat {verified}   (the bytes on a sealed memfd)
# The probe must be caught using the unverified version at least once (the window is real);
# emit and exec never. The image holds busybox, the tocsin binary and its shared libraries.
# Starts the lab when it is not running (and then takes it down). Needs root.
set -euo pipefail
TOCSIN=${1:?usage: verify_container.test.sh path/to/tocsin}
RUNS=${TOCSIN_VERIFY_CONTAINER_RUNS:-24}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
source "$ROOT/tests/e2e/lab/lib.sh"
lab_require
command -v busybox >/dev/null || lab_skip "busybox-static is not installed (scripts/install-deps --lab)"

work=$(mktemp -d /tmp/tocsin-verify-ctr.XXXXXX)
started_lab=0
writer=""
image=tocsin-verify-lab:1
cleanup() {
  if [ -n "$writer" ]; then kill "$writer" 2>/dev/null || true; wait "$writer" 2>/dev/null || true; fi
  "$DOCKER" rmi -f "$image" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
lab_ensure_up "$work"

# The image: busybox, /tocsin and every shared library it loads, at their own paths.
tree=$work/root
mkdir -p "$tree/bin" "$tree/run/cfg" "$tree/config" "$tree/tmp"
cp "$(command -v busybox)" "$tree/bin/busybox"
for a in sh cat sleep; do ln -s busybox "$tree/bin/$a"; done
cp "$TOCSIN" "$tree/tocsin"
ldd "$TOCSIN" | grep -o '/[^ ]*' | while read -r lib; do
  mkdir -p "$tree$(dirname "$lib")"
  cp -L "$lib" "$tree$lib"
done
tar -C "$tree" -c . | "$DOCKER" import - "$image" >/dev/null

# The configuration, and a writer swapping it from the host.
mkdir -p "$work/cfg"
for i in $(seq 8); do echo "mode: safe"; done >"$work/good"
for i in $(seq 8); do echo "mode: evil"; done >"$work/evil"
cp "$work/good" "$work/cfg/app.conf"
sha=$(sha256sum "$work/good" | cut -d' ' -f1)
python3 - "$work" <<'PY' &
import os, sys
w = sys.argv[1]
flip = False
while True:
    tmp = f"{w}/cfg/.tmp"
    try: os.unlink(tmp)
    except FileNotFoundError: pass
    os.link(f"{w}/{'evil' if flip else 'good'}", tmp)
    os.rename(tmp, f"{w}/cfg/app.conf")
    flip = not flip
PY
writer=$!
sleep 0.2

runc() { "$DOCKER" run --rm --network none -v "$work/cfg:/config:ro" --tmpfs /run/cfg:mode=0700 \
           -e CONFIG_HASH="$sha  /config/app.conf" "$image" "$@" 2>>"$work/stderr"; }
fail=0
printf '%-8s %5s %9s %8s %19s\n' method runs verified refused "used evil after ok"
for method in probe emit exec; do
  ok=0 refused=0 evil=0
  for ((i = 0; i < RUNS; i++)); do
    rc=0
    case $method in
      probe) out=$(runc /bin/sh -c '/tocsin verify /config/app.conf --sha256-env CONFIG_HASH -q && sleep 0.05 && cat /config/app.conf') || rc=$? ;;
      emit)  out=$(runc /bin/sh -c '/tocsin verify /config/app.conf --sha256-env CONFIG_HASH -q --emit /run/cfg/app.conf && cat /run/cfg/app.conf') || rc=$? ;;
      exec)  out=$(runc /tocsin verify /config/app.conf --sha256-env CONFIG_HASH -q -- /bin/cat '{verified}') || rc=$? ;;
    esac
    if [ "$rc" = 0 ]; then
      ok=$((ok + 1))
      [ "$out" = "$(cat "$work/good")" ] || evil=$((evil + 1))
    elif [ "$rc" = 1 ]; then
      refused=$((refused + 1))
    else
      echo "FAIL: $method: exit $rc: $(tail -3 "$work/stderr")"; fail=1; break
    fi
  done
  printf '%-8s %5d %9d %8d %19d\n' "$method" "$RUNS" "$ok" "$refused" "$evil"
  if [ "$method" = probe ]; then
    [ "$evil" -gt 0 ] || { echo "FAIL: the probe's window was never caught: the test proves nothing (raise TOCSIN_VERIFY_CONTAINER_RUNS)"; fail=1; }
  else
    [ "$evil" = 0 ] || { echo "FAIL: $method used bytes that were not verified"; fail=1; }
    [ "$ok" -gt 0 ] || { echo "FAIL: $method never verified: the test proves nothing"; fail=1; }
  fi
done
[ "$fail" = 0 ] && echo "PASS verify_container"
exit "$fail"
