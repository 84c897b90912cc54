"""Windowed reads of the population raster: only the cells an incident needs, padded by one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from affine import Affine
from packs import CELL, X0, Y0, tiny_population, write_pack

from geo.errors import LayerError
from layers.pack import read_population
from layers.population import read_window

TOP = Y0 + 10_000  # the tiny raster: 20 × 10 cells of 1 km, origin (X0, TOP)


@pytest.fixture
def grid(tmp_path):
    return read_population(write_pack(tmp_path / "pack") / "population.tif")


@pytest.mark.parametrize(
    ("bounds", "col", "row", "shape"),
    [
        pytest.param((2_500, 2_500, 3_500, 3_500), 1, 5, (4, 4), id="inside-cells"),
        pytest.param((2_000, 2_000, 3_000, 3_000), 1, 6, (3, 3), id="on-cell-edges"),
        pytest.param((-5_000, 8_000, 1_500, 12_000), 0, 0, (3, 3), id="clipped-north-west"),
        pytest.param((18_500, -3_000, 25_000, 500), 17, 8, (2, 3), id="clipped-south-east"),
    ],
)
def test_window_covers_the_bounds_plus_one_cell(grid, bounds, col, row, shape):
    minx, miny, maxx, maxy = bounds
    window = read_window(grid, (X0 + minx, Y0 + miny, X0 + maxx, Y0 + maxy))
    assert window.array.shape == shape
    assert window.array.dtype == np.float64
    assert window.transform == Affine(CELL, 0, X0 + col * CELL, 0, -CELL, TOP - row * CELL)
    expected = tiny_population()[row : row + shape[0], col : col + shape[1]]
    np.testing.assert_array_equal(window.array, expected)
    assert window.crs == grid.crs
    assert window.nodata == -1


def test_window_bounds_follow_the_transform(grid):
    window = read_window(grid, (X0 + 2_500, Y0 + 2_500, X0 + 3_500, Y0 + 3_500))
    assert window.bounds == (X0 + 1_000, Y0 + 1_000, X0 + 5_000, Y0 + 5_000)


def test_bounds_missing_the_raster_give_an_empty_window(grid):
    window = read_window(grid, (X0 + 50_000, Y0, X0 + 60_000, Y0 + 5_000))
    assert window.array.size == 0


def test_nodata_and_nan_cells_hold_nobody(tmp_path):
    population = tiny_population().astype("float32")
    population[4, 2] = -1  # the pack's nodata
    population[4, 3] = np.nan
    folder = write_pack(tmp_path / "pack", population=population)
    grid = read_population(folder / "population.tif")
    window = read_window(grid, (X0 + 2_100, Y0 + 5_100, X0 + 3_900, Y0 + 5_900))
    assert window.array.shape == (3, 4)
    assert window.array[1].tolist() == [10.0, 0.0, 0.0, 10.0]
    assert np.isfinite(window.array).all()


def test_only_the_window_is_read(grid, monkeypatch):
    import rasterio.io

    seen = []
    original = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        seen.append(kwargs.get("window"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    read_window(grid, (X0 + 2_500, Y0 + 2_500, X0 + 3_500, Y0 + 3_500))
    assert len(seen) == 1
    assert (seen[0].width, seen[0].height) == (4, 4)


def test_a_rotated_raster_is_refused(grid):
    rotated = dataclasses.replace(grid, transform=grid.transform @ Affine.rotation(10))
    with pytest.raises(LayerError, match=r"layer 'population' .*expected a north-up raster"):
        read_window(rotated, (X0, Y0, X0 + 1_000, Y0 + 1_000))


def test_an_unreadable_raster_is_refused(grid, tmp_path):
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"not a tiff")
    with pytest.raises(LayerError, match=r"layer 'population' \(broken.tif\): cannot be read"):
        read_window(dataclasses.replace(grid, path=broken), (X0, Y0, X0 + 1_000, Y0 + 1_000))
