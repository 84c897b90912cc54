"""An uploaded hazard raster (flood depth, seismic intensity) as XYZ PNG tiles.

The raster an assessment was made from (``hazard_raster``, an upload id) is drawn in the
classes that assessment counted it in: the profile's bounds (``min < v <= max``), each
class in its one footprint colour (`web.footprint_style`), cells below every class and
nodata transparent. One tile set per raster and hazard is kept per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from api.service.bootstrap import Services
from api.service.uploads import raster_path
from geo.errors import InputError
from layers.tiles import RasterTiles, bound_intervals
from web import footprint_style

#: Hazard rasters kept as tile sets per process (each keeps its own tile cache).
KEPT_RASTERS = 16

Classes = tuple[tuple[float, float | None, str], ...]


def hazard_classes(services: Services, hazard: str) -> Classes:
    """The hazard's classes with numeric bounds, most severe first, each with its colour."""
    table = services.displacement.table(hazard)
    if not table.has_bounds:
        raise InputError(
            f"hazard: {hazard} classes have no numeric bounds; a raster cannot be classed",
            field="hazard",
        )
    colours = footprint_style.class_colours([c.name for c in table.classes])
    return tuple(
        (float(c.min or 0.0), None if c.max is None or c.max == float("inf") else float(c.max),
         colours[c.name])
        for c in table.classes
    )  # fmt: skip


@lru_cache(maxsize=KEPT_RASTERS)
def _tiles(path: Path, classes: Classes) -> RasterTiles:
    intervals = bound_intervals(classes, alpha=footprint_style.fill_alpha_byte())
    return RasterTiles(path, intervals, what=f"hazard raster {path.stem}")


def hazard_tile(
    services: Services, raster: str, *, hazard: str, tile: tuple[int, int, int]
) -> bytes:
    """Tile ``(z, x, y)`` of the uploaded raster ``raster`` in ``hazard``'s classes (PNG)."""
    return _tiles(raster_path(services, raster), hazard_classes(services, hazard)).png(*tile)
