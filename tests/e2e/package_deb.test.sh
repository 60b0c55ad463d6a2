#!/usr/bin/env bash
# The Debian package: builds the .deb with CPack from the build tree of the given binary, checks
# its control fields and files, runs lintian (any error fails; the warnings we accept are
# overridden in packaging/debian/lintian-overrides with the reason), installs it into this system
# with dpkg -i and uses /usr/bin/tocsin: a scan of examples/ that must equal the build tree's, the
# man pages rendered by man (every flag of `tocsin scan --help` in tocsin-scan(1)), the bash
# completion sourced and asked, the zsh one asked through stubs of zsh's completion builtins
# (tests/e2e/package/zsh_complete.zsh), the fish one asked with `complete -C`. The package is removed again
# (dpkg -r, then purged) by the exit trap, pass or fail. Needs root and an unused package name.
set -euo pipefail   # no `cmd | grep -q` below: grep -q exits at the first match, cmd dies of SIGPIPE, pipefail fails
TOCSIN=$(realpath "${1:?usage: package_deb.test.sh path/to/tocsin}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$(dirname "$TOCSIN")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; [ "${CI:-}" = true ] && fail "CI must run this test ($*)"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i)"
for t in cpack dpkg-deb dpkg-shlibdeps lintian man; do command -v "$t" >/dev/null || skip "no $t (scripts/install-deps --lab)"; done
# Never touch a tocsin package this test did not install.
if dpkg-query -W -f='${Status}' tocsin 2>/dev/null | grep "ok installed" >/dev/null; then
  fail "a tocsin package is already installed here; remove it first (dpkg -r tocsin)"
fi

work=$(mktemp -d /tmp/tocsin-deb-e2e.XXXXXX)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    dpkg -r tocsin >/dev/null 2>&1 || echo "cleanup: dpkg -r tocsin failed"
    dpkg -P tocsin >/dev/null 2>&1 || true   # the auditd plugin conffile too
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The man pages and completions are generated when tocsin is built (target tocsin_docs).
cmake --build "$BUILD" --target tocsin tocsin_docs >/dev/null
(cd "$work" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$work"/out/tocsin_*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# Control fields: Depends computed by dpkg-shlibdeps from the libraries the binary links.
field() { dpkg-deb -f "$deb" "$1"; }
depends=$(field Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libyaml-cpp0.7 libcurl4 libssl3 zlib1g libfmt9; do
  [[ ",$depends" == *", $lib "* || ",$depends" == *",$lib "* || ",$depends" == *", $lib" || ",$depends" == *",$lib" ]] ||
    fail "Depends lacks $lib: $depends"
done
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[[ "$(field Description)" == "finds time-of-check/time-of-use races around containers"* ]] || fail "Description: $(field Description)"
[ "$(field Version)" = "$("$TOCSIN" --version | head -1 | cut -d' ' -f2)-1" ] || fail "Version $(field Version) is not the binary's"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/tocsin /usr/share/man/man1/tocsin.1.gz /usr/share/man/man1/tocsin-scan.1.gz \
         /usr/share/man/man1/tocsin-hunt.1.gz /usr/share/man/man7/tocsin-catalogue.7.gz \
         /usr/share/bash-completion/completions/tocsin /usr/share/zsh/vendor-completions/_tocsin \
         /usr/share/fish/vendor_completions.d/tocsin.fish /lib/systemd/system/tocsin-watch.service \
         /etc/audit/plugins.d/tocsin.conf /usr/share/doc/tocsin/copyright /usr/share/doc/tocsin/changelog.Debian.gz; do
  grep -qx "$f" "$work/files" || fail "$f is not in the package"
done
# One man page per subcommand of `tocsin --help`.
for cmd in $("$TOCSIN" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
  grep -qx "/usr/share/man/man1/tocsin-$cmd.1.gz" "$work/files" || fail "no man page for tocsin $cmd"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -x /etc/audit/plugins.d/tocsin.conf >/dev/null || fail "plugin config is not a conffile"

# lintian: errors fail the test; every tag it prints is shown.
lintian --info --display-level '>=info' "$deb" >"$work/lintian.txt" 2>&1 || true
cat "$work/lintian.txt"
if grep -q '^E: ' "$work/lintian.txt"; then fail "lintian reports errors"; fi
if grep -q '^W: ' "$work/lintian.txt"; then fail "lintian warnings that are not overridden"; fi

dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; installed=1; fail "dpkg -i"; }
installed=1
[ -x /usr/bin/tocsin ] || fail "/usr/bin/tocsin not installed"
/usr/bin/tocsin --version

# The installed binary finds what the build tree's binary finds.
rc=0; /usr/bin/tocsin scan --format json "$ROOT/examples" >"$work/pkg.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "installed tocsin scan examples/ exit $rc (want 1: the examples have findings)"
rc=0; "$TOCSIN" scan --format json "$ROOT/examples" >"$work/build.json" 2>/dev/null || rc=$?
python3 - "$work/pkg.json" "$work/build.json" <<'EOF' || fail "installed and built binaries disagree"
import json, sys
def key(path):
    doc = json.load(open(path))
    return sorted((f["rule"], f["file"], f["line"]) for f in doc["findings"])
a, b = key(sys.argv[1]), key(sys.argv[2])
print(f"findings: installed {len(a)}, build tree {len(b)}")
assert a and a == b
EOF

# Man pages: rendered without errors, found by name, and saying what --help says.
[ "$(man -w tocsin)" = /usr/share/man/man1/tocsin.1.gz ] || fail "man -w tocsin: $(man -w tocsin)"
MANWIDTH=200 man -P cat tocsin-scan 2>"$work/man.err" | col -b >"$work/scan.txt" || fail "man tocsin-scan"
[ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man tocsin-scan printed warnings"; }
for flag in $("$TOCSIN" scan --help | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
  grep -qF -- "$flag" "$work/scan.txt" || fail "tocsin-scan(1) lacks $flag"
done
MANWIDTH=200 man -P cat 7 tocsin-catalogue 2>/dev/null | col -b >"$work/catalogue.txt"
n_rules=$("$TOCSIN" rules -f json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
n_doc=$(grep -cE '^([A-Z]{2}|K8)[0-9]{3} [a-z]' "$work/catalogue.txt" || true)
[ "$n_doc" = "$n_rules" ] || fail "tocsin-catalogue(7) documents $n_doc rules, tocsin rules lists $n_rules"
grep -q "Why it matters" "$work/catalogue.txt" || fail "tocsin-catalogue(7) lacks the explain text"

# bash completion, sourced as bash-completion would.
complete_at() {  # words... -> the completions bash offers for the last word
  bash -c 'source /usr/share/bash-completion/completions/tocsin
           COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _tocsin; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
[ "$(complete_at tocsin sc)" = scan ] || fail "bash: tocsin sc -> $(complete_at tocsin sc)"
complete_at tocsin scan --for | grep -x -- --format >/dev/null || fail "bash: tocsin scan --for"
complete_at tocsin scan --format "" | grep -x sarif >/dev/null || fail "bash: --format choices"
complete_at tocsin baseline "" | grep -x train >/dev/null || fail "bash: tocsin baseline subcommands"
complete_at tocsin baseline train --ti | grep -x -- --timezone >/dev/null || fail "bash: tocsin baseline train flags"
complete_at tocsin explain DF00 | grep -x DF001 >/dev/null || fail "bash: explain rule ids"
! complete_at tocsin scan --for | grep -x -- --audit-log >/dev/null || fail "bash: scan offers watch's flags"
if command -v zsh >/dev/null; then
  zsh -n /usr/share/zsh/vendor-completions/_tocsin || fail "zsh -n _tocsin"
  zc() { zsh -f "$ROOT/tests/e2e/package/zsh_complete.zsh" /usr/share/zsh/vendor-completions/_tocsin "$@"; }
  zc tocsin sc | grep '^scan:' >/dev/null || fail "zsh: tocsin subcommands"
  zc tocsin baseline "" >"$work/zsh.txt"; grep -q '^train:' "$work/zsh.txt" && ! grep -q '^scan:' "$work/zsh.txt" || fail "zsh: tocsin baseline subcommands"
  zc tocsin scan --fo | grep -- '^--format\[.*sarif' >/dev/null || fail "zsh: tocsin scan --format and its choices"
  zc tocsin baseline train --ti | grep -- '^--timezone\[' >/dev/null || fail "zsh: tocsin baseline train flags"
  zc tocsin explain DF | grep -x DF001 >/dev/null || fail "zsh: explain rule ids"
else [ "${CI:-}" = true ] && fail "no zsh in CI"; echo "note: no zsh here, _tocsin not checked"; fi
if command -v fish >/dev/null; then
  fish -n /usr/share/fish/vendor_completions.d/tocsin.fish || fail "fish -n tocsin.fish"
  fish -c 'complete -C "tocsin sc"' | grep '^scan' >/dev/null || fail "fish: tocsin sc"
  fish -c 'complete -C "tocsin scan --fo"' | grep -- '^--format' >/dev/null || fail "fish: tocsin scan --format"
  fish -c 'complete -C "tocsin scan --format "' | grep '^sarif' >/dev/null || fail "fish: --format choices"
  fish -c 'complete -C "tocsin explain DF00"' | grep '^DF001' >/dev/null || fail "fish: explain rule ids"
else [ "${CI:-}" = true ] && fail "no fish in CI"; echo "note: no fish here, tocsin.fish not checked"; fi

# The deploy files point at the packaged binary; the auditd plugin is installed inactive.
grep -q '^ExecStart=/usr/bin/tocsin watch' /lib/systemd/system/tocsin-watch.service || fail "unit ExecStart"
grep -qx 'path = /usr/bin/tocsin' /etc/audit/plugins.d/tocsin.conf || fail "plugin path"
grep -qx 'active = no' /etc/audit/plugins.d/tocsin.conf || fail "plugin must be installed inactive"

dpkg -r tocsin >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log"; fail "dpkg -r"; }
[ ! -e /usr/bin/tocsin ] || fail "/usr/bin/tocsin left after dpkg -r"
dpkg -P tocsin >/dev/null 2>&1
installed=0
[ ! -e /etc/audit/plugins.d/tocsin.conf ] || fail "plugin config left after purge"
echo "PASS: package_deb"
