#!/usr/bin/env python3
"""Build geodata/zhengzhou/districts.geojson from the DataV GeoAtlas outlines.

The DataV GeoAtlas file (adcode 410100, "full") gives the 12 districts and
counties of Zhengzhou in GCJ-02. This script converts every vertex to WGS-84
with an iterative inverse of the GCJ-02 forward transform, simplifies the rings
(Douglas-Peucker), rounds to 5 decimals and writes a GeoJSON FeatureCollection.

Self-checks (the script exits non-zero if one fails):
  * the conversion reproduces the WGS-84 columns of the reference metro
    station table to better than 2 m;
  * every output ring is closed, has >= 4 positions, is counter-clockwise
    for exteriors and has no self-intersection.

Standard library only.

Usage:
  python3 scripts/build_districts.py [--input DATAV.json] [--stations CSV]
                                     [--output geodata/zhengzhou/districts.geojson]
                                     [--tolerance 60]
"""

import argparse
import csv
import json
import math
import os
import sys

# The reference folder sits beside the repository (../shared/reference).
REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "reference")
DEFAULT_INPUT = os.path.join(REFERENCE, "admin_zhengzhou_410100_full_datav_gcj02.json")
DEFAULT_STATIONS = os.path.join(REFERENCE, "metro_zhengzhou_stations_2026_gcj02_and_wgs84.csv")
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "geodata", "zhengzhou", "districts.geojson"
)

SOURCE = (
    "DataV GeoAtlas (Alibaba DataV / AMap) 410100_full district outlines, GCJ-02; "
    "converted to WGS-84 by iterative inverse of the GCJ-02 transform, "
    "Douglas-Peucker simplified"
)

# adcode -> (name_en, name_pinyin, level)
NAMES = {
    "410102": ("Zhongyuan District", "Zhongyuan Qu", "district"),
    "410103": ("Erqi District", "Erqi Qu", "district"),
    "410104": ("Guancheng Hui District", "Guancheng Huizu Qu", "district"),
    "410105": ("Jinshui District", "Jinshui Qu", "district"),
    "410106": ("Shangjie District", "Shangjie Qu", "district"),
    "410108": ("Huiji District", "Huiji Qu", "district"),
    "410122": ("Zhongmu County", "Zhongmu Xian", "county"),
    "410181": ("Gongyi", "Gongyi Shi", "county_city"),
    "410182": ("Xingyang", "Xingyang Shi", "county_city"),
    "410183": ("Xinmi", "Xinmi Shi", "county_city"),
    "410184": ("Xinzheng", "Xinzheng Shi", "county_city"),
    "410185": ("Dengfeng", "Dengfeng Shi", "county_city"),
}

# --- GCJ-02 ----------------------------------------------------------------

# Krasovsky 1940 semi-major axis and eccentricity squared, as used by GCJ-02.
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323


