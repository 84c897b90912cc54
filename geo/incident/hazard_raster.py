"""A hazard raster (flood depth, seismic intensity) as footprint pieces, one per class.

Each cell is classed by the profile's numeric bounds (`geo.hazards.hazard_values`); nodata
cells and cells at or below the least severe class are in no class and affect nobody.
The classed cells are polygonised (``rasterio.features.shapes``, any affine transform,
rotated included) and handed to the exact exposure path like a drawn footprint: the
population raster is never resampled, and each population cell counts by the exact
share of it each class covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.features import shapes

from geo._crs import LONLAT
from geo.errors import HazardValueError
from geo.hazards.hazard_values import NO_CLASS, check_plausible, class_codes, require_bounds
from geo.incident.county_split import densify
from geo.incident.displacement import CLASS_COLUMN, GIVEN_COLUMN, ClassTable

#: Code written for cells in no class before polygonising (uint8 keeps the array small).
_NONE_U8 = 255


@dataclass(frozen=True)
class HazardGrid:
    """One band of a hazard raster: values, which cells hold data, and where they lie."""

    values: npt.NDArray[np.floating[Any]]
    valid: npt.NDArray[np.bool_]
    transform: Affine
    crs: CRS
    name: str


@dataclass(frozen=True)
class RasterPieces:
    """The classed pieces (lon/lat, most severe class first) and how many cells each class has."""

    pieces: gpd.GeoDataFrame
    cells: dict[str, int]
    nodata_cells: int
    below_cells: int


def _polygon(rings: list[Any]) -> shapely.Polygon:
    """A polygon from ``shapes``' rings, through arrays (6× faster than ``shape()``)."""
    arrays = [np.asarray(ring, dtype=np.float64) for ring in rings]
    return shapely.Polygon(arrays[0], holes=arrays[1:])


def raster_pieces(grid: HazardGrid, table: ClassTable, *, hazard: str) -> RasterPieces:
    """Class every cell by ``table``'s bounds and polygonise each class into one piece.

    Returns
    -------
    RasterPieces
        Pieces with columns ``class``, ``class_given`` (True) and geometry, in EPSG:4326.

    Raises
    ------
    InputError
        The hazard's classes have no numeric bounds.
    HazardValueError
        A value above the table's plausible maximum (e.g. depths in centimetres), or
        no cell in any class.
    """
    require_bounds(table, hazard=hazard, field="hazard_raster")
    valid = grid.valid & np.isfinite(grid.values)
    if valid.any():
        check_plausible(float(grid.values[valid].max()), table, hazard=hazard, where=grid.name)
    codes = class_codes(grid.values, valid, table)
    counts = np.bincount(codes[codes >= 0].ravel(), minlength=len(table.classes))
    if not counts.any():
        raise HazardValueError(
            f"{grid.name}: no cell is in any {hazard} class (all nodata or at or below "
            f"{min(c.min for c in table.classes if c.min is not None):g} {table.unit})",
            field="hazard_raster",
        )
    small = np.where(codes == NO_CLASS, _NONE_U8, codes).astype(np.uint8)
    polygons: dict[int, list[shapely.Polygon]] = {}
    for geometry, value in shapes(small, mask=small != _NONE_U8, transform=grid.transform):
        polygons.setdefault(int(value), []).append(_polygon(geometry["coordinates"]))
    names = [table.classes[i].name for i in sorted(polygons)]
    geoms = [shapely.MultiPolygon(polygons[i]) for i in sorted(polygons)]
    frame = gpd.GeoDataFrame({CLASS_COLUMN: names}, geometry=geoms, crs=grid.crs)
    if grid.crs.is_projected:
        frame = densify(frame)
    frame = frame.to_crs(LONLAT)
    frame[GIVEN_COLUMN] = True
    return RasterPieces(
        pieces=frame,
        cells={table.classes[i].name: int(n) for i, n in enumerate(counts) if n},
        nodata_cells=int((~valid).sum()),
        below_cells=int((valid & (codes == NO_CLASS)).sum()),
    )
