#!/usr/bin/env bash
# Validates tocsin's SARIF output against the SARIF 2.1.0 JSON schema (fetched by
# scripts/install-deps from the npm registry), on the examples and every rule fixture, and on a
# scan with an unreadable input (invocations[0].executionSuccessful false, a notification).
set -euo pipefail
bin="$1"
schema=/var/cache/tocsin/sarif-2.1.0-rtm.5.json
if [ ! -s "$schema" ]; then
  echo "FAIL: SARIF schema missing at $schema (run scripts/install-deps)"; exit 1
fi
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
rc=0
"$bin" scan --format sarif -o "$out/examples.sarif" examples || rc=$?
[ "$rc" -le 1 ] || { echo "FAIL: scan exited $rc"; exit 1; }
rc=0
"$bin" scan --format sarif -o "$out/fixtures.sarif" tests/rules || rc=$?
[ "$rc" -le 1 ] || { echo "FAIL: scan exited $rc"; exit 1; }
# An input that cannot be read: exit 2, and the SARIF says so (and is still valid).
rc=0
"$bin" scan --format sarif -o "$out/errors.sarif" examples "$out/missing/Dockerfile" || rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: scan with a missing input exited $rc, want 2"; exit 1; }
python3 - "$schema" "$out/examples.sarif" "$out/fixtures.sarif" "$out/errors.sarif" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema)
for path in sys.argv[2:]:
    doc = json.load(open(path))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:10]:
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
    if errors:
        sys.exit(1)
    inv = doc["runs"][0]["invocations"][0]
    notes = inv["toolExecutionNotifications"]
    want_ok = not path.endswith("errors.sarif")
    if inv["executionSuccessful"] != want_ok or (len(notes) == 0) != want_ok:
        print(f"{path}: invocation {inv}, want executionSuccessful={want_ok}"); sys.exit(1)
    if not want_ok and "missing/Dockerfile" not in notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
        print(f"{path}: the notification does not name the file: {notes[0]}"); sys.exit(1)
    results = doc["runs"][0]["results"]
    if not results:
        print(f"{path}: no results — the validation proved nothing"); sys.exit(1)
    print(f"{path}: valid SARIF 2.1.0, {len(results)} results, {len(doc['runs'][0]['tool']['driver']['rules'])} rules")
PY
