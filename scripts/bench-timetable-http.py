#!/usr/bin/env python3
"""Timetabled reach over HTTP with band polygons, on Porto Alegre's two real feeds.

Builds a data folder from ../shared/cities/porto-alegre (both GTFS feeds, the OpenStreetMap
extract imported with `import-osm` for street access and egress), starts the release server on
a free loopback port, and sends `GET /reach` from the points of `poa_points_of_interest.csv` in
turn, one sequential client on one kept-alive connection, for two queries:

  one departure   depart=2019-05-13T14:00
  60-min window   the same with window=60&percentiles=5,50,95&percentile=50

Both with polygons (the server's default) in bands of `--bands` minutes, and both again with
`polygons=false` (what the polygons cost). Prints p50 / p90 / p99, the mean, the server's CPU
time per request (from /proc, which waiting for a core on a shared machine does not inflate)
and the median response size per query as Markdown rows for BENCHMARKS.md, with the load
average.

    cargo build --release
    python3 scripts/bench-timetable-http.py --runs 5

Standard library only. The first request of each origin is sent once before timing (warm-up).
"""

import argparse
import csv
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPART = "2019-05-13T14:00"


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def server_cpu_s(pid):
    """User + system CPU seconds of a process so far (Linux /proc): unlike wall time, not
    inflated by waiting for a core on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build_folder(shared, binary, work):
    gtfs = work / "gtfs"
    gtfs.mkdir(parents=True)
    for feed in ("poa_eptc.zip", "poa_trensurb.zip"):
        shutil.copy(shared / feed, gtfs / feed)
    subprocess.run(
        [str(binary), "import-osm", str(shared / "poa_osm.pbf"), "--out", str(work / "streets")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start(binary, data, streets):
    proc = subprocess.Popen(
        [str(binary), "serve", "--data", str(data), "--streets", str(streets), "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "off"},
        text=True,
    )
    line = proc.stdout.readline()
    m = re.search(r"http://(127\.0\.0\.1):(\d+)", line)
    if not m:
        proc.kill()
        sys.exit(f"the server printed no address: {line!r}")
    return proc, m.group(1), int(m.group(2))


def origins(shared):
    with open(shared / "poa_points_of_interest.csv", newline="") as f:
        return [(r["id"], float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(ROOT / "target/release/cityreach"))
    ap.add_argument("--shared", default=str(ROOT / "../shared/cities/porto-alegre"))
    ap.add_argument("--runs", type=int, default=5, help="rounds over all origins per query (default 5)")
    ap.add_argument("--bands", default="15,30,45", help="band limits in minutes (default 15,30,45)")
    args = ap.parse_args()

    shared = Path(args.shared)
    binary = Path(args.binary)
    if not (shared / "poa_eptc.zip").exists():
        sys.exit(f"skipped: {shared} is absent")
    if not binary.exists():
        sys.exit(f"{binary} is absent: run cargo build --release first")

    work = Path(tempfile.mkdtemp(prefix="cityreach-bench-poa-"))
    proc = None
    try:
        build_folder(shared, binary, work)
        proc, host, port = start(binary, work, work / "streets")
        conn = http.client.HTTPConnection(host, port, timeout=120)
        points = origins(shared)
        window = {"depart": DEPART, "window": "60", "percentiles": "5,50,95", "percentile": "50"}
        queries = {
            "one departure": {"depart": DEPART},
            "60-min window, percentiles 5/50/95": window,
            # The same without polygons: what the band polygons cost over HTTP.
            "one departure, no polygons": {"depart": DEPART, "polygons": "false"},
            "60-min window, no polygons": {**window, "polygons": "false"},
        }

        def get(params):
            path = "/reach?" + urllib.parse.urlencode(params)
            t0 = time.perf_counter()
            conn.request("GET", path)
            res = conn.getresponse()
            body = res.read()
            dt = (time.perf_counter() - t0) * 1000
            if res.status != 200:
                sys.exit(f"{path}: HTTP {res.status}: {body[:300]!r}")
            return dt, body

        results = {}
        load0 = f"{os.getloadavg()[0]:.1f}"
        for name, extra in queries.items():
            base = {"mode": "transit", "bands": args.bands, **extra}
            for _, lon, lat in points:
                _, body = get({"from": f"{lon},{lat}", **base})
                fc = json.loads(body)
                bands = [f for f in fc["features"] if f["properties"].get("layer") == "band"]
                if extra.get("polygons") != "false" and not any(
                    f["geometry"] and f["geometry"]["coordinates"] for f in bands
                ):
                    sys.exit(f"{name}: no band polygon from {lon},{lat}")
            times, sizes = [], []
            cpu0 = server_cpu_s(proc.pid)
            for _ in range(args.runs):
                for _, lon, lat in points:
                    dt, body = get({"from": f"{lon},{lat}", **base})
                    times.append(dt)
                    sizes.append(len(body))
            results[name] = (times, sizes, (server_cpu_s(proc.pid) - cpu0) * 1000 / len(times))

        print(f"load average before / after: {load0} / {os.getloadavg()[0]:.1f}")
        print(f"Porto Alegre, both feeds, OSM streets, depart {DEPART}, bands {args.bands} min;")
        print(f"{len(points)} origins × {args.runs} rounds per query, one kept-alive connection\n")
        print("| query | requests | p50 | p90 | p99 | mean | server CPU per request | response (median) |")
        print("|---|---|---|---|---|---|---|---|")
        for name, (times, sizes, cpu) in results.items():
            print(
                f"| {name} | {len(times)} | {percentile(times, 50):.1f} ms | {percentile(times, 90):.1f} ms "
                f"| {percentile(times, 99):.1f} ms | {statistics.mean(times):.1f} ms | {cpu:.1f} ms "
                f"| {statistics.median(sizes) / 1024:.1f} KB |"
            )
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
