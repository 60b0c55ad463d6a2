#!/usr/bin/env bash
# The scan bounds of docs/reliability.md, measured: time and peak memory of `tocsin scan` on
# huge hostile files (the issue's four inputs and the shapes that were 30-100x their size), each
# with /usr/bin/time. Goals: memory < 10x the input and < 512 MB; the 50 MB script under 2 s.
# A measurement, not a test: it prints a table (and the SARIF size of the two-line case).
# Usage: bench/scan_bounds.sh path/to/tocsin [MiB=50] [WORK=/tmp/tocsin-scan-bounds]
set -eu  # no pipefail: `yes | head` ends yes with SIGPIPE
bin=$(readlink -f "${1:?usage: bench/scan_bounds.sh path/to/tocsin [MiB] [WORK]}")
mib=${2:-50}
work=${3:-/tmp/tocsin-scan-bounds}
rm -rf "$work"; mkdir -p "$work"; cd "$work"
n=$((mib << 20))
as() { head -c "$n" /dev/zero | tr '\0' "$1"; }
mk() { mkdir -p "$1"; cat > "$1/$2"; }
# The issue's inputs.
yes 'echo hello world; cp a b' | head -c "$n" | mk script big.sh
{ printf 'RUN echo '; as a; echo; } | mk dockerfile-line Dockerfile
{ printf '{services: {a: {image: "'; as a; printf '", privileged: true}}}\n'; } | mk compose-line compose.yaml
for d in a b; do { printf 'FROM alpine\nRUN curl -fsSL https://example.com/i.sh | sh && echo '; as a; echo; } | mk two-lines/$d Dockerfile; done
# Shapes that are many small things.
yes 'docker ps' | head -c "$n" | mk docker-script big.sh
{ echo 'FROM x'; yes 'RUN echo a' | head -c "$n"; } | mk dockerfile-runs Dockerfile
{ printf 'FROM x\nRUN '; yes 'a;' | tr -d '\n' | head -c "$n"; echo; } | mk dockerfile-semicolons Dockerfile
{ echo 'FROM x'; as '\n'; } | mk dockerfile-newlines Dockerfile
{ echo 'services:'; as '\n'; } | mk compose-newlines compose.yaml
python3 - "$n" > /dev/null <<'PY'
import os, sys
n = int(sys.argv[1])
os.makedirs("k8s-docs", exist_ok=True)
with open("k8s-docs/manifest.yaml", "w") as f:
    i = 0
    while f.tell() < n:
        f.write("---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d}\nspec: {containers: [{name: c, image: x}]}\n" % i)
        i += 1
os.makedirs("compose-services", exist_ok=True)
with open("compose-services/compose.yaml", "w") as f:
    f.write("services:\n")
    i = 0
    while f.tell() < n:
        f.write("  s%d: {image: x}\n" % i)
        i += 1
PY
printf '%-22s %10s %9s %10s %7s %s\n' input bytes seconds peak_MB x_input exit
for d in script dockerfile-line compose-line two-lines docker-script dockerfile-runs dockerfile-semicolons \
         dockerfile-newlines compose-newlines k8s-docs compose-services; do
  bytes=$(find "$d" -type f -printf '%s\n' | sort -n | tail -1)  # the largest input
  fmt=json; out=/dev/null
  if [ "$d" = two-lines ]; then fmt=sarif; out="$work/two-lines.sarif"; fi
  rc=0
  /usr/bin/time -o "$work/time" -f "%e %M" "$bin" scan --no-config --format "$fmt" -o "$out" "$d" 2>/dev/null || rc=$?
  read -r secs kb < <(tail -1 "$work/time")  # after "Command exited with non-zero status" if any
  printf '%-22s %10d %9s %10.1f %7.1f %s\n' "$d" "$bytes" "$secs" "$(echo "$kb/1024" | bc -l)" \
    "$(echo "$kb*1024/$bytes" | bc -l)" "$rc"
done
echo "two-lines SARIF: $(stat -c %s "$work/two-lines.sarif") bytes"
echo "tiny file, for the process's own size: $(cd "$work" && echo 'FROM x' > Dockerfile.tiny &&
  /usr/bin/time -f '%M KB' "$bin" scan --no-config --format json -o /dev/null Dockerfile.tiny 2>&1 | tail -1)"
rm -rf "$work"
