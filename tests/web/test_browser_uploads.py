"""The browser's file picker takes a zipped Shapefile in EPSG:4547 and a depth GeoTIFF.

Real Chromium (Playwright) on the live demo service: the picker posts the file to
``POST /api/v1/footprints`` and assesses what the server answers. The Shapefile is the demo
flood with its edges densified to 0.0005° and projected to EPSG:4547 by GDAL; the answer
must equal the service's answer for the same densified lon/lat GeoJSON posted by httpx.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import httpx
import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from test_browser import CJK, assert_stayed_local, open_app, run_and_wait

from layers.resources import demo_pack_dir

FLOOD = demo_pack_dir() / "footprints" / "flood_taohe.geojson"


def densified_flood() -> gpd.GeoDataFrame:
    frame = gpd.read_file(FLOOD)[["class", "geometry"]]
    return frame.set_geometry(shapely.segmentize(frame.geometry.to_numpy(), 0.0005))


def test_zipped_shapefile_in_gauss_kruger_is_assessed_as_its_lonlat_twin(
    page, live_server, tmp_path
):
    frame = densified_flood()
    frame.to_crs("EPSG:4547").to_file(tmp_path / "flood.shp", engine="pyogrio")
    with zipfile.ZipFile(tmp_path / "flood_4547.zip", "w") as archive:
        for part in tmp_path.glob("flood.*"):
            archive.write(part, part.name)
    open_app(page, live_server)
    page.select_option("#hazard", "flood")
    page.set_input_files("#footprint-file", str(tmp_path / "flood_4547.zip"))
    page.wait_for_selector("#footprint-status.ok")
    assert "已转换为经纬度" in page.locator("#footprint-status").inner_text()
    assessment = run_and_wait(page)
    twin = httpx.post(
        f"{live_server}/api/v1/assessments",
        json={"footprint": json.loads(frame.to_json()), "hazard": "flood"},
        timeout=120,
    )
    assert twin.status_code == 201, twin.text
    assert assessment["population"]["affected"] == twin.json()["population"]["affected"]
    assert assessment["population"]["by_class"] == twin.json()["population"]["by_class"]
    assert_stayed_local(page)


def depth_tif(path: Path) -> Path:
    """A 30 m depth grid in EPSG:4547 over central Yangquan: deeper to the east."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True).transform(113.57, 37.87)
    depth = np.tile(np.linspace(0.0, 2.5, 80, dtype=np.float32), (60, 1))
    profile = {
        "driver": "GTiff", "width": 80, "height": 60, "count": 1, "dtype": "float32",
        "crs": "EPSG:4547", "nodata": -9999, "transform": from_origin(x, y, 30, 30),
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(depth, 1)
    return path


def test_a_depth_raster_is_uploaded_and_assessed(page, live_server, tmp_path):
    open_app(page, live_server)
    page.select_option("#hazard", "flood")
    page.set_input_files("#footprint-file", str(depth_tif(tmp_path / "depth.tif")))
    page.wait_for_selector("#footprint-status.ok")
    assert "栅格 depth.tif（80×60 个像元" in page.locator("#footprint-status").inner_text()
    assessment = run_and_wait(page)
    raster = assessment["footprint"]["hazard_raster"]
    assert set(raster["cells_by_class"]) == {">1.5m", "0.7-1.5m", "0.1-0.7m"}
    assert raster["below_cells"] > 0
    assert assessment["population"]["affected"] > 0
    assert_stayed_local(page)


def test_a_raster_without_crs_is_refused_in_chinese(page, live_server, tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32"
    ) as dst:
        dst.write(np.ones((4, 4), dtype=np.float32), 1)
    open_app(page, live_server)
    page.set_input_files("#footprint-file", str(path))
    error = page.locator("#error")
    error.wait_for(state="visible", timeout=30_000)
    text = error.inner_text()
    assert "栅格文件没有坐标系" in text
    assert CJK.match(text)
