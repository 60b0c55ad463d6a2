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
[[ $fail -eq 0 ]] && echo "PASS verify_basic"
exit $fail
