#!/usr/bin/env bash
# Adversarial: while a helper exchanges the file's parent directory with a symlink that points
# outside the root (renameat2 RENAME_EXCHANGE, as fast as it can), `tocsin verify --root` runs
# in a loop. It must never report the outside content; a naive open() in the same setup must
# (proving the race is real). Both counts are printed. Runs with openat2 and with the fallback
# walk (TOCSIN_NO_OPENAT2=1). No root or lab needed.
set -euo pipefail
TOCSIN=${1:?usage: verify_race.test.sh path/to/tocsin}
RUNS=${TOCSIN_VERIFY_RACE_RUNS:-400}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/tocsin-verify-race.XXXXXX)
swapper=""
cleanup() {
  if [[ -n "$swapper" ]]; then kill "$swapper" 2>/dev/null || true; wait "$swapper" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/race_helper" "$here/runtime/race_helper.c"
mkdir -p "$work/root/d" "$work/outside"
echo "INSIDE-CONTENT" >"$work/root/d/cfg"
echo "OUTSIDE-SECRET" >"$work/outside/cfg"
ln -s "$work/outside" "$work/root/d-link"
inside_sha=$(sha256sum "$work/root/d/cfg" | cut -d' ' -f1)
outside_sha=$(sha256sum "$work/outside/cfg" | cut -d' ' -f1)

run_mode() {  # $1 = label, $2 = value of TOCSIN_NO_OPENAT2
  "$work/race_helper" swap "$work/root/d" "$work/root/d-link" 120 2>"$work/swaps.$1" &
  swapper=$!
  local escaped=0 intact=0 refused=0 other=0 out rc
  for ((i = 0; i < RUNS; i++)); do
    rc=0
    out=$(TOCSIN_NO_OPENAT2=$2 "$TOCSIN" verify d/cfg --root "$work/root") || rc=$?
    if [[ "$out" == *"$outside_sha"* || "$out" == *OUTSIDE* ]]; then
      escaped=$((escaped + 1))
    elif [[ $rc -eq 0 && "$out" == *"$inside_sha"* ]]; then
      intact=$((intact + 1))
    elif [[ $rc -eq 1 || $rc -eq 2 ]]; then
      refused=$((refused + 1))
    else
      other=$((other + 1))
    fi
  done
  read -r naive_hits naive_ok < <("$work/race_helper" naive "$work/root/d/cfg" 20000 OUTSIDE-SECRET)
  kill "$swapper"; wait "$swapper" || true; swapper=""
  echo "[$1] verify: runs=$RUNS escaped=$escaped intact=$intact refused=$refused other=$other;" \
       "naive open(): reads=$naive_ok outside=$naive_hits; $(cat "$work/swaps.$1")"
  [[ $escaped -eq 0 ]] || { echo "FAIL [$1]: verify reported content from outside the root"; exit 1; }
  [[ $other -eq 0 ]] || { echo "FAIL [$1]: unexpected verify outcome"; exit 1; }
  [[ $intact -gt 0 ]] || { echo "FAIL [$1]: verify never succeeded under the race"; exit 1; }
  [[ $naive_hits -gt 0 ]] || { echo "FAIL [$1]: the naive reader never escaped: the race was not exercised"; exit 1; }
  # The tree is left in its original order.
  [[ -d "$work/root/d" && ! -L "$work/root/d" ]] || { echo "FAIL: swap left the tree exchanged"; exit 1; }
}

run_mode openat2 0
run_mode fallback 1
echo "PASS verify_race"
