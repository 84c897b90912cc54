"""Export the Yangquan demo pack as the files a bureau would have, for data/sources/yangquan/.

Developer-run only (the exports are committed):
    .venv/bin/python scripts/packs/export_yangquan_sources.py [OUT]  # data/sources/yangquan/

What a bureau has, made from the demo pack (all of it synthetic except the county borders
and population figures; see data/yangquan/SOURCES.md):
- counties: a Shapefile folder in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547),
  text in GBK with a .cpg, short field names (DBF allows ten bytes);
- shelters: a CSV register with Chinese headers and kind names, lon/lat in GCJ-02 as
  clicked off an AMap map. The WGS84 → GCJ-02 shift is computed here with the published
  forward algorithm (as in eviltransform, https://github.com/googollee/eviltransform),
  written out below on its own, independently of reliefgis's geo/chinese_datums.py, so
  that rebuilding the pack tests reliefgis's inverse against it;
- depots, depot stock and housing: an Excel workbook, depot x/y in EPSG:4547 metres;
- hazard zones: GeoJSON; roads: a zipped Shapefile in lon/lat.
"""

from __future__ import annotations

import math
import shutil
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "yangquan" / "layers.gpkg"
DEFAULT_OUT = ROOT / "data" / "sources" / "yangquan"
GK = "EPSG:4547"

# --- WGS84 → GCJ-02, the published forward algorithm, written out here on its own ---
# The offset is a sum of sine terms in (lon − 105°, lat − 35°) metres-like units, turned into
# degrees on an ellipsoid of eccentricity² 0.006693421622966. eviltransform takes the WGS84
# semi-major axis (6378137 m) for it, most others Krasovsky's (6378245 m): the two differ by
# 1.7e-5 of a ≤ 700 m offset, about a centimetre.
SEMI_MAJOR = 6378137.0
ECC2 = 0.00669342162296594323


def _sines(u: float, v: float, a: float, b: float, c: float, d: float) -> float:
    """(20 sin 6πu + 20 sin 2πu + 20 sin πv + 40 sin πv/3 + a sin πv/b + c sin πv/d) · 2/3."""
    s = math.sin
    return (
        (
            20 * s(6 * math.pi * u)
            + 20 * s(2 * math.pi * u)
            + 20 * s(math.pi * v)
            + 40 * s(math.pi * v / 3)
            + a * s(math.pi * v / b)
            + c * s(math.pi * v / d)
        )
        * 2
        / 3
    )


def wgs2gcj(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 (lat, lon) of a WGS84 point inside China."""
    u, v = lon - 105.0, lat - 35.0
    north = -100 + 2 * u + 3 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * math.sqrt(abs(u))
    north += _sines(u, v, 160, 12, 320, 30)
    east = 300 + u + 2 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * math.sqrt(abs(u))
    east += _sines(u, u, 150, 12, 300, 30)
    phi = math.radians(lat)
    w = 1 - ECC2 * math.sin(phi) ** 2
    meridian = SEMI_MAJOR * (1 - ECC2) / (w * math.sqrt(w))  # radius of curvature N–S
    normal = SEMI_MAJOR / math.sqrt(w)  # radius of curvature E–W
    return (
        lat + math.degrees(north / meridian),
        lon + math.degrees(east / (normal * math.cos(phi))),
    )


# --- the exports ---
KIND_NAMES = {
    "emergency": "紧急避难场所",
    "short_term": "短期避难场所",
    "long_term": "长期避难场所",
}
COUNTY_FIELDS = {
    "code": "XZQDM",
    "name": "XZQMC",
    "population": "CZRK",
    "population_year": "RKND",
    "population_source": "RKLY",
    "area_km2": "MJ_KM2",
    "population_2010": "RK2010",
    "population_2010_source": "RK2010LY",
    "agri_population": "NYRK",
    "agri_population_source": "NYRKLY",
    "source": "LY",
}
SHELTER_HEADERS = {
    "id": "编号",
    "name": "名称",
    "capacity": "容纳人数",
    "kind": "类型",
    "county_code": "所属县区",
    "area_m2": "面积平方米",
    "source": "来源",
}


def layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO, layer=name, engine="pyogrio")


def export_counties(out: Path) -> None:
    folder = out / "counties_gbk"
    folder.mkdir()
    counties = layer("counties").to_crs(GK).rename(columns=COUNTY_FIELDS)
    counties.to_file(folder / "counties.shp", engine="pyogrio", encoding="GBK")
    cpg = folder / "counties.cpg"
    if not cpg.exists() or "GBK" not in cpg.read_text().upper():
        cpg.write_text("GBK")


def export_shelters(out: Path) -> None:
    shelters = layer("shelters")
    gcj = [wgs2gcj(p.y, p.x) for p in shelters.geometry]
    table = pd.DataFrame(shelters.drop(columns="geometry"))
    table["kind"] = table["kind"].map(KIND_NAMES)
    table = table.rename(columns=SHELTER_HEADERS)
    table["经度"] = [f"{lng:.9f}" for _, lng in gcj]
    table["纬度"] = [f"{lat:.9f}" for lat, _ in gcj]
    table.to_csv(out / "shelters_gcj02.csv", index=False, encoding="utf-8")


def export_workbook(out: Path) -> None:
    depots = layer("depots").to_crs(GK)
    sheet = pd.DataFrame(depots.drop(columns="geometry"))
    sheet["X"] = depots.geometry.x.round(3)
    sheet["Y"] = depots.geometry.y.round(3)
    stock = pyogrio.read_dataframe(DEMO, layer="depot_stock", read_geometry=False)
    housing = pyogrio.read_dataframe(DEMO, layer="housing", read_geometry=False)
    with pd.ExcelWriter(out / "depots.xlsx", engine="openpyxl") as book:
        sheet.to_excel(book, sheet_name="储备库", index=False)
        pd.DataFrame(stock).to_excel(book, sheet_name="库存", index=False)
        pd.DataFrame(housing).to_excel(book, sheet_name="住房", index=False)


def export_roads(out: Path, work: Path) -> None:
    roads = layer("roads")
    roads["oneway"] = roads["oneway"].astype(int)
    roads.to_file(work / "roads.shp", engine="pyogrio", encoding="UTF-8")
    with zipfile.ZipFile(out / "roads.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for part in sorted(work.glob("roads.*")):
            z.write(part, part.name)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    keep = out / "SOURCES.toml"
    sources = keep.read_text(encoding="utf-8") if keep.exists() else None
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if sources is not None:
        keep.write_text(sources, encoding="utf-8")
    export_counties(out)
    export_shelters(out)
    export_workbook(out)
    layer("hazard_zones").to_file(out / "hazard_zones.geojson", driver="GeoJSON")
    work = out / ".roads"
    work.mkdir()
    export_roads(out, work)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
