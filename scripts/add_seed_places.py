#!/usr/bin/env python3
"""Add the places listed in scripts/seed_places.py to geodata/zhengzhou/features.geojson.

For every row: finds the seed line that cites it (the line whose window - the line and the
next two non-blank lines, whitespace removed - holds name_zh or an alias, nearest to the
row's hint), builds the geometry (metro station, point, LineString through stations, or
district centroid), computes the district by point in polygon, and replaces any feature with
the same id. Fails, naming the row, when a citation cannot be found, a station name is not
in the reference table, or a name is already another feature's.

Standard library only. Usage: python3 scripts/add_seed_places.py [--check]
(--check: build and verify, write nothing)
"""

import argparse
import csv
import glob
import math
import os
import re
import sys

import featlib
from seed_places import PLACES

SEEDS = os.path.join(featlib.ROOT, "..", "shared", "seeds")
LINES = os.path.join(featlib.REFERENCE, "metro_zhengzhou_lines_2026_station_sequences.csv")
AS_OF = {"000": 2022, "001": 2022, "002": 2017, "003": 2018, "004": 2021}
# rows whose status comes from a later dated fact than the seed
STATUS_AS_OF = {"hub-zhengzhou-xuchang-railway": 2026}
AREA_KM2 = {"ftz-airport-smart-terminal-park": 20.0}
BOUNDS = (112.70, 34.25, 114.23, 35.00)


def strip_ws(s):
    return re.sub(r"\s", "", s)


def load_seeds():
    docs = {}
    for p in glob.glob(os.path.join(SEEDS, "*.txt")):
        name = os.path.basename(p)
        with open(p, encoding="utf-8", errors="replace") as f:
            docs[name[:3]] = (name, f.read().split("\n"))
    return docs


def window(lines, i):
    """The citation window of 0-based line i: it and the next two non-blank lines."""
    text = strip_ws(lines[i])
    n = 0
    for l in lines[i + 1:]:
        if l.strip():
            text += strip_ws(l)
            n += 1
            if n == 2:
                break
    return text


def cite(docs, prefix, hint, names):
    name, lines = docs[prefix]
    wanted = [strip_ws(n) for n in names if n]
    for d in range(0, 60):
        for i in (hint - 1 - d, hint - 1 + d):
            if 0 <= i < len(lines) and lines[i].strip():
                w = window(lines, i)
                if any(n in w for n in wanted):
                    return {"doc": name, "line": i + 1}
    raise SystemExit(f"no citation of {names[0]} near {prefix}:{hint}")


