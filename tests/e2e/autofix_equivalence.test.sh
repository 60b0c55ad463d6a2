#!/usr/bin/env bash
# DF001's automatic fix, proven on real builds: every fix that the DF001 rule fixtures
# (tests/rules/DF001*.Dockerfile) and the shapes file (tests/e2e/autofix/*.Dockerfile) produce is
# built, original and fixed, by the lab's dockerd 20.10 with BuildKit through the Debian
# /usr/bin/docker 20.10 client (--network=none), and the two images, flattened with `docker
# export`, must agree on owner, group, mode, type and size of every path. Base images are the
# lab base (BusyBox + the host's shadow useradd/groupadd, imported under each FROM name); RUN
# steps that need the network (apt-get, curl, ...) are removed from both versions alike
# (tests/e2e/lab/autofix_build.py --reduce). Every fix must build and be equivalent, and the
# number of fixes built must be the number tocsin offers. Starts the lab (scripts/lab up) when it
# is not running and takes it down again only then. Needs root.
set -euo pipefail
TOCSIN=${1:?usage: autofix_equivalence.test.sh path/to/tocsin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
export TOCSIN_LAB_DOCKER=$DOCKER
# shellcheck source=lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require

lab_session tocsin-df001-e2e
"$DOCKER" version -f 'client {{.Client.Version}}, engine {{.Server.Version}}'

files=("$ROOT"/tests/rules/DF001*.Dockerfile "$ROOT"/tests/e2e/autofix/*.Dockerfile)
# What tocsin offers: the number of fixes the build must account for.
# (exit code 1: findings were reported, as expected)
"$TOCSIN" scan --no-config --select DF001 --format json "${files[@]}" >"$work/scan.json" || [ $? = 1 ]
offered=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f.get("fix")))' \
  "$work/scan.json")
echo "fixes offered: $offered"
[ "$offered" -ge 10 ] || { echo "FAIL: expected the fixtures to offer at least 10 fixes, got $offered"; exit 1; }

rc=0
python3 "$ROOT/tests/e2e/lab/autofix_build.py" --tocsin "$TOCSIN" --reduce --work "$work/build" "${files[@]}" \
  >"$work/results.jsonl" || rc=$?
cat "$work/results.jsonl"
python3 - "$work/results.jsonl" "$offered" "$rc" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summary = rows[-1].get("summary") if rows else None
fixes = [r for r in rows if "status" in r]
offered, rc = int(sys.argv[2]), int(sys.argv[3])
fail = []
if summary is None:
    fail.append("the build script did not finish (exit %d)" % rc)
if len(fixes) != offered:
    fail.append(f"{len(fixes)} fixes built, {offered} offered")
for r in fixes:
    if r["status"] != "equivalent":
        fail.append(f'{r["file"]}:{r["line"]}: {r["status"]}: {r.get("why") or r.get("diff")}')
for f in fail:
    print("FAIL:", f)
if fail:
    sys.exit(1)
print(f"PASS: {len(fixes)} automatic fixes built in dockerd and equivalent to the originals")
EOF
