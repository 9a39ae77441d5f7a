#!/usr/bin/env bash
# darpa.sh OUTDIR — converts the DARPA 1998 edge stream shipped in
# ../shared/data/darpa/darpa_original.zip into the authors' comparison format:
#   OUTDIR/darpa.csv     src,dst,ts  (one edge per line, input order)
#   OUTDIR/darpa.labels  1 if the edge is part of an attack, else 0
# Mapping (as in the MIDAS authors' preprocessing): an IP becomes the rank
# (from 0) of its string among all distinct src ∪ dst strings in byte order;
# a minute becomes the rank of its timestamp string in byte order plus 1;
# label = attack != "-". The data stays outside the repository.
set -euo pipefail
out=${1:?usage: darpa.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
zip=${DARPA_ZIP:-$here/../../../shared/data/darpa/darpa_original.zip}
mkdir -p "$out"
if [[ -s $out/darpa.csv && -s $out/darpa.labels ]]; then
  echo "darpa: $out/darpa.csv exists" >&2
  exit 0
fi
raw=$out/darpa_original.csv
unzip -p "$zip" darpa_original.csv >"$raw"
export LC_ALL=C
awk -F, '{print $1; print $2}' "$raw" | sort -u >"$out/ips.txt"
cut -d, -f3 "$raw" | sort -u >"$out/minutes.txt"
awk -F, -v ips="$out/ips.txt" -v mins="$out/minutes.txt" -v lab="$out/darpa.labels" '
  BEGIN {
    n = 0; while ((getline l < ips) > 0) ip[l] = n++
    n = 1; while ((getline l < mins) > 0) ts[l] = n++
  }
  { print ip[$1] "," ip[$2] "," ts[$3]; print ($4 != "-") > lab }
' "$raw" >"$out/darpa.csv"
rm -f "$raw"
echo "darpa: $(wc -l <"$out/darpa.csv") edges, $(wc -l <"$out/ips.txt") ips, $(wc -l <"$out/minutes.txt") minutes" >&2
