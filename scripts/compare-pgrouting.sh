#!/usr/bin/env bash
# Compares cityreach's drive search with pgRouting's pgr_drivingDistance on the same graph.
#
# Usage: scripts/compare-pgrouting.sh [andorra|liechtenstein ...]   (default: andorra)
#
# For each extract: imports it with `cityreach import-osm`, exports the drive graph as an edge
# table, snaps the 50 fixed origins (origins-<extract>.csv, lon,lat) to the nearest graph
# vertex, and runs a 900 s one-to-all search from each origin in both engines. It reports how
# many reached vertices agree within 1 s and the per-query latency of each engine: cityreach
# in-process (median of 20 runs per origin), pgRouting inside the server (pgr_drivingDistance
# including its edge query, median of 5 runs per origin, timed with clock_timestamp()).
# Exits non-zero if agreement is below 99.9 %.
#
# Needs root (apt-get, and a throwaway PostgreSQL cluster run as the postgres user on
# 127.0.0.1:${PGPORT:-55432}, removed afterwards). Everything is bounded by timeouts.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OSM_DIR=${OSM_DIR:-$ROOT/../shared/osm}
PORT=${PGPORT:-55432}
BUDGET=900
PGVER=${PGVER:-15}
PGBIN=/usr/lib/postgresql/$PGVER/bin
EXTRACTS=("$@")
[ ${#EXTRACTS[@]} -eq 0 ] && EXTRACTS=(andorra)

pbf_of() {
    case "$1" in
        liechtenstein) echo "$OSM_DIR/liechtenstein-latest.osm.pbf" ;;
        *) echo "$OSM_DIR/$1.osm.pbf" ;;
    esac
}

# 1. PostgreSQL, PostGIS and pgRouting from Debian.
if [ ! -f /usr/share/postgresql/$PGVER/extension/pgrouting.control ] || [ ! -x $PGBIN/initdb ]; then
    echo "installing postgresql-$PGVER, postgis and pgrouting ..." >&2
    timeout 600 apt-get update -qq
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends \
        postgresql-$PGVER postgresql-$PGVER-postgis-3 postgresql-$PGVER-pgrouting >/dev/null
fi

# 2. cityreach (release build).
BIN=${CITYREACH_BIN:-$ROOT/target/release/cityreach}
if [ -z "${CITYREACH_BIN:-}" ]; then
    (cd "$ROOT" && timeout 1200 cargo build --release --quiet --bin cityreach)
fi

# 3. A throwaway cluster on loopback only.
WORK=$(mktemp -d /tmp/cityreach-pgr.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    if [ -f "$WORK/pg/postmaster.pid" ]; then
        su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$WORK/pg' -m immediate -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir "$WORK/pg" "$WORK/sock"
chown postgres "$WORK/pg" "$WORK/sock"
su postgres -s /bin/sh -c "$PGBIN/initdb -D '$WORK/pg' -A trust -U postgres --no-sync" >/dev/null
su postgres -s /bin/sh -c "timeout 60 $PGBIN/pg_ctl -D '$WORK/pg' -w -l '$WORK/pg/log' \
    -o \"-p $PORT -c listen_addresses=127.0.0.1 -k $WORK/sock -c fsync=off -c shared_buffers=128MB\" start" >/dev/null
PSQL=(timeout 900 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres)
"${PSQL[@]}" -c "SET client_min_messages = warning; CREATE EXTENSION postgis; CREATE EXTENSION pgrouting;"
PGR_VERSION=$("${PSQL[@]}" -At -c "SELECT pgr_version()")

SUMMARY="$WORK/summary.txt"
printf '%-14s %7s %7s %9s %9s %9s %9s %9s %10s %10s %8s\n' extract vertices edges reached_us reached_pg only_us only_pg within1s ours_p50ms pgr_p50ms speedup >"$SUMMARY"
FAIL=0
for X in "${EXTRACTS[@]}"; do
    PBF=$(pbf_of "$X")
    ORIGINS="$OSM_DIR/origins-$X.csv"
    [ -f "$PBF" ] && [ -f "$ORIGINS" ] || { echo "skipped $X: $PBF or $ORIGINS missing" >&2; continue; }
    D="$WORK/$X"
    mkdir -p "$D"
    timeout 600 "$BIN" import-osm "$PBF" --out "$D/graphs" >"$D/import.txt"
    timeout 600 "$BIN" import-osm --graphs "$D/graphs" --mode drive --export-edges "$D/edges.csv" \
        --origins "$ORIGINS" --snapped-out "$D/snapped.csv" --times-out "$D/ours.csv" \
        --latency-out "$D/ours_latency.csv" --budget-secs $BUDGET --repeat 20
    chmod -R a+rX "$D"

    "${PSQL[@]}" <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS edges, origins, ours, ours_latency, pg, pg_latency;
CREATE TABLE edges (id bigint PRIMARY KEY, source bigint, target bigint, cost float8, reverse_cost float8);
CREATE TABLE origins (origin int PRIMARY KEY, vertex bigint);
CREATE TABLE ours (origin int, vertex bigint, secs float8);
CREATE TABLE ours_latency (origin int, ms float8);
CREATE TABLE pg (origin int, vertex bigint, secs float8);
CREATE TABLE pg_latency (origin int, ms float8);
\copy edges FROM '$D/edges.csv' CSV HEADER
\copy origins FROM '$D/snapped.csv' CSV HEADER
\copy ours FROM '$D/ours.csv' CSV HEADER
\copy ours_latency FROM '$D/ours_latency.csv' CSV HEADER
ANALYZE edges;
SET statement_timeout = '600s';
DO \$\$
DECLARE o record; t0 timestamptz; runs float8[]; n int;
BEGIN
  FOR o IN SELECT * FROM origins ORDER BY origin LOOP
    INSERT INTO pg SELECT o.origin, d.node, d.agg_cost
      FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost FROM edges',
                               o.vertex, $BUDGET, directed => true) AS d;
    runs := '{}';
    FOR i IN 1..5 LOOP
      t0 := clock_timestamp();
      SELECT count(*) INTO n FROM pgr_drivingDistance(
        'SELECT id, source, target, cost, reverse_cost FROM edges', o.vertex, $BUDGET, directed => true);
      runs := runs || (extract(epoch FROM clock_timestamp() - t0) * 1000.0);
    END LOOP;
    INSERT INTO pg_latency VALUES (o.origin,
      (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY r) FROM unnest(runs) AS r));
  END LOOP;
