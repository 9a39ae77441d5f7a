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

# timed3 CMD… — runs CMD three times under GNU time and prints the medians
# "wall_s cpu_s peak_rss_kb" (CPU is user + system). The medians are taken
# separately, so the three need not come from the same run.
timed3() {
  local f i
  f=$(mktemp)
  for i in 1 2 3; do
    /usr/bin/time -o "$f.t" -f '%e %U %S %M' "$@" >/dev/null
    cat "$f.t" >>"$f"
  done
  awk '{ w[NR] = $1; c[NR] = $2 + $3; m[NR] = $4 }
    function med(a,   x, y, z) { x = a[1]; y = a[2]; z = a[3]
      if (x > y) { t = x; x = y; y = t } if (y > z) { t = y; y = z; z = t } if (x > y) { t = x; x = y; y = t }
      return y }
    END { printf "%.3f %.3f %d\n", med(w), med(c), med(m) }' "$f"
  rm -f "$f" "$f.t"
}

# loadavg — the 1-, 5- and 15-minute load averages.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
