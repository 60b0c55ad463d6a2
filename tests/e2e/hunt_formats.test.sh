#!/usr/bin/env bash
# End-to-end: `tocsin hunt --input-format auto|text|es-export|laurel|auditbeat` over the hand-made
# samples in tests/data/audit (the same docker cp in every format) gives the same AU001 alert —
# same client event id, direction, container, path and auid — whether the format is named or
# sniffed from the file.
set -euo pipefail
TOCSIN=${1:?usage: hunt_formats.test.sh /path/to/tocsin}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DATA=$ROOT/tests/data/audit
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
summary() {  # the AU001 alerts of one hunt, one line each
  "$TOCSIN" hunt --quiet --format jsonl --select AU001 --fail-on none --input-format "$1" "$2" 2>"$TMP/err" |
    python3 -c 'import sys,json
for l in sys.stdin:
    a=json.loads(l)
    if "summary" in a: continue  # the last line: the run summary
    c=a.get("docker_cp") or {}
    print(a["rule"], a["event_ids"][0], c.get("direction"), c.get("container"), c.get("path"), (a.get("user") or {}).get("auid"))'
}
want=$(summary text "$DATA/handmade-docker-cp.log")
echo "reference (text): $want"
fails=0
[ "$(printf '%s\n' "$want" | grep -c AU001)" = 1 ] || { echo "FAIL: want one AU001 from the text sample"; fails=1; }
for pair in "handmade-docker-cp.log auto" "handmade-laurel.jsonl laurel" "handmade-laurel.jsonl auto" \
            "handmade-es-export.ndjson es-export" "handmade-es-export.ndjson auto" \
            "handmade-es-search.json es-export" "handmade-es-search.json auto" \
            "handmade-auditbeat.ndjson auditbeat" "handmade-auditbeat.ndjson auto"; do
  set -- $pair
  got=$(summary "$2" "$DATA/$1")
  if [ "$got" = "$want" ]; then echo "ok   $1 --input-format $2"
  else echo "FAIL $1 --input-format $2: got '$got'"; cat "$TMP/err"; fails=$((fails + 1)); fi
done
# A format that does not fit the file is an error or AU000 material, never a wrong AU001.
got=$(summary laurel "$DATA/handmade-docker-cp.log" || true)
[ -z "$got" ] || { echo "FAIL: text read as laurel gave '$got'"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "PASS hunt_formats" || echo "FAIL hunt_formats ($fails)"
exit $fails
