"""A small flood as every file a bureau may hold: lon/lat GeoJSON, Shapefile, KML, GeoTIFF.

The area is a block of depth cells 0.005° square in lon/lat over the tiny pack; the lon/lat
GeoJSON is drawn from the cells' corners with shapely, and the other files are written from
it with GDAL (pyogrio, rasterio), the Shapefile in EPSG:4547 (Gauss-Krüger zone of 114°E).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from packs import TINY_CRS, X0, Y0
from pyproj import Transformer
from rasterio.transform import from_origin

STEP = 0.005
#: Depth per cell (m): below every class (0.05), each band, and a nodata cell (-9999).
DEPTHS = np.array(
    [
        [0.05, 0.3, 0.3, 1.0, 1.0, 2.0, 2.0, 0.05],
        [0.3, 0.3, 1.0, 1.0, 2.0, 2.0, 1.0, 0.3],
        [0.3, 1.0, -9999, 2.0, 2.0, 1.0, 0.3, 0.3],
        [0.05, 0.3, 1.0, 2.0, 1.0, 0.3, 0.3, 0.05],
        [0.05, 0.05, 0.3, 1.0, 0.3, 0.3, 0.05, 0.05],
    ],
    dtype=np.float32,
)
BANDS = {">1.5m": (1.5, np.inf), "0.7-1.5m": (0.7, 1.5), "0.1-0.7m": (0.1, 0.7)}


def origin() -> tuple[float, float]:
    """North-west corner of the depth grid: straddling the tiny pack's county border."""
    lon, lat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform(
        X0 + 8_000, Y0 + 8_000
    )
    return round(lon, 3), round(lat, 3)


def lonlat_features() -> gpd.GeoDataFrame:
    """The depth cells of each class as one lon/lat polygon per class, edges densified."""
    west, north = origin()
    rows, cols = DEPTHS.shape
    names, geoms = [], []
    for name, (low, high) in BANDS.items():
        cells = [
            shapely.box(
                west + c * STEP, north - (r + 1) * STEP, west + (c + 1) * STEP, north - r * STEP
            )
            for r in range(rows)
            for c in range(cols)
            if low < DEPTHS[r, c] <= high
        ]
        names.append(name)
        geoms.append(shapely.segmentize(shapely.union_all(cells), STEP / 10))
    return gpd.GeoDataFrame({"class": names}, geometry=geoms, crs="EPSG:4326")


def write_files(folder: Path) -> dict[str, Path]:
    frame = lonlat_features()
    frame.to_crs("EPSG:4547").to_file(folder / "flood.shp", engine="pyogrio")
    with zipfile.ZipFile(folder / "flood_4547.zip", "w") as archive:
        for part in folder.glob("flood.*"):
            archive.write(part, part.name)
    frame.to_file(folder / "flood.kml", driver="LIBKML", engine="pyogrio")
    west, north = origin()
    profile = {
        "driver": "GTiff", "width": DEPTHS.shape[1], "height": DEPTHS.shape[0], "count": 1,
        "dtype": "float32", "crs": "EPSG:4326", "nodata": -9999,
        "transform": from_origin(west, north, STEP, STEP),
    }  # fmt: skip
    with rasterio.open(folder / "depth.tif", "w", **profile) as dst:
        dst.write(DEPTHS, 1)
    return {
        "shp": folder / "flood_4547.zip",
        "kml": folder / "flood.kml",
        "tif": folder / "depth.tif",
    }


def write_tif(path: Path, values: np.ndarray, crs: str | None) -> Path:
    west, north = origin()
    profile = {
        "driver": "GTiff", "width": values.shape[1], "height": values.shape[0], "count": 1,
        "dtype": "float32", "transform": from_origin(west, north, STEP, STEP),
    }  # fmt: skip
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values.astype(np.float32), 1)
    return path
