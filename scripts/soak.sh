#!/usr/bin/env bash
# Soak test of `cityreach serve` on loopback: sustained mixed load (transit reach with band
# polygons, items pages, name searches) at a low concurrency for a bounded time, with latency
# percentiles, error counts and the server's resident memory at the start, middle and end.
# Report as Markdown on stdout; progress on stderr.
#
# Usage: scripts/soak.sh [SECONDS (default 180, at most 1800)] [CONNECTIONS (default 3, 1..8)]
set -euo pipefail

DURATION="${1:-180}"
CONNS="${2:-3}"
cd "$(dirname "$0")/.."

if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || (( DURATION < 10 || DURATION > 1800 )); then
    echo "seconds must be 10..1800" >&2
    exit 2
fi
if ! [[ "$CONNS" =~ ^[0-9]+$ ]] || (( CONNS < 1 || CONNS > 8 )); then
    echo "connections must be 1..8" >&2
    exit 2
fi
if ! command -v wrk >/dev/null; then
    echo "wrk not found: apt-get install -y wrk" >&2
    exit 1
fi

echo "building the release binary" >&2
cargo build --release --quiet --bin cityreach >&2
BIN=target/release/cityreach

WORK=$(mktemp -d)
"$BIN" serve --addr 127.0.0.1:0 >"$WORK/out" 2>"$WORK/log" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

for _ in $(seq 100); do
    grep -q "http://" "$WORK/out" 2>/dev/null && break
    sleep 0.1
done
ADDR=$(sed -n 's|.* at http://\([^/]*\)/.*|\1|p' "$WORK/out" | head -1)
[ -n "$ADDR" ] || { echo "the server did not start" >&2; cat "$WORK/log" >&2; exit 1; }
BASE="http://$ADDR"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }

# Every request once, so a broken one fails fast instead of after minutes.
PATHS=(
    "/reach?from=hub-zhengzhou-east&minutes=20"
    "/reach?from=hub-zhengzhou&minutes=30&bands=10,20,30"
    "/reach?from=113.68,34.78&minutes=15&mode=walk"
    "/reach?from=hub-zhengzhou-hangkonggang&minutes=25&scenario=plan-2025"
    "/collections/commercial/items?limit=20&offset=0"
    "/collections/metro_stations/items?limit=100&offset=100"
    "/collections/cultural/items?bbox=113.6,34.7,113.8,34.8"
    "/collections/transport_hub/items?filter=status%20%3D%20%27planned%27"
    "/search?q=zhengzhou"
    "/search?q=%E4%BA%8C%E4%B8%83"
    "/search?q=dongzhan&limit=5"
)
for p in "${PATHS[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$p")
    [ "$code" = 200 ] || { echo "$p answered $code" >&2; exit 1; }
done

LUA="$WORK/mix.lua"
{
    echo 'local paths = {'
    for p in "${PATHS[@]}"; do echo "  \"$p\","; done
    cat <<'LUA_END'
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
local non2xx = 0
response = function(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SUMMARY requests=%d duration_s=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA_END
} >"$LUA"

RSS_START=$(rss_kb)
echo "soaking $BASE for ${DURATION}s with $CONNS connections" >&2
( sleep $((DURATION / 2)); rss_kb >"$WORK/rss_mid" ) &
SAMPLER=$!
wrk -t 2 -c "$CONNS" -d "${DURATION}s" --timeout 10s --latency -s "$LUA" "$BASE" >"$WORK/wrk" 2>&1 || true
wait "$SAMPLER" 2>/dev/null || true
RSS_MID=$(cat "$WORK/rss_mid" 2>/dev/null || echo "?")
RSS_END=$(rss_kb)
# Still healthy afterwards.
HEALTH=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/conformance")

S=$(grep '^SUMMARY' "$WORK/wrk" || true)
[ -n "$S" ] || { cat "$WORK/wrk" >&2; exit 1; }
val() { echo "$S" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
ERRORS=$(( $(val connect) + $(val read) + $(val write) + $(val status) + $(val timeout) ))

cat <<MD
## Soak: mixed load for ${DURATION} s at ${CONNS} connections

- Date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores
- Command: \`scripts/soak.sh $DURATION $CONNS\` (wrk -t 2 -c $CONNS, release binary, loopback)
- Mix (round robin): 4 transit/walk reach queries with band polygons, 4 items pages
  (paging, bbox, CQL2 filter), 3 name searches

| metric | value |
|---|---|
| requests | $(val requests) |
| throughput | $(val rps) req/s |
| latency p50 | $(val p50_ms) ms |
| latency p99 | $(val p99_ms) ms |
| latency p99.9 | $(val p999_ms) ms |
| latency max | $(val max_ms) ms |
| errors (connect/read/write/status/timeout) | $(val connect)/$(val read)/$(val write)/$(val status)/$(val timeout) (total $ERRORS) |
| VmRSS start / middle / end | $((RSS_START / 1024)) / $(( ${RSS_MID:-0} / 1024 )) / $((RSS_END / 1024)) MiB |
| /conformance afterwards | $HEALTH |

<details><summary>wrk output</summary>

\`\`\`
$(grep -v '^SUMMARY' "$WORK/wrk")
\`\`\`
</details>
MD

if (( ERRORS > 0 )) || [ "$HEALTH" != 200 ]; then
    echo "soak FAILED: $ERRORS errors, /conformance $HEALTH" >&2
    exit 1
fi
