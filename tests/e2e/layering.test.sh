#!/usr/bin/env bash
# scripts/check-layering (run by CMake before anything compiles) passes on the tree, and fails
# with the file and line on a planted include against the layering: iac in audit, a project
# header in safeio, a project header in the base, and an include that closes a cycle between two
# files of one area. Needs no lab.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/tocsin-layering.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$src/scripts/check-layering" "$src/src" 2>/dev/null || fail "the tree breaks its own layering"
plant() {  # plant FILE INCLUDE EXPECTED-MESSAGE
  rm -rf "$work/src"; cp -r "$src/src" "$work/src"
  printf '#include "%s"\n' "$2" >> "$work/src/$1"
  local out rc=0
  out=$("$src/scripts/check-layering" "$work/src" --stamp "$work/ok" 2>&1) || rc=$?
  [ "$rc" = 1 ] || fail "$1 including $2: exit $rc, expected 1"
  echo "$out" | grep -q "^$1:[0-9]*: $3" || fail "$1 including $2: no located error in: $out"
  [ ! -e "$work/ok" ] || fail "a failed check wrote its stamp"
}
plant audit/event.cpp iac/parse/shell.hpp "src/audit may include base, core, safeio"
plant safeio/safe_file.cpp core/source.hpp "src/safeio may include base"
plant core/result.hpp core/strings.hpp "the base layer includes the standard library only"
plant runtime/docker.cpp cli/spawn.hpp "src/runtime may include"
# lexer.hpp includes record.hpp: record including the lexer closes a cycle.
plant audit/record.hpp audit/lexer.hpp "include cycle audit/lexer -> audit/record -> audit/lexer"
echo "layering: the tree passes; 5 planted includes fail with their location"
