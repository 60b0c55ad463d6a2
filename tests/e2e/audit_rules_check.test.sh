#!/usr/bin/env bash
# End-to-end: `tocsin audit-rules --check` against rules loaded into the real kernel.
# Loads rule files with `auditctl -R` — tocsin's own rules under a key prefix of this run
# (tocsin_e2e_<pid>), preceded by (a) an early `never` rule on renames (first match wins: it
# shadows ours), (b) `-a always,exclude -F msgtype=CWD` (the community sets' filter), (c) nothing
# — then runs `--check` without arguments, so it reads them back through `auditctl -l` and
# `auditctl -s`, and checks what it reports: the shadowed and excluded needs with the rule that
# decides, what stays covered, and that the same file checked offline (`--check FILE`) gives
# the same verdicts. Only this run's rules are removed (`auditctl -D -k KEY`; the CWD exclude,
# which takes no key, with `auditctl -d` and only when it was not loaded before).
# Needs root and auditctl; run it under the lab lock (flock /tmp/tocsin-lab.lock). In CI
# (CI=true) a machine where it cannot run is a failure, never a skip.
set -euo pipefail
TOCSIN=${1:?usage: audit_rules_check.test.sh /path/to/tocsin}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/tests/e2e/lab/lib.sh"  # lab_skip: a skip, or a failure in CI
[ "$(id -u)" = 0 ] || lab_skip "needs root"
command -v auditctl >/dev/null || lab_skip "auditctl is not installed (scripts/install-deps --lab)"
auditctl -s >/dev/null 2>&1 || lab_skip "the kernel audit subsystem cannot be used here"
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }

PREFIX=tocsin_e2e_$$
NEVER_KEY=${PREFIX}_never
TMP=$(mktemp -d)
EXCLUDE_CWD="-a always,exclude -F msgtype=CWD"
cwd_exclude_was_loaded=0
auditctl -l | grep -qxF -- "$EXCLUDE_CWD" && cwd_exclude_was_loaded=1
remove_ours() {
  for k in $("$TOCSIN" audit-rules --key "$PREFIX" | sed -n 's/.*for k in\([^;]*\);.*/\1/p') "$NEVER_KEY"; do
    auditctl -D -k "$k" >/dev/null 2>&1 || true
  done
  if [ "$cwd_exclude_was_loaded" = 0 ] && auditctl -l | grep -qxF -- "$EXCLUDE_CWD"; then
    auditctl -d exclude,always -F msgtype=CWD >/dev/null 2>&1 || true
  fi
}
cleanup() { remove_ours; rm -rf "$TMP"; }
trap cleanup EXIT
before=$(auditctl -l)

"$TOCSIN" audit-rules --key "$PREFIX" >"$TMP/ours.rules"
# The kernel refuses -F exe= rules whose directory does not exist and -F dir= on a missing
# directory; keep the lines this machine accepts (as an admin would).
grep -v -e '^#' -e '^$' "$TMP/ours.rules" | while read -r line; do
  case "$line" in
    *"-F exe="*) d=$(printf '%s\n' "$line" | sed 's/.*-F exe=\([^ ]*\).*/\1/'); [ -d "$(dirname "$d")" ] || continue ;;
    -w\ *) d=$(printf '%s\n' "$line" | awk '{print $2}'); [ -d "$(dirname "$d")" ] || continue ;;
  esac
  printf '%s\n' "$line"
done >"$TMP/ours.loadable"
enabled=$(auditctl -s | awk '$1=="enabled"{print $2}')

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# check NAME FILE: load FILE, run --check live (JSON and exit code) and offline on FILE.
check() {
  local name=$1 file=$2
  remove_ours
  if ! auditctl -R "$file" >"$TMP/$name.load" 2>&1; then
    fail "$name: auditctl -R rejected the file: $(cat "$TMP/$name.load")"; return
  fi
  set +e
  "$TOCSIN" audit-rules --check --format json >"$TMP/$name.live.json" 2>"$TMP/$name.live.err"
  live_rc=$?
  "$TOCSIN" audit-rules --check "$file" --format json >"$TMP/$name.file.json" 2>"$TMP/$name.file.err"
  file_rc=$?
  "$TOCSIN" audit-rules --check >"$TMP/$name.live.txt" 2>&1
  set -e
  # Rules someone else loaded meanwhile would change the answer: say so instead of guessing.
  local foreign
  foreign=$(auditctl -l | grep -v -e "$PREFIX" -e "^$EXCLUDE_CWD\$" -e '^No rules$' || true)
  if [ -n "$foreign" ]; then
    fail "$name: rules not loaded by this test are in the kernel (run under flock /tmp/tocsin-lab.lock): $(echo "$foreign" | head -3)"
  fi
  echo "--- $name: live exit $live_rc, file exit $file_rc"
  grep -E '^AU0[0-9]{2} ' "$TMP/$name.live.txt" | cut -c1-120 || true
}

