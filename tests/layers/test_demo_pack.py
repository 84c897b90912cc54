"""The embedded Yangquan demo pack: real counties and populations, labelled synthetic layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.features import rasterize

from layers.pack import read_pack
from layers.resources import demo_pack_dir

COUNTIES = {
    "140302": ("城区", 224_500, 15),
    "140303": ("矿区", 227_928, 12),
    "140311": ("郊区", 275_893, 624),
    "140321": ("平定县", 303_592, 1404),
    "140322": ("盂县", 279_151, 2509),
}


@pytest.fixture(scope="module")
def pack():
    return read_pack(demo_pack_dir())


def test_the_five_real_counties_with_their_areas(pack):
    counties = pack.counties.set_index("code")
    assert set(counties.index) == set(COUNTIES)
    areas = counties.to_crs("EPSG:6933").area / 1e6  # an equal-area CRS
    for code, (name, population, km2) in COUNTIES.items():
        assert counties.loc[code, "name"] == name
        assert counties.loc[code, "population"] == population
        assert areas[code] == pytest.approx(km2, rel=0.02, abs=0.5)  # "≈" figures
        assert "统计" in counties.loc[code, "population_source"]
        assert "估算" in counties.loc[code, "agri_population_source"]
    assert areas.sum() == pytest.approx(4559, rel=0.01)
    assert pack.repairs == ()


def test_grid_cells_sum_exactly_to_county_populations(pack):
    with rasterio.open(pack.population.path) as src:
        grid = src.read(1)
        # The grid was built from the county borders as stored, projected vertex by vertex;
        # the pack itself densifies them at load, which moves one cell centre of 140321.
        stored = gpd.read_file(pack.path / "layers.gpkg", layer="counties", engine="pyogrio")
        counties = stored.to_crs(src.crs)
        ids = rasterize(
            ((geom, i + 1) for i, geom in enumerate(counties.geometry)),
            out_shape=grid.shape,
            transform=src.transform,
            fill=0,
            dtype="int32",
        )
        assert "synthetic" in src.tags()["synthetic"]
    assert (grid[ids == 0] == -1).all()  # nodata outside the city
    for i, code in enumerate(counties["code"]):
        assert int(grid[ids == i + 1].sum(dtype=np.int64)) == COUNTIES[code][1]


@pytest.mark.parametrize("layer", ["shelters", "depots", "hazard_zones", "roads"])
def test_synthetic_layers_say_so(pack, layer):
    assert pack.vector(layer)["source"].str.contains("synthetic").all()


def test_depot_stock_is_labelled_and_consistent(pack):
    stock = pack.depot_stock
    assert stock["source"].str.contains("synthetic").all()
    assert set(stock["depot_id"]) <= set(pack.depots["id"])
    assert {"tent", "quilt", "cotton_coat", "folding_bed", "food_ration", "drinking_water"} <= set(
        stock["item"]
    )


def test_demo_has_the_expected_mix(pack):
    assert 25 <= len(pack.shelters) <= 40
    assert set(pack.shelters["kind"]) >= {"emergency", "short_term", "long_term"}
    assert set(pack.depots["level"]) >= {"city", "county"}
    assert len(pack.hazard_zones) >= 35
    assert {"landslide", "flash_flood", "fault", "flood_risk"} <= set(pack.hazard_zones["kind"])
    assert 2000 <= len(pack.roads) <= 5000
