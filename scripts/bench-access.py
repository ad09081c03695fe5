"""City-wide accessibility against the same work done as single reach queries, in one run.

Zhengzhou, a 250 m grid over the metro area (bbox 113.45,34.55,113.95,34.95: 32,574 cells),
transit, every catalog feature as an opportunity, cutoffs 15/30/45 min, existing and plan-2025
compared. The same origins and scenarios are then asked of `serve` as single `GET /reach`
queries without polygons (one sequential keep-alive client), and the ratio is printed.

Usage: python3 scripts/bench-access.py [--sample N]   (release build first: cargo build --release)
--sample N sends N of the single queries (every k-th origin) and scales the time to all of them.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "cityreach")
BBOX = "113.45,34.55,113.95,34.95"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=0)
    a = ap.parse_args()

    csv_path = "/tmp/cityreach-bench-access.csv"
    args = [BIN, "access", "--opportunities", "all", "--cutoff", "15,30,45",
            "--compare", "plan-2025", "--bbox", BBOX, "--out", csv_path]
    t0 = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    access_s = time.perf_counter() - t0
    lines = open(csv_path).read().splitlines()
    origins = [l.split(",")[1:3] for l in lines[1:]]
    print(out.splitlines()[1])
    print(f"access (whole command, load included): {access_s:.2f} s for {len(origins)} origins x 2 scenarios")

    srv = subprocess.Popen([BIN, "serve", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "off"})
    try:
        line = srv.stdout.readline()
        addr = line.split("at http://")[1].split("/")[0]
        host, port = addr.split(":")
        conn = http.client.HTTPConnection(host, int(port))
        step = max(1, len(origins) // a.sample) if a.sample else 1
        picked = origins[::step]
        t0 = time.perf_counter()
        n = 0
        for lon, lat in picked:
            for scen in ("existing", "plan-2025"):
                q = urllib.parse.urlencode({"from": f"{lon},{lat}", "minutes": 45, "bands": "15,30,45",
                                            "scenario": scen, "polygons": "false"})
                conn.request("GET", f"/reach?{q}")
                r = conn.getresponse()
                body = r.read()
                if r.status != 200:
                    sys.exit(f"/reach {lon},{lat}: {r.status} {body[:200]}")
                n += 1
        single_s = (time.perf_counter() - t0) * len(origins) / len(picked)
    finally:
        srv.kill()
    note = f" (measured on {len(picked)} origins, scaled)" if step > 1 else ""
    print(f"single /reach calls: {single_s:.2f} s for {2 * len(origins)} queries{note}")
    print(f"ratio: access is {single_s / access_s:.1f}x faster than single /reach calls")


if __name__ == "__main__":
    main()
