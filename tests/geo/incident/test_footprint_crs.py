"""A GeoJSON footprint in a named CRS brought to lon/lat before it is parsed."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Transformer

from geo.errors import GeometryError
from geo.incident.footprint import parse_footprint
from geo.incident.footprint_crs import to_lonlat

#: A 2 km square in the Gauss-Krüger zone of 114°E (EPSG:4547), near Yangquan.
X, Y = 500_000.0, 4_190_000.0
SQUARE = [[X, Y], [X + 2_000, Y], [X + 2_000, Y + 2_000], [X, Y + 2_000], [X, Y]]


def named(name: str) -> dict:
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": name}},
        "features": [
            {
                "type": "Feature",
                "properties": {"class": "high"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            }
        ],
    }


@pytest.mark.parametrize("name", ["EPSG:4547", "urn:ogc:def:crs:EPSG::4547"])
def test_a_named_crs_member_is_brought_to_lonlat(name):
    lonlat = to_lonlat(named(name))
    assert "crs" not in lonlat
    polygon = parse_footprint(lonlat).features.geometry.iloc[0]
    # every corner lands where PROJ's own transformation puts it; edges were densified
    to_lonlat_ = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
    for x, y in SQUARE[:4]:
        lon, lat = to_lonlat_.transform(x, y)
        assert shapely.Point(lon, lat).distance(polygon.exterior) < 1e-9
    assert len(polygon.exterior.coords) > 5


def test_the_request_field_names_the_crs_when_the_object_does_not():
    bare = named("EPSG:4547")
    del bare["crs"]
    assert to_lonlat(bare, crs="EPSG:4547") == to_lonlat(named("EPSG:4547"))


def test_lonlat_passes_unchanged_apart_from_its_member():
    data = named("urn:ogc:def:crs:OGC:1.3:CRS84")
    assert to_lonlat(data)["features"] == data["features"]


def test_an_unreadable_or_disagreeing_crs_names_the_field():
    with pytest.raises(GeometryError, match="crs: 'EPSG:999999' is not a CRS pyproj can read") as e:
        to_lonlat(named("EPSG:4547"), crs="EPSG:999999")
    assert e.value.field == "crs"
    with pytest.raises(GeometryError, match="disagrees with the footprint's own crs member"):
        to_lonlat(named("EPSG:4547"), crs="EPSG:4326")
