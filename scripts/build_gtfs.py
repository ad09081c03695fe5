#!/usr/bin/env python3
"""Build the static GTFS feed for Zhengzhou (metro + the intercity/high-speed rail links
between the city's main stations) from the metro reference tables.

Usage:
    python3 scripts/build_gtfs.py [--reference DIR] [--out DIR]

--reference defaults to ../shared/reference relative to the repository root,
--out to geodata/zhengzhou/gtfs/ inside the repository.

The feed is frequency based: every trip is a template starting at 00:00:00 and
frequencies.txt repeats it over the day. Few metro run times are published, so they are
derived from distance / average speed (dwell included in the average speed), then scaled to a
published end-to-end time where there is one (CALIBRATED): the station
distances are scaled to the line's published route length where there is one (PUBLISHED_KM),
otherwise straight-line distance x track factor. Every published figure and every assumption used is listed in the tables
below and explained in geodata/zhengzhou/SOURCES.md.

Only the Python 3 standard library is used, and the output is deterministic: re-running the
script on the same inputs reproduces the files byte for byte.
"""

import argparse
import csv
import math
import os
import re
import sys

STATIONS_CSV = "metro_zhengzhou_stations_2026_gcj02_and_wgs84.csv"
LINES_CSV = "metro_zhengzhou_lines_2026_station_sequences.csv"

# Fixed feed metadata (constants so that the output does not depend on the build date).
FEED_VERSION = "2026-11-22"
FEED_START = "20260101"
FEED_END = "20271231"
# The project has no public website yet; .invalid is the reserved non-resolving TLD.
PUBLISHER_URL = "https://cityreach.invalid"
SERVICE_ID = "daily"
DAY_START = "06:00:00"
DAY_END = "23:00:00"

TRACK_FACTOR = 1.15  # track length / straight-line length between consecutive stops
EARTH_RADIUS_M = 6371008.8

# Walking used for transfers between separate station records (same rule as the engine's
# street proxy): 4.8 km/h, detour factor 1.3, plus 60 s for stairs and gates.
WALK_SPEED_MS = 4.8 / 3.6
WALK_DETOUR = 1.3
TRANSFER_OVERHEAD_S = 60

AGENCIES = [
    ("zzmetro", "Zhengzhou Metro", "https://www.zzmetro.cn", "Asia/Shanghai", "zh"),
    ("china-railway", "China Railway", "https://www.12306.cn", "Asia/Shanghai", "zh"),
]

# Metro lines, keyed by the reference line name.
#   route_id, English long name, average speed km/h (dwell included) or None,
#   published end-to-end run time in seconds or None, headway minutes, headway basis.
# Headways: "published" = a figure published by Zhengzhou Metro (see SOURCES-transit.md),
# "assumption" = no figure found.
METRO_LINES = {
    "1号线": ("metro-1", "Line 1", 35.0, None, 6, "published"),
    "2号线": ("metro-2", "Line 2", 35.0, None, 6, "published"),
    "3号线": ("metro-3", "Line 3", 35.0, None, 8, "published"),
    "4号线": ("metro-4", "Line 4", 35.0, None, 8, "assumption"),
    "5号线": ("metro-5", "Line 5", 35.0, None, 8, "published"),
    "6号线": ("metro-6", "Line 6", 35.0, None, 10, "published"),
    "7号线": ("metro-7", "Line 7", 35.0, None, 8, "assumption"),
    "8号线": ("metro-8", "Line 8", 35.0, None, 8, "assumption"),
    "10号线": ("metro-10", "Line 10", 35.0, None, 8, "assumption"),
    "12号线": ("metro-12", "Line 12", 35.0, None, 8, "assumption"),
    "14号线": ("metro-14", "Line 14", 35.0, None, 10, "published"),
    "城郊线": ("metro-chengjiao", "Chengjiao Line", 50.0, None, 12, "published"),
    # 郑许线: design end-to-end run time 51-57 min published; the midpoint is used.
    "郑许线": ("metro-zhengxu", "Zhengxu Line", None, 54 * 60, 10, "assumption"),
}

