"""Footprint parsing: GeoJSON in, checked polygons out; every refusal names the problem."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping

from geo.errors import GeometryError, InputError
from geo.incident.footprint import check_within, dissolve_by_severity, parse_footprint

SQUARE = [[[113.0, 38.0], [113.1, 38.0], [113.1, 38.1], [113.0, 38.1], [113.0, 38.0]]]
POLYGON = {"type": "Polygon", "coordinates": SQUARE}
ORDER = ("high", "medium", "low")


def feature(geometry=POLYGON, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(POLYGON, id="geometry"),
        pytest.param(feature(), id="feature"),
        pytest.param(collection(feature()), id="collection"),
        pytest.param({"type": "MultiPolygon", "coordinates": [SQUARE]}, id="multipolygon"),
        pytest.param({"type": "GeometryCollection", "geometries": [POLYGON]}, id="geometries"),
        pytest.param(mapping(box(113.0, 38.0, 113.1, 38.1)), id="tuples"),
    ],
)
def test_accepted_forms_give_one_lonlat_polygon(data):
    parsed = parse_footprint(data)
    frame = parsed.features
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == ["feature", "class", "geometry"]
    assert len(frame) == 1
    assert frame.geometry.iloc[0].geom_type in {"Polygon", "MultiPolygon"}
    assert frame.geometry.iloc[0].area == pytest.approx(0.01)
    assert parsed.repairs == ()


def test_classes_and_feature_numbers_are_kept():
    parsed = parse_footprint(
        collection(feature(**{"class": "0.7-1.5m"}), feature(), feature(**{"class": 8}))
    )
    assert list(parsed.features["feature"]) == [0, 1, 2]
    assert parsed.features["class"].iloc[0] == "0.7-1.5m"
    assert parsed.features["class"].isna().iloc[1]
    assert parsed.features["class"].iloc[2] == "8"


@pytest.mark.parametrize(
    "name",
    [
        "EPSG:4326",
        "EPSG:4490",
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:EPSG::4490",
    ],
)
def test_lonlat_crs_members_are_accepted(name):
    data = {**collection(feature()), "crs": {"type": "name", "properties": {"name": name}}}
    assert len(parse_footprint(data).features) == 1


def test_self_intersecting_polygon_is_repaired_and_reported():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    parsed = parse_footprint(collection(feature(), feature(bowtie)))
    geom = parsed.features.geometry.iloc[1]
    assert geom.is_valid
    assert geom.area == pytest.approx(2.0)  # both triangles kept
    assert parsed.repairs == (
        "footprint feature 1: invalid polygon (Self-intersection[1 1]) repaired",
    )


_NAN_SQUARE = [[[113.0, 38.0], [math.nan, 38.0], [113.1, 38.1], [113.0, 38.0]]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([POLYGON], r"footprint: expected a GeoJSON object, got list"),
        ({"type": "Polygonal"}, r"unknown GeoJSON type 'Polygonal'; expected Polygon"),
        ({"coordinates": SQUARE}, r"unknown GeoJSON type None"),
        ({"type": "Polygon"}, r"geometry: Polygon has no coordinates"),
        ({"type": "Polygon", "coordinates": []}, r"geometry: Polygon has no coordinates"),
        (
            {"type": "Point", "coordinates": [113, 38]},
            r"geometry is a Point; a footprint is an area: expected Polygon or MultiPolygon",
        ),
        (
            collection(feature({"type": "LineString", "coordinates": [[113, 38], [114, 38]]})),
            r"feature 0 is a LineString; a footprint is an area",
        ),
        (collection(), r"FeatureCollection has no features"),
        ({"type": "FeatureCollection"}, r"FeatureCollection has no 'features' list"),
        (collection(feature(None)), r"feature 0 has no geometry"),
        (feature(None), r"footprint: feature has no geometry"),
        (collection({"type": "Polygon"}), r"feature 0 has type 'Polygon'; expected 'Feature'"),
        (collection("x"), r"feature 0 is not a GeoJSON Feature object"),
        ({**feature(), "properties": [1]}, r"properties must be an object or null"),
        ({"type": "Polygon", "coordinates": _NAN_SQUARE}, r"coordinates must be finite numbers"),
        (
            mapping(box(700_000, 4_190_000, 701_000, 4_191_000)),
            r"coordinate \(701000, 4190000\) is outside lon/lat range.*not projected metres",
        ),
        (
            {"type": "Polygon", "coordinates": [[[113, 38], [113, "38"], [114, 38]]]},
            r"each ring must be a list of \[lon, lat\] number pairs",
        ),
        (
            {"type": "Polygon", "coordinates": [[[113, 38], [113, 38, 1, 2, 3], [114]]]},
            r"each ring must be a list of \[lon, lat\] number pairs",
        ),
        (
            {"type": "Polygon", "coordinates": [[[113, 38], [True, 39], [114, 38]]]},
            r"each ring must be a list of \[lon, lat\] number pairs",
        ),
        (
            {"type": "Polygon", "coordinates": [[[113, 38], [113.1, 38], [113, 38]]]},
            r"a ring needs at least 3 distinct positions",
        ),
        (
            {"type": "Polygon", "coordinates": [[[113, 38], [113.1, 38], [113.2, 38], [113, 38]]]},
            r"geometry is invalid \(Self-intersection.*\) and encloses no area once repaired",
        ),
        (
            {"type": "GeometryCollection", "geometries": []},
            r"GeometryCollection has no geometries",
        ),
        (
            {**POLYGON, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}},
            r"crs 'EPSG:3857' is not accepted; coordinates must be lon/lat in EPSG:4326",
        ),
        ({**POLYGON, "crs": "EPSG:4326"}, r"crs 'EPSG:4326' is not accepted"),
        (
            {**POLYGON, "coordinates": [[p[:] for p in SQUARE[0][:-1]]]},
            r"geometry: a ring is not closed: its first position .*RFC 7946 §3.1.6",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[179, 37.5], [-179, 37.5], [-179, 38.5], [179, 38.5], [179, 37.5]]
                ],
            },
            r"an edge crosses the antimeridian \(longitude 179 to -179\).*RFC 7946 §3.1.9",
        ),
    ],
)
def test_refusals_name_the_problem(data, message):
    with pytest.raises(GeometryError, match=message) as caught:
        parse_footprint(data)
    assert caught.value.field == "footprint"
    assert "\n" not in str(caught.value)


def test_a_class_that_is_not_text_is_refused():
    with pytest.raises(InputError, match=r"feature 0: properties.class must be text.*got list"):
        parse_footprint(collection(feature(**{"class": ["high"]})))


def _frame(*items, crs="EPSG:32649"):
    return gpd.GeoDataFrame(
        {"class": [c for c, _ in items]}, geometry=[g for _, g in items], crs=crs
    )


def test_check_within_passes_an_overlapping_footprint():
    footprint = _frame(("high", box(0, 0, 2, 2)), ("low", box(50, 50, 60, 60)))
    check_within(footprint, box(1, 1, 10, 10), name="阳泉市")


@pytest.mark.parametrize(
    "geometry",
    [pytest.param(box(20, 20, 30, 30), id="apart"), pytest.param(box(2, 0, 5, 2), id="touching")],
)
def test_check_within_refuses_a_footprint_outside_the_area(geometry):
    footprint = _frame(("high", geometry))
    with pytest.raises(GeometryError, match=r"^footprint lies outside 阳泉市$"):
        check_within(footprint, box(-10, -10, 2, 2), name="阳泉市")


def test_overlaps_count_once_at_the_most_severe_class():
    footprint = _frame(
        ("low", box(0, 0, 4, 4)),
        ("high", box(1, 1, 3, 3)),
        ("medium", box(2, 2, 5, 5)),
        ("high", box(2, 0, 3, 1)),  # same class, touching: merged into one piece
    )
    pieces = dissolve_by_severity(footprint, order=ORDER)
    assert list(pieces["class"]) == ["high", "medium", "low"]
    assert pieces.crs == footprint.crs
    assert list(pieces.area) == pytest.approx([5.0, 9.0 - 1.0, 16.0 - 5.0 - 3.0])
    assert pieces.union_all().area == pytest.approx(16.0 + 9.0 - 4.0)
    total = sum(pieces.area)
    assert total == pytest.approx(pieces.union_all().area)  # no overlap left


def test_dissolve_keeps_classes_that_lose_everything_out():
    footprint = _frame(("low", box(1, 1, 2, 2)), ("high", box(0, 0, 3, 3)))
    pieces = dissolve_by_severity(footprint, order=ORDER)
    assert list(pieces["class"]) == ["high"]


def test_dissolve_refuses_a_class_outside_the_order():
    with pytest.raises(InputError, match=r"classes \['deep'\] are not in the severity order"):
        dissolve_by_severity(_frame(("deep", box(0, 0, 1, 1))), order=ORDER)
