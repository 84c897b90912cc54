"""Partitioning an exposure into raster tiles, so each can be counted apart and summed.

A tile is a block of whole cells of the population grid: its edges lie on cell edges,
so every cell belongs to exactly one tile. A zone clipped to a tile's box covers the
same share of each cell of that tile as the whole zone does, so per-tile sums of the
clipped zones add up to the whole zone's sum, partial cells included, none counted
twice. `layers.distributed` sends the tiles to Dask workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine

from geo.errors import InputError

_POLYGONAL = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Tile:
    """A block of whole cells: offsets and size in cells of the raster it belongs to."""

    row_off: int
    col_off: int
    height: int
    width: int

    def transform(self, raster: Affine) -> Affine:
        """The tile's own north-up transform, from the raster's."""
        return Affine(
            raster.a,
            0.0,
            raster.c + self.col_off * raster.a,
            0.0,
            raster.e,
            raster.f + self.row_off * raster.e,
        )

    def bounds(self, raster: Affine) -> tuple[float, float, float, float]:
        """West, south, east, north edges of the tile (cell edges of the raster)."""
        t = self.transform(raster)
        return t.c, t.f + self.height * t.e, t.c + self.width * t.a, t.f


def grid_tiles(
    *, row_off: int, col_off: int, height: int, width: int, tile_cells: int
) -> tuple[Tile, ...]:
    """Square tiles of at most ``tile_cells`` × ``tile_cells`` cells covering a window."""
    if isinstance(tile_cells, bool) or tile_cells < 1:
        raise InputError("tile_cells: expected a whole number of cells, at least 1", field="tile")
    if min(height, width) < 0:
        raise InputError("window: expected a non-negative height and width", field="window")
    return tuple(
        Tile(row_off + r, col_off + c, min(tile_cells, height - r), min(tile_cells, width - c))
        for r in range(0, height, tile_cells)
        for c in range(0, width, tile_cells)
    )


def clip_to_tile(
    geoms: npt.NDArray[np.object_], bounds: tuple[float, float, float, float]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """The zones that reach into a tile, clipped to its box: (their indices, the pieces).

    Only the polygonal part of a clip counts: a zone that merely touches the tile's edge
    (a line or a point in common) covers none of its cells.
    """
    box = shapely.box(*bounds)
    index = shapely.STRtree(geoms).query(box, predicate="intersects")
    index = np.sort(index)
    clipped = shapely.intersection(geoms[index], box)
    keep = np.array([_area_part(g) for g in clipped], dtype=object)
    real = ~shapely.is_empty(keep) if keep.size else np.zeros(0, dtype=bool)
    return index[real], keep[real]


def _area_part(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in _POLYGONAL:
        return geom
    polygons = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    return shapely.union_all(polygons) if polygons else shapely.MultiPolygon()
