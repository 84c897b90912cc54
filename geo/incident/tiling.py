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
    *,
    row_off: int,
    col_off: int,
    height: int,
    width: int,
    tile_cells: int,
    block: tuple[int, int] = (1, 1),
) -> tuple[Tile, ...]:
    """Tiles of about ``tile_cells`` × ``tile_cells`` cells covering a window, on the file's blocks.

    The tiles lie on a lattice anchored at the raster's first cell, not the window's, with
    sides rounded up to whole blocks of the file (``block``: rows, columns of one block), so
    a block is read and decompressed by one tile only. A block larger than ``tile_cells``
    (a strip the raster's width) leaves that side at ``tile_cells``. Tiles are cut to the
    window: the first and last in each direction may be smaller.
    """
    if isinstance(tile_cells, bool) or tile_cells < 1:
        raise InputError("tile_cells: expected a whole number of cells, at least 1", field="tile")
    if min(height, width) < 0:
        raise InputError("window: expected a non-negative height and width", field="window")
    tall, wide = (_side(tile_cells, b) for b in block)
    rows = _cuts(row_off, height, tall)
    cols = _cuts(col_off, width, wide)
    return tuple(Tile(r0, c0, r1 - r0, c1 - c0) for r0, r1 in rows for c0, c1 in cols)


def _side(tile_cells: int, block: int) -> int:
    """``tile_cells`` rounded up to whole blocks, unless one block is already larger."""
    if block < 1 or block > tile_cells:
        return tile_cells
    return -(-tile_cells // block) * block


def _cuts(start: int, length: int, side: int) -> list[tuple[int, int]]:
    """Edges of the lattice steps of ``side`` cells (from cell 0) that cover start..start+length."""
    end = start + length
    first = start // side * side
    return [(max(edge, start), min(edge + side, end)) for edge in range(first, end, side)]


def clip_to_tile(
    geoms: npt.NDArray[np.object_],
    bounds: tuple[float, float, float, float],
    tree: shapely.STRtree | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """The zones that reach into a tile, clipped to its box: (their indices, the pieces).

    Only the polygonal part of a clip counts: a zone that merely touches the tile's edge
    (a line or a point in common) covers none of its cells. ``tree`` is an STRtree of
    ``geoms`` when the caller clips them to many tiles (built here otherwise).
    """
    box = shapely.box(*bounds)
    tree = shapely.STRtree(geoms) if tree is None else tree
    index = tree.query(box, predicate="intersects")
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
