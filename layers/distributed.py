"""Exposure on a Dask cluster: each task reads one raster tile by window and counts it.

For a national grid or many simultaneous incidents, the exposure step runs on an
existing distributed engine (Dask distributed), not a scheduler of our own. The driver
splits the footprint's pieces by county (`geo.incident.county_split.split_zones`) and the window
they need into tiles of whole cells (`geo.incident.tiling.grid_tiles`); each task opens the
raster, reads ITS window only, clips the zones to the tile's box
(`geo.incident.tiling.clip_to_tile`) and measures them with exactextract
(`geo.incident.grid.measure`). Tiles never share a cell, so the per-tile sums add up to the
single-process sums, partial cells included; the driver adds them in tile order and
applies the same largest-remainder rounding (`geo.incident.exposure.exposure_of`).

`distributed_exposure` is the one public function (with `client_for`, the client of a
scheduler address, one per process); the rest is how it does its work.
The client is given by the caller: ``Client(LocalCluster(...))`` on one machine, or
``Client("tcp://scheduler:8786")`` on a cluster whose workers can read the raster path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioError
from rasterio.windows import Window

from geo.errors import LayerError
from geo.incident.county_split import split_zones
from geo.incident.displacement import DisplacementProfile
from geo.incident.exposure import Exposure, exposure_of
from geo.incident.grid import Parts, PopulationWindow, measure
from geo.incident.tiling import Tile, clip_to_tile, grid_tiles
from layers.population import PopulationGrid, window_for

if TYPE_CHECKING:
    from distributed import Client

#: How long a client waits for the scheduler before the request fails.
CONNECT_TIMEOUT_S = 10
#: Cells per tile side: 1024² cells (≈ 8 MB of float64) per task.
TILE_CELLS = 1024


@lru_cache(maxsize=4)
def client_for(address: str) -> Client:
    """A client of the Dask scheduler at ``address`` (``tcp://host:8786``), one per process.

    Raises
    ------
    LayerError
        When the ``distributed`` package is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client  # noqa: PLC0415 - optional: the distributed extra
    except ImportError as exc:  # pragma: no cover - installed with the distributed extra
        raise LayerError(
            "a Dask scheduler is configured but the distributed package is not installed "
            "(pip install 'reliefgis[distributed]')"
        ) from exc
    try:
        return Client(  # type: ignore[no-untyped-call]
            address, timeout=CONNECT_TIMEOUT_S, set_as_default=False
        )
    except (OSError, TimeoutError) as exc:
        raise LayerError(f"Dask scheduler {address}: cannot be reached ({exc})") from exc


@dataclass(frozen=True)
class _TileJob:
    """What one task needs: the raster, its tile, and the zones that reach into it (WKB)."""

    path: Path
    crs_wkt: str
    raster: tuple[float, ...]
    tile: Tile
    zones: npt.NDArray[np.intp]
    wkb: tuple[bytes, ...]


@dataclass(frozen=True)
class _TileResult:
    """A tile's persons per zone (exact sums) and its cell parts (zone numbers global)."""

    sums: npt.NDArray[np.float64]
    parts: Parts


def _read_tile(path: Path, tile: Tile, raster: Affine, crs: CRS) -> PopulationWindow:
    """Persons per cell over one tile, read by window; nodata and NaN cells hold 0."""
    window = Window(tile.col_off, tile.row_off, tile.width, tile.height)
    try:
        with rasterio.open(path) as src:
            block = src.read(1, window=window, masked=True)
    except RasterioError as exc:
        raise LayerError(f"layer 'population' ({path.name}): cannot be read ({exc})") from exc
    array = np.ma.filled(block.astype(np.float64), 0.0)
    array[~np.isfinite(array)] = 0.0
    return PopulationWindow(array=array, transform=tile.transform(raster), crs=crs)


def _count_tile(job: _TileJob, n_zones: int) -> _TileResult:
    """Run on a worker: read the tile, clip the zones to it, measure, sum per zone."""
    raster = Affine(*job.raster)
    window = _read_tile(job.path, job.tile, raster, CRS.from_wkt(job.crs_wkt))
    geoms = np.array(shapely.from_wkb(list(job.wkb)), dtype=object)
    index, clipped = clip_to_tile(geoms, job.tile.bounds(raster))
    local = measure(clipped, window)
    zone = job.zones[index][local.zone] if local.zone.size else local.zone
    parts = Parts(zone=zone, x=local.x, y=local.y, persons=local.persons)
    sums = np.bincount(zone, weights=parts.persons, minlength=n_zones).astype(float)
    return _TileResult(sums=sums, parts=parts)


def _tile_jobs(
    grid: PopulationGrid, geoms: npt.NDArray[np.object_], *, tile_cells: int = TILE_CELLS
) -> list[_TileJob]:
    """The tiles of whole cells covering the zones, each with the zones reaching into it."""
    if not len(geoms):
        return []
    window = window_for(grid, tuple(shapely.total_bounds(geoms).tolist()))
    tiles = grid_tiles(
        row_off=int(window.row_off),
        col_off=int(window.col_off),
        height=int(window.height),
        width=int(window.width),
        tile_cells=tile_cells,
    )
    tree = shapely.STRtree(geoms)
    raster = grid.transform
    jobs = []
    for tile in tiles:
        near = np.sort(tree.query(shapely.box(*tile.bounds(raster)), predicate="intersects"))
        if near.size:
            jobs.append(
                _TileJob(
                    path=grid.path,
                    crs_wkt=grid.crs.to_wkt(),
                    raster=tuple(raster)[:6],
                    tile=tile,
                    zones=near.astype(np.intp),
                    wkb=tuple(shapely.to_wkb(geoms[near])),
                )
            )
    return jobs


def distributed_exposure(
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    grid: PopulationGrid,
    *,
    profile: DisplacementProfile,
    hazard: str,
    client: Client,
    tile_cells: int = TILE_CELLS,
) -> Exposure:
    """`compute_exposure` with the raster counted tile by tile on Dask workers.

    The same inputs as the single-process step, except the raster is named by ``grid``
    (read by window on the workers, never on the driver) and ``client`` is a Dask
    distributed client. Exact sums agree with the single-process step to floating-point
    rounding (the additions happen in another order); whole persons come from the same
    rounding.
    """
    zones = split_zones(pieces, counties, crs=grid.crs, profile=profile, hazard=hazard)
    jobs = _tile_jobs(grid, zones.geometry, tile_cells=tile_cells)
    futures = client.map(_count_tile, jobs, n_zones=len(zones.code), pure=False)
    results: list[_TileResult] = client.gather(futures)  # type: ignore[no-untyped-call]
    affected = np.zeros(len(zones.code))
    for result in results:  # tile order: the same sum on every run
        affected += result.sums
    return exposure_of(
        zones,
        Parts.concat([r.parts for r in results]),
        counties=counties,
        profile=profile,
        hazard=hazard,
        crs=grid.crs,
        affected=affected,
    )
