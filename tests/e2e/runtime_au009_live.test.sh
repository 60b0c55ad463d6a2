#!/usr/bin/env bash
# AU009 on the real lab: containers whose entrypoint (/bin/checkuse, tests/e2e/lab/checkuse.c)
# stat()s /au9/conf, waits for /au9/go, then open()s /au9/conf. In the raced starts a process
# in the container (docker exec) replaces /au9/conf by a symlink to /secret before creating
# /au9/go; in the quiet starts it only creates /au9/go. Recorded with the rules
# `tocsin audit-rules --scope lab` prints for this (keys _container_start, _runtime_check,
# _runtime_exec, _runtime_ns, _client; prefix tocsin-lab-au9, removed at the end), then
# `tocsin hunt --select AU009` on the recorded log must give exactly one AU009 per start whose
# log shows another inode at the open than at the stat (naming both events, the path, both
# inodes and the container) and nothing else: no AU009 for quiet starts, nor for runc init.
# Starts the lab when it is not running (and then takes it down). Needs root.
set -euo pipefail
TOCSIN=${1:?usage: runtime_au009_live.test.sh path/to/tocsin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
STATE=${TOCSIN_LAB_STATE:-/run/tocsin-lab}
PREFIX=tocsin-lab-au9
TRIALS=${TOCSIN_AU009_TRIALS:-2}   # raced starts; as many quiet ones
# shellcheck source=lab/lib.sh
. "$ROOT/tests/e2e/lab/lib.sh"
lab_require

work=$(mktemp -d /tmp/tocsin-au009-live.XXXXXX)
started_lab=0
names=()
for ((i = 1; i <= TRIALS; i++)); do names+=("$PREFIX-raced$i" "$PREFIX-quiet$i"); done
delete_rules() {
  local k
  for k in $(auditctl -l 2>/dev/null | grep -o "key=${PREFIX}_[a-z_]*" | sort -u | cut -d= -f2); do
    auditctl -D -k "$k" >/dev/null 2>&1 || true
  done
}
cleanup() {
  delete_rules
  "$DOCKER" rm -f "${names[@]}" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
lab_ensure_up "$work"
if ! "$DOCKER" run --rm --network none tocsin-lab:1 /bin/checkuse /au9/conf >/dev/null 2>&1; then
  # An image from before checkuse.c: `lab up` rebuilds it (the lab is running, nothing else changes).
  "$ROOT/scripts/lab" up >"$work/up.log" 2>&1 || { cat "$work/up.log"; echo "FAIL: lab up (image rebuild)"; exit 1; }
fi
LOG=$STATE/log/audit.log
[ -f "$LOG" ] || { echo "FAIL: no lab log at $LOG"; exit 1; }

# Containers are created before the rules are loaded: vfs copies the whole image at create,
# which would be thousands of recorded opens under /var/lib/docker.
"$DOCKER" rm -f "${names[@]}" >/dev/null 2>&1 || true
for n in "${names[@]}"; do
  "$DOCKER" create --network none --name "$n" tocsin-lab:1 /bin/checkuse -w /au9/go -t 8000 /au9/conf >/dev/null
done

"$TOCSIN" audit-rules --scope lab --key "$PREFIX" >"$work/all.rules"
grep -E -- "-k ${PREFIX}_(container_start|runtime_check|runtime_exec|runtime_ns|client)\$" "$work/all.rules" >"$work/rules" || true
loaded=0
while read -r -a rule; do
  # exe= rules for install locations this machine does not have are refused by the kernel
  if auditctl "${rule[@]}" >/dev/null 2>"$work/auditctl.err"; then loaded=$((loaded + 1)); else
    case "${rule[*]}" in *container_start*) cat "$work/auditctl.err"; echo "FAIL: the container_start rule was refused"; exit 1 ;; esac
  fi
done <"$work/rules"
[ "$(auditctl -l | grep -c "key=${PREFIX}_container_start")" -ge 1 ] || { echo "FAIL: no container_start rule loaded"; exit 1; }
echo "loaded $loaded of $(wc -l <"$work/rules") generated rules (container_start, runtime_*, client)"
start_off=$(stat -c %s "$LOG")

: >"$work/trials.tsv"
run_start() {  # NAME MODE(raced|quiet): start, wait for the check, act in the container, wait
  local n=$1 mode=$2 i pid out
  "$DOCKER" start "$n" >/dev/null
  pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$n")
  for ((i = 0; i < 250; i++)); do
    [ "$("$DOCKER" logs "$n" 2>/dev/null | grep -c '^checked ')" -gt 0 ] && break
    sleep 0.02
  done
  # The exec'd shell can be killed (exit 137) when the entrypoint, the container's init, exits
  # right after /au9/go appears: what happened is read from the log, not from this status.
  if [ "$mode" = raced ]; then
    "$DOCKER" exec "$n" /bin/sh -c 'ln -sf /secret /au9/conf && exec touch /au9/go' || true
  else
    "$DOCKER" exec "$n" /bin/sh -c 'exec touch /au9/go' || true
  fi
  "$DOCKER" wait "$n" >/dev/null
  out=$("$DOCKER" logs "$n" 2>&1 | tr '\n' '|')
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$mode" "$pid" "$("$DOCKER" inspect -f '{{.Id}}' "$n")" "$out" >>"$work/trials.tsv"
}
for ((i = 1; i <= TRIALS; i++)); do
  run_start "$PREFIX-raced$i" raced
  run_start "$PREFIX-quiet$i" quiet
done
delete_rules
left=$(auditctl -l | grep -c "key=${PREFIX}_" || true)
lab_cut_log "$LOG" "$start_off" "${PREFIX}_container_start" "$work/audit.log"
echo "recorded $(wc -l <"$work/audit.log") lines ($(grep -c 'type=SYSCALL' "$work/audit.log") syscall events)"
if [ -n "${TOCSIN_AU009_KEEP:-}" ]; then  # keep the recording (e.g. to cut a fixture from it)
  mkdir -p "$TOCSIN_AU009_KEEP" && cp "$work/audit.log" "$work/trials.tsv" "$TOCSIN_AU009_KEEP/"
fi

hrc=0
"$TOCSIN" hunt --select AU009 --format jsonl "$work/audit.log" >"$work/alerts.jsonl" 2>"$work/hunt.err" || hrc=$?
[ "$hrc" -le 1 ] || { cat "$work/hunt.err"; echo "FAIL: hunt exit $hrc"; exit 1; }
cat "$work/hunt.err"

fail=0
python3 - "$work/audit.log" "$work/trials.tsv" "$work/alerts.jsonl" <<'PY' || fail=1
import collections, json, re, sys
EV = re.compile(r"msg=audit\((\d+)\.(\d+):(\d+)\):\s?(.*)$")
KV = re.compile(r'(\w+)=("[^"]*"|\S+)')
def unq(v):
    if v.startswith('"'):
        return v[1:-1]
    if re.fullmatch(r"[0-9A-F]+", v) and len(v) % 2 == 0:
        return bytes.fromhex(v).decode("utf-8", "replace")
    return v
events = collections.OrderedDict()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n").split("\x1d", 1)[0]
    m = re.match(r"(?:node=\S+ )?type=(\S+) ", line)
    e = EV.search(line)
    if not m or not e:
        continue
    eid = f"{e.group(1)}.{e.group(2)}:{e.group(3)}"
    events.setdefault(eid, []).append((m.group(1), dict(KV.findall(e.group(4)))))
def rec(recs, t):
    return next((f for ty, f in recs if ty == t), None)
CHECKS = {"4", "6", "262", "332", "21", "269", "439", "89", "267"}  # stat lstat newfstatat statx access faccessat(2) readlink(at)
USES = {"2", "257", "437"}                                          # open openat openat2
trials = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
alerts = [a for a in (json.loads(l) for l in open(sys.argv[3]) if l.strip()) if "summary" not in a]
bad = []
expected = {}  # (check event, use event) -> trial
for name, mode, pid, cid, out in trials:
    # the entrypoint's own stat and open of /au9/conf, from the log
    chk = use = None
    for eid, recs in events.items():
        s = rec(recs, "SYSCALL")
        if not s or s.get("pid") != pid or s.get("success") != "yes":
            continue
        p = rec(recs, "PATH")
        if not p or unq(p.get("name", "")) != "/au9/conf":
            continue
        if s.get("syscall") in CHECKS and chk is None:
            chk = (eid, int(p["inode"]), p.get("dev"))
        elif s.get("syscall") in USES and chk is not None and use is None:
            use = (eid, int(p["inode"]), p.get("dev"))
    if not chk or not use:
        bad.append(f"{name}: the log lacks the entrypoint's check or use of /au9/conf (pid {pid}; output: {out})")
        continue
    changed = (chk[1], chk[2]) != (use[1], use[2])
    print(f"{name} ({mode}): pid {pid} checked inode {chk[1]} ({chk[0]}), used inode {use[1]} ({use[0]}): "
          f"{'CHANGED' if changed else 'same'}; output: {out}")
    if mode == "quiet" and changed:
        bad.append(f"{name}: a quiet start whose inode changed?")
    if changed:
        expected[(chk[0], use[0])] = (name, cid, chk, use)
if not any(m == "raced" for _, m, *_ in trials) or not expected:
    bad.append("no raced start changed the inode between check and use: the test proved nothing")
got = collections.Counter(tuple(a["event_ids"][:2]) for a in alerts if a["rule"] == "AU009")
for k, (name, cid, chk, use) in expected.items():
    if got[k] != 1:
        bad.append(f"{name}: want exactly one AU009 with events {list(k)}, got {got[k]}")
        continue
    a = next(a for a in alerts if tuple(a["event_ids"][:2]) == k)
    msg = a["message"]
    for want in ("/au9/conf", f"inode {chk[1]}", f"inode {use[1]}"):
        if want not in msg:
            bad.append(f"{name}: AU009 message lacks {want!r}: {msg}")
    if name not in msg and cid[:12] not in msg:
        bad.append(f"{name}: AU009 message names neither the container's name nor its id: {msg}")
    print(f"AU009 {name}: {msg}")
for k, v in got.items():
    if k not in expected:
        a = next(a for a in alerts if tuple(a["event_ids"][:2]) == k)
        bad.append(f"unexpected AU009 x{v}: {a['message']}")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ "$left" = 0 ] || { echo "FAIL: $left audit rules with prefix $PREFIX left behind"; fail=1; }
[ $fail -eq 0 ] && echo "PASS runtime_au009_live"
exit $fail
