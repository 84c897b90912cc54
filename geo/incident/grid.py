"""The population window and exact cell coverage: which cells a polygon covers, and how much.

A `PopulationWindow` is the piece of the population grid read for an incident.

exactextract gives, for every cell a polygon touches, the share of the cell's area
inside it. Polygons are handed over as WKB (no GeoJSON round trip of large polygons).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import NumPyRasterSource
from pyproj import CRS

from geo._crs import LONLAT, transformer

#: Cell shares below this are reprojection noise along a piece's edge (1 mm² of a 1 km cell).
COVERAGE_NOISE = 1e-9
#: Index-space coordinates this close to a whole number lie on a grid node (1 mm in 1000 km).
NODE_SNAP = 1e-9
#: exactextract reports shares as 32-bit floats: each may be off by this (float32 epsilon).
SHARE_ROUNDING = 2.0**-23
#: Relative tolerance of a zone's summed shares against its area (float64 sums and areas).
AREA_TOLERANCE = 1e-9
_PART_FIELDS = ("zone", "x", "y", "persons")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PopulationWindow:
    """Persons per cell over a north-up window of the population grid; nodata cells hold 0."""

    array: npt.NDArray[np.float64]
    transform: Affine
    crs: CRS
    nodata: float | None = None

    def __post_init__(self) -> None:
        """Refuse an array that is not 2-D or a transform that is not north-up."""
        if self.array.ndim != 2:
            raise ValueError(f"expected a 2-D array, got shape {self.array.shape}")
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise ValueError(f"expected a north-up transform without rotation, got {t!r}")

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north edges in the raster's CRS."""
        rows, cols = self.array.shape
        t = self.transform
        return t.c, t.f + rows * t.e, t.c + cols * t.a, t.f


class WkbFeature(Feature):  # type: ignore[misc]
    """A feature handed to exactextract as WKB, with its zone number as the one field."""

    def __init__(self, zone: int, wkb: bytes) -> None:
        Feature.__init__(self)
        self.zone = zone
        self.wkb = wkb

    def geometry(self) -> bytes:
        """Return the geometry as WKB."""
        return self.wkb

    def set_geometry_format(self) -> str:
        """Tell exactextract the geometry is WKB."""
        return "wkb"

    def fields(self) -> list[str]:
        """Return the one field: the zone number."""
        return ["zone"]

    def get(self, name: str) -> int:
        """Return the zone number (the only field)."""
        return self.zone

    def set(self, name: str, value: Any) -> None:
        """Results go to the writer, never back into the input feature."""


class WkbSource(FeatureSource):  # type: ignore[misc]
    """Zones as WKB: no GeoJSON round trip of large polygons."""

    def __init__(self, geoms: npt.NDArray[np.object_], srs_wkt: str) -> None:
        super().__init__()
        self.wkbs = shapely.to_wkb(geoms)
        self.wkt = srs_wkt

    def count(self) -> int:
        """Return the number of zones."""
        return len(self.wkbs)

    def __iter__(self) -> Iterator[WkbFeature]:
        """Yield the zones as features, numbered in order."""
        return (WkbFeature(i, bytes(w)) for i, w in enumerate(self.wkbs))

    def srs_wkt(self) -> str:
        """Return the zones' CRS as WKT."""
        return self.wkt


