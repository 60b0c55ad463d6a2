#!/usr/bin/env bash
# `tocsin watch --baseline MODEL` scores live copies like `hunt --baseline` does (AU010). A
# recorded benign admin session (real dockerd + auditd output from the lab: 4 `docker cp` by
# auid 1000 on pts0) is fed through `watch --audisp`: with a model trained on other data (a
# service account's copies, auid unset, no terminal) every copy is rare and gets an AU010; with
# a model trained on the same session none does. The AU010 alerts must equal hunt's on the same
# log and model. No root, no lab needed.
set -euo pipefail
TOCSIN=${1:?usage: runtime_watch_baseline.test.sh path/to/tocsin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REC=$ROOT/tests/e2e/recordings
work=$(mktemp -d /tmp/tocsin-watch-baseline.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

zcat "$REC/benign-admin.raw.log.gz" >"$work/admin.log"
zcat "$REC/benign-service.raw.log.gz" >"$work/service.log"
"$TOCSIN" baseline train --quiet --timezone UTC "$work/service.log" -o "$work/other.baseline"
zone=UTC
[ -e /usr/share/zoneinfo/Europe/Berlin ] && zone=Europe/Berlin
"$TOCSIN" baseline train --quiet --timezone "$zone" "$work/admin.log" -o "$work/same.baseline"
grep -q "^tz	$zone\$" "$work/same.baseline" || fail "the model does not record its zone $zone"

watch() {  # MODEL OUT: the recording through watch --audisp, as an audisp plugin would get it
  "$TOCSIN" watch --audisp --format jsonl --baseline "$1" --exit-after 60 <"$work/admin.log" >"$2" 2>"$2.err" \
    || { cat "$2.err"; fail "watch exit $?"; }
}
count() { grep -v '"stage":"early"' "$2" | grep -c "\"rule\":\"$1\"" || true; }  # final records

watch "$work/other.baseline" "$work/other.jsonl"
watch "$work/same.baseline" "$work/same.jsonl"
copies=$(count AU001 "$work/other.jsonl")
[ "$copies" -eq 4 ] || fail "expected the 4 recorded copies (AU001), got $copies"
[ "$(count AU010 "$work/other.jsonl")" -eq "$copies" ] || fail "model from other data: $(count AU010 "$work/other.jsonl") AU010 for $copies copies"
[ "$(count AU010 "$work/same.jsonl")" -eq 0 ] || { grep AU010 "$work/same.jsonl"; fail "model from the same data still raised AU010"; }
grep '"rule":"AU010"' "$work/other.jsonl" | grep -q '"score":' || fail "AU010 without a score"
grep '"rule":"AU010"' "$work/other.jsonl" | grep -q 'never copied on any host' || fail "AU010 without the reason"

# The same alerts as hunt with the same model (the event ids and scores of every AU010).
"$TOCSIN" hunt --quiet --format jsonl --baseline "$work/other.baseline" "$work/admin.log" >"$work/hunt.jsonl" || true
python3 - "$work/hunt.jsonl" "$work/other.jsonl" <<'PY' || fail "watch's AU010 differ from hunt's"
import json, sys
def au010(p):
    return sorted((a["event_ids"][0], a["score"]) for a in map(json.loads, open(p)) if a.get("rule") == "AU010" and "stage" not in a)
h, w = au010(sys.argv[1]), au010(sys.argv[2])
print("hunt AU010:", h); print("watch AU010:", w)
sys.exit(0 if h == w and h else 1)
PY
echo "PASS runtime_watch_baseline (copies=$copies, zone=$zone)"