def line_stations(line_name, stations):
    by_id = {s["id"]: s for s in stations}
    seq = []
    with open(LINES, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["line_name"] == line_name:
                s = by_id[r["station_id"]]
                if not seq or seq[-1]["id"] != s["id"]:
                    seq.append(s)
    return seq


def district_centroid(adcode, districts):
    for code, _, polys in districts:
        if code == adcode:
            ring = max((p[0] for p in polys), key=len)
            lat0 = sum(p[1] for p in ring) / len(ring)
            k = math.cos(math.radians(lat0))
            a = cx = cy = 0.0
            for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                c = x1 * k * y2 - x2 * k * y1
                a += c
                cx += (x1 * k + x2 * k) * c
                cy += (y1 + y2) * c
            return [round(cx / (3 * a) / k, 5), round(cy / (3 * a), 5)]
    raise SystemExit(f"unknown district {adcode}")


def district_area(adcode):
    doc = featlib.read_features(featlib.DISTRICTS)
    for f in doc["features"]:
        if f["properties"]["adcode"] == adcode:
            return f["properties"]["area_km2"]
    raise SystemExit(f"unknown district {adcode}")


def build(row, docs, stations, districts, taken):
    (fid, kind, subkind, zh, aliases, en, pinyin, status, cites, pos, note) = row
    names = [zh] + aliases
    for n in names:
        # an enumeration the seed names several places by (登封、巩义、荥阳静脉产业园) may be shared
        if n in taken and taken[n] != fid and "、" not in n:
            raise SystemExit(f"{fid}: name {n} is already {taken[n]}'s")
    sources = []
    for prefix, hint in cites:
        s = cite(docs, prefix, hint, names)
        if s not in sources:
            sources.append(s)
    by_name = {}
    for s in stations:
        for n in s["names"]:
            by_name.setdefault(n, s)
    t = pos[0]
    district = None
    if t == "st":
        _, station, acc, anchor = pos
        if station not in by_name:
            raise SystemExit(f"{fid}: station {station} not in the reference table")
        s = by_name[station]
        geom = {"type": "Point", "coordinates": [s["lon"], s["lat"]]}
        own = any(n in name for n in s["names"] for name in names)
        method = "metro_station" if own else "estimated"
    elif t == "pt":
        _, lon, lat, method, acc, anchor = pos
        geom = {"type": "Point", "coordinates": [lon, lat]}
    elif t == "ln":
        _, coords, method, acc, anchor = pos
        if isinstance(coords, str):
            if coords == "航海东路":
                order = ["南五里堡", "城东南路", "航海广场", "七里河", "中原福塔", "福塔东", "经开中心广场"]
                seq = [by_name[n] for n in order]
            else:
                seq = [s for s in line_stations(coords, stations) if s["lat"] >= BOUNDS[1]]
            coords = [[s["lon"], s["lat"]] for s in seq]
        geom = {"type": "LineString", "coordinates": coords}
    elif t == "dc":
        _, adcode, anchor = pos
        geom = {"type": "Point", "coordinates": district_centroid(adcode, districts)}
        area = district_area(adcode)
        acc = int(math.ceil(math.sqrt(area / math.pi)) * 1000)
        method = "district_centroid"
        district = adcode
    else:
        raise SystemExit(f"{fid}: unknown position type {t}")
    if district is None and acc < 8000:
        pts = featlib.geometry_points(geom)
        mid = pts[len(pts) // 2]
        district = featlib.district_of(mid[0], mid[1], districts)
    for lon, lat in featlib.geometry_points(geom):
        if not (BOUNDS[0] <= lon <= BOUNDS[2] and BOUNDS[1] <= lat <= BOUNDS[3]):
            raise SystemExit(f"{fid}: {lon},{lat} outside the city box")
    first = sources[0]["doc"][:3]
    props = {
        "kind": kind,
        "subkind": subkind,
        "name_zh": zh,
        "name_en": en,
        "name_pinyin": pinyin,
        "aliases": aliases,
        "status": status,
        "year": None,
        "status_as_of": STATUS_AS_OF.get(fid, AS_OF[first]),
        "sources": sources,
        "position": {"method": method, "accuracy_m": acc, "anchor": anchor},
        "area_km2": AREA_KM2.get(fid),
        "district": district,
        "note": note,
    }
    return {"type": "Feature", "id": fid, "geometry": geom, "properties": props}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    doc = featlib.read_features()
    ours = {r[0] for r in PLACES}
    if len(ours) != len(PLACES):
        raise SystemExit("duplicate ids in seed_places.py")
    kept = [f for f in doc["features"] if f["id"] not in ours]
    taken = {}
    for f in kept:
        for n in [f["properties"]["name_zh"]] + f["properties"]["aliases"]:
            taken[n] = f["id"]
    docs = load_seeds()
    stations = featlib.load_stations()
    districts = featlib.load_districts()
    added = []
    for row in PLACES:
        ft = build(row, docs, stations, districts, taken)
        for n in [row[3]] + row[4]:
            taken.setdefault(n, row[0])
        added.append(ft)
    doc["features"] = kept + added
    print(f"{len(kept)} kept, {len(added)} added, {len(doc['features'])} features")
    if not args.check:
        featlib.write_features(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
