#!/usr/bin/env bash
# End-to-end: `tocsin hunt` over the real dockerd 20.10 + auditd lab recordings
# (tests/e2e/recordings/*.log.gz, made by scripts/lab) checked against their ground truth
# (*.truth.json, computed by tests/e2e/lab/truth.py independently of tocsin's parser):
#   - every copy gives exactly one AU001, anchored at the client's execve, with its auid/uid/tty/ses
#   - every copy whose helper resolved another directory (a won race) gives AU004 with that path,
#     and so does every copy whose file landed in the container root although the helper was
#     given the requested directory (inode evidence); no other copy gives AU004
#   - the same for each recording as narrower audit rule sets would have recorded it
#     (tests/e2e/lab/derive.py: minimal, no-cwd, community, execve-only): what the records
#     still show is found, nothing else is claimed (tests/e2e/lab/check_hunt.py)
#   - every copy made while the swap loop ran on its path gives AU003; none clearly outside it does
#   - a loop gives exactly one AU002 (pid, paths, count as in the truth); loop-only: no AU003
#   - benign recordings: no AU002-AU006, exit code 0; raced recordings: exit code 1
#   - the summary's coverage verdict per rule (covered/partial/blind/unknown) is the one the
#     scenario, the rule-set variant and the truth's audit rules imply, and it agrees with
#     `tocsin audit-rules --check` on those rules (docs/coverage.md)
# Both RAW and ENRICHED recordings are read. Needs no root (it only reads recordings).
set -euo pipefail
TOCSIN=${1:?usage: hunt_recordings.test.sh /path/to/tocsin}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REC=${TOCSIN_RECORDINGS:-$ROOT/tests/e2e/recordings}
command -v python3 >/dev/null || { echo "FAIL: python3 is needed to read the truth files"; exit 1; }
shopt -s nullglob
truths=("$REC"/*.truth.json)
if [ ${#truths[@]} -eq 0 ]; then
  echo "FAIL: no recordings in $REC (run scripts/lab record-all)"; exit 1
fi
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
fails=0; checked=0
for truth in "${truths[@]}"; do
  base=$(basename "$truth" .truth.json)
  log=$REC/$base.log.gz
  [ -f "$log" ] || { echo "FAIL $base: truth without log"; fails=$((fails+1)); continue; }
  set +e
  "$TOCSIN" hunt --format jsonl "$log" >"$TMP/$base.jsonl" 2>"$TMP/$base.err"
  rc=$?
  set -e
  if ! python3 "$ROOT/tests/e2e/lab/check_hunt.py" "$truth" "$TMP/$base.jsonl" "$rc" "$base" full "$log" "$TOCSIN"; then
    fails=$((fails+1)); cat "$TMP/$base.err"
  fi
  checked=$((checked+1))
  # The same recording as narrower rule sets would have recorded it (derive.py): no rule set
  # may turn a benign copy into a high/critical alert, and what the records still show is found.
  for variant in minimal no-cwd community execve-only; do
    python3 "$ROOT/tests/e2e/lab/derive.py" "$variant" "$log" "$TMP/$base.$variant.log"
    set +e
    "$TOCSIN" hunt --format jsonl "$TMP/$base.$variant.log" >"$TMP/$base.$variant.jsonl" 2>"$TMP/$base.$variant.err"
    rc=$?
    set -e
    if ! python3 "$ROOT/tests/e2e/lab/check_hunt.py" "$truth" "$TMP/$base.$variant.jsonl" "$rc" "$base" "$variant" \
         "$TMP/$base.$variant.log" "$TOCSIN"; then
      fails=$((fails+1)); cat "$TMP/$base.$variant.err"
    fi
    checked=$((checked+1))
  done
done
# The same container name re-created between sessions (compose --force-recreate, the lab's
# victim): one log holding both recordings must find every won race of each (the name's link
# to the first container's storage must not hide the second container's helpers).
for fmt in enriched raw; do
  a=$REC/race-from.$fmt.log.gz b=$REC/race-to.$fmt.log.gz
  [ -f "$a" ] && [ -f "$b" ] || continue
  sep=$("$TOCSIN" hunt --format jsonl "$a" 2>/dev/null | grep -c '"rule":"AU004"' || true)
  sep=$((sep + $("$TOCSIN" hunt --format jsonl "$b" 2>/dev/null | grep -c '"rule":"AU004"' || true)))
  both=$( { zcat "$a"; zcat "$b"; } | "$TOCSIN" hunt --format jsonl - 2>/dev/null | grep -c '"rule":"AU004"' || true)
  if [ "$sep" -gt 0 ] && [ "$both" = "$sep" ]; then
    echo "ok   race-from+race-to ($fmt) in one log: $both AU004, as separately"
  else
    echo "FAIL race-from+race-to ($fmt) in one log: $both AU004, separately $sep"; fails=$((fails+1))
  fi
done
formats=$(ls "$REC" | grep -c -E '\.(raw|enriched)\.truth\.json$' || true)
echo "checked $checked recordings ($formats with a RAW/ENRICHED format tag)"
[ "$fails" -eq 0 ] || { echo "FAIL: $fails recording(s)"; exit 1; }
