"""Tiles of whole cells: each cell in one tile, zones clipped to a tile's box."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from geo.errors import InputError
from geo.incident.tiling import Tile, clip_to_tile, grid_tiles


def _cells(tiles):
    return [
        (r, c)
        for t in tiles
        for r in range(t.row_off, t.row_off + t.height)
        for c in range(t.col_off, t.col_off + t.width)
    ]


def test_grid_tiles_cover_a_window_once_on_a_lattice_from_the_first_cell():
    tiles = grid_tiles(row_off=3, col_off=5, height=10, width=7, tile_cells=4)
    # lattice lines every 4 cells from cell 0: rows 4, 8, 12; columns 8
    assert tiles[0] == Tile(3, 5, 1, 3)
    assert tiles[-1] == Tile(12, 8, 1, 4)
    cells = _cells(tiles)
    assert sorted(cells) == [(r, c) for r in range(3, 13) for c in range(5, 12)]


@pytest.mark.parametrize(
    ("tile_cells", "block", "sides"),
    [(10, (4, 8), (12, 16)), (6, (4, 8), (8, 6)), (5, (1, 1), (5, 5))],
)
def test_grid_tiles_lie_on_whole_blocks_of_the_file(tile_cells, block, sides):
    tiles = grid_tiles(
        row_off=7, col_off=9, height=50, width=45, tile_cells=tile_cells, block=block
    )
    assert max(t.height for t in tiles) == sides[0]
    assert max(t.width for t in tiles) == sides[1]
    for t in tiles:  # every edge inside the window is a block edge (or a tile_cells step)
        for edge, start, end, step in (
            (t.row_off, 7, 57, sides[0]),
            (t.row_off + t.height, 7, 57, sides[0]),
            (t.col_off, 9, 54, sides[1]),
            (t.col_off + t.width, 9, 54, sides[1]),
        ):
            assert edge in (start, end) or edge % step == 0
    assert len(_cells(tiles)) == len(set(_cells(tiles))) == 50 * 45


@pytest.mark.parametrize("tile_cells", [0, -2, True])
def test_grid_tiles_refuse_a_bad_size(tile_cells):
    with pytest.raises(InputError, match="tile_cells: expected a whole number"):
        grid_tiles(row_off=0, col_off=0, height=3, width=3, tile_cells=tile_cells)


def test_a_zone_touching_a_tile_edge_is_not_clipped_into_it():
    geoms = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10), box(5, 5, 15, 8)], dtype=object)
    index, clipped = clip_to_tile(geoms, (10.0, 0.0, 20.0, 10.0))
    assert index.tolist() == [1, 2]
    assert [round(g.area, 9) for g in clipped] == [100.0, 15.0]
