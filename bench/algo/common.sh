# Shared helpers for the algorithm benchmarks; sourced, not run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${ZHUDUN_ALGO:-/tmp/zhudun-algo}

build() {
  (cd "$root" && go build -o "$bin" ./cmd/zhudun-algo)
}

# seconds CMD… — runs CMD and prints its wall time in seconds.
seconds() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# median3 CMD… — wall time of CMD, median of three runs.
median3() {
  local a b c
  a=$(seconds "$@"); b=$(seconds "$@"); c=$(seconds "$@")
  printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p
}