def cell_coverage(geoms: npt.NDArray[np.object_], window: PopulationWindow) -> Coverage:
    """Every cell each geometry touches, with the share of the cell it covers (exactextract).

    The geometries are handed over in the window's index space (`to_index_space`), where
    grid nodes are whole numbers: a vertex on a grid node then lies on it exactly, not a
    rounding step inside a neighbouring cell, where exactextract 0.3.0 can lose or gain
    a whole cell (docs/upstream/exactextract-grid-node.md). Each geometry's summed shares
    are then checked against its area inside the window; a geometry that disagrees is
    measured again cell by cell with shapely (`shapely_coverage`), and the fallback is
    logged and counted. Shares below `COVERAGE_NOISE` are dropped.
    """
    none = Coverage(np.zeros(0, np.intp), np.zeros(0, np.int64), np.zeros(0, np.float64), ())
    if not len(geoms) or window.array.size == 0:
        return none
    rows, cols = window.array.shape
    local = without_zero_width_parts(to_index_space(geoms, window))
    given = np.flatnonzero(~shapely.is_empty(local))
    zones, cells, shares = _exactextract(local[given], window.array)
    zones = given[zones]
    wrong = _disagreeing(local, zones, shares, rows=rows, cols=cols)
    if wrong.size:
        _log.warning(
            "exact cell coverage of %d of %d zones disagreed with their area; "
            "measured again cell by cell",
            wrong.size,
            len(geoms),
        )
        keep = ~np.isin(zones, wrong)
        zones, cells, shares = zones[keep], cells[keep], shares[keep]
        for z in wrong.tolist():
            again, again_shares = shapely_coverage(local[z], rows=rows, cols=cols)
            zones = np.concatenate([zones, np.full(len(again), z, np.intp)])
            cells = np.concatenate([cells, again])
            shares = np.concatenate([shares, again_shares])
    real = shares >= COVERAGE_NOISE
    return Coverage(zones[real], cells[real], shares[real], tuple(wrong.tolist()))


@dataclass(frozen=True)
class Coverage:
    """Cell shares: zone number, cell number in the window (row-major), share of the cell.

    ``redone`` lists the zones whose exactextract shares failed the area check and were
    measured again cell by cell.
    """

    zone: npt.NDArray[np.intp]
    cell: npt.NDArray[np.int64]
    share: npt.NDArray[np.float64]
    redone: tuple[int, ...]


