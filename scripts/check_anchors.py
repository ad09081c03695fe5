#!/usr/bin/env python3
"""Re-check every position anchored on a metro station in geodata/zhengzhou/features.geojson.

For each feature whose position method is `metro_station` the station named first in its
`anchor` must be:
  1. a station of the reference table, matched by its exact name (or the part before "·" or
     "("), never as a substring of a longer name;
  2. within the feature's `accuracy_m` of the feature;
  3. the one at that place by an independent fact: either the station's name is part of the
     feature's name or aliases (郑州文庙 at 郑州文庙 station), or PUBLISHED below records where
     a published source puts the place and which station that is.
Features with other methods whose anchor names a station are listed with their distance to it
(their anchors describe a place relative to the station, so the distance is for reading).

Exit status 1 when a check fails. Standard library only.

Usage: python3 scripts/check_anchors.py [--features PATH] [--stations CSV]
"""

import argparse
import re
import sys

import featlib

# feature id -> (station, where a published source puts the place, the source)
PUBLISHED = {
    "com-dehua-pedestrian-street": (
        "二七广场",
        "the street runs south from Erqi Square to 大同路",
        "public article on the Erqi wholesale cluster, m.46uega.cn/1953.html",
    ),
    "cul-city-god-temple": (
        "东大街·市第一人民医院",
        "商城路 No. 4, at the east end of 东大街 where 商城路 begins",
        "travel-guide listing, guides.qeeq.com",
    ),
    "com-zijingshan-road-commercial-avenue": (
        "紫荆山",
        "紫荆山路, the road line 2 runs under (stations 紫荆山, 东大街, 陇海东路)",
        "the avenue's name; line 2 station sequence of the 2026 reference table",
    ),
    "com-railway-station-business-district": (
        "郑州火车站",
        "the square of Zhengzhou railway station",
        "the district's name (火车站 = railway station)",
    ),
    "cul-erqi-red-culture-district": (
        "二七广场",
        "the Erqi Memorial Tower on Erqi Square (34.752, 113.666 as quoted in GCJ-02, about 100 m from the station in WGS-84)",
        "reference README of the shared data (Erqi Memorial Tower coordinate)",
    ),
    "ftz-xinzheng-comprehensive-bonded-zone": (
        "综合保税区",
        "the 城郊线 station named after the bonded zone",
        "station name in the 2026 reference table",
    ),
}

CJK = re.compile(r"[\u3400-\u9fff]")


def named_stations(anchor, stations):
    """Stations named in `anchor`, in order of first mention, by exact (not substring) name."""
    hits = []
    for s in stations:
        for n in s["names"]:
            for m in re.finditer(re.escape(n), anchor):
                before = anchor[m.start() - 1] if m.start() > 0 else " "
                after = anchor[m.end()] if m.end() < len(anchor) else " "
                # a longer CJK run around the match is another name (南四环 inside 南四环(郑州航空港站))
                if CJK.match(before) or CJK.match(after) or after in "(（·":
                    continue
                hits.append((m.start(), -len(n), s))
    hits.sort(key=lambda h: (h[0], h[1]))
    seen, out = set(), []
    for _, _, s in hits:
        if s["id"] not in seen:
            seen.add(s["id"])
            out.append(s)
    return out


def feature_names(p):
    return [p["name_zh"]] + list(p.get("aliases") or [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", default=featlib.FEATURES)
    ap.add_argument("--stations", default=featlib.STATIONS)
    args = ap.parse_args()
    stations = featlib.load_stations(args.stations)
    doc = featlib.read_features(args.features)
    failures, checked, listed = [], 0, 0
    for f in doc["features"]:
        p, geom = f["properties"], f["geometry"]
        pos = p["position"]
        found = named_stations(pos.get("anchor") or "", stations)
        if pos["method"] == "metro_station":
            checked += 1
            if not found:
                failures.append(f"{f['id']}: metro_station anchor names no station of the reference table")
                continue
            s = found[0]
            d = featlib.distance_to_geometry_m(geom, s["lon"], s["lat"])
            if d > pos["accuracy_m"]:
                failures.append(
                    f"{f['id']}: {s['name']} is {d:.0f} m away, more than the claimed {pos['accuracy_m']} m"
                )
            by_name = any(n in name for n in s["names"] for name in feature_names(p))
            fact = PUBLISHED.get(f["id"])
            if by_name:
                why = "station name is in the feature's name"
            elif fact and fact[0] == s["name"]:
                why = f"published: {fact[1]} ({fact[2]})"
            else:
                why = None
                failures.append(
                    f"{f['id']}: nothing independent says {s['name']} is the station at {p['name_zh']}"
                )
            print(f"ok  {f['id']:48} {s['name']:14} {d:6.0f} m  {why or 'UNVERIFIED'}")
        elif found:
            listed += 1
            s = found[0]
            d = featlib.distance_to_geometry_m(geom, s["lon"], s["lat"])
            print(f"    {f['id']:48} {s['name']:14} {d:6.0f} m  ({pos['method']}, ±{pos['accuracy_m']} m)")
    print(f"{checked} metro_station anchors checked, {listed} other anchors naming a station listed")
    if failures:
        print(f"{len(failures)} problem(s):", file=sys.stderr)
        for x in failures:
            print("  " + x, file=sys.stderr)
        return 1
    print("all metro_station anchors agree with their place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
