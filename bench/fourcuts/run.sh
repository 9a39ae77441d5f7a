#!/usr/bin/env bash
# bench/fourcuts/run.sh [WORKDIR] — reproduces the Four Cuts figures quoted in
# docs/fourcuts.md:
#   1. quality: simulate cities with different seeds and parameters, detect,
#      score per category (P/R/F1) and the gangs (pairwise P/R/F1 over the
#      true positives, found vs true gangs, purity);
#   2. speed: `zhudun detect` on a 20,000-person, 7-day city against the time
#      to read the same files (`gzip -dc`/`cat` piped to `wc -l`), with peak
#      memory;
#   3. the detector core benchmark (go test -bench, events/s and allocs).
# Feeds are written under WORKDIR (default /tmp/fourcuts-bench), never into
# the repository. Needs: go, gzip, GNU time (/usr/bin/time) for peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/fourcuts-bench}
mkdir -p "$work"
bin=$work/fourcuts
(cd "$root" && go build -o "$bin" ./cmd/fourcuts)

echo "== quality (F1 per category and gang F1 on simulated feeds)"
quality() { # name, simulate args…
  local name=$1; shift
  local dir=$work/q2-$name   # q2: simulator with shared suppliers and usage gangs
  if [[ ! -s $dir.truth ]]; then
    rm -rf "$dir"
    "$bin" simulate "$@" --out "$dir" --truth "$dir.truth" 2>/dev/null
  fi
  "$bin" detect --in "$dir" --out "$dir.findings" --quiet
  echo "-- $name: $*"
  "$bin" eval --truth "$dir.truth" --findings "$dir.findings"
}
quality city-s1 --users 20000 --days 7 --seed 1
quality city-s2 --users 20000 --days 7 --seed 2
quality small-many-ops --users 5000 --days 3 --seed 3 --cat-pools 6 --studios 8 --goips 4 --emu-farms 3
cat >"$work/lookalikes.json" <<'JSON'
{"Couriers":0.05,"Sales":0.05,"Gamers":0.08,"MultiCard":0.1,"Companies":5,"InvalidIMEIShare":0.01,
 "RegsPerCard":2,"DialupIntelShare":0.01,"HolderPseudonyms":0.5}
JSON
quality heavy-lookalikes --users 10000 --days 4 --seed 13 --params "$work/lookalikes.json"
# suppliers shared by many operations: a small dial-up pool and one proxy
# provider rented by every studio, more outlets and holder rings
cat >"$work/sharing.json" <<'JSON'
{"DialupPool":60,"SharedProxies":0.8,"BulkOutlets":6,"HolderRings":4}
JSON
quality shared-suppliers --users 20000 --days 3 --seed 4 --studios 10 --cat-pools 4 --emu-farms 3 --goips 4 --params "$work/sharing.json"

echo "== quality on feeds of the second generator (bench/fourcuts/altgen.py)"
alt() { # name, altgen args…
  local name=$1; shift
  local dir=$work/alt2-$name # alt2: truth with usage gangs
  if [[ ! -s $dir.truth ]]; then
    rm -rf "$dir"
    python3 "$here/altgen.py" "$dir" "$dir.truth" "$@" >/dev/null
  fi
  "$bin" detect --in "$dir" --out "$dir.findings" --quiet
  echo "-- alt $name: $*"
  "$bin" eval --truth "$dir.truth" --findings "$dir.findings"
}
alt plain --people 6000 --days 7 --seed 7
alt hard --people 5000 --days 7 --seed 21 --hard
alt sloppy-sdk --people 5000 --days 7 --seed 31 --hard --fp-per-reg

echo "== speed (20,000 people, 7 days)"
city=$work/q2-city-s1
ls "$city" | head -3 >/dev/null
files=$(ls "$city"/* | wc -l)
events=$(cat "$city"/*.jsonl "$city"/*.csv | wc -l)
events=$((events + $(gzip -dc "$city"/*.gz | wc -l)))
echo "files: $files, lines: $events, size: $(du -sh "$city" | cut -f1)"
# Each file read one after another (gzip -dc or cat) into wc -l, then
# detect; three rounds, wall and CPU time of each (medians go in the docs).
readall() { for f in "$city"/*; do case $f in *.gz) gzip -dc "$f" ;; *) cat "$f" ;; esac; done | wc -l; }
for round in 1 2 3; do
  echo "-- round $round, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  export -f readall; export city
  /usr/bin/time -f "read baseline (gzip -dc / cat | wc -l): wall %es, CPU %Us user + %Ss sys" bash -c readall >/dev/null
  /usr/bin/time -f "detect: wall %es, CPU %Us user + %Ss sys, peak RSS %MKB" "$bin" detect --in "$city" --out "$work/speed.findings" --errors "$work/speed.rejects" --quiet
done

echo "== detector core (go test -bench)"
(cd "$root" && go test -run XXX -bench 'BenchmarkEngine' -benchtime 5x ./fourcuts/)