def to_index_space(
    geoms: npt.NDArray[np.object_], window: PopulationWindow
) -> npt.NDArray[np.object_]:
    """Geometries in the window's cell units: the window spans 0..cols east, 0..rows north.

    Coordinates within `NODE_SNAP` of a whole number are put on it, so a vertex meant to
    lie on a grid node does, whatever rounding the window's origin brought.
    """
    t = window.transform
    south = window.bounds[1]

    def to_cells(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        local = np.column_stack([(xy[:, 0] - t.c) / t.a, (xy[:, 1] - south) / -t.e])
        nodes = np.round(local)
        return np.where(np.abs(local - nodes) <= NODE_SNAP, nodes, local)

    moved: npt.NDArray[np.object_] = shapely.transform(geoms, to_cells)
    return moved


def without_zero_width_parts(local: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """The geometries with no zero-area parts, valid, as exactextract must be given them.

    A footprint cut along county borders can keep slivers narrower than `NODE_SNAP`;
    snapped onto a grid line they become parts of zero width, and exactextract 0.3.0
    crashes the process (a segmentation fault) on a polygon holding one beside a part that
    leaves the window. Such geometries are made valid and only their parts of positive area
    kept; the area, and so every share, is unchanged. Valid geometries pass as they are.
    """
    broken = np.flatnonzero(~shapely.is_valid(local))
    if not broken.size:
        return local
    cleaned = local.copy()
    for index in broken.tolist():
        parts = shapely.get_parts(shapely.make_valid(local[index]), return_index=False)
        while (nested := np.flatnonzero(shapely.get_type_id(parts) >= 4)).size:
            parts = np.concatenate([np.delete(parts, nested), shapely.get_parts(parts[nested])])
        kept = parts[(shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)]
        cleaned[index] = shapely.union_all(kept) if kept.size else shapely.Polygon()
    return cleaned


def shapely_coverage(
    geom: shapely.Geometry, *, rows: int, cols: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Cell numbers and covered shares of one index-space geometry, cell by cell (shapely)."""
    west, south, east, north = geom.bounds
    c0, c1 = max(math.floor(west), 0), min(math.ceil(east), cols)
    r0, r1 = max(math.floor(south), 0), min(math.ceil(north), rows)
    if c1 <= c0 or r1 <= r0:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    xs, ys = np.meshgrid(np.arange(c0, c1), np.arange(r0, r1))
    x, y = xs.ravel(), ys.ravel()
    shares = shapely.area(shapely.intersection(shapely.box(x, y, x + 1, y + 1), geom))
    touched = shares > 0
    cells = (rows - 1 - y[touched]) * cols + x[touched]
    return cells.astype(np.int64), shares[touched].astype(np.float64)


def _exactextract(
    local: npt.NDArray[np.object_], array: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Raw exactextract shares of index-space geometries over the cells of ``array``."""
    rows, cols = array.shape
    raster = NumPyRasterSource(array, 0, 0, cols, rows)
    features = exact_extract(
        raster, WkbSource(local, ""), ["cell_id", "coverage"], include_cols=["zone"]
    )
    zone = np.array([f["properties"]["zone"] for f in features], dtype=np.intp)
    ids = [np.asarray(f["properties"]["cell_id"], dtype=np.int64) for f in features]
    fractions = [np.asarray(f["properties"]["coverage"], dtype=np.float64) for f in features]
    if not sum(len(i) for i in ids):
        return np.zeros(0, np.intp), np.zeros(0, np.int64), np.zeros(0, np.float64)
    zones = np.repeat(zone, [len(i) for i in ids])
    return zones, np.concatenate(ids), np.concatenate(fractions)


def _disagreeing(
    local: npt.NDArray[np.object_],
    zones: npt.NDArray[np.intp],
    shares: npt.NDArray[np.float64],
    *,
    rows: int,
    cols: int,
) -> npt.NDArray[np.intp]:
    """Zones whose summed shares (cells) differ from their area inside the window (cells²).

    The allowed difference is what 32-bit shares can lose in rounding (`SHARE_ROUNDING`
    per cell touched) plus `AREA_TOLERANCE`: far below the one whole cell that a
    misplaced grid node costs.
    """
    frame = shapely.box(0, 0, cols, rows)
    area = shapely.area(local)
    spills = ~shapely.within(local, frame)
    area[spills] = shapely.area(shapely.intersection(local[spills], frame))
    covered = np.bincount(zones, weights=shares, minlength=len(local))
    touched = np.bincount(zones, minlength=len(local))
    allowed = AREA_TOLERANCE * np.maximum(area, 1.0) + SHARE_ROUNDING * touched
    return np.flatnonzero(np.abs(covered - area) > allowed).astype(np.intp)


@dataclass(frozen=True)
class Parts:
    """Cell parts inside zones: zone number, cell centre (raster CRS) and persons in it."""

    zone: npt.NDArray[np.intp]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    persons: npt.NDArray[np.float64]

    @classmethod
    def concat(cls, parts: list[Parts]) -> Parts:
        """Parts of several tiles as one, in the order given."""
        if not parts:
            return measure(np.empty(0, dtype=object), _EMPTY_WINDOW)
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _PART_FIELDS))


def measure(geoms: npt.NDArray[np.object_], window: PopulationWindow) -> Parts:
    """Persons of every cell part inside each geometry, partial cells by covered share."""
    zone, cell, persons = cell_persons(geoms, window)
    x, y = cell_centres(cell, cols=window.array.shape[1], transform=window.transform)
    return Parts(zone=zone, x=x, y=y, persons=persons)


def cell_persons(
    geoms: npt.NDArray[np.object_], window: PopulationWindow
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Zone number, cell number in the window (row-major) and persons of every cell part."""
    coverage = cell_coverage(geoms, window)
    persons = window.array.ravel()[coverage.cell] * coverage.share
    return coverage.zone, coverage.cell, persons


def cell_centres(
    cell: npt.NDArray[np.int64], *, cols: int, transform: Affine
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Centres (x, y in the raster's CRS) of cells numbered row-major in a window ``cols`` wide."""
    rows, columns = np.divmod(cell, max(cols, 1))
    t = transform
    return t.c + (columns + 0.5) * t.a, t.f + (rows + 0.5) * t.e


_EMPTY_WINDOW = PopulationWindow(
    array=np.zeros((0, 0)), transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, 0.0), crs=CRS(LONLAT)
)


def project_bounds(
    bounds: tuple[float, float, float, float], *, crs: CRS
) -> tuple[float, float, float, float]:
    """Lon/lat bounds as bounds in ``crs`` that still cover them (edges densified)."""
    west, south, east, north = transformer(LONLAT, crs).transform_bounds(*bounds, densify_pts=21)
    return float(west), float(south), float(east), float(north)
