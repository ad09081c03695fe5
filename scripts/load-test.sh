#!/usr/bin/env bash
# Bounded HTTP load test of `cityreach serve` on loopback, reported as Markdown on stdout.
#
# Builds the release binary, starts the server on 127.0.0.1 (any free port), and runs wrk
# against three requests — a transit reach with band polygons (computed every time: the
# service has no response cache), an items page of 100 features and a name search — at a few
# concurrency levels for a fixed duration each. Progress goes to stderr.
#
# Usage: scripts/load-test.sh [SECONDS_PER_RUN (default 10)] [CONCURRENCY LEVELS (default "1 4 16")]
set -euo pipefail

DURATION="${1:-10}"
LEVELS="${2:-1 4 16}"
cd "$(dirname "$0")/.."

if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || (( DURATION < 1 || DURATION > 60 )); then
    echo "seconds per run must be 1..60" >&2
    exit 2
fi

if ! command -v wrk >/dev/null; then
    echo "wrk not found; installing it from the Debian archive" >&2
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
    else
        echo "install wrk (apt-get install wrk) and run again" >&2
        exit 1
    fi
fi

echo "building the release binary" >&2
cargo build --release --quiet --bin cityreach >&2
BIN=target/release/cityreach

LOG=$(mktemp)
OUT=$(mktemp)
"$BIN" serve --addr 127.0.0.1:0 >"$OUT" 2>"$LOG" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG" "$OUT"' EXIT

ADDR=""
for _ in $(seq 1 100); do
    ADDR=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$OUT" | head -1 || true)
    [ -n "$ADDR" ] && break
    sleep 0.1
done
if [ -z "$ADDR" ]; then
    echo "the server did not start:" >&2
    cat "$LOG" >&2
    exit 1
fi
echo "server at $ADDR" >&2

# 小李庄站, percent-encoded.
XLZ='%E5%B0%8F%E6%9D%8E%E5%BA%84%E7%AB%99'
declare -a NAMES=(
    "reach: 小李庄站, 20 min transit, plan-2025, with polygons"
    "reach: 郑州东站, 45 min transit, existing, with polygons"
    "items: 100 metro stations"
    "search: q=zheng"
)
declare -a PATHS=(
    "/reach?from=${XLZ}&minutes=20&scenario=plan-2025&polygons=true"
    "/reach?from=hub-zhengzhou-east&minutes=45&scenario=existing&polygons=true"
    "/collections/metro_stations/items?limit=100"
    "/search?q=zheng"
)

# Every request must answer 200 before it is measured.
for p in "${PATHS[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$ADDR$p")
    if [ "$code" != 200 ]; then
        echo "$p answered $code" >&2
        exit 1
    fi
done

# Converts wrk's latency text (e.g. 1.23ms, 850.00us, 1.02s) to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000
        else if (v ~ /ms$/) n = n
        else if (v ~ /m$/) n = n * 60000
        else if (v ~ /s$/) n = n * 1000
        printf "%.2f", n
    }'
}

CORES=$(nproc 2>/dev/null || echo "?")
echo "## HTTP load test: cityreach serve on loopback"
echo
echo "$(date -u +%Y-%m-%d) · ${CORES} cores · $(uname -m) · release build · wrk, ${DURATION} s per run," \
     "keep-alive connections, client and server on the same machine (the client's CPU use counts against the server)."
echo "Every reach request runs the search and contours its band polygons: the service has no response cache."
echo
echo "| request | connections | req/s | p50 ms | p99 ms | errors |"
echo "|---|---:|---:|---:|---:|---:|"
TOTAL_ERR=0
for i in "${!PATHS[@]}"; do
    for c in $LEVELS; do
        t=$(( c < 2 ? 1 : 2 ))
        res=$(wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 10s --latency "$ADDR${PATHS[$i]}" 2>&1)
        rps=$(echo "$res" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
        p50=$(echo "$res" | awk '$1 == "50%" {print $2}')
        p99=$(echo "$res" | awk '$1 == "99%" {print $2}')
        non2xx=$(echo "$res" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
        sock=$(echo "$res" | awk '/Socket errors:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s }')
        err=$(( ${non2xx:-0} + ${sock:-0} ))
        TOTAL_ERR=$(( TOTAL_ERR + err ))
        echo "| ${NAMES[$i]} | $c | ${rps:-?} | $(to_ms "${p50:-0}") | $(to_ms "${p99:-0}") | $err |"
        echo "done: ${NAMES[$i]} × $c" >&2
    done
done
echo
echo "Errors in total: ${TOTAL_ERR} (non-2xx answers and socket errors)."
if grep -qiE 'panic|error' "$LOG"; then
    echo
    echo "Server log lines mentioning errors: $(grep -ciE 'panic|error' "$LOG")"
fi
