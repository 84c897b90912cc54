"""A tiny, exact layer pack built in code, for tests of every package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box, mapping
from shapely.ops import transform

#: UTM 49N; the tiny pack's origin lies near Yangquan.
TINY_CRS = "EPSG:32649"
X0, Y0 = 700_000.0, 4_190_000.0


def lonlat_box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A box in metres from the tiny pack's origin as a lon/lat GeoJSON polygon.

    The edges are densified so that the polygon stays a box after projection.
    """
    ring = box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1).segmentize(50)
    to_lonlat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform
    return dict(mapping(transform(to_lonlat, ring)))


CELL = 1000.0


def tiny_layers() -> dict[str, Any]:
    """Two 10 km × 10 km counties side by side, three shelters, two depots, roads."""
    counties = gpd.GeoDataFrame(
        {
            "code": ["140302", "140303"],
            "name": ["西县", "东县"],
            "population": [1000, 2000],
            "agri_population": [400, None],
        },
        geometry=[
            box(X0, Y0, X0 + 10_000, Y0 + 10_000),
            box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000),
        ],
        crs=TINY_CRS,
    )
    shelters = gpd.GeoDataFrame(
        {
            "id": ["S1", "S2", "S3"],
            "name": ["一号", "二号", "三号"],
            "capacity": [100, 200, 300],
            "kind": ["emergency", "short_term", "long_term"],
        },
        geometry=[
            Point(X0 + 2_500, Y0 + 2_500),
            Point(X0 + 7_500, Y0 + 7_500),
            Point(X0 + 15_000, Y0 + 5_000),
        ],
        crs=TINY_CRS,
    )
    depots = gpd.GeoDataFrame(
        {"id": ["D1", "D2"], "name": ["市库", "县库"], "level": ["city", "county"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 19_500, Y0 + 9_500)],
        crs=TINY_CRS,
    )
    stock = pd.DataFrame(
        {
            "depot_id": ["D1", "D1", "D2"],
            "item": ["tent", "quilt", "tent"],
            "quantity": [50.0, 400.0, 20.0],
            "unit": ["顶", "床", "顶"],
        }
    )
    hazards = gpd.GeoDataFrame(
        {"id": ["H1"], "kind": ["landslide"], "risk": ["high"]},
        geometry=[box(X0 + 7_000, Y0 + 7_000, X0 + 7_300, Y0 + 7_300)],
        crs=TINY_CRS,
    )
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "secondary"], "maxspeed": [60.0, None], "oneway": [False, True]},
        geometry=[
            LineString([(X0 + 500, Y0 + 500), (X0 + 10_000, Y0 + 5_000)]),
            LineString([(X0 + 10_000, Y0 + 5_000), (X0 + 19_500, Y0 + 9_500)]),
        ],
        crs=TINY_CRS,
    )
    return {
        "counties": counties,
        "shelters": shelters,
        "depots": depots,
        "depot_stock": stock,
        "hazard_zones": hazards,
        "roads": roads,
    }


def tiny_population() -> np.ndarray:
    """20 × 10 cells of 1 km: 5 persons per cell in the west county, 10 in the east."""
    grid = np.empty((10, 20), dtype="int32")
    grid[:, :10] = 10
    grid[:, 10:] = 20
    return grid


def write_pack(
    folder: Path,
    layers: dict[str, Any] | None = None,
    population: np.ndarray | None = None,
    raster_crs: str | None = TINY_CRS,
) -> Path:
    """Write a layer pack to ``folder``; the arguments override the tiny defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "layers.gpkg"
    for name, frame in (layers or tiny_layers()).items():
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_file(gpkg, layer=name, engine="pyogrio")
        else:
            pyogrio.write_dataframe(frame, gpkg, layer=name)
    grid = tiny_population() if population is None else population
    profile = {
        "driver": "GTiff",
        "width": grid.shape[1],
        "height": grid.shape[0],
        "count": 1,
        "dtype": grid.dtype.name,
        "transform": from_origin(X0, Y0 + 10_000, CELL, CELL),
        "nodata": -1,
    }
    if raster_crs:
        profile["crs"] = raster_crs
    with rasterio.open(folder / "population.tif", "w", **profile) as dst:
        dst.write(grid, 1)
    return folder
