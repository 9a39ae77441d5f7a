#!/usr/bin/env bash
# bench/fourcuts/gen3.sh [WORKDIR] — scores zhudun detect on feeds of the third,
# independent generator (gen3.py): 3 seeds x 2 parameter settings, plus the
# check that every malformed line is rejected exactly once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/fourcuts-gen3}
mkdir -p "$work"
bin=${ZHUDUN:-$work/zhudun}
[[ -n ${ZHUDUN:-} ]] || (cd "$root" && go build -o "$bin" ./cmd/zhudun)
world() { # name, gen3 args…
  local name=$1; shift
  local dir=$work/$name
  if [[ ! -s $dir.truth ]]; then
    rm -rf "$dir"
    python3 "$here/gen3.py" "$dir" "$dir.truth" "$@" >/dev/null
  fi
  "$bin" detect --in "$dir" --out "$dir.findings" --errors "$dir.rejects" --quiet
  echo "-- gen3 $name: $*"
  "$bin" eval --truth "$dir.truth" --findings "$dir.findings" | sed -n '1,6p'
  if [[ -s $dir.truth.allow ]]; then # the IoT fleet's holder as configuration (allowlist)
    "$bin" detect --in "$dir" --out "$dir.findings-allow" --allow "$dir.truth.allow" --quiet
    echo -n "with IoT allowlist: "
    "$bin" eval --truth "$dir.truth" --findings "$dir.findings-allow" | sed -n '2p'
  fi
  python3 "$here/gen3check.py" "$dir.truth" "$dir.rejects"
}
for s in 1 2 3; do
  world plain-s$s --seed $s
done
for s in 4 5 6; do
  world hard-s$s --seed $s --people 6000 --days 3 --couriers 0.03 --gamers 0.06 --multicard 0.1 \
    --companies 6 --sales 40 --cat-pools 3 --goips 3 --code-platforms 3 --studios 6 \
    --pool-cards 10,60 --studio-accts 10,120 --regs-per-card 2
done
