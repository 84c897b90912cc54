"""A hazard raster's exposure against an independent per-cell shapely reference.

The depth grid is offset from the population grid AND rotated (a rotated affine
transform), so no depth cell lines up with a population cell. The reference draws every
depth cell as its own rotated square from the transform's corners, classes it by the
InaSAFE rule written out here (min < depth <= max), and measures, cell by cell of the
population grid, the area each class covers with shapely: persons × share.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from packs import TINY_CRS, X0, Y0
from pyproj import CRS

from geo.errors import HazardValueError, InputError
from geo.incident.exposure import compute_exposure
from geo.incident.grid import PopulationWindow
from geo.incident.hazard_raster import HazardGrid, raster_pieces
from layers.profiles import read_displacement

#: InaSAFE flood_petabencana_hazard_classes bounds, as its source states them.
BANDS = {">1.5m": (1.5, np.inf), "0.7-1.5m": (0.7, 1.5), "0.1-0.7m": (0.1, 0.7)}
POP_CELL = 1000.0
DEPTH_CELL = 370.0


@pytest.fixture(scope="module")
def profile():
    return read_displacement()


def population() -> PopulationWindow:
    rng = np.random.default_rng(7)
    array = rng.uniform(0, 100, size=(12, 14)).round(1)
    transform = Affine(POP_CELL, 0, X0, 0, -POP_CELL, Y0 + 12 * POP_CELL)
    return PopulationWindow(array=array, transform=transform, crs=CRS(TINY_CRS))


def depth_grid(rows: int = 18, cols: int = 22) -> HazardGrid:
    """Depths over a rotated, offset grid: every band, cells below 0.1 m and nodata."""
    yy, xx = np.mgrid[0:rows, 0:cols]
    depth = (0.02 + 0.11 * xx + 0.07 * np.abs(yy - rows / 2)).astype(np.float32)
    valid = np.ones_like(depth, dtype=bool)
    valid[3:6, 4:9] = False  # a nodata hole inside the flood
    transform = (
        Affine.translation(X0 + 2_345.6, Y0 + 10_789.1)
        @ Affine.rotation(-23.0)
        @ Affine.scale(DEPTH_CELL, -DEPTH_CELL)
    )
    return HazardGrid(depth, valid, transform, CRS(TINY_CRS), "depth.tif")


def reference(grid: HazardGrid, window: PopulationWindow) -> dict[str, float]:
    """Persons per class, cell by cell with shapely (no rasterio, no exactextract)."""
    t = grid.transform
    rows, cols = grid.values.shape
    by_class: dict[str, list[shapely.Polygon]] = {name: [] for name in BANDS}
    for r in range(rows):
        for c in range(cols):
            if not grid.valid[r, c]:
                continue
            corners = [t @ (c, r), t @ (c + 1, r), t @ (c + 1, r + 1), t @ (c, r + 1)]
            value = float(grid.values[r, c])
            for name, (low, high) in BANDS.items():
                if low < value <= high:
                    by_class[name].append(shapely.Polygon(corners))
    p = window.transform
    prow, pcol = window.array.shape
    out = {}
    for name, cells in by_class.items():
        area = shapely.union_all(cells)
        total = 0.0
        for r in range(prow):
            for c in range(pcol):
                box = shapely.box(
                    p.c + c * p.a, p.f + (r + 1) * p.e, p.c + (c + 1) * p.a, p.f + r * p.e
                )
                total += window.array[r, c] * shapely.intersection(box, area).area / box.area
        out[name] = total
    return out


def test_rotated_offset_depth_grid_matches_the_per_cell_reference(profile):
    grid, window = depth_grid(), population()
    found = raster_pieces(grid, profile.table("flood"), hazard="flood")
    county = shapely.box(X0 - 5_000, Y0 - 5_000, X0 + 30_000, Y0 + 30_000)
    counties = gpd.GeoDataFrame(
        {"code": ["140302"], "name": ["西县"]}, geometry=[county], crs=TINY_CRS
    ).to_crs("EPSG:4326")
    exposure = compute_exposure(found.pieces, counties, window, profile=profile, hazard="flood")
    expected = reference(grid, window)
    got = {c.name: c.affected_exact for c in exposure.by_class}
    assert set(got) == set(expected)
    for name, persons in expected.items():
        assert got[name] == pytest.approx(persons, rel=1e-6), name
    # the grid holds nodata cells and cells of 0.02 m (below every band): in no class
    assert found.nodata_cells == 15
    assert found.below_cells > 0
    assert sum(found.cells.values()) + found.nodata_cells + found.below_cells == grid.values.size


def test_centimetres_are_refused(profile):
    grid = depth_grid()
    in_cm = HazardGrid(grid.values * 100, grid.valid, grid.transform, grid.crs, "depth_cm.tif")
    with pytest.raises(
        HazardValueError,
        match=r"largest value 296 is above .* \(centimetres\? give",
    ):
        raster_pieces(in_cm, profile.table("flood"), hazard="flood")


def test_a_raster_with_nothing_in_any_class_is_refused(profile):
    grid = depth_grid()
    dry = HazardGrid(
        np.full_like(grid.values, 0.05), grid.valid, grid.transform, grid.crs, "dry.tif"
    )
    with pytest.raises(HazardValueError, match="no cell is in any flood class"):
        raster_pieces(dry, profile.table("flood"), hazard="flood")


def test_a_hazard_without_bounds_takes_no_raster(profile):
    with pytest.raises(InputError, match="hazard_raster: landslide classes have no numeric bounds"):
        raster_pieces(depth_grid(), profile.table("landslide"), hazard="landslide")
