#!/usr/bin/env python3
"""Build geodata/zhengzhou/national.geojson: China's prefecture-level cities seen from Zhengzhou.

One Point per city (its centroid) with its 2010 census population and three travel-time readings
from Zhengzhou:
  rail_h, road_h  modelled 2024 hours, centroid to centroid, from Ma & Tang (2024) (see
                  ../shared/reference/national/README.md: shortest paths over a 0.5 km raster
                  carrying each cell's design speed; no timetables, waits or station access;
                  short links come out too long). A missing rail value means more than 2.7 h
                  (the source keeps every pair within reach of 2.5 h).
  air_h           a stated block-time model from 新郑国际机场 (CGO) to the airport nearest the
                  city's centroid: 30 min (taxi, climb, approach, taxi-in) + the great-circle
                  distance at 750 km/h. Airports are the Chinese airports with an IATA code in the
                  `airportsdata` package (MIT licence); a city with no airport within 150 km of
                  its centroid has no air reading; a city whose nearest airport is CGO itself
                  needs no flight (air_h 0). Ground access to and from the airports is not counted.
Facts only are taken from the GPL-3 files (centroids, populations, modelled hours); they are
cited in SOURCES.md.

Requires: pip install airportsdata. Usage: python3 scripts/build_national.py
"""

import csv
import json
import math
import os
import sys

import featlib

NATIONAL = os.path.join(featlib.REFERENCE, "national")
CITYINFO = os.path.join(featlib.REFERENCE, "malin84_cityinfo_GPL3.csv")
PAIRS = os.path.join(NATIONAL, "malin84_zhengzhou_prefecture_pairs_2024_GPL3.csv")
OUT = os.path.join(featlib.DATA, "national.geojson")
ORIGIN = "4101"
# Henan (41) borders Hebei, Shanxi, Shandong, Anhui, Hubei and Shaanxi.
NEIGHBOURS = {"13", "14", "37", "34", "42", "61"}
# Municipalities and provincial capitals end in 01 in the GB/T 2260 prefecture codes.
CAPITAL_SUFFIX = "01"
AIR_FIXED_MIN = 30.0
AIR_KMH = 750.0
AIRPORT_MAX_KM = 150.0


def main():
    try:
        import airportsdata
    except ImportError:
        print("needs the airportsdata package: pip install airportsdata", file=sys.stderr)
        return 1
    airports = [a for a in airportsdata.load("IATA").values() if a["country"] == "CN"]
    cgo = next(a for a in airports if a["iata"] == "CGO")
    hours = {}
    with open(PAIRS, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            # pairs are stored in either direction; other_dzcode is always the other city
            if ORIGIN not in (r["origin"], r["destination"]):
                continue
            hours.setdefault(r["other_dzcode"], {})[r["mode"]] = round(float(r["year_2024_hours"]), 3)
    feats = []
    with open(CITYINFO, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = r["dzcode"]
            lon, lat = float(r["coord_long"]), float(r["coord_lat"])
            near = min(airports, key=lambda a: featlib.haversine_m(lon, lat, a["lon"], a["lat"]))
            near_km = featlib.haversine_m(lon, lat, near["lon"], near["lat"]) / 1000
            if near_km > AIRPORT_MAX_KM:
                air_h, iata = None, None
            elif near["iata"] == "CGO":
                air_h, iata = 0.0, "CGO"
            else:
                d = featlib.haversine_m(cgo["lon"], cgo["lat"], near["lon"], near["lat"]) / 1000
                air_h = round((AIR_FIXED_MIN + d / AIR_KMH * 60) / 60, 3)
                iata = near["iata"]
            origin = code == ORIGIN
            h = hours.get(code, {})
            feats.append(
                {
                    "type": "Feature",
                    "id": code,
                    "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
                    "properties": {
                        "dzcode": code,
                        "name_zh": r["cityname_chn"],
                        "name_en": r["cityname_eng"],
                        "province": code[:2],
                        "capital": code.endswith(CAPITAL_SUFFIX),
                        "neighbour_capital": code.endswith(CAPITAL_SUFFIX) and code[:2] in NEIGHBOURS,
                        "origin": origin,
                        "population_2010": round(float(r["cpop2010"]) * 10000),
                        "rail_h": 0.0 if origin else h.get("rail_pass"),
                        "road_h": 0.0 if origin else h.get("road"),
                        "air_h": 0.0 if origin else air_h,
                        "airport": "CGO" if origin else iata,
                        "airport_km": round(near_km, 1),
                    },
                }
            )
    with open(OUT, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","name":"china_prefecture_cities_from_zhengzhou","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in feats))
        f.write("\n]}\n")
    pop = sum(x["properties"]["population_2010"] for x in feats)
    print(f"{len(feats)} cities, {pop} people (2010) -> {OUT}")
    for mode in ("rail_h", "road_h", "air_h"):
        for lim in (1.5, 2.0):
            w = [x for x in feats if x["properties"][mode] is not None and x["properties"][mode] <= lim]
            print(f"  {mode} <= {lim}: {len(w)} cities, {sum(x['properties']['population_2010'] for x in w) / pop:.1%} of people")
    return 0


if __name__ == "__main__":
    sys.exit(main())
