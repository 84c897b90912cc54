"""The population window and exact cell coverage: which cells a polygon covers, and how much.

A `PopulationWindow` is the piece of the population grid read for an incident.

exactextract gives, for every cell a polygon touches, the share of the cell's area
inside it. Polygons are handed over as WKB (no GeoJSON round trip of large polygons).
"""

from __future__ import annotations

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
_PART_FIELDS = ("zone", "x", "y", "persons")


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


def cell_coverage(
    geoms: npt.NDArray[np.object_], window: PopulationWindow
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Every cell each geometry touches, with the share of the cell it covers (exactextract).

    Returns (geometry number, cell number in the window, share), shares below
    `COVERAGE_NOISE` dropped.
    """
    none = (np.zeros(0, np.intp), np.zeros(0, np.int64), np.zeros(0, np.float64))
    if not len(geoms) or window.array.size == 0:
        return none
    wkt = window.crs.to_wkt()
    raster = NumPyRasterSource(window.array, *window.bounds, srs_wkt=wkt)
    features = exact_extract(
        raster, WkbSource(geoms, wkt), ["cell_id", "coverage"], include_cols=["zone"]
    )
    zone = np.array([f["properties"]["zone"] for f in features], dtype=np.intp)
    ids = [np.asarray(f["properties"]["cell_id"], dtype=np.int64) for f in features]
    fractions = [np.asarray(f["properties"]["coverage"], dtype=np.float64) for f in features]
    if not ids or not sum(len(i) for i in ids):
        return none
    zones = np.repeat(zone, [len(i) for i in ids])
    cells, shares = np.concatenate(ids), np.concatenate(fractions)
    real = shares >= COVERAGE_NOISE
    return zones[real], cells[real], shares[real]


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
    zone_index, cell_id, coverage = cell_coverage(geoms, window)
    persons = window.array.ravel()[cell_id] * coverage
    rows, cols = np.divmod(cell_id, max(window.array.shape[1], 1))
    t = window.transform
    return Parts(
        zone=zone_index,
        x=t.c + (cols + 0.5) * t.a,
        y=t.f + (rows + 0.5) * t.e,
        persons=persons,
    )


_EMPTY_WINDOW = PopulationWindow(
    array=np.zeros((0, 0)), transform=Affine(1.0, 0.0, 0.0, 0.0, -1.0, 0.0), crs=CRS(LONLAT)
)


def project_bounds(
    bounds: tuple[float, float, float, float], *, crs: CRS
) -> tuple[float, float, float, float]:
    """Lon/lat bounds as bounds in ``crs`` that still cover them (edges densified)."""
    west, south, east, north = transformer(LONLAT, crs).transform_bounds(*bounds, densify_pts=21)
    return float(west), float(south), float(east), float(north)