# Published route lengths (km) of the lines that have one. The line's straight-line station
# distances are scaled to this length (instead of x TRACK_FACTOR) before the average speed is
# applied: the length is a published fact, the speed stays an assumption. Line 1: Chinese
# Wikipedia, "郑州地铁1号线" (41.2 km); the others: UrbanRail.net, Zhengzhou page.
# Line 5 is a ring: its length includes the closing segment 五一公园 -> 月季公园.
PUBLISHED_KM = {
    "1号线": 41.2,
    "2号线": 30.9,
    "3号线": 31.8,
    "4号线": 29.3,
    "5号线": 40.4,
    "10号线": 21.9,
    "12号线": 16.5,
}
RING_LINES = {"5号线"}

# Published end-to-end run times. Each line's distance-based segment times (above) are scaled
# by one factor so that the run between the two named stations (direction 0, dwell included)
# takes the published time; on a ring, from == to means one full loop including the closing
# segment. The relative spacing stays the distance model's; the sum is the published fact.
#   line: (from station, to station, seconds, source)
CALIBRATED = {
    # Railway Gazette, "Two Zhengzhou metro lines open" (2020-12-26): Line 3 from Henan
    # Sports Centre to Henan Orthopaedics Hospital, "end-to-end journey time of 48min".
    "3号线": ("省体育中心", "省骨科医院", 48 * 60, "Railway Gazette 2020-12"),
    # 郑州市人民政府 (2019-05-18, via the city's news release on the opening): "绕环线一圈，
    # 加上各站停站时间，约72分钟".
    "5号线": ("月季公园", "月季公园", 72 * 60, "Zhengzhou government 2019-05"),
}

# Railway stations, placed at the WGS-84 position of their metro station record
# (reference station_id), per the reference README.
RAIL_STOPS = [
    ("rail-zhengzhou", "郑州站", "Zhengzhou Zhan", "410100022629014"),
    ("rail-zhengzhou-east", "郑州东站", "Zhengzhou Dong Zhan", "410100022629004"),
    ("rail-zhengzhou-west", "郑州西站", "Zhengzhou Xi Zhan", "900000090721012"),
    ("rail-zhengzhou-hangkonggang", "郑州航空港站", "Zhengzhou Hangkonggang Zhan",
     "900000060882019"),
    ("rail-xinzheng-airport", "新郑机场站", "Xinzheng Jichang Zhan", "900000060882015"),
]

# Station-to-platform transfer between a railway station and its metro station (seconds).
RAIL_METRO_TRANSFER_S = {
    "rail-zhengzhou": 480,
    "rail-zhengzhou-east": 480,
    "rail-zhengzhou-west": 300,
    "rail-zhengzhou-hangkonggang": 420,
    "rail-xinzheng-airport": 300,
}

# Interchanges between different station records (reference station ids). Listed
# explicitly: stations are never matched by name.
METRO_INTERCHANGES = [
    ("410100021064018", "900000060882001"),  # 南四环(郑州航空港站) L2 / 南四环(贾河) 城郊线
    ("900000060882015", "900000169198007"),  # 新郑机场 城郊线 / 新郑机场(郑许线)
]
# The intercity station at the airport lies under the same ground transport centre as
# 城郊线 新郑机场; the 郑许线 platform is a separate record 300 m away.
EXTRA_WALK_TRANSFERS = [
    ("rail-xinzheng-airport", "900000169198007"),
]

RAIL_INTERCITY_KMH = 110.0
RAIL_HSR_KMH = 200.0
RAIL_DWELL_S = 120

