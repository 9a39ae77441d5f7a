#!/usr/bin/env bash
# dense-speed.sh OUTDIR — the speed figures of `zhudun graph dense` against
# the authors' Fraudar (issue 9, item 5): the 0.5 M- and 2 M-edge graphs of
# dense.sh (same generator, seeds and flags; generated into OUTDIR/graphs if
# missing), each detected three times under GNU time. Prints per graph the
# median wall and CPU (user + system) seconds, the median peak RSS, the load
# average before the runs, and the speed-up over Fraudar's single-threaded
# times measured on this machine class (5.76 s and 28.6 s; the targets are
# ≥ 20× in wall time and ≥ 15× in CPU time). Run it on a quiet machine: with
# other work on the two cores the wall time measures that work.
source "$(dirname "$0")/common.sh"
out=${1:?usage: dense-speed.sh OUTDIR}
mkdir -p "$out/graphs"
build
printf 'graph\tedges\twall_s\tcpu_s\tpeak_rss_MB\tload\tfraudar_s\twall_x\tcpu_x\n'
for spec in "500k.random 100000 500000 5.76" "2M.random 400000 2000000 28.6"; do
  read -r name n e fraudar <<<"$spec"
  g=$out/graphs/$name.1
  [[ -s $g.tsv ]] || "$bin" graph inject --seed 1 --rows "$n" --cols "$n" --edges "$e" \
    --camouflage "${name#*.}" --out "$g.tsv" --truth "$g.truth"
  load=$(loadavg)
  read -r wall cpu rss < <(timed3 "$bin" graph dense --in "$g.tsv" --out "$g.blocks" --summary "$g.summary")
  awk -v g="$name" -v e="$(wc -l <"$g.tsv")" -v w="$wall" -v c="$cpu" -v m="$rss" -v l="$load" -v f="$fraudar" \
    'BEGIN { printf "%s\t%d\t%.3f\t%.3f\t%.0f\t%s\t%.2f\t%.1f\t%.1f\n", g, e, w, c, m / 1024, l, f, f / w, f / c }'
done
