#!/usr/bin/env bash
# action.yml and .pre-commit-hooks.yaml do what they declare: both YAML files are parsed with
# python3 and the command lines they declare are executed with the built binary against a copy of
# examples/ (findings: exit 1) and a clean file (exit 0). The composite action's shell steps run in
# order with GITHUB_ENV/GITHUB_OUTPUT files and their ${{ }} inputs substituted; its upload step
# (github/codeql-action/upload-sarif, which needs GitHub) is checked to upload the file the scan
# wrote, and that file is validated against the SARIF 2.1.0 schema. The pre-commit hook runs on
# the files its `files` pattern selects, and must find exactly what a scan of the directory finds.
# Needs no root.
set -euo pipefail
TOCSIN=$(cd "$(dirname "${1:?usage: package_ci_files.test.sh path/to/tocsin}")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/tocsin-ci-files.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$ROOT/examples" "$work/examples"
mkdir "$work/clean"
printf 'FROM alpine:3.20\nCOPY --chmod=0555 app /app\nUSER 10001:10001\nCMD ["/app/run"]\n' >"$work/clean/Dockerfile"
python3 "$ROOT/tests/e2e/package/ci_files.py" "$TOCSIN" "$ROOT" "$work"
