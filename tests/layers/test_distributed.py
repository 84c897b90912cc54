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


# A grid large enough that demand is gathered above the finest block (more than 600 blocks
# of 250 m hold displaced persons), with shelters of every kind in and around the flood.
BIG_ROWS, BIG_COLS = 240, 280


@pytest.fixture(scope="module")
def big_grid(tmp_path_factory):
    rng = np.random.default_rng(11)
    people = rng.integers(0, 60, (BIG_ROWS, BIG_COLS)).astype("int32")
    people[::7, ::5] = 0
    path = tmp_path_factory.mktemp("raster") / "population.tif"
    profile = {
        "driver": "GTiff", "width": BIG_COLS, "height": BIG_ROWS, "count": 1,
        "dtype": "int32", "crs": UTM, "transform": from_origin(X0, TOP, CELL, CELL),
        "nodata": -1, "tiled": True, "blockxsize": 32, "blockysize": 32,
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(people, 1)
    return read_population(path)


def _big_counties() -> gpd.GeoDataFrame:
    border = [(X0 + 13_830 + 900 * np.sin(k / 5), TOP - 100 * k) for k in range(241)]
    west = Polygon([(X0, TOP), *border, (X0, TOP - 24_000)])
    east = Polygon([(X0 + 28_000, TOP), *border, (X0 + 28_000, TOP - 24_000)])
    frame = gpd.GeoDataFrame(
        {"code": ["320101", "320102"], "name": ["西", "东"], "population": [400_000, 500_000]},
        geometry=[west, east],
        crs=UTM,
    )
    return frame.to_crs("EPSG:4326")


def _big_pieces() -> gpd.GeoDataFrame:
    river = LineString(
        [(X0 + 1_210, TOP - 22_630), (X0 + 12_970, TOP - 9_110), (X0 + 27_870, TOP + 240)]
    )
    frame = gpd.GeoDataFrame(
        {"class": [">1.5m", "0.7-1.5m", "0.1-0.7m"]},
        geometry=[river.buffer(900), river.buffer(2_450), river.buffer(4_820)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    return dissolve_by_severity(frame, order=read_displacement().order("flood"))


def _shelters() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(5)
    n = 60
    kinds = ["emergency", "short_term", "medium_term", "central"] * (n // 4)
    points = [
        shapely.Point(X0 + x, TOP - y)
        for x, y in zip(rng.uniform(0, 28_000, n), rng.uniform(0, 24_000, n), strict=True)
    ]
    frame = gpd.GeoDataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "name": [f"{i}号" for i in range(n)],
            "capacity": rng.integers(200, 3_000, n),
            "kind": kinds,
        },
        geometry=points,
        crs=UTM,
    )
    return frame.to_crs("EPSG:4326")


def _assess(exposure, pieces, counties, shelters):
    from geo.assessment import assess
    from layers.plans import read_plan
    from layers.profiles import read_setbacks
    from layers.resources import plans_dir

    zones = gpd.GeoDataFrame({"id": [], "kind": [], "risk": []}, geometry=[], crs="EPSG:4326")
    return assess(
        exposure,
        pieces=pieces,
        counties=counties,
        shelters=shelters,
        hazard_zones=zones,
        setbacks=read_setbacks(),
        plan=read_plan(plans_dir() / "yangquan-2026.toml").plan,
        reported={},
        metric_crs=UTM,
    )


@pytest.mark.parametrize("tile_cells", [64, 128])  # 128: tiles gather above 250 m blocks
def test_workers_return_sums_and_the_whole_assessment_is_the_single_process_one(
    big_grid, client, tile_cells
):
    from layers.distributed import assessment_needs
    from layers.profiles import read_setbacks

    profile, pieces, counties, shelters = (
        read_displacement(), _big_pieces(), _big_counties(), _shelters()
    )  # fmt: skip
    bounds = project_bounds(tuple(pieces.total_bounds), crs=big_grid.crs)
    one = compute_exposure(
        pieces, counties, read_window(big_grid, bounds), profile=profile, hazard="flood"
    )
    needs = assessment_needs(shelters, read_setbacks().service_radii(), metric_crs=UTM)
    many = distributed_exposure(
        pieces, counties, big_grid, profile=profile, hazard="flood", client=client,
        tile_cells=tile_cells, needs=needs,
    )  # fmt: skip
    # the driver held block centres and reach groups, far fewer rows than cell parts
    assert len(one.cell_parts) > 25_000
    assert len(many.cell_parts) < len(one.cell_parts) / 10
    a, b = _assess(one, pieces, counties, shelters), _assess(many, pieces, counties, shelters)
    assert a.demand.block_m == b.demand.block_m >= 1_000  # gathered above the finest block
    assert len(a.demand.frame) > 100
    mine, theirs = b.demand.frame, a.demand.frame
    assert mine["county"].tolist() == theirs["county"].tolist()
    assert mine["persons"].tolist() == theirs["persons"].tolist()
    for column in ("x", "y"):
        np.testing.assert_allclose(mine[column], theirs[column], rtol=0, atol=1e-6)
    assert b.shelters == a.shelters
    assert (dict(b.assignment.assigned), dict(b.assignment.unplaced)) == (
        dict(a.assignment.assigned),
        dict(a.assignment.unplaced),
    )
    assert [(f.point, f.shelter, f.persons) for f in b.assignment.flows] == [
        (f.point, f.shelter, f.persons) for f in a.assignment.flows
    ]
    assert a.assignment.placed_total > 1_000
    assert (round(b.coverage.covered), round(b.coverage.affected)) == (
        round(a.coverage.covered),
        round(a.coverage.affected),
    )
    assert 0 < a.coverage.covered < a.coverage.affected
    for k, j in zip(b.coverage.by_kind, a.coverage.by_kind, strict=True):
        assert (k.kind, k.shelters, round(k.covered)) == (j.kind, j.shelters, round(j.covered))
        assert k.covered == pytest.approx(j.covered, rel=1e-12)
    assert (b.figures, b.verdict, b.travel) == (a.figures, a.verdict, a.travel)
    assert [(r.code, r.affected, r.displaced) for r in many.by_county] == [
        (r.code, r.affected, r.displaced) for r in one.by_county
    ]
