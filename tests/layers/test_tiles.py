"""Population tiles against an independent rasterio read + reproject of the same tile.

The reference warps the demo pack's ``population.tif`` into the tile's Web Mercator bounds
with `rasterio.warp.reproject` (nearest), turns persons per cell into persons per km² from
the raster's own cell size, and classes it by the table in `web.map_classes`; the tile's
PNG pixels, decoded by Pillow, must show the same class's colour, or nothing where a cell
holds no one.
"""

from __future__ import annotations

import io

import morecantile
import numpy as np
import pytest
import rasterio
from PIL import Image
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geo.errors import InputError, NotFound
from layers.population import read_population
from layers.resources import demo_pack_dir
from layers.tiles import PopulationTiles, cell_area_km2, check_tile
from web.map_classes import POPULATION_GRID_ALPHA, POPULATION_GRID_CLASSES

RASTER = demo_pack_dir() / "population.tif"
TMS = morecantile.tms.get("WebMercatorQuad")
#: Places in the demo pack (阳泉): 城区, 矿区 and the countryside of 盂县 and 平定县.
PLACES = [(113.58, 37.86), (113.52, 37.88), (113.40, 38.08), (113.62, 37.79)]


@pytest.fixture(scope="module")
def tiles() -> PopulationTiles:
    return PopulationTiles(
        read_population(RASTER), POPULATION_GRID_CLASSES, alpha=POPULATION_GRID_ALPHA
    )


def reference_classes(tile: morecantile.Tile) -> np.ndarray:
    """Class index per pixel (-1: transparent), from rasterio alone."""
    bounds = TMS.xy_bounds(tile)
    out = np.full((256, 256), -1.0, dtype="float64")
    with rasterio.open(RASTER) as src:
        cell_km2 = abs(src.res[0] * src.res[1]) / 1e6
        reproject(
            source=rasterio.band(src, 1),
            destination=out,
            dst_transform=rasterio.transform.from_bounds(*bounds, 256, 256),
            dst_crs="EPSG:3857",
            dst_nodata=-1.0,
            resampling=Resampling.nearest,
        )
    density = np.where(out > 0, out / cell_km2, np.nan)
    classes = np.full(out.shape, -1)
    for i, (low, high, _) in enumerate(POPULATION_GRID_CLASSES):
        upper = np.inf if high is None else high
        classes[(density >= low) & (density < upper)] = i
    return classes


def tile_classes(png: bytes) -> np.ndarray:
    """Class index per pixel of a rendered tile, read back from its colours."""
    rgba = np.array(Image.open(io.BytesIO(png)).convert("RGBA"))
    classes = np.full(rgba.shape[:2], -2)
    classes[rgba[..., 3] == 0] = -1
    for i, (_, _, color) in enumerate(POPULATION_GRID_CLASSES):
        rgb = [int(color[k : k + 2], 16) for k in (1, 3, 5)]
        hit = (rgba[..., :3] == rgb).all(axis=-1) & (rgba[..., 3] == POPULATION_GRID_ALPHA)
        classes[hit] = i
    return classes


@pytest.mark.parametrize("zoom", [11, 13, 15])
@pytest.mark.parametrize("place", PLACES)
def test_tile_classes_match_a_rasterio_reprojection(tiles, zoom, place):
    tile = TMS.tile(*place, zoom)
    got = tile_classes(tiles.png(zoom, tile.x, tile.y))
    want = reference_classes(tile)
    assert (got != -2).all(), "a pixel has a colour outside the class table"
    # The centre pixel and four more across the tile, as the task states the check …
    for row, col in [(128, 128), (64, 64), (64, 192), (192, 64), (192, 192)]:
        assert got[row, col] == want[row, col], (tile, row, col)
    # … and nearly every pixel: two nearest-neighbour warps may differ on a cell's edge.
    assert (got == want).mean() > 0.99


def test_tiles_show_more_than_one_class_and_leave_empty_cells_clear(tiles):
    tile = TMS.tile(*PLACES[0], 11)
    got = tile_classes(tiles.png(11, tile.x, tile.y))
    assert len(set(np.unique(got)) - {-1}) >= 3
    assert (got == -1).any()


def test_cell_area_of_the_demo_grid_is_a_hundredth_of_a_km2():
    assert cell_area_km2(read_population(RASTER)) == pytest.approx(0.01)


def test_a_tile_is_rendered_once_and_then_kept(tiles):
    tile = TMS.tile(*PLACES[1], 12)
    first = tiles.png(12, tile.x, tile.y)
    hits = tiles.png.cache_info().hits
    assert tiles.png(12, tile.x, tile.y) is first
    assert tiles.png.cache_info().hits == hits + 1


@pytest.mark.parametrize(
    ("z", "x", "y", "error", "match"),
    [
        (19, 0, 0, InputError, "z: expected a zoom from 0 to 18"),
        (-1, 0, 0, InputError, "z: expected"),
        (3, 8, 0, NotFound, "x and y run from 0 to 7"),
        (3, 0, -1, NotFound, "x and y run from 0 to 7"),
    ],
)
def test_tile_addresses_outside_the_grid_are_refused(z, x, y, error, match):
    with pytest.raises(error, match=match):
        check_tile(z, x, y)


def test_a_tile_the_raster_does_not_reach_is_not_found(tiles):
    with pytest.raises(NotFound, match="does not reach"):
        tiles.png(10, 0, 0)
