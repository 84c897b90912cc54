"""Tiles of whole cells: each cell in one tile, zones clipped to a tile's box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import InputError
from geo.incident.tiling import (
    Sites,
    Tile,
    clip_to_tile,
    demand_blocks,
    demand_level,
    grid_tiles,
    merge_blocks,
    reach_groups,
)


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


def _points(seed, n=4_000):
    rng = np.random.default_rng(seed)
    county = rng.integers(0, 3, n)
    xy = np.column_stack([rng.uniform(-20_000, 30_000, n), rng.uniform(10_000, 40_000, n)])
    displaced = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0, 5, n))
    return county, xy, displaced


def test_tile_blocks_merged_equal_the_blocks_of_all_points_at_any_coarser_size():
    parts = [_points(seed) for seed in (1, 2, 3)]
    tiles = [demand_blocks(c, xy, d, block_m=250.0, most=60) for c, xy, d in parts]
    assert all(t.level == 5 and t.w.size <= 4 * 60 for t in tiles)  # 8 km; 4 km blocks: over 240
    merged = merge_blocks(tiles)
    county, xy, displaced = (np.concatenate(column) for column in zip(*parts, strict=True))
    for level in (5, 6, 8):
        size = 250.0 * 2**level  # the reference: every point's block at that size
        real = displaced > 0
        frame = pd.DataFrame(
            {
                "c": county[real],
                "bx": np.floor(xy[real, 0] / size).astype(int),
                "by": np.floor(xy[real, 1] / size).astype(int),
                "w": displaced[real],
                "wx": displaced[real] * xy[real, 0],
            }
        )
        expected = frame.groupby(["c", "bx", "by"]).sum().reset_index()
        got = merged.coarsened(level)
        assert got.county.tolist() == expected["c"].tolist()
        assert (got.bx.tolist(), got.by.tolist()) == (
            expected["bx"].tolist(),
            expected["by"].tolist(),
        )
        np.testing.assert_allclose(got.w, expected["w"], rtol=1e-12)
        np.testing.assert_allclose(got.wx, expected["wx"], rtol=1e-12)
    level = demand_level(merged, most=60)
    assert merged.coarsened(level).w.size <= 60 < merged.coarsened(level - 1).w.size


def test_points_grouped_by_the_sites_that_reach_them():
    rng = np.random.default_rng(4)
    county, xy, affected = (
        rng.integers(0, 2, 3_000),
        rng.uniform(0, 10_000, (3_000, 2)),
        rng.random(3_000),
    )
    sites = Sites(xy=rng.uniform(0, 10_000, (40, 2)), radius=np.repeat([500.0, 2_000.0], 20))
    member, summed = reach_groups(county, xy, affected, sites)
    # reference: the set of sites each point lies within the radius of, by brute force
    distance = np.hypot(*(xy[:, None, :] - sites.xy[None, :, :]).transpose(2, 0, 1))
    reached = [frozenset(np.flatnonzero(row).tolist()) for row in distance <= sites.radius]
    groups = {}
    for i, key in enumerate(zip(county.tolist(), reached, strict=True)):
        groups.setdefault(key, []).append(i)
    assert len(member) == len(groups) > 40
    for i, total in zip(member.tolist(), summed.tolist(), strict=True):
        mates = groups[county[i], reached[i]]
        assert total == pytest.approx(affected[mates].sum(), rel=1e-12)
