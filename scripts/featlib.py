"""Shared helpers for the Zhengzhou feature scripts: read and write features.geojson in its
one-feature-per-line layout, the reference metro stations, distances, point in polygon.

Standard library only.
"""

import csv
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
DATA = os.path.join(ROOT, "geodata", "zhengzhou")
FEATURES = os.path.join(DATA, "features.geojson")
DISTRICTS = os.path.join(DATA, "districts.geojson")
REFERENCE = os.path.join(ROOT, "..", "shared", "reference")
STATIONS = os.path.join(REFERENCE, "metro_zhengzhou_stations_2026_gcj02_and_wgs84.csv")


def read_features(path=FEATURES):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_features(doc, path=FEATURES):
    head = {k: v for k, v in doc.items() if k != "features"}
    lines = [json.dumps(ft, ensure_ascii=False, separators=(",", ":")) for ft in doc["features"]]
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":['
    with open(path, "w", encoding="utf-8") as f:
        f.write(opening + "\n" + ",\n".join(lines) + "\n]}\n")


def haversine_m(lon1, lat1, lon2, lat2):
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _seg_dist_m(p, a, b):
    # local equirectangular projection around p: fine at the scale of a city
    k = math.cos(math.radians(p[1]))
    ax, ay = (a[0] - p[0]) * k, a[1] - p[1]
    bx, by = (b[0] - p[0]) * k, b[1] - p[1]
    dx, dy = bx - ax, by - ay
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
    x, y = ax + t * dx, ay + t * dy
    return math.hypot(x, y) * 111195.0


def geometry_points(geom):
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return [c]
    if t == "LineString":
        return c
    if t == "Polygon":
        return c[0]
    if t == "MultiPolygon":
        return [p for poly in c for p in poly[0]]
    raise ValueError("unsupported geometry " + t)


def point_in_ring(lon, lat, ring):
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(lon, lat, poly):
    return point_in_ring(lon, lat, poly[0]) and not any(point_in_ring(lon, lat, h) for h in poly[1:])


def distance_to_geometry_m(geom, lon, lat):
    """Metres from (lon, lat) to a geometry: 0 inside a polygon, else to its nearest edge."""
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return haversine_m(lon, lat, c[0], c[1])
    polys = [c] if t == "Polygon" else c if t == "MultiPolygon" else None
    if polys is not None and any(point_in_polygon(lon, lat, p) for p in polys):
        return 0.0
    lines = [c] if t == "LineString" else [ring for p in polys for ring in p]
    return min(_seg_dist_m((lon, lat), a, b) for line in lines for a, b in zip(line, line[1:]))


def load_stations(path=STATIONS):
    """Reference metro stations: list of dicts with name, short names, lines, lon, lat (WGS-84)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = r["name"]
            short = {name}
            for sep in ("·", "(", "（"):
                if sep in name:
                    short.add(name.split(sep)[0])
            out.append(
                {
                    "id": r["station_id"],
                    "name": name,
                    "names": sorted(short, key=len, reverse=True),
                    "lines": r["lines"],
                    "lon": float(r["lng_wgs84"]),
                    "lat": float(r["lat_wgs84"]),
                }
            )
    return out


def load_districts(path=DISTRICTS):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for ft in doc["features"]:
        g = ft["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out.append((ft["properties"]["adcode"], ft["properties"]["name_zh"], polys))
    return out


def district_of(lon, lat, districts):
    for adcode, _, polys in districts:
        if any(point_in_polygon(lon, lat, p) for p in polys):
            return adcode
    return None
