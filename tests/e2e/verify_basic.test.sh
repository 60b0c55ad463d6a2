#!/usr/bin/env bash
# tocsin verify: intact, wrong digest, digest from env, owner/mode, symlink escape (final
# component and parent, with and without --root), '..', missing file, bad arguments.
set -uo pipefail
TOCSIN=${1:?usage: verify_basic.test.sh path/to/tocsin}
work=$(mktemp -d /tmp/tocsin-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
expect() {  # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [[ $rc -ne $want ]]; then echo "FAIL: $what: exit $rc (want $want): $out"; fail=1; else echo "ok: $what"; fi
  LAST="$out"
}
mkdir -p "$work/root/etc" "$work/outside"
printf 'key: value\n' >"$work/root/etc/app.yaml"
chmod 0640 "$work/root/etc/app.yaml"
printf 'secret\n' >"$work/outside/app.yaml"
sha=$(sha256sum "$work/root/etc/app.yaml" | cut -d' ' -f1)
ln -s "$work/outside/app.yaml" "$work/root/etc/link.yaml"
ln -s "$work/outside" "$work/root/linkdir"

for mode in 0 1; do
  export TOCSIN_NO_OPENAT2=$mode
  expect 0 "[$mode] intact with digest" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 "$sha"
  [[ "$LAST" == *"\"ok\":true"* && "$LAST" == *"\"sha256\":\"$sha\""* && "$LAST" == *'"size":11'* && "$LAST" == *'"mode":"0640"'* ]] || { echo "FAIL: report fields: $LAST"; fail=1; }
  expect 0 "[$mode] absolute path without --root" -- "$TOCSIN" verify "$work/root/etc/app.yaml" --sha256 "$sha" --max-mode 0644 --owner "$(id -u)"
  expect 1 "[$mode] wrong digest" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 "$(printf '0%.0s' {1..64})"
  [[ "$LAST" == *"sha256 mismatch"* ]] || { echo "FAIL: mismatch problem missing: $LAST"; fail=1; }
  CFG_SHA=$sha expect 0 "[$mode] digest from env" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256-env CFG_SHA
  expect 1 "[$mode] mode too open" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --max-mode 0600
  expect 1 "[$mode] wrong owner" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --owner 4242
  expect 1 "[$mode] final symlink escaping the root" -- "$TOCSIN" verify etc/link.yaml --root "$work/root"
  [[ "$LAST" != *secret* && "$LAST" == *'"sha256":null'* ]] || { echo "FAIL: symlink content leaked: $LAST"; fail=1; }
  expect 1 "[$mode] parent symlink escaping the root" -- "$TOCSIN" verify linkdir/app.yaml --root "$work/root"
  expect 1 "[$mode] dotdot" -- "$TOCSIN" verify ../outside/app.yaml --root "$work/root"
  expect 1 "[$mode] symlink in an absolute path" -- "$TOCSIN" verify "$work/root/linkdir/app.yaml"
  expect 2 "[$mode] missing file" -- "$TOCSIN" verify etc/nope --root "$work/root"
  expect 1 "[$mode] directory" -- "$TOCSIN" verify etc --root "$work/root"
done
unset TOCSIN_NO_OPENAT2
expect 2 "bad digest argument" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 xyz
expect 2 "unset env" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256-env TOCSIN_UNSET_VAR_X
expect 2 "missing root" -- "$TOCSIN" verify app.yaml --root "$work/nope"
expect 0 "quiet" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q
[[ -z "$LAST" ]] || { echo "FAIL: --quiet printed: $LAST"; fail=1; }

# Digest forms: a sha256sum line and sha256:HEX, from the environment and the flag.
CFG_SHA="$(cd "$work/root/etc" && sha256sum app.yaml)" expect 0 "sha256sum line in env" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256-env CFG_SHA
expect 0 "sha256:HEX" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 "sha256:$sha"
# Locks.
expect 0 "exclusive lock" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --lock exclusive
expect 1 "a writer holding an exclusive lock" -- flock -x "$work/root/etc/app.yaml" "$TOCSIN" verify etc/app.yaml --root "$work/root" --lock-timeout 200
[[ "$LAST" == *"locked by a writer"* ]] || { echo "FAIL: lock problem missing: $LAST"; fail=1; }
expect 0 "--lock none ignores the writer" -- flock -x "$work/root/etc/app.yaml" "$TOCSIN" verify etc/app.yaml --root "$work/root" --lock none
expect 2 "bad --lock" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --lock maybe
# --emit: written only when the file verifies, with the mode asked for.
mkdir -m 0700 "$work/out"
expect 1 "no emit on mismatch" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 "$(printf '0%.0s' {1..64})" --emit "$work/out/a"
[[ ! -e "$work/out/a" ]] || { echo "FAIL: emitted a file that did not verify"; fail=1; }
expect 0 "emit" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" --sha256 "$sha" --emit "$work/out/a" --emit-mode 0440
cmp -s "$work/out/a" "$work/root/etc/app.yaml" || { echo "FAIL: emitted bytes differ"; fail=1; }
[[ "$(stat -c %a "$work/out/a")" == 440 ]] || { echo "FAIL: emit mode $(stat -c %a "$work/out/a")"; fail=1; }
# -- COMMAND: run with the verified bytes, only when they verify; its exit status is ours.
expect 0 "exec with {verified}" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q -- cat "{verified}"
[[ "$LAST" == "key: value" ]] || { echo "FAIL: command output: $LAST"; fail=1; }
expect 0 "exec with the environment" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q -- sh -c 'cat "$TOCSIN_VERIFIED_FILE"; echo "$TOCSIN_VERIFIED_SHA256"'
[[ "$LAST" == "key: value"$'\n'"$sha" ]] || { echo "FAIL: command environment: $LAST"; fail=1; }
expect 3 "command's exit status" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q -- sh -c 'exit 3'
expect 1 "no exec on mismatch" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q --sha256 "$(printf '0%.0s' {1..64})" -- sh -c 'echo RAN'
[[ "$LAST" != *RAN* ]] || { echo "FAIL: the command ran although the file did not verify"; fail=1; }
expect 127 "command not found" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q -- /nonexistent/cmd
expect 0 "the command cannot change the bytes" -- "$TOCSIN" verify etc/app.yaml --root "$work/root" -q -- sh -c 'echo x >>"$TOCSIN_VERIFIED_FILE" 2>/dev/null; cat "$TOCSIN_VERIFIED_FILE"'
[[ "$LAST" == "key: value" ]] || { echo "FAIL: the memfd was changed: $LAST"; fail=1; }
[[ $fail -eq 0 ]] && echo "PASS verify_basic"
exit $fail
