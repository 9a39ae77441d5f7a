#!/usr/bin/env bash
# bench/fourcuts/speed.sh [WORKDIR] — issue 9, item 8: `zhudun detect` on a
# 20,000-person, 7-day world against merely reading the same files one after
# another (`gzip -dc` or `cat` each, piped to `wc -l`). The world is made by
# `zhudun simulate --users 20000 --days 7 --seed 1` into WORKDIR (default
# /tmp/fourcuts-speed, never the repository) if it is not there. Three rounds,
# read and detect alternating; prints each run, then the medians of wall and
# CPU (user + system) time, the median peak RSS of detect, the load average
# at the start and end, the wall ratio detect/read (target ≤ 1.5, peak RSS
# < 2 GB) and the SHA-256 of the findings and leads, so that two builds can be
# checked for byte-identical output. ZHUDUN_BIN=path uses a built binary
# instead of building this tree. Run it on a quiet machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/fourcuts-speed}
mkdir -p "$work"
bin=${ZHUDUN_BIN:-$work/zhudun}
[[ -n ${ZHUDUN_BIN:-} ]] || (cd "$root" && go build -o "$bin" ./cmd/fourcuts)
city=$work/city-20k-7d
if [[ ! -s $city.truth ]]; then
  rm -rf "$city"
  "$bin" simulate --users 20000 --days 7 --seed 1 --out "$city" --truth "$city.truth" >/dev/null 2>&1
fi
readall() { for f in "$1"/*; do case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac; done | wc -l; }
export -f readall
echo "files: $(ls "$city" | wc -l), lines: $(readall "$city"), size: $(du -shL "$city" | cut -f1), cores: $(nproc)"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
t=$(mktemp)
for round in 1 2 3; do
  /usr/bin/time -o "$t" -f 'read %e %U %S %M' bash -c 'readall "$0"' "$city" >/dev/null
  cat "$t" >>"$t.all"
  /usr/bin/time -o "$t" -f 'detect %e %U %S %M' "$bin" detect --in "$city" --out "$work/findings.jsonl" \
    --leads "$work/leads.jsonl" --errors "$work/rejects.jsonl" --quiet
  cat "$t" >>"$t.all"
  echo "round $round (load $(cut -d' ' -f1 /proc/loadavg)): $(tail -2 "$t.all" | awk '{ printf "%s wall %ss CPU %.2fs  ", $1, $2, $3 + $4 }')"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
  function med(a,   x, y, z, t) { x = a[1]; y = a[2]; z = a[3]
    if (x > y) { t = x; x = y; y = t } if (y > z) { t = y; y = z; z = t } if (x > y) { t = x; x = y; y = t }
    return y }
  { n[$1]++; w[$1, n[$1]] = $2; c[$1, n[$1]] = $3 + $4; m[$1, n[$1]] = $5 }
  END {
    for (k = 1; k <= 3; k++) { rw[k] = w["read", k]; rc[k] = c["read", k]; dw[k] = w["detect", k]; dc[k] = c["detect", k]; dm[k] = m["detect", k] }
    printf "median read:   wall %.2fs  CPU %.2fs\n", med(rw), med(rc)
    printf "median detect: wall %.2fs  CPU %.2fs  peak RSS %.0f MB\n", med(dw), med(dc), med(dm) / 1024
    printf "ratio detect/read (wall medians): %.2f (target <= 1.5)\n", med(dw) / med(rw)
  }' "$t.all"
rm -f "$t" "$t.all"
sha256sum "$work/findings.jsonl" "$work/leads.jsonl"
