"""A current GDAL (the pyogrio wheel) reads every collection of a running cityreach service.

Usage: python3 pyogrio_reads.py BASE_URL EXPECTED_JSON

EXPECTED_JSON maps collection id -> numberMatched, as the service reports it. Every layer must be
listed and read in full (feature count equal to numberMatched); every layer read in EPSG:3857
(GDAL sends crs=...EPSG/0/3857) must match the CRS84 read, transformed here with the spherical
mercator formula, within 1 m (feature bounds, so polygons and lines count too). Prints one
summary line and exits non-zero on the first mismatch.
"""

import json
import math
import struct
import sys

import pyogrio

R = 6378137.0


def mercator(lon, lat):
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def wkb_bounds(wkb):
    """(minx, miny, maxx, maxy) of an ISO or extended WKB geometry of any simple type."""
    xs, ys = [], []

    def geom(off):
        order = "<" if wkb[off] == 1 else ">"
        (t,) = struct.unpack_from(order + "I", wkb, off + 1)
        off += 5
        if t & 0x20000000:  # EWKB SRID flag
            off += 4
        # ISO WKB adds 1000 (Z), 2000 (M) or 3000 (ZM) to the type; EWKB sets high flag bits.
        iso, base = divmod(t & 0x0FFFFFFF, 1000)
        dims = 2 + {0: 0, 1: 1, 2: 1, 3: 2}.get(iso, 0)
        dims += bool(t & 0x80000000) + bool(t & 0x40000000)
        step = 8 * dims

        def points(off, count):
            for _ in range(count):
                x, y = struct.unpack_from(order + "dd", wkb, off)
                xs.append(x)
                ys.append(y)
                off += step
            return off

        if base == 1:
            return points(off, 1)
        if base == 2:
            (n,) = struct.unpack_from(order + "I", wkb, off)
            return points(off + 4, n)
        if base == 3:
            (rings,) = struct.unpack_from(order + "I", wkb, off)
            off += 4
            for _ in range(rings):
                (n,) = struct.unpack_from(order + "I", wkb, off)
                off = points(off + 4, n)
            return off
        if base in (4, 5, 6, 7):
            (parts,) = struct.unpack_from(order + "I", wkb, off)
            off += 4
            for _ in range(parts):
                off = geom(off)
            return off
        raise ValueError(f"WKB type {t}")

    geom(0)
    return min(xs), min(ys), max(xs), max(ys)


def read(url, layer, **open_options):
    _, _, geoms, _ = pyogrio.raw.read(url, layer=layer, **open_options)
    if any(g is None for g in geoms):
        sys.exit(f"{layer}: a feature came without geometry")
    return [wkb_bounds(g) for g in geoms]


def main():
    base, expected = sys.argv[1], json.loads(sys.argv[2])
    url = f"OAPIF:{base}"
    layers = {name for name, _ in pyogrio.list_layers(url)}
    missing = set(expected) - layers
    if missing:
        sys.exit(f"layers missing from GDAL {pyogrio.__gdal_version_string__}: {sorted(missing)}")
    total = 0
    for layer, n in sorted(expected.items()):
        bounds = read(url, layer)
        if len(bounds) != n:
            sys.exit(f"{layer}: GDAL read {len(bounds)} features, the service matched {n}")
        # The same layer requested in web mercator: GDAL sends crs=…/EPSG/0/3857, the server
        # transforms, GDAL reads.
        bounds_m = read(url, layer, CRS="EPSG:3857")
        if len(bounds_m) != n:
            sys.exit(f"{layer} in EPSG:3857: GDAL read {len(bounds_m)} features, expected {n}")
        worst = 0.0
        for b, m in zip(bounds, bounds_m):
            x0, y0 = mercator(b[0], b[1])
            x1, y1 = mercator(b[2], b[3])
            d = max(abs(x0 - m[0]), abs(y0 - m[1]), abs(x1 - m[2]), abs(y1 - m[3]))
            worst = max(worst, d)
        if worst > 1.0:
            sys.exit(f"{layer}: EPSG:3857 read differs from the CRS84 read by {worst:.3f} m")
        total += n
    print(
        f"GDAL {pyogrio.__gdal_version_string__} (pyogrio {pyogrio.__version__}): "
        f"{len(expected)} layers, {total} features, CRS84 and EPSG:3857 agree within 1 m"
    )


if __name__ == "__main__":
    main()
