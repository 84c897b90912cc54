"""Exposure on a Dask LocalCluster, tile by tile, against the single-process step."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.geometry import LineString, Polygon, box

from geo.incident.exposure import compute_exposure
from geo.incident.footprint import dissolve_by_severity
from geo.incident.grid import project_bounds
from layers.distributed import distributed_exposure
from layers.pack import read_population
from layers.population import read_window
from layers.profiles import read_displacement

distributed = pytest.importorskip("distributed")

UTM = "EPSG:32650"
X0, TOP, CELL = 500_000.0, 3_600_000.0, 100.0
ROWS, COLS = 30, 40


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    rng = np.random.default_rng(7)
    people = rng.integers(0, 60, (ROWS, COLS)).astype("int32")
    people[3, 5] = -1  # nodata
    path = tmp_path_factory.mktemp("raster") / "population.tif"
    profile = {
        "driver": "GTiff",
        "width": COLS,
        "height": ROWS,
        "count": 1,
        "dtype": "int32",
        "crs": UTM,
        "transform": from_origin(X0, TOP, CELL, CELL),
        "nodata": -1,
        "tiled": True,
        "blockxsize": 16,
        "blockysize": 16,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(people, 1)
    return read_population(path)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        yield dask_client


def _counties() -> gpd.GeoDataFrame:
    # A wavy border between two counties, off the cell edges.
    border = [(X0 + 1_830 + 170 * np.sin(k / 2), TOP - 100 * k) for k in range(31)]
    west = Polygon([(X0, TOP), *border, (X0, TOP - 3_000)])
    east = Polygon([(X0 + 4_000, TOP), *border, (X0 + 4_000, TOP - 3_000)])
    frame = gpd.GeoDataFrame(
        {"code": ["320101", "320102"], "name": ["西", "东"]}, geometry=[west, east], crs=UTM
    )
    return frame.to_crs("EPSG:4326")


def _pieces() -> gpd.GeoDataFrame:
    """Flood bands crossing many tile edges and the county border, past the raster's edge."""
    river = LineString(
        [(X0 + 210, TOP - 2_630), (X0 + 1_970, TOP - 1_110), (X0 + 3_870, TOP + 240)]
    )
    frame = gpd.GeoDataFrame(
        {"class": [">1.5m", "0.7-1.5m", "0.1-0.7m"]},
        geometry=[
            river.buffer(180),
            river.buffer(450),
            river.buffer(820).union(box(X0 + 2_555, TOP - 2_955, X0 + 3_345, TOP - 2_205)),
        ],
        crs=UTM,
    ).to_crs("EPSG:4326")
    return dissolve_by_severity(frame, order=read_displacement().order("flood"))


@pytest.mark.parametrize("tile_cells", [7, 16, 20, 64])  # 20: tiles of two 16-cell blocks
def test_tiles_on_dask_give_the_single_process_answer(grid, client, tile_cells):
    profile, pieces, counties = read_displacement(), _pieces(), _counties()
    bounds = project_bounds(tuple(pieces.total_bounds), crs=grid.crs)
    one = compute_exposure(
        pieces, counties, read_window(grid, bounds), profile=profile, hazard="flood"
    )
    many = distributed_exposure(
        pieces,
        counties,
        grid,
        profile=profile,
        hazard="flood",
        client=client,
        tile_cells=tile_cells,
    )
    assert one.affected_exact > 1_000
    assert abs(many.affected_exact - one.affected_exact) < 1e-6
    assert abs(many.displaced_exact - one.displaced_exact) < 1e-6
    assert abs(many.outside_counties_exact - one.outside_counties_exact) < 1e-6
    for a, b in zip(many.by_county, one.by_county, strict=True):
        assert (a.code, a.affected, a.displaced, dict(a.by_class)) == (
            b.code,
            b.affected,
            b.displaced,
            dict(b.by_class),
        )
        assert abs(a.affected_exact - b.affected_exact) < 1e-6
    assert (many.affected, many.displaced) == (one.affected, one.displaced)
    assert [(c.name, c.affected) for c in many.by_class] == [
        (c.name, c.affected) for c in one.by_class
    ]
    # the same cell parts, in another order
    key = ["county", "class", "x", "y"]
    mine = many.cell_parts.sort_values(key).reset_index(drop=True)
    theirs = one.cell_parts.sort_values(key).reset_index(drop=True)
    assert len(mine) == len(theirs)
    np.testing.assert_allclose(mine["affected"], theirs["affected"], rtol=0, atol=1e-9)


class _InProcess:
    """A stand-in for a Dask client: runs each task here and keeps what it was sent."""

    def __init__(self):
        self.tasks = []

    def map(self, func, tasks, **kwargs):
        self.tasks.extend(tasks)
        return [func(task, **{k: v for k, v in kwargs.items() if k != "pure"}) for task in tasks]

    def submit(self, func, task, **kwargs):
        self.tasks.append(task)
        return func(task, **{k: v for k, v in kwargs.items() if k != "pure"})

    def gather(self, futures):
        return futures


def test_small_tiles_make_many_tasks_and_each_reads_only_its_window(grid):
    pieces, counties, client = _pieces(), _counties(), _InProcess()
    distributed_exposure(
        pieces,
        counties,
        grid,
        profile=read_displacement(),
        hazard="flood",
        client=client,
        tile_cells=7,
    )
    tiles = [task.tile for task in client.tasks]
    assert len(tiles) > 12
    cells = {
        (r, c)
        for t in tiles
        for r in range(t.row_off, t.row_off + t.height)
        for c in range(t.col_off, t.col_off + t.width)
    }
    assert sum(t.height * t.width for t in tiles) == len(cells)  # no cell twice


def test_tiles_lie_on_the_file_blocks_and_tasks_receive_only_their_pieces(grid):
    pieces, counties, client = _pieces(), _counties(), _InProcess()
    distributed_exposure(
        pieces,
        counties,
        grid,
        profile=read_displacement(),
        hazard="flood",
        client=client,
        tile_cells=20,
    )
    assert grid.block == (16, 16)
    blocks = {}
    for task in client.tasks:
        t = task.tile
        assert (t.height, t.width) <= (32, 32)
        for r in range(t.row_off, t.row_off + t.height):
            for c in range(t.col_off, t.col_off + t.width):
                blocks.setdefault((r // 16, c // 16), set()).add(t)
        west, south, east, north = t.bounds(grid.transform)
        for piece in shapely.from_wkb(list(task.wkb)):
            inside = shapely.box(west - 1e-6, south - 1e-6, east + 1e-6, north + 1e-6)
            assert inside.contains(piece)
    assert all(len(tiles) == 1 for tiles in blocks.values())  # each block read by one task