# Rail routes: route_id, short name, long name, colour, list of trip patterns.
# A pattern: (pattern id, headway min, [stop ids], [segment rule per hop]).
# Segment rule: ("published", seconds) or ("speed", km/h).
RAIL_ROUTES = [
    ("rail-zhengji", "郑机城际", "Zhengzhou–Xinzheng Airport Intercity", "6A3D9A", [
        ("east", 30,
         ["rail-zhengzhou-east", "rail-xinzheng-airport", "rail-zhengzhou-hangkonggang"],
         [("published", 19 * 60), ("published", 5 * 60)]),
        ("zhengzhou", 60,
         ["rail-zhengzhou", "rail-zhengzhou-east", "rail-xinzheng-airport"],
         [("speed", RAIL_INTERCITY_KMH), ("published", 19 * 60)]),
    ]),
    ("rail-xulan", "徐兰高铁", "Xuzhou–Lanzhou HSR (Zhengzhou East–Zhengzhou West)", "1F4E9A", [
        ("main", 30, ["rail-zhengzhou-east", "rail-zhengzhou-west"],
         [("speed", RAIL_HSR_KMH)]),
    ]),
    ("rail-zhengxi-link", "郑西联络线", "Zhengzhou–Zhengzhou West (HSR connecting line)",
     "3A7DC4", [
        ("main", 60, ["rail-zhengzhou", "rail-zhengzhou-west"],
         [("speed", RAIL_INTERCITY_KMH)]),
    ]),
    ("rail-zhengyu", "郑渝/郑阜高铁", "Zhengzhou–Chongqing / Zhengzhou–Fuyang HSR "
     "(Zhengzhou East–Zhengzhou Hangkonggang)", "0F7A5A", [
        ("main", 30, ["rail-zhengzhou-east", "rail-zhengzhou-hangkonggang"],
         [("speed", RAIL_HSR_KMH)]),
    ]),
]


