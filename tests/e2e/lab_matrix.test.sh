#!/usr/bin/env bash
# The rule-set matrix, recorded live (issue 11): every scenario — benign admin copies on a
# terminal, benign service copies, copies raced into and out of a container by a swap loop, a
# loop with no copy — under four audit rule sets, on both engines (dockerd 20.10 with the Debian
# client /usr/bin/docker, and podman 4.3.1), each cell recorded by its own auditd with the rules
# loaded once (`scripts/lab record-cell ENGINE SET`, scoped to the lab as LAB.md says):
#   tocsin       `tocsin audit-rules` (host scope)
#   community    a Neo23x0-style set (CWD excluded, container storage only through -w watches,
#                execve for euid=0 auid>=1000: tests/e2e/lab/rules/community.rules) FOLLOWED by
#                ours — the kernel takes the first match, so this is the realistic install
#   minimal      ours without mount/namespace syscalls
#   execve-only  execve/execveat only (what the seed's Elasticsearch pipeline carries)
# For each cell and scenario, tests/e2e/lab/check_hunt.py (variant live:SET) asserts against the
# truth computed from that very log and from where the files really landed: no high/critical
# alert on a benign copy; AU001 for every copy; AU002/AU003 where the loop's records are present;
# AU004 with the resolved path on every won race the records show; nothing the records cannot
# support. The coverage verdicts per rule set are in check_hunt.py's EXPECTED_COVERAGE (the
# hook for `cov`). Then a busy host (tests/e2e/lab/busy.sh) recorded with `tocsin audit-rules
# --scope lab`: no AU002 except the swap loop, AU003 only on raced copies, no AU005/AU009.
# Knobs: TOCSIN_MATRIX_ENGINES ("docker podman"), TOCSIN_MATRIX_SETS, TOCSIN_LAB_COPIES (4).
# Needs root; in CI (CI=true) a lab that cannot run is a failure, never a skip.
set -euo pipefail
TOCSIN=${1:?usage: lab_matrix.test.sh /path/to/tocsin}
TOCSIN=$(cd "$(dirname "$TOCSIN")" && pwd)/$(basename "$TOCSIN")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
# shellcheck source=lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require
[ -x /usr/bin/podman ] || lab_skip "podman is not installed (scripts/install-deps --lab)"
command -v dpkg-deb >/dev/null || lab_skip "dpkg-deb is needed for the busy host's package"
ENGINES=${TOCSIN_MATRIX_ENGINES:-docker podman}
SETS=${TOCSIN_MATRIX_SETS:-tocsin community minimal execve-only}
export TOCSIN TOCSIN_LAB_COPIES=${TOCSIN_LAB_COPIES:-4} TOCSIN_LAB_SWAP_INTERVAL_US=${TOCSIN_LAB_SWAP_INTERVAL_US:-1500}
OUT=$(mktemp -d /var/tmp/tocsin-matrix.XXXXXX)
cleanup() { "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; rm -rf "$OUT"; }
trap cleanup EXIT
t0=$SECONDS
for e in $ENGINES; do
  for s in $SETS; do
    c0=$SECONDS
    "$ROOT/scripts/lab" record-cell "$e" "$s" "$OUT/cells" 2>"$OUT/cell-$e-$s.err" ||
      { tail -30 "$OUT/cell-$e-$s.err"; echo "FAIL: recording cell $e/$s"; exit 1; }
    echo "recorded cell $e/$s in $((SECONDS - c0)) s"
  done
done
c0=$SECONDS
"$ROOT/scripts/lab" record busy-host "$OUT/busy" --rules tocsin-lab 2>"$OUT/busy.err" ||
  { tail -30 "$OUT/busy.err"; echo "FAIL: recording the busy host"; exit 1; }
echo "recorded the busy host in $((SECONDS - c0)) s; recording took $((SECONDS - t0)) s in all"
"$ROOT/scripts/lab" down >/dev/null 2>&1 || true

fails=0; checked=0
shopt -s nullglob
for truth in "$OUT"/cells/*.truth.json "$OUT"/busy/*.truth.json; do
  base=$(basename "$truth" .truth.json)
  log=${truth%.truth.json}.log.gz
  set=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rule_set"])' "$truth")
  set +e
  "$TOCSIN" hunt --format jsonl "$log" >"$OUT/$base.jsonl" 2>"$OUT/$base.hunt.err"
  rc=$?
  set -e
  variant=live:$set
  [ "$set" != tocsin-lab ] || variant=live:tocsin
  if ! python3 "$ROOT/tests/e2e/lab/check_hunt.py" "$truth" "$OUT/$base.jsonl" "$rc" "$base" "$variant" "$log" "$TOCSIN"; then
    fails=$((fails + 1)); cat "$OUT/$base.hunt.err"
  fi
  checked=$((checked + 1))
done
want=$(( $(wc -w <<<"$ENGINES") * $(wc -w <<<"$SETS") * 5 + 1 ))
[ "$checked" -eq "$want" ] || { echo "FAIL: checked $checked recordings, want $want"; fails=$((fails + 1)); }
left=$(auditctl -l | grep -c tocsin-lab || true)
[ "$left" = 0 ] || { echo "FAIL: $left lab audit rules left behind"; fails=$((fails + 1)); }
echo "matrix: $checked recordings checked in $((SECONDS - t0)) s"
[ "$fails" -eq 0 ] || { echo "FAIL: $fails recording(s)"; exit 1; }
echo "PASS lab_matrix"
