#!/usr/bin/env bash
# Runs every benchmark (criterion benches catalog, reach, streets, scaling) and the HTTP load
# test, and writes BENCHMARKS.md at the repository root: the machine, the toolchain, and each
# figure with the command that produced it. Takes roughly 15–30 minutes on two cores.
#
# Usage: scripts/bench-all.sh [LOAD_TEST_SECONDS (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_SECONDS="${1:-10}"
OUT=BENCHMARKS.md
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
cores=$(nproc)
mem=$(free -h | awk '/^Mem:/ {print $2}')

MARKER='<!-- Everything below is written by scripts/bench-all.sh -->'
{
    # Keep the hand-written summary above the marker; regenerate everything below it.
    if [ -f "$OUT" ] && grep -qF "$MARKER" "$OUT"; then
        awk -v m="$MARKER" '{ print } index($0, m) { exit }' "$OUT"
    else
        echo "# Benchmarks"
        echo
        echo "$MARKER"
    fi
    echo
    echo "## Full run of \`scripts/bench-all.sh\`"
    echo
    echo "Every figure below is the output of the command above it."
    echo
    echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- CPU: $cpu, $cores cores available"
    echo "- Memory: $mem"
    echo "- Toolchain: $(rustc --version)"
    echo "- Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo
} >"$TMP/head.md"

: >"$TMP/body.md"
for bench in catalog reach streets scaling; do
    echo "running cargo bench --bench $bench" >&2
    if cargo bench --quiet --bench "$bench" >"$TMP/$bench.txt" 2>&1; then status=ok; else status="failed ($?)"; fi
    {
        echo "## \`cargo bench --bench $bench\` ($status)"
        echo
        echo '```'
        # Percentile lines the benches print, and criterion's estimates.
        grep -Ev '^(Benchmarking|Gnuplot|Warning|$)' "$TMP/$bench.txt" | grep -Ev '^ +(change|Found|[0-9]+ \()' || true
        echo '```'
        echo
    } >>"$TMP/body.md"
done

if [ -x scripts/load-test.sh ]; then
    echo "running scripts/load-test.sh $LOAD_SECONDS" >&2
    {
        echo "## \`scripts/load-test.sh $LOAD_SECONDS\`"
        echo
        scripts/load-test.sh "$LOAD_SECONDS" 2>/dev/null || echo "(load test failed)"
        echo
    } >>"$TMP/body.md"
fi

cat "$TMP/head.md" "$TMP/body.md" >"$OUT"
echo "wrote $OUT" >&2