END
\$\$;
SQL

    "${PSQL[@]}" -At -F ' ' >"$D/row.txt" <<SQL
WITH j AS (
  SELECT coalesce(a.origin, b.origin) AS origin, a.secs AS us, b.secs AS them
  FROM ours a FULL JOIN pg b ON a.origin = b.origin AND a.vertex = b.vertex
)
SELECT (SELECT count(DISTINCT source) + 0 FROM (SELECT source FROM edges UNION SELECT target FROM edges) v(source)),
       (SELECT count(*) FROM edges WHERE cost >= 0) + (SELECT count(*) FROM edges WHERE reverse_cost >= 0),
       count(us), count(them),
       count(*) FILTER (WHERE them IS NULL), count(*) FILTER (WHERE us IS NULL),
       round(100.0 * count(*) FILTER (WHERE abs(us - them) <= 1.0) / greatest(count(*), 1), 3),
       (SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 4) FROM ours_latency),
       (SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3) FROM pg_latency)
FROM j;
SQL
    read -r NV NE RU RP OU OP AG US PG <"$D/row.txt"
    SPEED=$(awk -v a="$US" -v b="$PG" 'BEGIN { if (a > 0) printf "%.0fx", b / a; else print "-" }')
    printf '%-14s %7s %7s %9s %9s %9s %9s %8s%% %10s %10s %8s\n' "$X" "$NV" "$NE" "$RU" "$RP" "$OU" "$OP" "$AG" "$US" "$PG" "$SPEED" >>"$SUMMARY"
    if awk -v a="$AG" 'BEGIN { exit !(a < 99.9) }'; then FAIL=1; fi
    P90=$("${PSQL[@]}" -At -c "SELECT round(percentile_disc(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 4) FROM ours_latency")
    PG90=$("${PSQL[@]}" -At -c "SELECT round(percentile_disc(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 3) FROM pg_latency")
    echo "$X: 50 origins, budget ${BUDGET} s; p90 ours ${P90} ms, pgRouting ${PG90} ms" >>"$WORK/notes.txt"
done

echo "cityreach drive one-to-all vs pgRouting $PGR_VERSION pgr_drivingDistance (same graph, same costs)"
cat "$SUMMARY"
[ -f "$WORK/notes.txt" ] && cat "$WORK/notes.txt"
echo "within1s = share of vertices reached by either engine whose times agree within 1 s"
if [ "$FAIL" -ne 0 ]; then
    echo "FAIL: agreement below 99.9 %" >&2
    exit 1
fi
