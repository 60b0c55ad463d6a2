#!/usr/bin/env bash
# Runs fuzz targets one after the other for SECONDS each, as recorded in docs/reliability.md.
# Usage: fuzz/run.sh BUILD_DIR OUT_DIR SECONDS TARGET...
#   BUILD_DIR: a -DTOCSIN_BUILD_FUZZ=ON build (clang); OUT_DIR/<target>/ receives the growing
#   corpus (corpus/), crash/leak/timeout inputs (artifacts/), libFuzzer's log (fuzz-0.log) and
#   stats.txt (the final numbers). Seeds come from fuzz/seeds.py (OUT_DIR/seeds, built once),
#   dictionaries from fuzz/dict/. Run it under `nice -n 19` on a shared machine.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:?usage: fuzz/run.sh BUILD_DIR OUT_DIR SECONDS TARGET...}" && pwd)"
out="$2"; secs="$3"; shift 3
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[ -d "$out/seeds" ] || "$src/fuzz/seeds.py" "$out/seeds" >/dev/null
status=0
for t in "$@"; do
  dir="$out/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  # -timeout: an input that takes 10 s is a bounds bug (docs/reliability.md), not a slow case.
  # -jobs=1: one fuzzing process, a child writing fuzz-0.log; the first crash ends the run.
  (cd "$dir" && "$build/fuzz/$t" -max_total_time="$secs" -jobs=1 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -dict="$src/fuzz/dict/$t.dict" -artifact_prefix="$dir/artifacts/" \
      "$dir/corpus" "$out/seeds/$t" >"$dir/run.out" 2>&1) || status=1
  log="$dir/fuzz-0.log"
  {
    echo "target: $t"
    echo "seconds: $secs"
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb|new_units_added)' "$log" || true
    grep -E '^#[0-9]+' "$log" | tail -1
    echo "corpus_files: $(find "$dir/corpus" -type f | wc -l)"
    echo "findings: $(find "$dir/artifacts" -type f | wc -l)"
  } > "$dir/stats.txt"
  cat "$dir/stats.txt"
done
exit "$status"
