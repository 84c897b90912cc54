"""The one CRS helper: which spellings mean lon/lat, the metric check, cached transformers."""

from __future__ import annotations

import pytest

from geo._crs import (
    LONLAT,
    gauss_kruger_3,
    is_lonlat,
    metric,
    refused_geojson_crs,
    transformer,
)
from geo.errors import GeometryError, InputError
from geo.hazards.reconstruction_sites import parse_sites
from geo.incident.footprint import parse_footprint

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[113.6, 37.8], [113.7, 37.8], [113.7, 37.9], [113.6, 37.8]]],
}
ACCEPTED = (
    "EPSG:4326",
    "epsg:4490",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:EPSG::4490",
    "http://www.opengis.net/def/crs/epsg/0/4326",
    "OGC:CRS84",
)
REFUSED = ("EPSG:3857", "EPSG:32649", "EPSG:4214", "not a crs")


def named(name: str) -> dict:
    """The polygon with a named ``crs`` member."""
    return {**SQUARE, "crs": {"type": "name", "properties": {"name": name}}}


@pytest.mark.parametrize("name", ACCEPTED)
def test_both_parsers_accept_the_same_lonlat_spellings(name: str) -> None:
    assert is_lonlat(name)
    assert refused_geojson_crs(named(name)) is None
    assert len(parse_footprint(named(name)).features) == 1
    assert len(parse_sites(named(name))) == 1


@pytest.mark.parametrize("name", REFUSED)
def test_both_parsers_refuse_the_same_other_spellings(name: str) -> None:
    assert not is_lonlat(name)
    assert refused_geojson_crs(named(name)) == name
    with pytest.raises(GeometryError, match="is not accepted"):
        parse_footprint(named(name))
    with pytest.raises(GeometryError, match="is not accepted"):
        parse_sites(named(name))


def test_a_crs_member_without_a_name_is_refused() -> None:
    assert refused_geojson_crs({"crs": "EPSG:4326"}) == "EPSG:4326"
    assert refused_geojson_crs({"crs": {"type": "name"}}) == {"type": "name"}
    assert refused_geojson_crs({}) is None


def test_metric_and_cached_transformers() -> None:
    assert metric("EPSG:32649").to_epsg() == 32649
    with pytest.raises(InputError, match="not a projected CRS in metres"):
        metric(LONLAT)
    assert transformer(LONLAT, "EPSG:32649") is transformer(LONLAT, "EPSG:32649")


@pytest.mark.parametrize(
    ("lon", "central"),
    [(73.6, 75), (76.49, 75), (76.51, 78), (113.58, 114), (115.4, 114), (121.5, 120), (135.0, 135)],
)
def test_gauss_kruger_zone_is_the_one_whose_central_meridian_is_nearest(lon, central):
    crs = gauss_kruger_3(lon)
    # Independent of our arithmetic: the EPSG registry's own name and projection parameter.
    assert 4534 <= crs.to_epsg() <= 4554
    assert crs.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {central}E"
    params = crs.coordinate_operation.params
    [origin] = [p for p in params if p.name == "Longitude of natural origin"]
    assert origin.value == central
    assert crs.geodetic_crs.name == "China Geodetic Coordinate System 2000"


def test_demo_flood_zone_is_epsg_4547():
    assert gauss_kruger_3(113.58).to_epsg() == 4547


@pytest.mark.parametrize("lon", [10.0, 72.0, 137.0, -113.0])
def test_longitude_outside_china_zones_is_refused(lon):
    with pytest.raises(InputError, match="outside the CGCS2000 3° zones"):
        gauss_kruger_3(lon)
