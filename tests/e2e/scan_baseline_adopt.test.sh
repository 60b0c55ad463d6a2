#!/usr/bin/env bash
# Adopting tocsin on a real repository with hundreds of findings (issue 14): a copy of
# jessfraz/dockerfiles from the shared corpus (copied into a temp dir, never into the repo) is
# baselined; then a line is changed, code is moved and one new finding is added: only the new
# one is reported and fails. Then the same with --changed-since on a git repository of the
# copy: only the changed files are scanned. No lab needed (git is a runtime tool).
set -euo pipefail
bin="$(realpath "$1")"
corpus="$(pwd)/../shared/corpus/dockerfiles/jessfraz+dockerfiles"
if [ ! -d "$corpus" ]; then
  echo "FAIL: corpus missing at $corpus"; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r "$corpus" "$tmp/repo"
cd "$tmp/repo"
fail() { echo "FAIL: $*"; exit 1; }
count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$1"; }

# 1. Adopt: every finding goes into the baseline; the run itself still reports them.
rc=0; "$bin" scan -q --format json -o all.json --write-baseline ../base.json . || rc=$?
[ "$rc" -eq 1 ] || fail "adopting scan exited $rc, want 1"
total=$(count all.json); entries=$(count ../base.json)
[ "$total" -ge 200 ] || fail "only $total findings in the corpus copy; the test needs a real backlog"
[ "$entries" -eq "$total" ] || fail "baseline has $entries entries for $total findings"
rc=0; "$bin" scan --baseline ../base.json . >out.txt 2>err.txt || rc=$?
[ "$rc" -eq 0 ] || { cat err.txt; fail "scan with the fresh baseline exited $rc, want 0"; }
grep -q "$total findings baselined, 0 new; 0 baseline entries no longer found" err.txt ||
  { cat err.txt; fail "baseline summary missing"; }

# Files with findings, from the adopting report (first three distinct).
mapfile -t files < <(python3 -c '
import json,sys
seen=[]
for f in json.load(open("all.json"))["findings"]:
    if f["file"] not in seen: seen.append(f["file"])
print("\n".join(seen[:3]))')
[ "${#files[@]}" -eq 3 ] || fail "need three files with findings"
a=${files[0]} b=${files[1]} c=${files[2]}

# 2. Change a line that carries no finding: a comment line anywhere after the first line.
printf '%s\n' "# maintained by the platform team" | cat - "$a" > "$a.new" && mv "$a.new" "$a"
sed -i '1s/.*/# maintained by the platform team (reviewed)/' "$a"
# 3. Move code: ten lines pushed in above everything in another file (every finding moves).
{ for i in $(seq 10); do echo "# moved $i"; done; cat "$b"; } > "$b.new" && mv "$b.new" "$b"
rc=0; "$bin" scan --baseline ../base.json --format json -o moved.json . 2>err.txt || rc=$?
[ "$rc" -eq 0 ] || { cat err.txt; fail "after changing a line and moving code: exit $rc, want 0 ($(count moved.json) new)"; }

# 4. A new finding (copy, then chmod: DF001) in a third file: only it is reported, and it fails.
printf 'COPY tocsin-new.sh /usr/local/bin/tocsin-new.sh\nRUN chmod 0755 /usr/local/bin/tocsin-new.sh\n' >> "$c"
rc=0; "$bin" scan --baseline ../base.json --format json -o new.json . 2>err.txt || rc=$?
[ "$rc" -eq 1 ] || { cat err.txt; fail "with a new finding: exit $rc, want 1"; }
python3 - new.json "$c" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
fs = doc["findings"]
bad = [f for f in fs if not (f["file"].endswith(sys.argv[2].lstrip("./")) and "tocsin-new.sh" in open(f["file"]).read().splitlines()[f["line"] - 1])]
if not fs or bad:
    print("FAIL: want only the new finding(s) on the added lines, got", json.dumps(fs, indent=1)[:2000]); sys.exit(1)
if "DF001" not in {f["rule"] for f in fs}:
    print("FAIL: the new copy-then-chmod (DF001) is not reported"); sys.exit(1)
print(f"new findings reported: {len(fs)} ({', '.join(sorted({f['rule'] for f in fs}))})")
PY
grep -q "$total findings baselined" err.txt || { cat err.txt; fail "not all $total old findings were baselined"; }

# 5. Removing a file with findings: its entries are reported as gone, nothing fails.
rm "$c" "$b"
rc=0; "$bin" scan --baseline ../base.json . >/dev/null 2>err.txt || rc=$?
[ "$rc" -eq 0 ] || { cat err.txt; fail "after removing files: exit $rc"; }
grep -qE "[0-9]+ baseline entr(y|ies) no longer found" err.txt || fail "no gone count"
grep -q " 0 baseline entries no longer found" err.txt && fail "removed files' entries are not counted as gone"

# 6. --changed-since on a git repository of the copy: only changed files that still exist.
cd "$tmp" && rm -rf repo && cp -r "$corpus" repo && cd repo
g() { git -c user.email=t@example.org -c user.name=t -c commit.gpgsign=false "$@"; }
g init -q && g add . && g commit -q -m corpus
printf 'COPY tocsin-new.sh /usr/local/bin/tocsin-new.sh\nRUN chmod 0755 /usr/local/bin/tocsin-new.sh\n' >> "$c"
rm "$b"
rc=0; "$bin" scan --changed-since HEAD --format json -o changed.json . 2>err.txt || rc=$?
[ "$rc" -eq 1 ] || { cat err.txt; fail "--changed-since exit $rc, want 1"; }
python3 - changed.json "$c" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
files = {f["file"].lstrip("./") for f in doc["findings"]}
want = sys.argv[2].lstrip("./")
if doc["files_scanned"] != 1 or files != {want}:
    print("FAIL: --changed-since scanned", doc["files_scanned"], "files, findings in", files); sys.exit(1)
PY
rc=0; "$bin" scan --changed-since HEAD --baseline ../base.json . >/dev/null 2>err.txt || rc=$?
[ "$rc" -eq 1 ] || { cat err.txt; fail "--changed-since with --baseline: exit $rc, want 1"; }
echo "PASS: $total findings adopted; change + move kept them matched; only the new finding failed"
