"""Exact cell coverage: which cells of a population window a polygon covers, and how much.

exactextract gives, for every cell a polygon touches, the share of the cell's area
inside it. Polygons are handed over as WKB (no GeoJSON round trip of large polygons).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import NumPyRasterSource

if TYPE_CHECKING:
    from geo.incident.exposure import PopulationWindow

#: Cell shares below this are reprojection noise along a piece's edge (1 mm² of a 1 km cell).
COVERAGE_NOISE = 1e-9


class WkbFeature(Feature):  # type: ignore[misc]
    """A feature handed to exactextract as WKB, with its zone number as the one field."""

    def __init__(self, zone: int, wkb: bytes) -> None:
        Feature.__init__(self)
        self.zone = zone
        self.wkb = wkb

    def geometry(self) -> bytes:
        return self.wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def fields(self) -> list[str]:
        return ["zone"]

    def get(self, name: str) -> int:
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
        return len(self.wkbs)

    def __iter__(self) -> Iterator[WkbFeature]:
        return (WkbFeature(i, bytes(w)) for i, w in enumerate(self.wkbs))

    def srs_wkt(self) -> str:
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
