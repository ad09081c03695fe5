"""Per-shard time and memory of sharded accessibility runs, and the Dask speed-up from 1 to 2
workers, for the projection in ARCHITECTURE.md.

Zhengzhou (the whole municipality: its 12 districts), transit, all catalog features as
opportunities, cutoffs 15/30/45 min, existing compared with plan-2025, at 250 m and 100 m cells.
For each cell size: one shard of 8 run alone (wall and CPU seconds, peak memory), then the whole
run through the Dask driver on a LocalCluster of 1 and of 2 workers.

Usage: cargo build --release && python3 scripts/bench-shards.py
"""

import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "cityreach")
ARGS = ["--opportunities", "all", "--cutoff", "15,30,45", "--compare", "plan-2025"]


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for cell in ("250", "100"):
            args = ARGS + ["--cell", cell]
            wall, cpu, rss, out = timed([BIN, "access", *args, "--shard", "1/8",
                                         "--out", os.path.join(tmp, "p.json")])
            size = os.path.getsize(os.path.join(tmp, "p.json")) / 1e6
            print(f"cell {cell} m, shard 1/8: {out.strip()}")
            print(f"  wall {wall:.2f} s, CPU {cpu:.2f} s, peak memory {rss:.0f} MB (largest child so far), part {size:.1f} MB")
            for workers in (1, 2):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "cityreach_dask", "--local", str(workers),
                                "--shards", "8", "--binary", BIN, "--", *args,
                                "--out", os.path.join(tmp, f"m{workers}.tif")],
                               check=True, capture_output=True,
                               env={**os.environ, "PYTHONPATH": os.path.join(ROOT, "python")})
                print(f"  Dask LocalCluster, {workers} worker(s), 8 shards: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
