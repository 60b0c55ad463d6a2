#!/usr/bin/env bash
# End-to-end: `tocsin hunt` over the real dockerd 20.10 + auditd lab recordings
# (tests/e2e/recordings/*.log.gz, made by scripts/lab) checked against their ground truth
# (*.truth.json, computed by tests/e2e/lab/truth.py independently of tocsin's parser):
#   - every copy gives exactly one AU001, anchored at the client's execve, with its auid/uid/tty/ses
#   - every copy whose helper resolved another directory (a won race) gives AU004 with that path;
#     no other copy gives AU004
#   - every copy made while the swap loop ran on its path gives AU003; none clearly outside it does
#   - a loop gives exactly one AU002 (pid, paths, count as in the truth); loop-only: no AU003
#   - benign recordings: no AU002-AU006, exit code 0; raced recordings: exit code 1
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
  if ! python3 - "$truth" "$TMP/$base.jsonl" "$rc" "$base" <<'PY'
import datetime, json, sys
truth = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
alerts = [a for a in lines if "summary" not in a]
rc = int(sys.argv[3]); name = sys.argv[4]
errors = []
def err(msg): errors.append(msg)
# The last line is the summary: these recordings are intact, so the run is complete.
summ = lines[-1].get("summary") if lines else None
if not summ: err("no summary record as the last line")
elif not summ["complete"] or summ["errors"] or summ["alerts"] != len(alerts):
    err(f"summary: complete={summ['complete']} errors={summ['errors']} alerts={summ['alerts']} (printed {len(alerts)})")
elif [i["status"] for i in summ["inputs"]] != ["ok"]: err(f"summary inputs: {summ['inputs']}")
def ts(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
def norm(p):
    p = (p or "").rstrip("/")
    return p or "/"
by = {}
for a in alerts:
    by.setdefault(a["rule"], []).append(a)
    for k in ("rule", "severity", "time", "host", "event_ids", "message"):
        if k not in a: err(f"alert without {k}: {a}")
def for_copy(rule, c):
    cid = (c.get("client") or {}).get("event_id")
    return [a for a in by.get(rule, []) if a["event_ids"] and a["event_ids"][0] == cid]
copies = truth["copies"]
swap = truth.get("swap")
for c in copies:
    i = c["index"]
    if not c.get("client"):
        err(f"copy {i}: the truth has no client execve (recording problem)"); continue
    au1 = for_copy("AU001", c)
    if len(au1) != 1: err(f"copy {i}: {len(au1)} AU001 (want 1)"); continue
    a = au1[0]; u = a.get("user") or {}
    for k in ("auid", "uid", "tty", "ses"):
        if u.get(k) != c[k]: err(f"copy {i}: AU001 user.{k}={u.get(k)!r}, truth {c[k]!r}")
    cp = a.get("docker_cp") or {}
    if cp.get("direction") != c["direction"]: err(f"copy {i}: direction {cp.get('direction')} != {c['direction']}")
    if cp.get("container") != c["container"]: err(f"copy {i}: container {cp.get('container')} != {c['container']}")
    if cp.get("path") != c["requested_path"]: err(f"copy {i}: path {cp.get('path')} != {c['requested_path']}")
    if c.get("helper") and c["helper"]["event_id"] not in a["event_ids"]:
        err(f"copy {i}: AU001 not correlated with helper {c['helper']['event_id']}: {a['event_ids']}")
    au4 = for_copy("AU004", c)
    if c["won"]:
        if len(au4) != 1: err(f"copy {i}: won race ({c['resolved_path']}) but {len(au4)} AU004")
        elif norm(au4[0]["docker_cp"].get("resolved_path")) != norm(c["resolved_path"]):
            err(f"copy {i}: AU004 resolved_path {au4[0]['docker_cp'].get('resolved_path')} != {c['resolved_path']}")
    elif au4: err(f"copy {i}: AU004 on a copy the truth says was not won")
    au3 = for_copy("AU003", c)
    if swap:
        s0, s1 = ts(swap["first"]), ts(swap["last"])
        c0, c1 = ts(c["start"]), ts(c["end"])
        inside = c0 >= s0 + 0.05 and c0 <= s1 - 0.05            # started while the loop ran
        outside = c1 < s0 - 1.0 or c0 > s1 + 1.0
        on_path = any(norm(c["requested_path"]).startswith(norm(p) + "/") or norm(p) == norm(c["requested_path"])
                      for p in swap["paths"])
        if inside and on_path and len(au3) != 1: err(f"copy {i}: made during the loop, {len(au3)} AU003")
        if outside and au3: err(f"copy {i}: AU003 although the copy is >1 s away from the loop")
    elif au3: err(f"copy {i}: AU003 without any swap loop in the recording")
n2 = len(by.get("AU002", []))
if swap:
    if n2 != 1: err(f"{n2} AU002 for one swap loop (want exactly 1)")
    else:
        s = by["AU002"][0]["swap"]
        if s["pid"] != swap["pid"]: err(f"AU002 pid {s['pid']} != {swap['pid']}")
        if sorted(s["paths"]) != sorted(swap["paths"]): err(f"AU002 paths {s['paths']} != {swap['paths']}")
        if s["count"] != swap["success"]: err(f"AU002 count {s['count']} != {swap['success']} successful renames")
elif n2: err(f"{n2} AU002 in a recording without a loop")
if not copies and by.get("AU003"): err("AU003 in a recording without copies")
if "benign" in name:
    for r in ("AU002", "AU003", "AU004", "AU005", "AU006"):
        if by.get(r): err(f"benign recording: {len(by[r])} {r}")
    if rc != 0: err(f"benign recording: exit code {rc}, want 0")
else:
    want = 1 if (swap or any(c["won"] for c in copies)) else 0
    if rc != want: err(f"exit code {rc}, want {want}")
for r in ("AU000", "AU006", "AU007"):
    if by.get(r): err(f"unexpected {r}: {by[r][0]['message']}")
summary = {r: len(v) for r, v in sorted(by.items())}
if errors:
    print(f"FAIL {name}: " + "; ".join(errors[:12]) + (f" (+{len(errors)-12} more)" if len(errors) > 12 else ""))
    print(f"     alerts: {summary}")
    sys.exit(1)
print(f"ok   {name}: {len(copies)} copies, won {sum(c['won'] for c in copies)}, alerts {summary}")
PY
  then
    fails=$((fails+1)); cat "$TMP/$base.err"
  fi
  checked=$((checked+1))
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