def haversine_m(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def run_seconds(dist_m, kmh):
    return dist_m * TRACK_FACTOR / (kmh / 3.6)


def walk_transfer_s(dist_m):
    return int(round(dist_m * WALK_DETOUR / WALK_SPEED_MS + TRANSFER_OVERHEAD_S))


def hms(total):
    return "%02d:%02d:%02d" % (total // 3600, (total % 3600) // 60, total % 60)


def slug(pinyin):
    words = re.findall(r"[A-Za-z0-9]+", pinyin)
    return "-".join(w.lower() for w in words)


def text_colour(hex_rgb):
    r, g, b = (int(hex_rgb[i:i + 2], 16) for i in (0, 2, 4))
    # Relative luminance (sRGB approximation) decides black or white text.
    return "000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 160 else "FFFFFF"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(row)


def load_stations(ref_dir):
    rows = read_csv(os.path.join(ref_dir, STATIONS_CSV))
    stations = {}
    used = {}
    for r in rows:
        base = "metro-" + slug(r["pinyin"])
        sid = base
        # Deterministic disambiguation should two records share a pinyin slug: suffix the
        # first line they serve, then the reference station id.
        if sid in used:
            sid = base + "-" + slug(r["lines"].split("|")[0].replace("号线", ""))
            if sid in used:
                sid = base + "-" + r["station_id"]
        used[sid] = r["station_id"]
        stations[r["station_id"]] = {
            "stop_id": sid,
            "name": r["name"],
            "pinyin": r["pinyin"],
            "lon": float(r["lng_wgs84"]),
            "lat": float(r["lat_wgs84"]),
            "lon_s": r["lng_wgs84"],
            "lat_s": r["lat_wgs84"],
        }
    return stations


def load_lines(ref_dir):
    rows = read_csv(os.path.join(ref_dir, LINES_CSV))
    lines = {}
    order = []
    for r in rows:
        name = r["line_name"]
        if name not in lines:
            lines[name] = {"color": r["color"].lstrip("#").upper(), "seq": []}
            order.append(name)
        lines[name]["seq"].append((int(r["seq"]), r["station_id"]))
    out = []
    for name in order:
        seq = [sid for _, sid in sorted(lines[name]["seq"])]
        # The reference repeats a station consecutively (新郑机场 on 城郊线): keep one.
        dedup = [s for i, s in enumerate(seq) if i == 0 or s != seq[i - 1]]
        out.append((name, lines[name]["color"], dedup))
    return out


def raw_segment_times(coords, kmh, total_s, track_km=None, ring=False):
    """Unrounded seconds per segment, plus the closing segment's on a ring (else 0)."""
    dists = [haversine_m(*coords[i], *coords[i + 1]) for i in range(len(coords) - 1)]
    closing = haversine_m(*coords[-1], *coords[0]) if ring else 0.0
    if track_km is not None:
        # scale the straight lines to the published length; the speed is the assumption
        factor = track_km * 1000.0 / (sum(dists) + closing)
        secs = [d * factor / (kmh / 3.6) for d in dists]
        closing_s = closing * factor / (kmh / 3.6)
    elif total_s is not None:
        total_d = sum(dists)
        secs = [total_s * d / total_d for d in dists]
        closing_s = total_s * closing / total_d
    else:
        secs = [run_seconds(d, kmh) for d in dists]
        closing_s = run_seconds(closing, kmh) if ring else 0.0
    return secs, closing_s, dists


def metro_segment_times(coords, kmh, total_s, track_km=None, ring=False, scale=1.0):
    secs, _, dists = raw_segment_times(coords, kmh, total_s, track_km, ring)
    return [max(30, int(round(s * scale))) for s in secs], dists


def calibration_factor(name, seq, stations, kmh, total_s):
    """The factor that makes the distance model take the published time (1.0 if none)."""
    if name not in CALIBRATED:
        return 1.0
    a, b, published_s, _ = CALIBRATED[name]
    names = [stations[s]["name"] for s in seq]
    if a not in names or b not in names:
        sys.exit("%s: calibration stations %s/%s not on the line" % (name, a, b))
    coords = [(stations[s]["lon"], stations[s]["lat"]) for s in seq]
    secs, closing_s, _ = raw_segment_times(coords, kmh, total_s, PUBLISHED_KM.get(name),
                                           name in RING_LINES)
    i, j = names.index(a), names.index(b)
    model = closing_s + sum(secs) if i == j else sum(secs[i:j])
    return published_s / model


def build(ref_dir, out_dir):
    stations = load_stations(ref_dir)
    lines = load_lines(ref_dir)
    missing = [n for n, _, _ in lines if n not in METRO_LINES]
    if missing or len(lines) != len(METRO_LINES):
        sys.exit("unexpected line set in reference: %s" % ", ".join(missing))

    stops = []
    for st in sorted(stations.values(), key=lambda s: s["stop_id"]):
        stops.append([st["stop_id"], st["name"], st["pinyin"], st["lat_s"], st["lon_s"], "0"])
    rail_pos = {}
    for rid, name, tts, anchor in RAIL_STOPS:
        st = stations[anchor]
        rail_pos[rid] = (st["lon"], st["lat"])
        stops.append([rid, name, tts, st["lat_s"], st["lon_s"], "0"])
    stop_ids = [s[0] for s in stops]
    if len(set(stop_ids)) != len(stop_ids):
        sys.exit("duplicate stop ids")

    routes, trips, stop_times, freqs = [], [], [], []

    def add_trip(route_id, trip_id, direction, headsign, seq_ids, arr_dep, headway_min):
        trips.append([route_id, SERVICE_ID, trip_id, headsign, str(direction)])
        for i, (sid, (arr, dep)) in enumerate(zip(seq_ids, arr_dep)):
            stop_times.append([trip_id, hms(arr), hms(dep), sid, str(i + 1)])
        freqs.append([trip_id, DAY_START, DAY_END, str(headway_min * 60), "0"])

    for name, color, seq in lines:
        route_id, long_name, kmh, total_s, headway, _ = METRO_LINES[name]
        routes.append([route_id, "zzmetro", name, long_name, "1", color, text_colour(color)])
        scale = calibration_factor(name, seq, stations, kmh, total_s)
        for direction, ids in ((0, seq), (1, list(reversed(seq)))):
            coords = [(stations[s]["lon"], stations[s]["lat"]) for s in ids]
            secs, _ = metro_segment_times(coords, kmh, total_s, PUBLISHED_KM.get(name),
                                          name in RING_LINES, scale)
            t, times = 0, [(0, 0)]
            for s in secs:
                t += s
                times.append((t, t))  # dwell is inside the average speed
            add_trip(route_id, "%s-%d" % (route_id, direction), direction,
                     stations[ids[-1]]["name"], [stations[s]["stop_id"] for s in ids],
                     times, headway)

    rail_names = {rid: name for rid, name, _, _ in RAIL_STOPS}
    for route_id, short, long_name, color, patterns in RAIL_ROUTES:
        routes.append([route_id, "china-railway", short, long_name, "2", color,
                       text_colour(color)])
        for pid, headway, seq_ids, rules in patterns:
            for direction in (0, 1):
                ids = seq_ids if direction == 0 else list(reversed(seq_ids))
                hop_rules = rules if direction == 0 else list(reversed(rules))
                t, times = 0, [(0, 0)]
                for i, rule in enumerate(hop_rules):
                    if rule[0] == "published":
                        run = rule[1]
                    else:
                        d = haversine_m(*rail_pos[ids[i]], *rail_pos[ids[i + 1]])
                        run = int(round(run_seconds(d, rule[1])))
                    t += run
                    is_last = i == len(hop_rules) - 1
                    times.append((t, t if is_last else t + RAIL_DWELL_S))
                    if not is_last:
                        t += RAIL_DWELL_S
                add_trip(route_id, "%s-%s-%d" % (route_id, pid, direction), direction,
                         rail_names[ids[-1]], ids, times, headway)

    transfers = []

    def add_pair(a, b, secs):
        transfers.append([a, b, "2", str(secs)])
        transfers.append([b, a, "2", str(secs)])

    for a, b in METRO_INTERCHANGES:
        sa, sb = stations[a], stations[b]
        d = haversine_m(sa["lon"], sa["lat"], sb["lon"], sb["lat"])
        add_pair(sa["stop_id"], sb["stop_id"], walk_transfer_s(d))
    for rid, _, _, anchor in RAIL_STOPS:
        add_pair(rid, stations[anchor]["stop_id"], RAIL_METRO_TRANSFER_S[rid])
    for rid, anchor in EXTRA_WALK_TRANSFERS:
        sb = stations[anchor]
        d = haversine_m(*rail_pos[rid], sb["lon"], sb["lat"])
        # Same walk as metro-to-metro, but never quicker than the station transfer itself.
        add_pair(rid, sb["stop_id"], max(walk_transfer_s(d), RAIL_METRO_TRANSFER_S[rid]))
    transfers.sort()

    os.makedirs(out_dir, exist_ok=True)
    write_csv(os.path.join(out_dir, "agency.txt"),
              ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
              [list(a) for a in AGENCIES])
    write_csv(os.path.join(out_dir, "stops.txt"),
              ["stop_id", "stop_name", "tts_stop_name", "stop_lat", "stop_lon",
               "location_type"], stops)
    write_csv(os.path.join(out_dir, "routes.txt"),
              ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type",
               "route_color", "route_text_color"], routes)
    write_csv(os.path.join(out_dir, "trips.txt"),
              ["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"], trips)
    write_csv(os.path.join(out_dir, "stop_times.txt"),
              ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
              stop_times)
    write_csv(os.path.join(out_dir, "frequencies.txt"),
              ["trip_id", "start_time", "end_time", "headway_secs", "exact_times"], freqs)
    write_csv(os.path.join(out_dir, "calendar.txt"),
              ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
               "saturday", "sunday", "start_date", "end_date"],
              [[SERVICE_ID, "1", "1", "1", "1", "1", "1", "1", FEED_START, FEED_END]])
    write_csv(os.path.join(out_dir, "transfers.txt"),
              ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"], transfers)
    write_csv(os.path.join(out_dir, "feed_info.txt"),
              ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date",
               "feed_end_date", "feed_version"],
              [["cityreach", PUBLISHER_URL, "zh", FEED_START, FEED_END, FEED_VERSION]])
    print("wrote %s: %d stops, %d routes, %d trips, %d stop_times, %d transfers"
          % (out_dir, len(stops), len(routes), len(trips), len(stop_times), len(transfers)))


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", default=os.path.join(repo, "..", "shared", "reference"),
                    help="directory holding the metro reference CSV files")
    ap.add_argument("--out", default=os.path.join(repo, "geodata", "zhengzhou", "gtfs"),
                    help="output directory for the GTFS text files")
    args = ap.parse_args()
    build(os.path.normpath(args.reference), os.path.normpath(args.out))


if __name__ == "__main__":
    main()
