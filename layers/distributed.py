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

With ``needs`` (`assessment_needs`: the metric CRS, the shelters and their service radii)
the tasks return what an assessment reads of the cells instead of the cells: the
displaced summed per (county, demand block) and the affected grouped by the shelters that
reach them (`geo.incident.tiling`). The driver then holds counties × blocks and shelter
service areas, not the tens of millions of cell parts of a national footprint; its
``cell_parts`` are those block centres and group members, which give
`geo.assessment.assess` the same demand points and service coverage as every cell would.

`distributed_exposure` is the public function (with `assessment_needs`, and `client_for`,
the client of a scheduler address, one per process); the rest is how it does its work.
The client is given by the caller: ``Client(LocalCluster(...))`` on one machine, or
``Client("tcp://scheduler:8786")`` on a cluster whose workers can read the raster path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioError
from rasterio.windows import Window

from geo._crs import LONLAT, lonlat_xy, transformer
from geo.errors import LayerError
from geo.incident.county_split import Zones, split_zones
from geo.incident.displacement import DisplacementProfile
from geo.incident.exposure import PART_COLUMNS, Exposure, exposure_of
from geo.incident.grid import Parts, PopulationWindow, cell_centres, cell_persons
from geo.incident.tiling import (
    BlockSums,
    Sites,
    Tile,
    block_points,
    clip_to_tile,
    demand_blocks,
    demand_level,
    grid_tiles,
    merge_blocks,
    reach_groups,
)
from geo.shelters.demand import MAX_DEMAND_POINTS, MIN_BLOCK_M
from geo.shelters.status import shelter_xy
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
class AssessmentNeeds:
    """What an assessment reads of the cells: demand blocks in ``metric_crs``, shelter reach."""

    metric_crs: CRS
    sites: Sites


def assessment_needs(
    shelters: gpd.GeoDataFrame, radii: Mapping[str, float], *, metric_crs: CRS
) -> AssessmentNeeds:
    """The needs of `geo.assessment.assess` over these shelters and service radii by kind.

    Every shelter whose kind has a radius is a site, usable or not: the cells are grouped
    by the sites that reach them, so any choice of usable shelters counts them alike.
    """
    kinds = shelters["kind"].astype(str).to_numpy() if len(shelters) else np.zeros(0, str)
    has = np.array([k in radii for k in kinds], dtype=bool)
    xy = shelter_xy(shelters, metric_crs=metric_crs)[has] if has.any() else np.zeros((0, 2))
    radius = np.array([float(radii[k]) for k in kinds[has]], dtype=np.float64)
    return AssessmentNeeds(metric_crs=metric_crs, sites=Sites(xy=xy, radius=radius))


@dataclass(frozen=True)
class _Reduce:
    """What a task reduces its cells with: the needs, and each zone's county and rate."""

    needs: AssessmentNeeds
    county: npt.NDArray[np.int64]  # per zone: index in the sorted county codes, -1 outside
    rate: npt.NDArray[np.float64]  # per zone: its class's displacement rate


@dataclass(frozen=True)
class _TileJob:
    """What one task needs: the raster, its tile, and the zones clipped to it (WKB)."""

    path: Path
    crs_wkt: str
    raster: tuple[float, ...]
    tile: Tile
    zones: npt.NDArray[np.int32]
    wkb: tuple[bytes, ...]
    reduce: _Reduce | None = None


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


@dataclass(frozen=True)
class _Reduced:
    """A tile's persons per zone, its demand block sums and its reach groups' members.

    A member is one cell (x, y in the raster's CRS, its county) standing for all the
    cells of its county reached by the same shelters; ``affected`` is their sum.
    """

    sums: npt.NDArray[np.float64]
    blocks: BlockSums
    county: npt.NDArray[np.int64]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    affected: npt.NDArray[np.float64]


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


def _count_tile(job: _TileJob, n_zones: int) -> _TileResult | _Reduced:
    """Run on a worker: read the tile, measure the zones clipped to it, sum per zone."""
    raster = Affine(*job.raster)
    crs = CRS.from_wkt(job.crs_wkt)
    window = _read_tile(job.path, job.tile, raster, crs)
    clipped = np.array(shapely.from_wkb(list(job.wkb)), dtype=object)
    local, cell, persons = cell_persons(clipped, window)
    zone = job.zones[local]
    sums = np.bincount(zone, weights=persons, minlength=n_zones).astype(float)
    if job.reduce is not None:
        x, y = cell_centres(cell, cols=job.tile.width, transform=window.transform)
        return _reduced(job.reduce, sums, zone=zone, x=x, y=y, persons=persons, crs=crs)
    small = window.array.size <= np.iinfo(np.int32).max  # 4 bytes a cell number when it fits
    return _TileResult(
        sums=sums, zone=zone, cell=cell.astype(np.int32 if small else np.int64), persons=persons
    )


