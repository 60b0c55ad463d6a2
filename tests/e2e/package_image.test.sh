#!/usr/bin/env bash
# The minimal container image: packaging/container-image builds the root tree (binary + the shared
# libraries ldd names) and imports it into the lab's real dockerd 20.10 with Debian's client
# (/usr/bin/docker); then the README's line `docker run --rm -v "$PWD:/src:ro" tocsin scan /src`
# (with --network none) is run on a copy of examples/ and must find what the host binary finds.
# Run under the lab lock (flock -o /tmp/tocsin-lab.lock); starts the lab (scripts/lab up) when
# dockerd is not running and takes it down again only then; removes its image, pass or fail.
set -euo pipefail
TOCSIN=$(realpath "${1:?usage: package_image.test.sh path/to/tocsin}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DOCKER=${TOCSIN_LAB_DOCKER:-/usr/bin/docker}
TAG=tocsin-e2e-image:$$
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; [ "${CI:-}" = true ] && fail "CI must run this lab test ($*)"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$DOCKER" ] || skip "no docker client at $DOCKER"

work=$(mktemp -d /tmp/tocsin-image-e2e.XXXXXX)
started_lab=0
cleanup() {
  "$DOCKER" rmi -f "$TAG" >/dev/null 2>&1 || true
  if [ "$started_lab" = 1 ]; then "$ROOT/scripts/lab" down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! "$DOCKER" version >/dev/null 2>&1; then
  "$ROOT/scripts/lab" up >"$work/lab-up.log" 2>&1 || { cat "$work/lab-up.log"; fail "lab up"; }
  started_lab=1
fi

"$ROOT/packaging/container-image" "$TOCSIN" "$TAG" "$DOCKER"
"$DOCKER" image inspect -f '{{.Size}} bytes, entrypoint {{json .Config.Entrypoint}}' "$TAG"

# The image's version is the binary's.
[ "$("$DOCKER" run --rm --network none "$TAG" --version | head -1)" = "$("$TOCSIN" --version | head -1)" ] ||
  fail "tocsin --version differs in the image"

# The documented line, in a directory holding a copy of the examples.
cp -r "$ROOT/examples" "$work/src"
cd "$work/src"
rc=0
"$DOCKER" run --rm --network none -v "$PWD:/src:ro" "$TAG" scan --format json /src >"$work/image.json" 2>"$work/image.err" || rc=$?
[ "$rc" = 1 ] || { cat "$work/image.err"; fail "docker run … scan /src exit $rc (want 1: the examples have findings)"; }
rc=0; "$TOCSIN" scan --format json "$work/src" >"$work/host.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "host scan exit $rc"
python3 - "$work/image.json" "$work/host.json" "$work/src" <<'EOF' || fail "the image and the host binary disagree"
import json, sys
def key(path, prefix):
    doc = json.load(open(path))
    assert not doc["errors"], doc["errors"]
    return sorted((f["rule"], f["file"].replace(prefix, "", 1), f["line"]) for f in doc["findings"])
image, host = key(sys.argv[1], "/src"), key(sys.argv[2], sys.argv[3])
print(f"findings: image {len(image)}, host {len(host)}")
assert image and image == host, (image[:3], host[:3])
EOF
# The default command scans /src; a clean file gives exit 0.
mkdir "$work/clean"
printf 'FROM alpine:3.20\nCOPY --chmod=0555 app /app\nUSER 10001:10001\nCMD ["/app/run"]\n' >"$work/clean/Dockerfile"
rc=0; "$DOCKER" run --rm --network none -v "$work/clean:/src:ro" "$TAG" >"$work/clean.txt" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$work/clean.txt"; fail "default command on a clean Dockerfile: exit $rc"; }
echo "PASS: package_image"
