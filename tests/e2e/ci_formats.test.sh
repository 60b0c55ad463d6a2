#!/usr/bin/env bash
# The CI formats of `tocsin scan`, parsed as their consumers parse them (Python's json and
# xml.etree): codeclimate (GitLab code quality fields), junit (testsuites/testcase/failure),
# checkstyle (file/error). On the examples (findings), on a clean file (junit still lists
# passing testcases), on a file with hostile bytes in its name and content (the XML must stay
# well-formed), and with an unreadable input (every format says so, exit 2). No root needed.
set -euo pipefail
bin="$1"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
run() {  # run EXPECTED_RC ARGS...: the scan's exit code must be EXPECTED_RC
  local want="$1"; shift
  local rc=0
  "$bin" scan --no-progress "$@" || rc=$?
  [ "$rc" -eq "$want" ] || { echo "FAIL: tocsin scan $* exited $rc, want $want"; exit 1; }
}
for f in codeclimate junit checkstyle; do
  run 1 --format "$f" -o "$out/examples.$f" examples
done
# A clean Dockerfile: nothing found.
mkdir -p "$out/clean"
printf 'FROM alpine:3.19\nCOPY --chmod=755 run.sh /app/run.sh\nUSER 10001\n' > "$out/clean/Dockerfile"
for f in codeclimate junit checkstyle; do
  run 0 --format "$f" -o "$out/clean.$f" "$out/clean/Dockerfile"
done
# Hostile bytes in the directory name and in the file (escape, C0, invalid UTF-8, U+FFFF).
hdir="$out/$(printf 'evil\033]0;x\007<&">')"
mkdir -p "$hdir"
printf 'FROM alpine\nCOPY app /app\nRUN chmod 755 /app/x\001\033[2J\xff\xef\xbf\xbf<&"\n' > "$hdir/Dockerfile"
for f in codeclimate junit checkstyle; do
  run 1 --format "$f" -o "$out/hostile.$f" "$hdir/Dockerfile"
done
# An input that cannot be read.
for f in codeclimate junit checkstyle; do
  run 2 --format "$f" -o "$out/missing.$f" examples "$out/missing/Dockerfile"
done
python3 - "$out" <<'PY'
import json, os, sys
import xml.etree.ElementTree as ET
out = sys.argv[1]
fail = []
def check(cond, msg):
    if not cond: fail.append(msg)

# GitLab code quality: an array of issues with description, check_name, fingerprint (unique),
# severity in GitLab's scale, location.path (relative in the checkout) and location.lines.begin.
def codeclimate(name):
    doc = json.load(open(f"{out}/{name}.codeclimate"))
    check(isinstance(doc, list), f"{name}.codeclimate: not an array")
    fps = [i["fingerprint"] for i in doc]
    check(len(fps) == len(set(fps)), f"{name}.codeclimate: duplicate fingerprints")
    for i in doc:
        for k in ("description", "check_name", "fingerprint", "severity"):
            check(isinstance(i.get(k), str) and i[k], f"{name}.codeclimate: {k} missing in {i}")
        check(i["severity"] in ("info", "minor", "major", "critical", "blocker"), f"bad severity {i['severity']}")
        check(isinstance(i["location"]["path"], str), f"{name}: location.path")
        check(isinstance(i["location"]["lines"]["begin"], int) and i["location"]["lines"]["begin"] >= 1,
              f"{name}: lines.begin")
    return doc

ex = codeclimate("examples")
check(len(ex) > 0, "examples.codeclimate: no issues — the check proved nothing")
check(all(not i["location"]["path"].startswith(("/", "./")) for i in ex), "examples.codeclimate: paths not relative")
check(any(i["check_name"] == "DF001" and i["location"]["path"] == "examples/dockerfile/Dockerfile.copy-then-chmod" for i in ex),
      "examples.codeclimate: DF001 in examples/dockerfile/Dockerfile.copy-then-chmod not found")
check(codeclimate("clean") == [], "clean.codeclimate: not empty")
codeclimate("hostile")
miss = codeclimate("missing")
check(any(i["check_name"] == "tocsin/input-error" and "missing/Dockerfile" in i["location"]["path"] for i in miss),
      "missing.codeclimate: no input-error issue naming the file")

