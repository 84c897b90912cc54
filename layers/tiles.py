"""Rasters as XYZ PNG tiles (Web Mercator), rendered with rio-tiler: population and hazard.

Each tile is read through rio-tiler's `Reader` (a GDAL warped read of only the tile's
window), coloured by classes and kept in a per-process LRU cache: neither the pack nor an
uploaded raster changes while serving. The population grid is coloured by persons per km²,
nodata and cells of 0 persons transparent; a hazard raster (flood depth, intensity) by the
profile's class bounds, cells below every class and nodata transparent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from rasterio.errors import RasterioError

from geo.errors import InputError, LayerError, NotFound
from layers.population import PopulationGrid

#: Zoom levels served (the browser's basemap stops at 18 too).
MIN_ZOOM, MAX_ZOOM = 0, 18
TILE_SIZE = 256
#: Tiles kept per process (a tile is a few kB; 2048 tiles stay well under 50 MB).
CACHE_TILES = 2048
#: Kilometres per degree of latitude (a sphere of the WGS84 mean radius), for lon/lat rasters.
KM_PER_DEGREE = 111.195
#: A class starting at 0 persons starts just above it: empty cells stay transparent.
ABOVE_ZERO = 1e-9

#: One class: (lower, upper or None, "#rrggbb"), in persons per km².
DensityClass = tuple[float, float | None, str]
Interval = tuple[tuple[float, float], tuple[int, int, int, int]]


def cell_area_km2(grid: PopulationGrid) -> float:
    """The area of one raster cell in km² (lon/lat rasters: at the raster's middle latitude)."""
    cell = abs(float(grid.transform.a) * float(grid.transform.e))
    if grid.crs.is_geographic:
        south, north = grid.bounds_wgs84[1], grid.bounds_wgs84[3]
        middle = math.radians((south + north) / 2)
        return cell * KM_PER_DEGREE**2 * math.cos(middle)
    factor = float(grid.crs.axis_info[0].unit_conversion_factor)
    return cell * factor**2 / 1e6


def _rgba(color: str, alpha: int) -> tuple[int, int, int, int]:
    text = color.lstrip("#")
    red, green, blue = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return (red, green, blue, alpha)


def cell_intervals(
    classes: Sequence[DensityClass], *, cell_km2: float, alpha: int
) -> list[Interval]:
    """The density classes as rio-tiler intervals of persons per cell ([lower, upper))."""
    intervals: list[Interval] = []
    for low, high, color in classes:
        lower = max(low * cell_km2, ABOVE_ZERO)
        upper = math.inf if high is None else high * cell_km2
        intervals.append(((lower, upper), _rgba(color, alpha)))
    return intervals


def check_tile(z: int, x: int, y: int) -> None:
    """Refuse a tile address outside the XYZ grid: `InputError` for z, `NotFound` for x, y."""
    if not MIN_ZOOM <= z <= MAX_ZOOM:
        raise InputError(f"z: expected a zoom from {MIN_ZOOM} to {MAX_ZOOM}, got {z}", field="z")
    side = 2**z
    if not (0 <= x < side and 0 <= y < side):
        raise NotFound(f"tile {z}/{x}/{y}: x and y run from 0 to {side - 1} at zoom {z}")


def bound_intervals(classes: Sequence[DensityClass], *, alpha: int) -> list[Interval]:
    """Hazard classes ``min < v <= max`` (InaSAFE's rule) as rio-tiler's ``[lower, upper)``.

    Each bound moves to the next float above it, so a value equal to a class's upper bound
    falls in that class, as the assessment counts it.
    """
    intervals: list[Interval] = []
    for low, high, color in classes:
        upper = math.inf if high is None else math.nextafter(high, math.inf)
        intervals.append(((math.nextafter(low, math.inf), upper), _rgba(color, alpha)))
    return intervals


class RasterTiles:
    """PNG tiles of one raster file coloured by value intervals, cached per process."""

    def __init__(self, path: Path, intervals: list[Interval], *, what: str) -> None:
        self.path = path
        self.intervals = intervals
        self.what = what
        self.png = lru_cache(maxsize=CACHE_TILES)(self._render)

    def _render(self, z: int, x: int, y: int) -> bytes:
        """Tile z/x/y as PNG bytes; `NotFound` where the raster does not reach."""
        check_tile(z, x, y)
        # start-up: rio-tiler takes seconds to import; it loads with the first tile instead
        from rio_tiler.errors import NoOverviewWarning, TileOutsideBounds  # noqa: PLC0415
        from rio_tiler.io import Reader  # noqa: PLC0415

        try:
            with warnings.catch_warnings():
                # A pack's raster need not carry overviews; low zooms read decimated instead.
                warnings.simplefilter("ignore", NoOverviewWarning)
                with Reader(str(self.path)) as src:
                    image = src.tile(x, y, z, tilesize=TILE_SIZE, resampling_method="nearest")
        except TileOutsideBounds as exc:
            raise NotFound(f"tile {z}/{x}/{y}: the {self.what} does not reach it") from exc
        except RasterioError as exc:
            message = f"{self.what}: tile {z}/{x}/{y} cannot be read ({exc})"
            raise LayerError(message) from exc
        data: bytes = image.render(img_format="PNG", colormap=self.intervals)
        return data


class PopulationTiles(RasterTiles):
    """PNG tiles of the pack's population raster, by persons per km²."""

    def __init__(
        self, grid: PopulationGrid, classes: Sequence[DensityClass], *, alpha: int
    ) -> None:
        intervals = cell_intervals(classes, cell_km2=cell_area_km2(grid), alpha=alpha)
        super().__init__(grid.path, intervals, what="population raster")
