#!/usr/bin/env python3
"""Build geodata/zhengzhou/population.geojson: residents per district or county of Zhengzhou.

Each feature is a district outline from districts.geojson with its resident population at the
2020 (seventh) national census, the district's area and the resulting density. The people are
spread uniformly over the district's whole area (no built-up-area source was available).

The census counts Zhengzhou in fifteen coded units (the county-level table of the seventh
census, as in 河南统计年鉴-2021): the twelve administrative districts and counties, each without
the land a functional zone administers, and three functional zones (经开区 410171, 高新区 410172,
航空港区 410173). 郑东新区 has no code of its own there and is booked to 金水区. The zones'
land is legally part of the districts, so their people are put back on the outlines:

- exact: the seven units no zone is carved from (the census unit is the outline);
- 高新区 lies wholly inside 中原区, so 中原区 gets both figures (the sum, 1,508,868, is the
  总人口 the 中原区 article gives);
- 经开区 straddles 管城回族区 and 中牟县, 航空港区 新郑市 and 中牟县: no published split
  exists, so each zone's people are shared among its host districts in proportion to the
  hosts' own 2020 counts (an estimate; the sum stays exact);
- 金水区 keeps 郑东新区's people as the census books them, though some of that zone's land is
  legally 中牟县 and 管城回族区.

The fifteen figures add up to the municipal total of the census bulletin (12,600,574); the
script fails if they do not. Each feature keeps its 2010 figure for comparison.

Standard library only. Usage: python3 scripts/build_population.py
"""

import json
import os
import sys

import featlib

OUT = os.path.join(featlib.DATA, "population.geojson")

# 2020 census residents per coded unit (seventh census county table; 河南统计年鉴-2021).
CENSUS_2020 = {
    "410102": 962642,   # 中原区
    "410103": 1061263,  # 二七区
    "410104": 965618,   # 管城回族区
    "410105": 2145588,  # 金水区 (with 郑东新区)
    "410106": 197399,   # 上街区
    "410108": 555002,   # 惠济区
    "410122": 973665,   # 中牟县
    "410171": 328812,   # 郑州经济技术开发区
    "410172": 546226,   # 郑州高新技术产业开发区
    "410173": 621382,   # 郑州航空港经济综合实验区
    "410181": 785242,   # 巩义市
    "410182": 730135,   # 荥阳市
    "410183": 826031,   # 新密市
    "410184": 1172237,  # 新郑市
    "410185": 729332,   # 登封市
}
TOTAL_2020 = 12600574

# Functional zones and the districts whose land they administer.
ZONE_HOSTS = {
    "410172": ["410102"],            # 高新区: inside 中原区
    "410171": ["410104", "410122"],  # 经开区: 管城回族区, 中牟县
    "410173": ["410184", "410122"],  # 航空港区: 新郑市, 中牟县
}

CENSUS_2010 = {
    "410102": 905430,
    "410103": 712597,
    "410104": 645888,
    "410105": 1588611,
    "410106": 131540,
    "410108": 269561,
    "410122": 727389,
    "410181": 807857,
    "410182": 613761,
    "410183": 797200,
    "410184": 758079,
    "410185": 668592,
}
TOTAL_2010 = 8626505

SOURCE = (
    "2020 (seventh) national census, resident population of Zhengzhou's fifteen coded units "
    "(county table as in 河南统计年鉴-2021, transcribed in github.com/leiii/census, MIT; "
    "sum = 12,600,574 of the 郑州市第七次全国人口普查公报); outlines from districts.geojson"
)

METHOD_EXACT = "census unit equals the outline"
METHOD_GAOXIN = "中原区 plus 高新区 (546,226), which lies inside it"
METHOD_JINSHUI = "as the census books it: with 郑东新区, part of whose land is legally 中牟县 and 管城回族区"
METHOD_SHARED = (
    "own count plus an estimated share of {zones} (each zone's people shared among its host "
    "districts in proportion to their own counts; no published split)"
)


def district_figures():
    """2020 residents per outline, with how each was made."""
    pop = {k: float(v) for k, v in CENSUS_2020.items() if k in CENSUS_2010}
    zones_of = {k: [] for k in pop}
    for zone, hosts in ZONE_HOSTS.items():
        own = sum(CENSUS_2020[h] for h in hosts)
        for h in hosts:
            pop[h] += CENSUS_2020[zone] * CENSUS_2020[h] / own
            zones_of[h].append(zone)
    # Round so the outlines still add up to the census total exactly.
    rounded = {k: int(v) for k, v in pop.items()}
    short = TOTAL_2020 - sum(rounded.values())
    for k in sorted(pop, key=lambda k: pop[k] - rounded[k], reverse=True)[:short]:
        rounded[k] += 1
    names = {"410171": "经开区", "410172": "高新区", "410173": "航空港区"}
    methods = {}
    for k, zones in zones_of.items():
        if k == "410102":
            methods[k] = METHOD_GAOXIN
        elif k == "410105":
            methods[k] = METHOD_JINSHUI
        elif zones:
            methods[k] = METHOD_SHARED.format(zones=" and ".join(names[z] for z in zones))
        else:
            methods[k] = METHOD_EXACT
    return rounded, methods


def main():
    if sum(CENSUS_2020.values()) != TOTAL_2020:
        print("2020 unit figures do not add up to the census total", file=sys.stderr)
        return 1
    if sum(CENSUS_2010.values()) != TOTAL_2010:
        print("2010 district figures do not add up to the census total", file=sys.stderr)
        return 1
    pop, methods = district_figures()
    if sum(pop.values()) != TOTAL_2020:
        print("outline figures do not add up to the census total", file=sys.stderr)
        return 1
    with open(featlib.DISTRICTS, encoding="utf-8") as f:
        districts = json.load(f)
    feats = []
    for d in districts["features"]:
        p = d["properties"]
        code = p["adcode"]
        feats.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": d["geometry"],
                "properties": {
                    "adcode": code,
                    "name_zh": p["name_zh"],
                    "name_en": p["name_en"],
                    "population": pop[code],
                    "census_year": 2020,
                    "method": methods[code],
                    "estimated": methods[code] not in (METHOD_EXACT, METHOD_GAOXIN),
                    "population_2010": CENSUS_2010[code],
                    "area_km2": p["area_km2"],
                    "density_per_km2": round(pop[code] / p["area_km2"], 1),
                    "distribution": "uniform over the district's whole area",
                    "source": SOURCE,
                },
            }
        )
    with open(OUT, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","name":"zhengzhou_population","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in feats))
        f.write("\n]}\n")
    print(f"{len(feats)} districts, {sum(pop.values())} residents (2020) -> {OUT}")
    for code in sorted(pop):
        print(f"  {code} {pop[code]:>9}  {methods[code]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
