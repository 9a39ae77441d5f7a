#!/usr/bin/env bash
# dense.sh OUTDIR — Fraudar's evaluation (§5.2 of Hooi et al., KDD 2016) for
# `zhudun graph dense`: a 200×200 block of density 0.05 injected into uniform
# backgrounds, five trials (seeds 1…5) per camouflage kind on 2,000×2,000 and
# 10,000×10,000 backgrounds of density 0.0006; then the larger sparse
# backgrounds of 0.5 M and 2 M edges (timed, median of three); then graphs with
# no block. Writes OUTDIR/dense.tsv (one line per run) and prints a summary.
# F is the F-measure of block 1's members (sources and destinations together)
# against the injected truth.
#
# The speed against Fraudar (wall and CPU medians, peak RSS, load, ratios)
# is printed last by dense-speed.sh, which can also be run on its own.
#
# TRIALS="6 7 8 …" overrides the seeds of the small and medium backgrounds
# (fresh seeds check that a change is not fitted to 1…5); SMALL_ONLY=1 skips
# the large sparse graphs and the no-block graphs.
source "$(dirname "$0")/common.sh"
out=${1:?usage: dense.sh OUTDIR}
mkdir -p "$out/graphs"
build
res=$out/dense.tsv
printf 'background\tcamouflage\ttrial\tedges\tF\tF_src\tF_dst\tfound\tseconds\tverdict\n' >"$res"

# one NAME TRIAL TIMED INJECT-FLAGS… — generate, detect, score one graph.
one() {
  local name=$1 trial=$2 timed=$3
  shift 3
  local g=$out/graphs/$name.$trial
  "$bin" graph inject --seed "$trial" --out "$g.tsv" --truth "$g.truth" "$@"
  local secs
  if [[ $timed == yes ]]; then
    secs=$(median3 "$bin" graph dense --in "$g.tsv" --out "$g.blocks" --summary "$g.summary")
  else
    secs=$(seconds "$bin" graph dense --in "$g.tsv" --out "$g.blocks" --summary "$g.summary")
  fi
  local f verdict edges
  f=$("$bin" graph fmeasure --blocks "$g.blocks" --truth "$g.truth")
  verdict=$(awk -F'\t' '$1 == "1" { print $NF "(rel " $8 ", log10p " $9 ")" }' "$g.summary")
  edges=$(wc -l <"$g.tsv")
  printf '%s\t%s\t%s\t%s\t%s\n' "${name%%.*}" "${name#*.}" "$trial" "$edges" \
    "$(echo "$f" | awk -F'\t' -v s="$secs" -v v="$verdict" '{ print $2 "\t" $4 "\t" $6 "\t" $8 "\t" s "\t" v }')" >>"$res"
  tail -1 "$res" >&2
}

for n in 2000 10000; do
  for cam in none random 2x-random biased hijacked; do
    for trial in ${TRIALS:-1 2 3 4 5}; do
      one "$n.$cam" "$trial" no --rows "$n" --cols "$n" --density 0.0006 --camouflage "$cam"
    done
  done
done
if [[ -z ${SMALL_ONLY:-} ]]; then
# Larger sparse backgrounds: the same block in 100,000² (0.5 M edges) and
# 400,000² (2 M edges) — mean degree 5, sparse enough that a 200×200 block of
# density 0.05 is the densest part (in a 58,000² background with 2 M edges the
# background itself has mean degree 34 and no 200×200 block of 0.05 stands out).
for cam in none random; do
  one "500k.$cam" 1 yes --rows 100000 --cols 100000 --edges 500000 --camouflage "$cam"
  one "2M.$cam" 1 yes --rows 400000 --cols 400000 --edges 2000000 --camouflage "$cam"
done
# No block at all: the summary must say noise.
one "2000.noblock" 1 no --rows 2000 --cols 2000 --density 0.0006 --block-rows 0 --block-cols 0
one "10000.noblock" 1 no --rows 10000 --cols 10000 --density 0.0006 --block-rows 0 --block-cols 0
one "2M.noblock" 1 yes --rows 400000 --cols 400000 --edges 2000000 --block-rows 0 --block-cols 0
fi

echo
echo "background camouflage trials F_mean F_min seconds_max"
awk -F'\t' 'NR > 1 { k = $1 "\t" $2; n[k]++; s[k] += $5; if (!(k in m) || $5 < m[k]) m[k] = $5; if ($9 > t[k]) t[k] = $9; if (!(k in o)) { o[k] = ++c; key[c] = k } }
  END { for (i = 1; i <= c; i++) { k = key[i]; printf "%s\t%d\t%.3f\t%.3f\t%.3f\n", k, n[k], s[k] / n[k], m[k], t[k] } }' "$res"

if [[ -z ${SMALL_ONLY:-} ]]; then
  # Wall and CPU time against Fraudar, on the same large graphs.
  echo
  "$here/dense-speed.sh" "$out"
fi
