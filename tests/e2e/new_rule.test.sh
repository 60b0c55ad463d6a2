#!/usr/bin/env bash
# scripts/new-rule scaffolds a rule of every family in a copy of the tree: the files it writes
# exist, the registrations land in id order, the generated code and registries compile
# (g++ -fsyntax-only), and it refuses an id that exists or is malformed. Needs no lab.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/tocsin-new-rule.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tests" "$work/docs" "$work/scripts"
cp -r "$src/src" "$work/src"; cp -r "$src/docs/rules" "$work/docs/rules"; cp -r "$src/tests/rules" "$work/tests/rules"
cp "$src/scripts/new-rule" "$work/scripts/"
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
scripts/new-rule DF099 test-dockerfile-rule >/dev/null
scripts/new-rule DC050 test-compose-rule --summary "a test" --severity high >/dev/null
scripts/new-rule K8050 test-k8s-rule >/dev/null
scripts/new-rule AU050 test-audit-rule >/dev/null
scripts/new-rule RT050 test-runtime-rule >/dev/null
for f in src/iac/rules/dockerfile/DF099_test_dockerfile_rule.cpp src/iac/rules/compose/DC050_test_compose_rule.cpp \
         src/iac/rules/k8s/K8050_test_k8s_rule.cpp src/audit/detections/AU050_test_audit_rule.cpp \
         src/runtime/rules/RT050_test_runtime_rule.cpp docs/rules/DF099.md docs/rules/DC050.md docs/rules/K8050.md \
         docs/rules/AU050.md docs/rules/RT050.md tests/rules/DF099.Dockerfile tests/rules/DC050.compose.yaml \
         tests/rules/K8050.yaml tests/rules/AU050.log tests/rules/AU050.expect tests/rules/RT050.json \
         tests/rules/RT050.expect; do
  [ -s "$f" ] || [ "$f" = tests/rules/AU050.log ] || fail "$f not written"
done
grep -q '^severity: high$' docs/rules/DC050.md || fail "severity not in the doc"
grep -q 'expect-next: DC050' tests/rules/DC050.compose.yaml || fail "fixture has no expectation"
# Registrations in id order, the new one where it belongs.
for reg in src/iac/rules/dockerfile/registry.cpp src/iac/rules/compose/registry.cpp src/iac/rules/k8s/registry.cpp \
           src/audit/detections/registry.cpp src/runtime/rules/registry.cpp; do
  ids=$(grep -o 'make_[a-z0-9]*()' "$reg" | sed 's/make_//; s/()//')
  [ "$ids" = "$(echo "$ids" | sort)" ] || fail "$reg out of order: $ids"
done
grep -q 'make_dc050' src/iac/rules/compose/check.hpp || fail "factory not declared"
# The generated code and the registries compile.
for f in src/iac/rules/dockerfile/DF099_test_dockerfile_rule.cpp src/iac/rules/compose/DC050_test_compose_rule.cpp \
         src/iac/rules/k8s/K8050_test_k8s_rule.cpp src/audit/detections/AU050_test_audit_rule.cpp \
         src/runtime/rules/RT050_test_runtime_rule.cpp src/iac/rules/compose/registry.cpp \
         src/audit/detections/registry.cpp src/runtime/rules/registry.cpp; do
  g++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -Isrc "$f" || fail "$f does not compile"
done
# Refusals: an existing id, a malformed id or name; nothing written for them.
before=$(find . -type f | wc -l)
! scripts/new-rule DC001 again 2>/dev/null || fail "accepted an existing id"
! scripts/new-rule XX001 bad 2>/dev/null || fail "accepted an unknown family"
! scripts/new-rule DC051 Bad_Name 2>/dev/null || fail "accepted a malformed name"
[ "$(find . -type f | wc -l)" = "$before" ] || fail "a refused call wrote files"
echo "new-rule: 5 families scaffolded, compiled, registered in order; 3 refusals"
