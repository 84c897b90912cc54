"""Optional context layers (water, places): read when present, checked like the others."""

from __future__ import annotations

import geopandas as gpd
import pytest
from packs import tiny_layers, write_pack
from shapely.geometry import LineString, Point

from geo.errors import LayerError, LayerNotFound
from layers.pack import read_pack
from layers.resources import demo_pack_dir


def test_the_demo_pack_has_its_rivers_and_towns_labelled_approximate():
    pack = read_pack(demo_pack_dir())
    water = pack.vector("water")
    places = pack.vector("places")
    assert {"桃河", "温河"} <= set(water["name"])
    assert {"阳泉城区", "平定县城（冠山镇）", "盂县县城（秀水镇）", "娘子关镇"} <= set(
        places["name"]
    )
    assert set(places["rank"]) == {1, 2, 3}
    for frame in (water, places):
        assert frame.crs.to_epsg() == 4326
        assert frame["source"].str.contains("approximate").all()
        assert frame["source"].str.contains("synthetic").all()
    # Every town lies in the jurisdiction.
    assert places.within(pack.jurisdiction).all()


def test_a_pack_without_context_layers_is_fine(tmp_path):
    pack = read_pack(write_pack(tmp_path / "pack"))
    assert dict(pack.context) == {}
    with pytest.raises(LayerNotFound, match="'water' does not exist"):
        pack.vector("water")


def test_places_without_a_rank_are_refused_naming_the_column(tmp_path):
    layers = tiny_layers()
    counties = layers["counties"]
    centre = counties.to_crs(4326).geometry.iloc[0].representative_point()
    layers["places"] = gpd.GeoDataFrame(
        {"name": ["甲镇"]}, geometry=[Point(centre.x, centre.y)], crs=4326
    )
    layers["water"] = gpd.GeoDataFrame(
        {"name": ["乙河"]},
        geometry=[LineString([(centre.x, centre.y), (centre.x + 0.01, centre.y)])],
        crs=4326,
    )
    with pytest.raises(LayerError, match=r"layer 'places', column 'rank': missing; expected int"):
        read_pack(write_pack(tmp_path / "pack", layers))