# JUnit: testsuites > testsuite > testcase, failure per finding, counts that add up.
def junit(name):
    root = ET.parse(f"{out}/{name}.junit").getroot()
    check(root.tag == "testsuites", f"{name}.junit: root is {root.tag}")
    cases = root.findall("./testsuite/testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    errors = [c for c in cases if c.find("error") is not None]
    check(int(root.get("tests")) == len(cases), f"{name}.junit: tests={root.get('tests')} but {len(cases)} testcases")
    check(int(root.get("failures")) == len(failures), f"{name}.junit: failures attribute")
    check(int(root.get("errors")) == len(errors), f"{name}.junit: errors attribute")
    for s in root.findall("testsuite"):
        check(int(s.get("tests")) == len(s.findall("testcase")), f"{name}.junit: suite {s.get('name')} count")
    for c in failures:
        f = c.find("failure")
        check(c.get("name") and c.get("classname", "").startswith("tocsin."), f"{name}.junit: testcase names")
        check(f.get("message") and f.get("type") and f.text, f"{name}.junit: failure without message/type/text")
    return root, cases, failures, errors

root, cases, failures, _ = junit("examples")
check(len(failures) == len(ex), f"examples.junit: {len(failures)} failures, codeclimate has {len(ex)} issues")
check(any(c.get("classname") == "tocsin.DF001" and c.get("file") == "examples/dockerfile/Dockerfile.copy-then-chmod" for c in failures),
      "examples.junit: DF001 failure in examples/dockerfile/Dockerfile.copy-then-chmod")
root, cases, failures, _ = junit("clean")
check(not failures and len(cases) > 10, f"clean.junit: {len(failures)} failures, {len(cases)} passing testcases")
check(any(c.get("name") == "1 files read" for c in cases), "clean.junit: inputs testcase")
_, _, hf, _ = junit("hostile")
check(len(hf) >= 1, "hostile.junit: no failure")
_, _, _, errs = junit("missing")
check(any("missing/Dockerfile" in c.get("name") for c in errs), "missing.junit: no error testcase")

# Checkstyle: checkstyle > file[name] > error[line, column, severity, message, source].
def checkstyle(name):
    root = ET.parse(f"{out}/{name}.checkstyle").getroot()
    check(root.tag == "checkstyle", f"{name}.checkstyle: root is {root.tag}")
    errors = []
    for f in root.findall("file"):
        check(bool(f.get("name")), f"{name}.checkstyle: file without name")
        for e in f.findall("error"):
            check(e.get("severity") in ("error", "warning", "info"), f"{name}.checkstyle: severity")
            check(bool(e.get("message")) and e.get("source", "").startswith("tocsin."), f"{name}.checkstyle: message/source")
            errors.append((f.get("name"), e))
    return errors

cs = checkstyle("examples")
check(len(cs) == len(ex), f"examples.checkstyle: {len(cs)} errors, codeclimate has {len(ex)}")
check(any(n == "examples/dockerfile/Dockerfile.copy-then-chmod" and e.get("source") == "tocsin.DF001" and int(e.get("line")) >= 1 for n, e in cs),
      "examples.checkstyle: DF001 in examples/dockerfile/Dockerfile.copy-then-chmod")
check(checkstyle("clean") == [], "clean.checkstyle: errors in a clean run")
hs = checkstyle("hostile")
check(len(hs) >= 1 and "evil" in hs[0][0] and "\x1b" not in hs[0][0] and '<&">' in hs[0][0],
      f"hostile.checkstyle: file name not carried escaped: {hs[:1]}")
check(any(e.get("source") == "tocsin.DF001" and "/app/x\\x01\\x1b[2J\\xff\\u{FFFF}" in e.get("message") for _, e in hs),
      f"hostile.checkstyle: DF001 message does not show the hostile bytes escaped: {[e.attrib for _, e in hs]}")
check(any(e.get("source") == "tocsin.input-error" for _, e in checkstyle("missing")), "missing.checkstyle: input error")

# Nothing raw from the hostile file reaches any output (JSON escapes C0 as \\u001b).
for f in os.listdir(out):
    if f.startswith("hostile."):
        data = open(f"{out}/{f}", "rb").read()
        check(b"\x1b" not in data and b"\x01" not in data and b"\xff" not in data, f"{f}: raw hostile bytes in the output")
        # U+FFFF is valid JSON (kept, as in --format json) but not an XML 1.0 character.
        check(f.endswith("codeclimate") or b"\xef\xbf\xbf" not in data, f"{f}: U+FFFF in XML")
if fail:
    print("\n".join("FAIL: " + m for m in fail)); sys.exit(1)
print(f"ok: {len(ex)} findings in codeclimate/junit/checkstyle; clean, hostile and missing-input runs parse")
PY
