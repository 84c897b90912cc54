"""The population raster: its metadata and total at load, then only the windows incidents need."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.warp
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioError
from rasterio.windows import Window

from geo._crs import LONLAT
from geo.errors import LayerError
from geo.incident.grid import PopulationWindow

#: Cells added on every side so a polygon edge on a cell border still sees the whole cell.
PAD_CELLS = 1

#: The CRS of everything a pack hands out (lon/lat); `layers.pack` brings layers to it.
OUTPUT_CRS = LONLAT

__all__ = [
    "OUTPUT_CRS",
    "PAD_CELLS",
    "PopulationGrid",
    "PopulationWindow",
    "read_population",
    "read_window",
    "window_for",
]


@dataclass(frozen=True)
class PopulationGrid:
    """The population raster's metadata; pixels are read by window when needed.

    ``block`` is the file's block (tile or strip) in cells: rows, columns.
    """

    path: Path
    crs: CRS
    transform: Any
    width: int
    height: int
    nodata: float | None
    dtype: str
    total: float
    bounds_wgs84: tuple[float, float, float, float]
    tags: Mapping[str, str]
    block: tuple[int, int] = (1, 1)


def read_population(path: Path) -> PopulationGrid:
    """Read the population raster's metadata and total; refuse it without a CRS."""
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise LayerError(
                    f"layer 'population' ({path.name}): no CRS is defined; expected a raster "
                    "with a CRS"
                )
            total = 0.0
            for _, window in src.block_windows(1):
                block = src.read(1, window=window, masked=True)
                if (block < 0).any():
                    raise LayerError(
                        f"layer 'population' ({path.name}): expected non-negative persons per "
                        "cell, found negative values"
                    )
                total += float(np.ma.filled(block, 0).sum(dtype="float64"))
            west, south, east, north = rasterio.warp.transform_bounds(
                src.crs, OUTPUT_CRS, *src.bounds
            )
            return PopulationGrid(
                path=path,
                crs=CRS.from_user_input(src.crs.to_wkt()),
                transform=src.transform,
                width=src.width,
                height=src.height,
                nodata=src.nodata,
                dtype=src.dtypes[0],
                total=total,
                bounds_wgs84=(west, south, east, north),
                tags=src.tags(),
                block=(int(src.block_shapes[0][0]), int(src.block_shapes[0][1])),
            )
    except RasterioError as exc:
        raise LayerError(f"layer 'population' ({path.name}): cannot be read ({exc})") from exc


def window_for(grid: PopulationGrid, bounds: tuple[float, float, float, float]) -> Window:
    """The grid-aligned window covering ``bounds`` (raster CRS), padded and clipped to the grid.

    A window of width or height 0 means the bounds miss the raster.
    """
    transform = grid.transform
    if transform.b != 0 or transform.d != 0 or transform.a <= 0 or transform.e >= 0:
        raise LayerError(
            f"layer 'population' ({grid.path.name}): expected a north-up raster without "
            f"rotation, found transform {tuple(transform)[:6]}"
        )
    minx, miny, maxx, maxy = bounds
    col0 = math.floor((minx - transform.c) / transform.a) - PAD_CELLS
    col1 = math.ceil((maxx - transform.c) / transform.a) + PAD_CELLS
    row0 = math.floor((maxy - transform.f) / transform.e) - PAD_CELLS
    row1 = math.ceil((miny - transform.f) / transform.e) + PAD_CELLS
    col0, col1 = max(col0, 0), min(col1, grid.width)
    row0, row1 = max(row0, 0), min(row1, grid.height)
    return Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0))


def read_window(
    grid: PopulationGrid, bounds: tuple[float, float, float, float]
) -> PopulationWindow:
    """Persons per cell over ``bounds`` (in the raster's CRS), padded by one cell.

    Nodata and NaN cells hold 0 persons. Only the window is read from disk.

    Raises
    ------
    LayerError
        When the raster cannot be read or is rotated.
    """
    window = window_for(grid, bounds)
    t = grid.transform
    transform = Affine(t.a, 0.0, t.c + window.col_off * t.a, 0.0, t.e, t.f + window.row_off * t.e)
    if window.width == 0 or window.height == 0:
        empty = np.zeros((int(window.height), int(window.width)), dtype=np.float64)
        return PopulationWindow(array=empty, transform=transform, crs=grid.crs, nodata=grid.nodata)
    try:
        with rasterio.open(grid.path) as src:
            block = src.read(1, window=window, masked=True)
    except RasterioError as exc:
        raise LayerError(f"layer 'population' ({grid.path.name}): cannot be read ({exc})") from exc
    array = np.ma.filled(block.astype(np.float64), 0.0)
    array[~np.isfinite(array)] = 0.0
    return PopulationWindow(array=array, transform=transform, crs=grid.crs, nodata=grid.nodata)
