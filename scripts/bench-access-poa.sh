#!/usr/bin/env bash
# City-wide accessibility on Porto Alegre's timetables: the 1,227 hexagons of poa_hexgrid.csv
# as origins and as opportunities (jobs, then population), Monday 2019-05-13 14:00–15:00
# (60 departure minutes, range-RAPTOR), percentiles 25/50/75, cutoffs 30/45/60 min, crow-fly
# streets. Prints wall, user and system time and peak RSS of each run (GNU time).
#
# Usage: scripts/bench-access-poa.sh        (release build first: cargo build --release)
# Needs ../shared/cities/porto-alegre/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="$root/../shared/cities/porto-alegre"
bin="$root/target/release/cityreach"
[ -f "$shared/poa_hexgrid.csv" ] || { echo "skipped: $shared is absent"; exit 0; }
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
mkdir -p "$data/gtfs"
cp "$shared/poa_eptc.zip" "$shared/poa_trensurb.zip" "$data/gtfs/"
grid="$shared/poa_hexgrid.csv"
for column in jobs population; do
    echo "== opportunities: $column"
    /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB" \
        "$bin" access --data "$data" --origins "$grid" --opportunities "$grid:$column" \
        --cutoff 30,45,60 --depart 2019-05-13T14:00 --window 60 --percentiles 25,50,75 \
        --out "$data/access-$column.csv" 2>&1 | grep -E "origins in|wall"
done
