#!/usr/bin/env bash
# Browser test of the web map: builds cityreach, serves it on a free loopback port and drives
# the map in Debian's Chromium with playwright-core (which never downloads a browser here).
# Screenshots and the downloaded GeoJSON go to artifacts/ at the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update && apt-get install -y chromium
fi
# Chinese labels need a CJK font; without one they render as empty boxes in the screenshots.
if command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh | grep -q .; then
  apt-get install -y fonts-noto-cjk || echo "warning: no CJK font installed; Chinese labels will not render" >&2
fi

(
  cd tests/browser
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
)

cargo build --bin cityreach
BIN="$ROOT/target/debug/cityreach"

LOG="$(mktemp)"
SERVER_PID=""
POA_LOG="$(mktemp)"
POA_PID=""
POA_DIR=""
cleanup() {
  for pid in "$SERVER_PID" "$POA_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$LOG" "$POA_LOG"
  if [ -n "$POA_DIR" ]; then rm -rf "$POA_DIR"; fi
}
trap cleanup EXIT

start_server() {
  "$BIN" serve --addr 127.0.0.1:0 >"$LOG" 2>&1 &
  SERVER_PID=$!
  BASE_URL=""
  for _ in $(seq 1 100); do
    BASE_URL="$(grep -o 'http://127\.0\.0\.1:[0-9]\+' "$LOG" | head -n 1 || true)"
    [ -n "$BASE_URL" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "cityreach serve exited:" >&2; cat "$LOG" >&2; exit 1
    fi
    sleep 0.2
  done
  if [ -z "$BASE_URL" ]; then
    echo "cityreach serve printed no URL within 20 s:" >&2; cat "$LOG" >&2; exit 1
  fi
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# The binary embeds web/ when it is compiled; a file added since the last build is not seen
# by cargo's change detection, so check that the served page is the one in the tree.
served_is_current() {
  local f
  while IFS= read -r f; do
    f="${f#web/}"
    curl -fsS "$BASE_URL/map/$f" | cmp -s - "web/$f" || { echo "served /map/$f differs from web/$f" >&2; return 1; }
  done < <(find web -type f ! -name '.*' | sort)
}

start_server
if ! served_is_current; then
  echo "rebuilding so that the binary embeds the current web/" >&2
  stop_server
  touch src/server/web.rs
  cargo build --bin cityreach
  start_server
  served_is_current
fi
echo "cityreach at $BASE_URL"

# Porto Alegre, a timetabled city: both real feeds and four TRENSURB stations as features,
# served from a data folder beside the embedded city (for the departure control's test).
POA_SHARED="$ROOT/../shared/cities/porto-alegre"
POA_URL=""
if [ -f "$POA_SHARED/poa_eptc.zip" ] && [ -f "$POA_SHARED/poa_trensurb.zip" ]; then
  POA_DIR="$(mktemp -d)"
  mkdir -p "$POA_DIR/gtfs"
  cp "$POA_SHARED/poa_eptc.zip" "$POA_SHARED/poa_trensurb.zip" "$POA_DIR/gtfs/"
  cp tests/browser/poa-features.geojson "$POA_DIR/features.geojson"
  "$BIN" serve --data "$POA_DIR" --addr 127.0.0.1:0 >"$POA_LOG" 2>&1 &
  POA_PID=$!
  for _ in $(seq 1 150); do
    POA_URL="$(grep -o 'http://127\.0\.0\.1:[0-9]\+' "$POA_LOG" | head -n 1 || true)"
    [ -n "$POA_URL" ] && break
    if ! kill -0 "$POA_PID" 2>/dev/null; then
      echo "cityreach serve --data (Porto Alegre) exited:" >&2; cat "$POA_LOG" >&2; exit 1
    fi
    sleep 0.2
  done
  if [ -z "$POA_URL" ]; then
    echo "cityreach serve --data (Porto Alegre) printed no URL within 30 s:" >&2; cat "$POA_LOG" >&2; exit 1
  fi
  echo "Porto Alegre at $POA_URL"
else
  echo "Porto Alegre feeds absent ($POA_SHARED): its browser tests will say they skip"
fi

mkdir -p "$ROOT/artifacts"
BASE_URL="$BASE_URL" POA_URL="$POA_URL" ARTIFACTS="$ROOT/artifacts" node --test --test-concurrency=1 \
  tests/browser/map.test.mjs tests/browser/timing.test.mjs tests/browser/scenario.test.mjs
