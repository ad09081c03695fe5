"""Andorra 100 × 100 drive matrix: cityreach `matrix` against OSRM's contraction-hierarchy
`/table` (PyPI osrm-bindings, car profile), side by side in one run.

Points: the 50 fixed origins of ../shared/osm/origins-andorra.csv, plus 50 fixed points made
from them: the midpoint of origin i and origin i+1 (i = 0..49, the last with the first), snapped
to the nearest road by OSRM's `nearest` (so both engines start on a road). Both engines get the
same 100 coordinates as origins and as destinations.

Prints the wall time of each (cityreach: the whole `matrix` command, process start and graph
load included, best of 3; OSRM: `Table` in process on loaded data, best of 3), the speed ratio,
and the agreement of the times (median absolute difference, ratio percentiles).

Usage: /work/venv-iso/bin/python scripts/bench-matrix-vs-osrm.py [--work DIR]
(release build first: cargo build --release)
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OSM = ROOT.parent / "shared" / "osm"
PBF = OSM / "andorra.osm.pbf"
ORIGINS = OSM / "origins-andorra.csv"
BIN = ROOT / "target" / "release" / "cityreach"


def sh(cmd):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pct(v, p):
    return v[min(len(v) - 1, int(p * len(v)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/cityreach-matrix-osrm")
    work = Path(ap.parse_args().work)
    work.mkdir(parents=True, exist_ok=True)
    import osrm

    ob = Path(osrm.__file__).parent
    odir = work / "osrm"
    if not (odir / "andorra.osrm.hsgr").exists():
        odir.mkdir(exist_ok=True)
        shutil.copy(PBF, odir / "andorra.osm.pbf")
        sh([ob / "bin" / "osrm-extract", "-p", ob / "share" / "profiles" / "car.lua", odir / "andorra.osm.pbf"])
        sh([ob / "bin" / "osrm-contract", odir / "andorra.osrm"])
    sdir = work / "streets"
    if not (sdir / "drive.graph").exists():
        sh([BIN, "import-osm", PBF, "--out", sdir])

    engine = osrm.OSRM(storage_config=str(odir / "andorra.osrm"), algorithm="CH", use_shared_memory=False)
    base = [tuple(float(x) for x in r.split(",")[:2]) for r in ORIGINS.read_text().splitlines()[1:] if r.strip()]
    extra = []
    for i in range(len(base)):
        a, b = base[i], base[(i + 1) % len(base)]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        near = engine.Nearest(osrm.NearestParameters(coordinates=[mid]))
        extra.append(tuple(float(x) for x in near["waypoints"][0]["location"]))
    points = base + extra
    csv = work / "points.csv"
    csv.write_text("id,lon,lat\n" + "".join(f"p{i:03},{lon:.7f},{lat:.7f}\n" for i, (lon, lat) in enumerate(points)))

    args = [BIN, "matrix", "--streets", sdir, "--origins", csv, "--destinations", csv,
            "--mode", "drive", "--max-minutes", "180", "--format", "csv"]
    ours_s, out = [], ""
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout
        ours_s.append(time.perf_counter() - t0)
    # The same command for one pair: process start, graph load and snapping index, no matrix.
    one = work / "one.csv"
    one.write_text("id,lon,lat\n" + csv.read_text().splitlines()[1] + "\n")
    fixed_s = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([str(a) for a in args[:5] + [one, "--destinations", one] + args[8:]], check=True,
                       capture_output=True)
        fixed_s.append(time.perf_counter() - t0)
    ours = {}
    for line in out.splitlines()[1:]:
        o, d, m = line.split(",")
        ours[(o, d)] = float(m) * 60.0 if m else None

    params = osrm.TableParameters(coordinates=points, annotations=["duration"])
    osrm_s, table = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        table = engine.Table(params)
        osrm_s.append(time.perf_counter() - t0)
    n = len(points)
    diffs, ratios, missing = [], [], 0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            theirs = table["durations"][i][j]
            mine = ours.get((f"p{i:03}", f"p{j:03}"))
            if theirs is None or mine is None:
                missing += 1
                continue
            theirs = float(theirs)
            diffs.append(abs(mine - theirs))
            if theirs > 120:
                ratios.append(mine / theirs)
    diffs.sort()
    ratios.sort()
    print(f"{n} x {n} drive matrix, Andorra ({n * (n - 1)} pairs off the diagonal, {missing} without a time on one side)")
    print(f"cityreach matrix (whole command, best of 3): {min(ours_s):.3f} s  runs {', '.join(f'{x:.3f}' for x in ours_s)}")
    print(f"OSRM CH Table in process (best of 3): {min(osrm_s):.3f} s  runs {', '.join(f'{x:.3f}' for x in osrm_s)}")
    engine_s = min(ours_s) - min(fixed_s)
    print(f"cityreach 1 x 1 (start, load, snap; best of 3): {min(fixed_s):.3f} s, so the matrix itself ~{engine_s:.3f} s")
    print(f"ratio cityreach / OSRM: whole command {min(ours_s) / min(osrm_s):.1f}, matrix alone {engine_s / min(osrm_s):.1f}")
    print(f"|cityreach - OSRM| seconds: median {statistics.median(diffs):.0f}, p90 {pct(diffs, 0.9):.0f}")
    print("time ratio cityreach / OSRM (OSRM > 2 min): "
          + ", ".join(f"p{int(p * 100)} {pct(ratios, p):.2f}" for p in (0.1, 0.5, 0.9)))


if __name__ == "__main__":
    main()