def _reduced(
    reduce: _Reduce,
    sums: npt.NDArray[np.float64],
    *,
    zone: npt.NDArray[np.int32],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    persons: npt.NDArray[np.float64],
    crs: CRS,
) -> _Reduced:
    """A tile's parts inside the counties reduced to demand blocks and reach groups.

    Positions go through lon/lat to the metric CRS exactly as `Exposure.cells` and the
    assessment take them, so blocks and reach are decided on the same coordinates.
    """
    county = reduce.county[zone]
    keep = (persons > 0) & (county >= 0)
    county, x, y, persons = county[keep], x[keep], y[keep], persons[keep]
    lon, lat = transformer(crs, LONLAT).transform(x, y)
    xy = lonlat_xy(lon, lat, metric_crs=reduce.needs.metric_crs)
    blocks = demand_blocks(
        county,
        xy,
        persons * reduce.rate[zone[keep]],
        block_m=MIN_BLOCK_M,
        most=MAX_DEMAND_POINTS,
    )
    member, affected = reach_groups(county, xy, persons, reduce.needs.sites)
    return _Reduced(sums, blocks, county[member], x[member], y[member], affected)


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
    grid: PopulationGrid,
    geoms: npt.NDArray[np.object_],
    *,
    tile_cells: int = TILE_CELLS,
    reduce: _Reduce | None = None,
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
                reduce=reduce,
            )


def _reduce_for(
    zones: Zones, needs: AssessmentNeeds, *, profile: DisplacementProfile, hazard: str
) -> tuple[_Reduce, list[str]]:
    """Each zone's county (index in the sorted codes, -1 outside) and rate; the codes."""
    codes = sorted({c for c in zones.code if c is not None})
    index = {code: i for i, code in enumerate(codes)}
    rates = {cls.name: cls.rate for cls in profile.classes(hazard)}
    county = np.array([-1 if c is None else index[c] for c in zones.code], dtype=np.int64)
    rate = np.array([rates[c] for c in zones.cls], dtype=np.float64)
    return _Reduce(needs=needs, county=county, rate=rate), codes


def _reduced_parts(
    results: list[_Reduced],
    needs: AssessmentNeeds,
    *,
    crs: CRS,
    codes: list[str],
    order: tuple[str, ...],
) -> pd.DataFrame:
    """The reduced tiles as `Exposure.cell_parts`: demand block centres, then reach members.

    Demand rows (displaced, no affected) are the blocks one level finer than the level
    `geo.assessment.demand_points` will gather at (so it still stops there, on the same
    blocks and weighted centres); reach rows carry the affected, no displaced.
    """
    blocks = merge_blocks([r.blocks for r in results])
    rows = blocks.coarsened(max(demand_level(blocks, most=MAX_DEMAND_POINTS) - 1, 0))
    bx, by = block_points(rows, block_m=MIN_BLOCK_M, crs=crs, metric_crs=needs.metric_crs)

    def joined(name: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(r, name) for r in results]) if results else np.zeros(0)

    county = np.concatenate([rows.county, joined("county")]).astype(np.intp)
    affected = joined("affected")
    columns = {
        "x": np.concatenate([bx, joined("x")]),
        "y": np.concatenate([by, joined("y")]),
        "county": pd.Categorical.from_codes(county, categories=codes),
        "class": pd.Categorical.from_codes(
            np.full(county.size, -1), categories=list(order), ordered=True
        ),
        "affected": np.concatenate([np.zeros(rows.w.size), affected]),
        "displaced": np.concatenate([rows.w, np.zeros(affected.size)]),
    }
    return pd.DataFrame({name: columns[name] for name in PART_COLUMNS}, copy=False)


_NO_PARTS = Parts(zone=np.zeros(0, np.intp), x=np.zeros(0), y=np.zeros(0), persons=np.zeros(0))


def distributed_exposure(
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    grid: PopulationGrid,
    *,
    profile: DisplacementProfile,
    hazard: str,
    client: Client,
    tile_cells: int = TILE_CELLS,
    needs: AssessmentNeeds | None = None,
) -> Exposure:
    """`compute_exposure` with the raster counted tile by tile on Dask workers.

    The same inputs as the single-process step, except the raster is named by ``grid``
    (read by window on the workers, never on the driver) and ``client`` is a Dask
    distributed client. Exact sums agree with the single-process step to floating-point
    rounding (the additions happen in another order); whole persons come from the same
    rounding. With ``needs`` the workers return sums, not cells (the module's docstring).
    """
    zones = split_zones(pieces, counties, crs=grid.crs, profile=profile, hazard=hazard)
    reduce, codes = (
        (None, []) if needs is None else _reduce_for(zones, needs, profile=profile, hazard=hazard)
    )
    tiles, futures = [], []
    jobs = _tile_jobs(grid, zones.geometry, tile_cells=tile_cells, reduce=reduce)
    for job in jobs:  # sent as clipped
        tiles.append(job.tile)
        futures.append(client.submit(_count_tile, job, n_zones=len(zones.code), pure=False))
    results: list[Any] = client.gather(futures)  # type: ignore[no-untyped-call]
    affected = np.zeros(len(zones.code))
    for result in results:  # tile order: the same sum on every run
        affected += result.sums
    exposure = exposure_of(
        zones,
        _NO_PARTS if needs else _placed(results, tiles, grid.transform),
        counties=counties,
        profile=profile,
        hazard=hazard,
        crs=grid.crs,
        affected=affected,
    )
    if needs is None:
        return exposure
    parts = _reduced_parts(results, needs, crs=grid.crs, codes=codes, order=profile.order(hazard))
    return dataclasses.replace(exposure, cell_parts=parts)
