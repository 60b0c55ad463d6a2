#!/usr/bin/env bash
# End-to-end on the live lab: starts a real dockerd 20.10 and auditd (scripts/lab), records every
# scenario now — benign admin copies on a terminal (auid 1000), service copies without one, a
# swap loop racing `docker cp` into and out of a container, a loop with no copy — in ENRICHED and
# RAW format, computes their ground truth independently (tests/e2e/lab/truth.py), then runs
# `tocsin hunt` on each fresh recording and asserts exact alert counts and fields against it
# (the same checks as hunt_recordings.test.sh, which reads the recordings kept in the repo).
# Needs root; in CI (CI=true) a lab that cannot run is a failure, never a skip.
set -euo pipefail
TOCSIN=${1:?usage: lab_live_hunt.test.sh /path/to/tocsin}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
skip() {
  echo "SKIP: $1"
  if [ "${CI:-}" = true ]; then echo "FAIL: CI must run the live lab test"; exit 1; fi
  exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root"
command -v auditctl >/dev/null || skip "auditd is not installed (scripts/install-deps --lab)"
[ -x /usr/sbin/dockerd ] || skip "docker.io is not installed (scripts/install-deps --lab)"
OUT=$(mktemp -d /var/tmp/tocsin-live.XXXXXX)
cleanup() { "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
"$ROOT/scripts/lab" record-all "$OUT"
n=$(ls "$OUT"/*.truth.json | wc -l)
[ "$n" -ge 11 ] || { echo "FAIL: expected 11 recordings, got $n"; exit 1; }
echo "recorded $n scenarios live; hunting them"
TOCSIN_RECORDINGS=$OUT bash "$ROOT/tests/e2e/hunt_recordings.test.sh" "$TOCSIN"
left=$(auditctl -l | grep -c tocsin-lab || true)
[ "$left" = 0 ] || { echo "FAIL: $left lab audit rules left behind"; exit 1; }
