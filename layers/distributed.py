"""Exposure on a Dask cluster: each task reads one raster tile by window and counts it.

For a national grid or many simultaneous incidents, the exposure step runs on an
existing distributed engine (Dask distributed), not a scheduler of our own. The driver
splits the footprint's pieces by county (`geo.incident.county_split.split_zones`) and the window
they need into tiles of whole cells on the file's blocks (`geo.incident.tiling.grid_tiles`),
clips the zones to each tile's box (`geo.incident.tiling.clip_to_tile`) and sends each task
only those pieces; the task opens the raster, reads ITS window only and measures the pieces
with exactextract (`geo.incident.grid.cell_persons`), returning per-zone sums and its cell
parts as (zone, cell number, persons). Tiles never share a cell, so the per-tile sums add up
to the single-process sums, partial cells included; the driver adds them in tile order,
places the cells (`geo.incident.grid.cell_centres`) and applies the same largest-remainder
rounding (`geo.incident.exposure.exposure_of`).

`distributed_exposure` is the one public function (with `client_for`, the client of a
scheduler address, one per process); the rest is how it does its work.
The client is given by the caller: ``Client(LocalCluster(...))`` on one machine, or
``Client("tcp://scheduler:8786")`` on a cluster whose workers can read the raster path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from geo.incident.grid import Parts, PopulationWindow, cell_centres, cell_persons
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
    """What one task needs: the raster, its tile, and the zones clipped to it (WKB)."""

    path: Path
    crs_wkt: str
    raster: tuple[float, ...]
    tile: Tile
    zones: npt.NDArray[np.int32]
    wkb: tuple[bytes, ...]


@dataclass(frozen=True)
class _TileResult:
    """A tile's persons per zone (exact sums) and its cell parts, 16 bytes each (most tiles).

    ``zone`` numbers are global; ``cell`` numbers the tile's cells row-major (the driver
    places them, `_placed`), so no cell centres cross the network.
    """

    sums: npt.NDArray[np.float64]
    zone: npt.NDArray[np.int32]
    cell: npt.NDArray[np.signedinteger[Any]]
    persons: npt.NDArray[np.float64]


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
    """Run on a worker: read the tile, measure the zones clipped to it, sum per zone."""
    raster = Affine(*job.raster)
    window = _read_tile(job.path, job.tile, raster, CRS.from_wkt(job.crs_wkt))
    clipped = np.array(shapely.from_wkb(list(job.wkb)), dtype=object)
    local, cell, persons = cell_persons(clipped, window)
    zone = job.zones[local]
    sums = np.bincount(zone, weights=persons, minlength=n_zones).astype(float)
    small = window.array.size <= np.iinfo(np.int32).max  # 4 bytes a cell number when it fits
    return _TileResult(
        sums=sums, zone=zone, cell=cell.astype(np.int32 if small else np.int64), persons=persons
    )


def _placed(results: list[_TileResult], tiles: list[Tile], raster: Affine) -> Parts:
    """Every tile's cell parts in tile order, placed on the raster (centres from cell numbers).

    Written straight into arrays of the final length: tens of millions of parts are
    copied once, not once per tile and again to join them.
    """
    total = sum(r.zone.size for r in results)
    zone, persons = np.empty(total, np.intp), np.empty(total, np.float64)
    x, y = np.empty(total, np.float64), np.empty(total, np.float64)
    start = 0
    for result, tile in zip(results, tiles, strict=True):
        part = slice(start, start + result.zone.size)
        zone[part], persons[part] = result.zone, result.persons
        x[part], y[part] = cell_centres(
            result.cell, cols=tile.width, transform=tile.transform(raster)
        )
        start = part.stop
    return Parts(zone=zone, x=x, y=y, persons=persons)


def _tile_jobs(
    grid: PopulationGrid, geoms: npt.NDArray[np.object_], *, tile_cells: int = TILE_CELLS
) -> Iterator[_TileJob]:
    """The tiles of the file's blocks covering the zones, each with the zones clipped to it.

    The zones are clipped here, once per tile, so a task receives only the pieces that
    lie in its tile (not every vertex of each zone reaching into it).
    """
    if not len(geoms):
        return
    window = window_for(grid, tuple(shapely.total_bounds(geoms).tolist()))
    tiles = grid_tiles(
        row_off=int(window.row_off),
        col_off=int(window.col_off),
        height=int(window.height),
        width=int(window.width),
        tile_cells=tile_cells,
        block=grid.block,
    )
    tree = shapely.STRtree(geoms)
    raster = grid.transform
    crs_wkt = grid.crs.to_wkt()
    for tile in tiles:
        index, clipped = clip_to_tile(geoms, tile.bounds(raster), tree)
        if index.size:
            yield _TileJob(
                path=grid.path,
                crs_wkt=crs_wkt,
                raster=tuple(raster)[:6],
                tile=tile,
                zones=index.astype(np.int32),
                wkb=tuple(shapely.to_wkb(clipped)),
            )


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
    tiles, futures = [], []
    for job in _tile_jobs(grid, zones.geometry, tile_cells=tile_cells):  # sent as clipped
        tiles.append(job.tile)
        futures.append(client.submit(_count_tile, job, n_zones=len(zones.code), pure=False))
    results: list[_TileResult] = client.gather(futures)  # type: ignore[no-untyped-call]
    affected = np.zeros(len(zones.code))
    for result in results:  # tile order: the same sum on every run
        affected += result.sums
    return exposure_of(
        zones,
        _placed(results, tiles, grid.transform),
        counties=counties,
        profile=profile,
        hazard=hazard,
        crs=grid.crs,
        affected=affected,
    )
