#!/usr/bin/env bash
# stream.sh OUTDIR — DARPA measurement for `zhudun stream score`: converts the
# data (darpa.sh), times read + score + write of all 4.55 M edges (median of
# three) and computes ROC-AUC against the labels, for the default variant
# (MIDAS-F) and, once each, for MIDAS-R and plain MIDAS.
source "$(dirname "$0")/common.sh"
out=${1:?usage: stream.sh OUTDIR}
build
"$here/darpa.sh" "$out"
echo "variant seconds auc"
for v in F R plain; do
  if [[ $v == F ]]; then
    secs=$(median3 "$bin" stream score --in "$out/darpa.csv" --out "$out/scores.$v")
  else
    secs=$(seconds "$bin" stream score --in "$out/darpa.csv" --out "$out/scores.$v" --variant "$v")
  fi
  auc=$("$bin" stream auc --scores "$out/scores.$v" --labels "$out/darpa.labels")
  echo "$v $secs $auc"
done
