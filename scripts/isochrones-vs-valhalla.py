#!/usr/bin/env python3
"""Isochrones side by side: cityreach and Valhalla over HTTP, plus drive times against OSRM.

A benchmark, not a CI test. Needs Python >= 3.12 with the PyPI packages pyvalhalla,
osrm-bindings and shapely, e.g.

    ~/.pyenv/versions/3.12.1/bin/python -m venv /tmp/iso-venv
    /tmp/iso-venv/bin/pip install pyvalhalla osrm-bindings shapely
    cargo build --release
    /tmp/iso-venv/bin/python scripts/isochrones-vs-valhalla.py [--work DIR] [--runs 3]

What it does, all on loopback and on the same extract (../shared/osm/andorra.osm.pbf):

1. builds Valhalla tiles (valhalla_build_tiles), OSRM car data (osrm-extract, -partition,
   -customize, MLD) and cityreach street graphs (cityreach import-osm), unless already in --work;
2. writes a small cityreach data folder for Andorra whose features are the 50 fixed origins
   (../shared/osm/origins-andorra.csv), so one reach query reports drive times to all of them;
3. starts valhalla_service and `cityreach serve --streets` (one worker thread for Valhalla);
4. one sequential client, engines interleaved per request: drive 15 min, drive 5/10/15 min,
   walk 15 min from each origin, --runs times; reports p50/p90 latency, the median response
   size, GEOS validity (shapely) of every polygon, and the area of the outer band in both
   engines (ratio and IoU);
5. drive-time agreement: cityreach's times between the 50 origins against OSRM's /table.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import http.client
import urllib.parse
import urllib.error
import urllib.request
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
OSM = ROOT.parent / "shared" / "osm"
PBF = OSM / "andorra.osm.pbf"
ORIGINS = OSM / "origins-andorra.csv"
QUERIES = [("drive 15", "drive", [15]), ("drive 5/10/15", "drive", [5, 10, 15]), ("walk 15", "walk", [15])]


def sh(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def origins():
    rows = ORIGINS.read_text().splitlines()[1:]
    return [tuple(float(x) for x in r.split(",")[:2]) for r in rows if r.strip()]


def valhalla_bin():
    import valhalla

    return Path(valhalla.__file__).parent / "bin"


def osrm_bin():
    import osrm

    return Path(osrm.__file__).parent


def prepare(work: Path, cityreach: Path):
    work.mkdir(parents=True, exist_ok=True)
    vdir = work / "valhalla"
    if not (vdir / "tiles").exists():
        vdir.mkdir(exist_ok=True)
        cfg = subprocess.run(
            [sys.executable, "-m", "valhalla.valhalla_build_config", "--mjolnir-tile-dir", str(vdir / "tiles"),
             "--mjolnir-tile-extract", str(vdir / "tiles.tar"), "--mjolnir-timezone", str(vdir / "tz.sqlite"),
             "--mjolnir-admin", str(vdir / "admins.sqlite"), "--service-limits-isochrone-max-locations", "1"],
            check=True, capture_output=True, text=True).stdout
        (vdir / "config.json").write_text(cfg)
        sh([valhalla_bin() / "valhalla_build_tiles", "-c", vdir / "config.json", PBF])
    cfg = json.loads((vdir / "config.json").read_text())
    cfg["httpd"]["service"]["listen"] = "tcp://127.0.0.1:8942"
    cfg["mjolnir"]["concurrency"] = 1
    (vdir / "config-bench.json").write_text(json.dumps(cfg))

    odir = work / "osrm"
    if not (odir / "andorra.osrm.mldgr").exists():
        odir.mkdir(exist_ok=True)
        shutil.copy(PBF, odir / "andorra.osm.pbf")
        ob = osrm_bin()
        sh([ob / "bin" / "osrm-extract", "-p", ob / "share" / "profiles" / "car.lua", odir / "andorra.osm.pbf"])
        sh([ob / "bin" / "osrm-partition", odir / "andorra.osrm"])
        sh([ob / "bin" / "osrm-customize", odir / "andorra.osrm"])

    sdir = work / "streets"
    if not (sdir / "drive.graph").exists():
        sh([cityreach, "import-osm", PBF, "--out", sdir])

    # Isochrones: a city with a single feature, so answers carry little besides the bands.
    write_city(work / "city-iso", [(1.5218, 42.5063)])
    # Drive times: the 50 origins are the features, so one reach query times all of them.
    write_city(work / "city-targets", origins())
    return vdir / "config-bench.json", odir / "andorra.osrm", sdir, work / "city-iso", work / "city-targets"


def write_city(ddir: Path, points):
    """A cityreach data folder for Andorra: features at `points`, a two-stop feed."""
    g = ddir / "gtfs"
    g.mkdir(parents=True, exist_ok=True)
    (ddir / "city.toml").write_text('name = "Andorra"\nbbox = [1.40, 42.42, 1.80, 42.66]\n')
    feats = []
    for i, (lon, lat) in enumerate(points):
        fid = f"com-origin-{i:02}"
        feats.append({"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                      "properties": {"kind": "commercial", "subkind": "mall", "name_zh": fid, "name_en": fid,
                                     "name_pinyin": fid, "aliases": [], "status": "existing", "year": None,
                                     "status_as_of": 2026, "sources": [{"doc": "000_2e4118b01e10da6a.txt", "line": 1}],
                                     "position": {"method": "estimated", "accuracy_m": 100}, "area_km2": None,
                                     "district": None, "note": None}})
    (ddir / "features.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\na,Bench,https://example.org,Europe/Andorra\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "d,1,1,1,1,1,1,1,20260101,20261231\n",
        # Two stops at opposite corners of Andorra: the accepted area is the box of stops and
        # features (plus a margin), and it must hold every origin.
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\ns0,Stop 0,42.43,1.41\ns1,Stop 1,42.65,1.78\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nr0,a,R0,Route 0,3\n",
        "trips.txt": "route_id,service_id,trip_id\nr0,d,t0\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "t0,06:00:00,06:00:00,s0,1\nt0,06:05:00,06:05:00,s1,2\n",
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nt0,06:00:00,23:00:00,600\n",
        "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n",
    }
    for name, text in files.items():
        (g / name).write_text(text)


def wait_http(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


def serve(cityreach, data, streets):
    return subprocess.Popen([cityreach, "serve", "--addr", "127.0.0.1:8943", "--data", data, "--streets", streets],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})


_conns = {}


def fetch(url, body=None):
    """One request on a kept-alive connection per server (the same for both engines)."""
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    t = time.perf_counter()
    for attempt in range(2):
        conn = _conns.get(u.netloc)
        if conn is None:
            conn = _conns[u.netloc] = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        try:
            if body is None:
                conn.request("GET", path)
            else:
                conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            r = conn.getresponse()
            raw = r.read()
            if r.status != 200:
                raise SystemExit(f"{url}: HTTP {r.status}: {raw[:300]!r}")
            break
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            _conns.pop(u.netloc, None)
            if attempt:
                raise
            t = time.perf_counter()
    return (time.perf_counter() - t) * 1e3, raw


def area_km2(g):
    if g.is_empty:
        return 0.0
    c = g.centroid
    k = math.cos(math.radians(c.y))
    proj = shapely.transform(g, lambda xy: xy * [111_320.0 * k, 110_574.0])
    return proj.area / 1e6


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/cityreach-iso-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cityreach", default=str(ROOT / "target" / "release" / "cityreach"))
    ap.add_argument("--generalize", default=None, help="cityreach generalize (m) to send")
    args = ap.parse_args()
    cityreach = Path(args.cityreach)
    vcfg, osrm_data, sdir, iso_city, targets_city = prepare(Path(args.work), cityreach)

    for port in (8942, 8943):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            raise SystemExit(f"port {port} is already answering: stop that server first")
        except urllib.error.HTTPError:
            raise SystemExit(f"port {port} is already answering: stop that server first")
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
    procs = []
    try:
        procs.append(subprocess.Popen([valhalla_bin() / "valhalla_service", vcfg, "1"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(serve(cityreach, iso_city, sdir))
        wait_http("http://127.0.0.1:8942/status")
        wait_http("http://127.0.0.1:8943/conformance")
        os_ = origins()
        lat = {(q, e): [] for q, _, _ in QUERIES for e in ("valhalla", "cityreach")}
        size = {(q, e): [] for q, _, _ in QUERIES for e in ("valhalla", "cityreach")}
        invalid = {(q, e): 0 for q, _, _ in QUERIES for e in ("valhalla", "cityreach")}
        areas = {q: [] for q, _, _ in QUERIES}
        cleanup_area = {q: [] for q, _, _ in QUERIES}
        cleanup_size = {q: [] for q, _, _ in QUERIES}
        # Valhalla's contours are cumulative (everything within t minutes); the same form here.
        size_cumulative = {q: [] for q, _, _ in QUERIES}
        for run in range(args.runs):
            for i, (lon, lat_) in enumerate(os_):
                for q, mode, bands in QUERIES:
                    vbody = {"locations": [{"lat": lat_, "lon": lon}],
                             "costing": "auto" if mode == "drive" else "pedestrian",
                             "contours": [{"time": b} for b in bands], "polygons": True}
                    url = (f"http://127.0.0.1:8943/reach?from={lon},{lat_}&mode={mode}"
                           f"&bands={','.join(str(b) for b in bands)}")
                    if args.generalize is not None:
                        url += f"&generalize={args.generalize}"
                    vt, vraw = fetch("http://127.0.0.1:8942/isochrone", vbody)
                    ct, craw = fetch(url)
                    lat[(q, "valhalla")].append(vt)
                    lat[(q, "cityreach")].append(ct)
                    if run > 0:
                        continue
                    size[(q, "valhalla")].append(len(vraw))
                    size[(q, "cityreach")].append(len(craw))
                    _, rawc = fetch(url + "&band_form=cumulative")
                    size_cumulative[q].append(len(rawc))
                    vgs = [(f["properties"]["contour"], shape(f["geometry"])) for f in json.loads(vraw)["features"]]
                    cgs = [(f["properties"]["max_minutes"], shape(f["geometry"]))
                           for f in json.loads(craw)["features"] if f["properties"].get("layer") == "band"]
                    invalid[(q, "valhalla")] += sum(not g.is_valid for _, g in vgs)
                    invalid[(q, "cityreach")] += sum(not g.is_valid for _, g in cgs)
                    # The same answer ungeneralised and without denoising: what the cleanup costs.
                    _, raw0 = fetch(url.split("&generalize=")[0] + "&generalize=0&denoise=0")
                    c0 = unary_union([shape(f["geometry"]) for f in json.loads(raw0)["features"]
                                      if f["properties"].get("layer") == "band"])
                    c1 = unary_union([g for _, g in cgs])
                    if area_km2(c0) > 0:
                        cleanup_area[q].append(area_km2(c1) / area_km2(c0))
                        cleanup_size[q].append(len(craw) / len(raw0))
                    top = max(bands)
                    try:
                        v = unary_union([shapely.make_valid(g) for c, g in vgs if c == top])
                        c = unary_union([g for _, g in cgs])
                        inter = area_km2(v.intersection(c))
                        union = area_km2(v.union(c))
                        areas[q].append((area_km2(c), area_km2(v), inter / union if union else 1.0))
                    except Exception as e:  # make_valid throws on some Valhalla answers
                        print(f"origin {i} {q}: area comparison failed: {e}", file=sys.stderr)
        print("| query | Valhalla p50 | cityreach p50 | ratio | Valhalla p90 | cityreach p90 | size Valhalla (median) "
              "| size cityreach (median) | size cityreach cumulative (median) | GEOS-invalid Valhalla / cityreach | area cityreach / Valhalla (median) "
              "| IoU (median) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for q, _, _ in QUERIES:
            v, c = lat[(q, "valhalla")], lat[(q, "cityreach")]
            ratio_area = statistics.median(a[0] / a[1] for a in areas[q] if a[1] > 0) if areas[q] else float("nan")
            iou = statistics.median(a[2] for a in areas[q]) if areas[q] else float("nan")
            print(f"| {q} | {pct(v, .5):.1f} ms | {pct(c, .5):.1f} ms | {pct(v, .5) / pct(c, .5):.1f}× "
                  f"| {pct(v, .9):.1f} ms | {pct(c, .9):.1f} ms "
                  f"| {statistics.median(size[(q, 'valhalla')]) / 1024:.1f} KB "
                  f"| {statistics.median(size[(q, 'cityreach')]) / 1024:.1f} KB "
                  f"| {statistics.median(size_cumulative[q]) / 1024:.1f} KB "
                  f"| {invalid[(q, 'valhalla')]} / {invalid[(q, 'cityreach')]} of {len(size[(q, 'cityreach')])} "
                  f"| {ratio_area:.2f} | {iou:.2f} |")

        print("\n| query | area with the default cleanup / without (min, median, max) | size with / without (median) |")
        print("|---|---|---|")
        for q, _, _ in QUERIES:
            a = sorted(cleanup_area[q])
            print(f"| {q} | {a[0]:.4f}, {statistics.median(a):.4f}, {a[-1]:.4f} "
                  f"| {statistics.median(cleanup_size[q]):.2f} |")

        # Drive-time agreement with OSRM (car profile, MLD, /table).
        import osrm

        procs[1].terminate()
        procs[1].wait(timeout=10)
        _conns.pop("127.0.0.1:8943", None)
        procs[1] = serve(cityreach, targets_city, sdir)
        wait_http("http://127.0.0.1:8943/conformance")

        engine = osrm.OSRM(storage_config=str(osrm_data), algorithm="MLD", use_shared_memory=False)
        coords = [(lon, lat_) for lon, lat_ in os_]
        table = engine.Table(osrm.TableParameters(coordinates=coords, annotations=["duration"]))
        durations = [[float(table["durations"][i][j]) for j in range(len(os_))] for i in range(len(os_))]
        ratios = []
        for i, (lon, lat_) in enumerate(os_):
            _, raw = fetch(f"http://127.0.0.1:8943/reach?from={lon},{lat_}&mode=drive&minutes=180&polygons=false")
            mins = {f["properties"]["id"]: f["properties"]["minutes"] for f in json.loads(raw)["features"]
                    if f["properties"].get("layer") == "reached"}
            for j in range(len(os_)):
                d = durations[i][j]
                ours = mins.get(f"com-origin-{j:02}")
                if i != j and d and ours is not None and d > 120:
                    ratios.append(ours * 60.0 / d)
        ratios.sort()
        print(f"\ndrive time cityreach / OSRM over {len(ratios)} origin pairs (OSRM > 2 min): "
              + ", ".join(f"p{int(p * 100)} {pct(ratios, p):.2f}" for p in (0.1, 0.25, 0.5, 0.75, 0.9)))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