def _transform_lat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _transform_lon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj(lon, lat):
    """Forward GCJ-02 transform (mainland China only; no out-of-China test needed here)."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - GCJ_EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def gcj_to_wgs(lon, lat, tol=1e-10, max_iter=30):
    """Invert the forward transform by fixed-point iteration.

    The offset varies slowly, so w <- w + (g - f(w)) converges in a few steps
    to well below a millimetre.
    """
    wlon, wlat = lon, lat
    for _ in range(max_iter):
        glon, glat = wgs_to_gcj(wlon, wlat)
        dlon, dlat = lon - glon, lat - glat
        wlon += dlon
        wlat += dlat
        if abs(dlon) < tol and abs(dlat) < tol:
            break
    return wlon, wlat


# --- geometry helpers --------------------------------------------------------

EARTH_R = 6371008.8


def haversine_m(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(h))


# WGS-84 ellipsoid for the area computation.
WGS_A = 6378137.0
WGS_F = 1 / 298.257223563
WGS_E2 = WGS_F * (2 - WGS_F)
WGS_E = math.sqrt(WGS_E2)


def _q(phi):
    s = math.sin(phi)
    return (1 - WGS_E2) * (s / (1 - WGS_E2 * s * s) - (1 / (2 * WGS_E)) * math.log((1 - WGS_E * s) / (1 + WGS_E * s)))


_QP = _q(math.pi / 2)
AUTHALIC_R = WGS_A * math.sqrt(_QP / 2)


def authalic_lat(phi):
    return math.asin(_q(phi) / _QP)


def ring_area_m2(ring):
    """Signed area on the WGS-84 ellipsoid via the authalic sphere (positive = CCW)."""
    total = 0.0
    n = len(ring)
    for i in range(n - 1):
        lon1, lat1 = ring[i]
        lon2, lat2 = ring[i + 1]
        b1 = authalic_lat(math.radians(lat1))
        b2 = authalic_lat(math.radians(lat2))
        total += math.radians(lon2 - lon1) * (2 + math.sin(b1) + math.sin(b2))
    return total * AUTHALIC_R * AUTHALIC_R / 2.0


def planar_signed_area(ring):
    s = 0.0
    for i in range(len(ring) - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        s += x1 * y2 - x2 * y1
    return s / 2.0


def to_local(ring, lat0):
    """Equirectangular metres around lat0; adequate for tolerances of tens of metres."""
    kx = math.cos(math.radians(lat0)) * math.pi * EARTH_R / 180.0
    ky = math.pi * EARTH_R / 180.0
    return [(lon * kx, lat * ky) for lon, lat in ring]


def _point_seg_dist(p, a, b):
    ax, ay = a
    bx, by = b
    px, py = p
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def dp_indices(pts, lo, hi, tol, keep):
    """Iterative Douglas-Peucker on pts[lo..hi]; marks kept indices."""
    stack = [(lo, hi)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        best, idx = -1.0, -1
        for k in range(i + 1, j):
            d = _point_seg_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, idx = d, k
        if best > tol:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))


def simplify_ring(ring, tol_m):
    """Simplify a closed ring. The ring is split at its first vertex and the vertex
    farthest from it, so both halves are open polylines for Douglas-Peucker."""
    open_ring = ring[:-1]
    n = len(open_ring)
    if n < 4:
        return ring
    lat0 = sum(p[1] for p in open_ring) / n
    pts = to_local(open_ring, lat0)
    far = max(range(n), key=lambda k: (pts[k][0] - pts[0][0]) ** 2 + (pts[k][1] - pts[0][1]) ** 2)
    keep = [False] * n
    keep[0] = keep[far] = True
    dp_indices(pts, 0, far, tol_m, keep)
    # Second half wraps around to the start.
    pts2 = pts[far:] + [pts[0]]
    keep2 = [False] * len(pts2)
    dp_indices(pts2, 0, len(pts2) - 1, tol_m, keep2)
    for k, flag in enumerate(keep2[:-1]):
        if flag:
            keep[far + k] = True
    out = [open_ring[k] for k in range(n) if keep[k]]
    out.append(out[0])
    return out


def round_ring(ring, nd=5):
    out = []
    for lon, lat in ring:
        p = [round(lon, nd), round(lat, nd)]
        if not out or out[-1] != p:
            out.append(p)
    if out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def _orient(a, b, c):
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _on_seg(a, b, p):
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_intersect(p1, p2, q1, q2):
    o1, o2 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    o3, o4 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    if o1 != o2 and o3 != o4:
        return True
    if o1 == 0 and _on_seg(p1, p2, q1):
        return True
    if o2 == 0 and _on_seg(p1, p2, q2):
        return True
    if o3 == 0 and _on_seg(q1, q2, p1):
        return True
    if o4 == 0 and _on_seg(q1, q2, p2):
        return True
    return False


def ring_problems(ring):
    """Return a list of problems; empty when the ring is valid."""
    probs = []
    if len(ring) < 4:
        probs.append("fewer than 4 positions")
    if ring[0] != ring[-1]:
        probs.append("not closed")
    segs = len(ring) - 1
    for i in range(segs):
        a, b = ring[i], ring[i + 1]
        for j in range(i + 1, segs):
            # Neighbouring segments share an endpoint by construction.
            if j == i + 1 or (i == 0 and j == segs - 1):
                continue
            if segments_intersect(a, b, ring[j], ring[j + 1]):
                probs.append("self-intersection between segments %d and %d" % (i, j))
                return probs
    return probs


# --- checks ------------------------------------------------------------------


def check_conversion(stations_csv):
    worst = 0.0
    worst_name = None
    count = 0
    with open(stations_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lon, lat = gcj_to_wgs(float(row["lng_gcj02"]), float(row["lat_gcj02"]))
            d = haversine_m(lon, lat, float(row["lng_wgs84"]), float(row["lat_wgs84"]))
            count += 1
            if d > worst:
                worst, worst_name = d, row["name"]
    return count, worst, worst_name


def build(input_path, tol_m):
    with open(input_path, encoding="utf-8") as fh:
        src = json.load(fh)
    features = []
    for f in src["features"]:
        props = f["properties"]
        adcode = str(props["adcode"])
        if adcode not in NAMES:
            raise SystemExit("unexpected adcode %s" % adcode)
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out_polys = []
        area = 0.0
        for poly in polys:
            out_rings = []
            for ri, ring in enumerate(poly):
                wgs = [list(gcj_to_wgs(lon, lat)) for lon, lat in ring]
                if wgs[0] != wgs[-1]:
                    wgs.append(list(wgs[0]))
                signed = ring_area_m2(wgs)
                area += abs(signed) if ri == 0 else -abs(signed)
                # Shrink the tolerance until the simplified, rounded ring is valid.
                tol = tol_m
                while True:
                    simp = round_ring(simplify_ring(wgs, tol))
                    if not ring_problems(simp):
                        break
                    if tol < 1:
                        raise SystemExit("cannot simplify a ring of %s validly" % adcode)
                    tol /= 2.0
                # RFC 7946: exterior counter-clockwise, holes clockwise.
                ccw = planar_signed_area(simp) > 0
                if (ri == 0) != ccw:
                    simp.reverse()
                out_rings.append(simp)
            out_polys.append(out_rings)
        name_en, pinyin, level = NAMES[adcode]
        if len(out_polys) == 1:
            out_geom = {"type": "Polygon", "coordinates": out_polys[0]}
        else:
            out_geom = {"type": "MultiPolygon", "coordinates": out_polys}
        features.append(
            {
                "type": "Feature",
                "id": "district-" + adcode,
                "geometry": out_geom,
                "properties": {
                    "adcode": adcode,
                    "name_zh": props["name"],
                    "name_en": name_en,
                    "name_pinyin": pinyin,
                    "level": level,
                    "area_km2": round(area / 1e6, 1),
                    "source": SOURCE,
                },
            }
        )
    features.sort(key=lambda ft: ft["id"])
    return features


def validate(features):
    errors = []
    for ft in features:
        g = ft["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            for ri, ring in enumerate(poly):
                for p in ring_problems(ring):
                    errors.append("%s ring %d: %s" % (ft["id"], ri, p))
                ccw = planar_signed_area(ring) > 0
                if (ri == 0) != ccw:
                    errors.append("%s ring %d: wrong orientation" % (ft["id"], ri))
                for lon, lat in ring:
                    if not (112.70 <= lon <= 114.23 and 34.25 <= lat <= 35.00):
                        errors.append("%s: vertex outside the municipality bbox" % ft["id"])
                        break
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", default=DEFAULT_INPUT)
    ap.add_argument("--stations", default=DEFAULT_STATIONS)
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--tolerance", type=float, default=60.0, help="Douglas-Peucker tolerance in metres")
    args = ap.parse_args()

    n, worst, worst_name = check_conversion(args.stations)
    print("conversion check: %d stations, max error %.3f m (%s)" % (n, worst, worst_name))
    if worst >= 2.0:
        print("conversion check failed", file=sys.stderr)
        return 1

    features = build(args.input, args.tolerance)
    errors = validate(features)
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        return 1
    if len(features) != 12:
        print("expected 12 districts, got %d" % len(features), file=sys.stderr)
        return 1

    out = os.path.normpath(args.output)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        fh.write(",\n".join(json.dumps(ft, ensure_ascii=False, separators=(",", ":")) for ft in features))
        fh.write("\n]}\n")
    total = sum(ft["properties"]["area_km2"] for ft in features)
    verts = sum(
        len(r)
        for ft in features
        for poly in (ft["geometry"]["coordinates"] if ft["geometry"]["type"] == "MultiPolygon" else [ft["geometry"]["coordinates"]])
        for r in poly
    )
    for ft in features:
        p = ft["properties"]
        print("%s %s %-24s %8.1f km2" % (ft["id"], p["name_zh"], p["name_en"], p["area_km2"]))
    print("wrote %s: %d features, %d positions, total %.1f km2" % (out, len(features), verts, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
