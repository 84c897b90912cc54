"""The optional housing layer: located or per county; bad rows refused naming the column."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from packs import TINY_CRS, X0, Y0
from shapely.geometry import Point

from geo.errors import LayerError
from layers.housing import read_housing
from layers.profiles import read_damage


def per_county(**changes) -> pd.DataFrame:
    rows = {"county": ["140302"], "structure": ["砖混"], "rooms": [10.0], "households": [4.0]}
    rows.update(changes)
    return pd.DataFrame(rows)


def test_a_pack_without_housing_has_none(tiny_pack):
    assert read_housing(tiny_pack, read_damage()) is None


def test_per_county_rows_are_read_as_a_table(make_pack):
    housing = read_housing(make_pack(housing=per_county()), read_damage())
    assert housing is not None
    assert not housing.located
    assert housing.frame["rooms"].tolist() == [10.0]


def test_located_rows_keep_their_geometry_in_lonlat(make_pack):
    frame = gpd.GeoDataFrame(
        {"structure": ["框架"], "rooms": [3], "households": [1]},  # an alias of 钢混
        geometry=[Point(X0 + 100, Y0 + 100)],
        crs=TINY_CRS,
    )
    housing = read_housing(make_pack(housing=frame), read_damage())
    assert housing is not None
    assert housing.located
    assert housing.frame.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"rooms": [-1.0]}, "rooms"),
        ({"households": [-2.0]}, "households"),
        ({"structure": ["茅草"]}, "structure"),
    ],
)
def test_bad_rows_are_refused_naming_the_column(make_pack, changes, column):
    with pytest.raises(LayerError, match=f"layer 'housing', column '{column}'"):
        read_housing(make_pack(housing=per_county(**changes)), read_damage())
