"""Tiles of whole cells: each cell in one tile, zones clipped to a tile's box."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from geo.errors import InputError
from geo.incident.tiling import Tile, clip_to_tile, grid_tiles


def test_grid_tiles_cover_a_window_once():
    tiles = grid_tiles(row_off=3, col_off=5, height=10, width=7, tile_cells=4)
    assert tiles[0] == Tile(3, 5, 4, 4)
    assert tiles[-1] == Tile(11, 9, 2, 3)
    assert sum(t.height * t.width for t in tiles) == 70


@pytest.mark.parametrize("tile_cells", [0, -2, True])
def test_grid_tiles_refuse_a_bad_size(tile_cells):
    with pytest.raises(InputError, match="tile_cells: expected a whole number"):
        grid_tiles(row_off=0, col_off=0, height=3, width=3, tile_cells=tile_cells)


def test_a_zone_touching_a_tile_edge_is_not_clipped_into_it():
    geoms = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10), box(5, 5, 15, 8)], dtype=object)
    index, clipped = clip_to_tile(geoms, (10.0, 0.0, 20.0, 10.0))
    assert index.tolist() == [1, 2]
    assert [round(g.area, 9) for g in clipped] == [100.0, 15.0]
