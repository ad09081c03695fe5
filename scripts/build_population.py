#!/usr/bin/env python3
"""Build geodata/zhengzhou/population.geojson: residents per district or county of Zhengzhou.

Each feature is a district outline from districts.geojson with its census population, the
district's area and the resulting density. The layer says how the people are spread: uniformly
over the district's whole area (no built-up-area source was available), so a cell's residents
are density x the cell's area inside the district.

Census figures: the 2010 (sixth) national census, resident population per district and county,
as tabulated for Zhengzhou's administrative divisions (English Wikipedia, "Zhengzhou"; the twelve
figures add up to the published municipal total of 8,626,505). The 2020 (seventh) census gives
12,600,574 residents for the municipality, but Zhengzhou publishes its 2020 figures for sixteen
units that include the functional zones (郑东新区, 经开区, 高新区, 航空港区) cut out of the
administrative districts, so no 2020 figure per district outline was found; the 2020 total is
recorded on every feature for scale and is not spread.

Standard library only. Usage: python3 scripts/build_population.py
"""

import json
import os
import sys

import featlib

OUT = os.path.join(featlib.DATA, "population.geojson")
CENSUS_2010 = {
    "410102": 905430,   # 中原区
    "410103": 712597,   # 二七区
    "410104": 645888,   # 管城回族区
    "410105": 1588611,  # 金水区
    "410106": 131540,   # 上街区
    "410108": 269561,   # 惠济区
    "410122": 727389,   # 中牟县
    "410181": 807857,   # 巩义市
    "410182": 613761,   # 荥阳市
    "410183": 797200,   # 新密市
    "410184": 758079,   # 新郑市
    "410185": 668592,   # 登封市
}
TOTAL_2010 = 8626505
TOTAL_2020 = 12600574
SOURCE = (
    "2010 national census, resident population by district and county (as tabulated in English "
    "Wikipedia, 'Zhengzhou', administrative divisions; the twelve figures sum to the census total "
    "8,626,505); outlines from districts.geojson"
)


def main():
    if sum(CENSUS_2010.values()) != TOTAL_2010:
        print("district figures do not add up to the census total", file=sys.stderr)
        return 1
    with open(featlib.DISTRICTS, encoding="utf-8") as f:
        districts = json.load(f)
    feats = []
    for d in districts["features"]:
        p = d["properties"]
        pop = CENSUS_2010[p["adcode"]]
        feats.append(
            {
                "type": "Feature",
                "id": p["adcode"],
                "geometry": d["geometry"],
                "properties": {
                    "adcode": p["adcode"],
                    "name_zh": p["name_zh"],
                    "name_en": p["name_en"],
                    "population": pop,
                    "census_year": 2010,
                    "area_km2": p["area_km2"],
                    "density_per_km2": round(pop / p["area_km2"], 1),
                    "distribution": "uniform over the district's whole area",
                    "municipal_total_2020": TOTAL_2020,
                    "source": SOURCE,
                },
            }
        )
    doc = {"type": "FeatureCollection", "name": "zhengzhou_population", "features": feats}
    with open(OUT, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","name":"zhengzhou_population","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in feats))
        f.write("\n]}\n")
    print(f"{len(feats)} districts, {sum(CENSUS_2010.values())} residents (2010) -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