# verify NAME WANT_RC PYTHON-ASSERTIONS (j = live JSON, f = file JSON; helpers need(), verdict())
verify() {
  local name=$1 want_rc=$2 code=$3
  [ "$live_rc" = "$want_rc" ] || fail "$name: --check exit $live_rc, want $want_rc ($(cat "$TMP/$name.live.err"))"
  if ! python3 - "$TMP/$name.live.json" "$TMP/$name.file.json" "$PREFIX" <<EOF
import json, sys
j = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2])); prefix = sys.argv[3]
errors = []
def det(doc, rule): return next(d for d in doc["detections"] if d["rule"] == rule)
def verdict(rule, doc=j): return det(doc, rule)["verdict"]
def need(rule, part, doc=j):
    for n in det(doc, rule)["needs"]:
        if part in n["need"]: return n
    raise SystemExit("%s: no need with %r" % (rule, part))
def expect(cond, msg):
    if not cond: errors.append(msg)
if j["source"] != "auditctl -l": errors.append("live source " + j["source"])
# The listing read back from the kernel and the file give the same verdicts.
for d in j["detections"]:
    # AU008 reads the live status (auditctl -s: backlog, rate limit), a file has its own.
    if d["rule"] != "AU008" and d["verdict"] != verdict(d["rule"], f): errors.append("%s: live %s, file %s" % (d["rule"], d["verdict"], verdict(d["rule"], f)))
$code
if errors:
    print("\n".join(errors)); sys.exit(1)
EOF
  then fail "$name: the report is not what the loaded rules imply"; fi
}
want_rc() { [ "$enabled" = 0 ] && echo 1 || echo "$1"; }

# (a) An early never rule on renames, then tocsin's rules: the loop detections are blind.
{ echo "-a never,exit -F arch=b64 -S rename,renameat,renameat2 -k $NEVER_KEY"; cat "$TMP/ours.loadable"; } >"$TMP/shadow.rules"
check shadow "$TMP/shadow.rules"
verify shadow 1 '
n = need("AU002", "vfs storage")
expect(n["status"] == "shadowed", "AU002 vfs: " + n["status"])
expect(n["rule"] is not None and "never,exit" in n["rule"]["text"] and prefix + "_never" in n["rule"]["text"],
       "shadowing rule: " + str(n["rule"]))
expect(n["with_tocsin"] == "shadowed", "appending our rules cannot undo an earlier never rule")
expect(verdict("AU002") == "blind" and verdict("AU003") == "blind", "AU002/AU003 not blind")
expect(verdict("AU001") == "covered", "AU001 " + verdict("AU001"))
expect(need("AU004", "copy helper (docker-untar")["status"] == "recorded", "helper execve")
expect(need("AU001", "cp by a service")["rule"]["text"].endswith(prefix + "_client"), "AU001 decided by our client rule")
'

# (b) The community sets' CWD exclude, then tocsin's rules: CWD-dependent needs are excluded.
{ echo "$EXCLUDE_CWD"; cat "$TMP/ours.loadable"; } >"$TMP/nocwd.rules"
check nocwd "$TMP/nocwd.rules"
verify nocwd 1 '
n = need("AU007", "runc")
expect(n["status"] == "excluded" and n["record"] == "CWD", "AU007 runc execve: %s %s" % (n["status"], n["record"]))
expect(n["rule"]["text"] == "-a always,exclude -F msgtype=CWD", "excluding rule: " + str(n["rule"]))
expect(need("AU003", "CWD")["status"] == "excluded", "AU003 CWD need")
expect(verdict("AU002") == "covered", "AU002 " + verdict("AU002"))
expect(verdict("AU005") == "partial", "AU005 " + verdict("AU005"))
expect(verdict("AU007") in ("partial", "blind"), "AU007 " + verdict("AU007"))
'

# (c) tocsin's rules alone: nothing shadowed, nothing excluded; host scope records podman's own
# copy (client_write, client_check) and is blind to AU006 only (--ignore it for the exit code).
cp "$TMP/ours.loadable" "$TMP/plain.rules"
check plain "$TMP/plain.rules"
verify plain 1 '
for rule in ("AU001", "AU002", "AU003"):
    expect(verdict(rule) == "covered", rule + " " + verdict(rule))
expect(need("AU005", "dockerd")["status"] == "recorded", "AU005 dockerd writes")
expect(need("AU005", "podman")["status"] == "recorded", "AU005 podman writes")
expect(verdict("AU005") == "covered", "AU005 " + verdict("AU005"))
expect(verdict("AU009") == "partial", "AU009 " + verdict("AU009") + " (the checks and uses of podman only)")
for d in j["detections"]:
    for n in d["needs"]:
        expect(n["status"] not in ("shadowed", "excluded"), "%s: %s %s" % (d["rule"], n["need"], n["status"]))
blind = sorted(d["rule"] for d in j["detections"] if d["verdict"] == "blind")
expect(blind == ["AU006"], "blind: %s" % blind)
'
set +e
"$TOCSIN" audit-rules --check --ignore AU006 >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = "$(want_rc 0)" ] || fail "plain: --check --ignore AU006 exit $rc, want $(want_rc 0) (enabled $enabled)"

remove_ours
after=$(auditctl -l)
[ "$before" = "$after" ] || { fail "the loaded rules differ from before the test"; diff <(echo "$before") <(echo "$after") || true; }
[ "$fails" -eq 0 ] || { echo "FAIL: $fails check(s)"; exit 1; }
echo "ok: audit-rules --check reads the kernel's rules: shadowed, excluded and covered needs as loaded (enabled $enabled)"
