#!/usr/bin/env bash
# Builds every DF001 automatic fix that tocsin offers on the shared corpus (../shared/corpus/
# dockerfiles, ~6,400 Dockerfiles) in the lab's dockerd 20.10 — original and fixed, with the RUN
# steps the offline lab cannot run removed from both (tests/e2e/lab/autofix_build.py --reduce) —
# and compares owner, group and mode of every path of the two images. Too slow for CI (the e2e
# test autofix_equivalence builds the fixtures' fixes); the numbers are in docs/evaluation.md.
# Run as root under the lab lock:
#   flock /tmp/tocsin-lab.lock tests/eval/autofix/corpus.sh build-ci/tocsin [OUT.jsonl]
set -euo pipefail
TOCSIN=$(realpath "${1:-build/tocsin}")
OUT=${2:-autofix-corpus.jsonl}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
export TOCSIN_LAB_DOCKER=$DOCKER
# shellcheck source=../../e2e/lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require
lab_session tocsin-df001-corpus
"$TOCSIN" scan --no-config --select DF001 --format json "$CORPUS/dockerfiles" >"$work/scan.json" || true
python3 - "$work/scan.json" >"$work/files" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fixed = [f for f in d["findings"] if f["rule"] == "DF001"]
print("\n".join(sorted({f["file"] for f in fixed if f.get("fix")})))
print(f"DF001 findings: {len(fixed)}, with a fix: {sum(1 for f in fixed if f.get('fix'))}, "
      f"refused: {sum(1 for f in fixed if f.get('fix_refused'))}", file=sys.stderr)
PY
mapfile -t files <"$work/files"
echo "files with fixes: ${#files[@]}"
rc=0
python3 "$ROOT/tests/e2e/lab/autofix_build.py" --tocsin "$TOCSIN" --reduce --work "$work/build" "${files[@]}" \
  | tee "$OUT" || rc=$?
exit $rc
