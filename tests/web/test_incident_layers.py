"""The incident map's pack layers: the GeoJSON folium writes is the GeoJSON geopandas writes."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from layers.pack import read_pack
from layers.resources import demo_pack_dir
from web.incident_layers import features


def _geometries_as_geopandas_writes_them(frame: gpd.GeoDataFrame) -> str:
    written = json.loads(frame.geometry.to_json(drop_id=True))["features"]
    return json.dumps([f["geometry"] for f in written])


def _geometries(frame: gpd.GeoDataFrame) -> str:
    found = features(frame, [{"n": i} for i in range(len(frame))])["features"]
    assert [f["properties"] for f in found] == [{"n": i} for i in range(len(frame))]
    return json.dumps([f["geometry"] for f in found])


@pytest.mark.parametrize("layer", ["counties", "hazard_zones", "roads"])
def test_pack_layers_as_geopandas_writes_them(layer):
    frame = getattr(read_pack(demo_pack_dir()), layer)
    assert _geometries(frame) == _geometries_as_geopandas_writes_them(frame)


def test_holes_parts_empty_and_missing_geometries_as_geopandas_writes_them():
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    hole = [(1, 1), (2, 1), (2, 2), (1, 1)]
    frame = gpd.GeoDataFrame(
        geometry=[
            Polygon(square, [hole]),
            MultiPolygon([Polygon(square), Polygon([(5, 5), (6, 5), (6, 6)])]),
            LineString([(0.1, 0.2, 3.0), (1 / 3, 2 / 3, 4.0)]),
            Point(116.123456789012, 31.987654321098),
            Polygon(),
            None,
        ],
        crs=4326,
    )
    assert _geometries(frame) == _geometries_as_geopandas_writes_them(frame)
