"""Values kept with the layers they come from: built once, rebuilt for other layers, dropped."""

from __future__ import annotations

import gc

import geopandas as gpd
from shapely.geometry import Point

from geo._kept import _KEPT, derived


def _layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["S1"]}, geometry=[Point(0, 0)], crs="EPSG:4326")


def test_built_once_per_sources_and_purpose() -> None:
    layer, other = _layer(), _layer()
    builds: list[str] = []

    def build(name: str) -> list[str]:
        builds.append(name)
        return [name]

    first = derived((layer,), "ids", lambda: build("a"))
    assert derived((layer,), "ids", lambda: build("b")) is first
    assert derived((other,), "ids", lambda: build("c")) == ["c"]
    assert derived((layer,), "other purpose", lambda: build("d")) == ["d"]
    assert derived((layer, other), "ids", lambda: build("e")) == ["e"]
    assert builds == ["a", "c", "d", "e"]


def test_dropped_when_a_source_is_collected() -> None:
    layer, other = _layer(), _layer()
    derived((layer, other), "pair", lambda: 1)
    before = len(_KEPT)
    del other
    gc.collect()
    assert len(_KEPT) == before - 1
    assert derived((layer, _layer()), "pair", lambda: 2) == 2
