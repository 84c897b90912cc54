"""Work limits on GeoJSON: counted without recursion, each refusal naming limit and value."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping

from geo.errors import GeometryError, LimitExceeded
from geo.incident.extent import area_m2, check_extent, clip_to_box
from geo.incident.footprint import parse_footprint
from geo.incident.limits import GeometryLimits, check_geojson, check_nesting

SMALL = GeometryLimits(
    max_features=3,
    max_vertices_per_feature=10,
    max_vertices=12,
    max_holes=1,
    max_nesting=12,
    max_repair_vertices=8,
)
SQUARE = mapping(box(113.0, 38.0, 113.1, 38.1))


def star(n: int) -> dict:
    """A closed star of ``n`` points whose every seventh point is flipped through the centre."""
    points = []
    for k in range(n):
        angle = 2 * math.pi * k / n + (math.pi if k % 7 == 0 else 0.0)
        radius = 0.2 if k % 2 == 0 else 0.08
        points.append([113.5 + radius * math.cos(angle), 37.9 + radius * math.sin(angle)])
    return {"type": "Polygon", "coordinates": [[*points, points[0]]]}


def collection(*geometries):
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": g, "properties": {}} for g in geometries],
    }


def nested(depth: int) -> dict:
    geometry: dict = SQUARE
    for _ in range(depth):
        geometry = {"type": "GeometryCollection", "geometries": [geometry]}
    return geometry


@pytest.mark.parametrize(
    ("data", "limit", "value"),
    [
        (collection(SQUARE, SQUARE, SQUARE, SQUARE), "max_features", 4),
        (star(14), "max_vertices_per_feature", 15),
        (collection(SQUARE, SQUARE, SQUARE), "max_vertices", 15),
        (
            {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0]] * 3},
            "max_holes",
            2,
        ),
    ],
)
def test_counts_over_a_limit_name_it_and_the_value(data, limit, value):
    with pytest.raises(LimitExceeded, match=rf": {value} is over the limit {limit} = ") as caught:
        check_geojson(data, SMALL)
    assert caught.value.limit == limit
    assert caught.value.field == "footprint"


def test_nesting_400_deep_is_refused_without_recursion():
    with pytest.raises(GeometryError, match=r"nested more than 12 levels deep \(max_nesting"):
        check_geojson(nested(400), SMALL)
    # deeper than Python's recursion limit: still a clean refusal
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(GeometryError, match="max_nesting"):
        check_nesting(deep, limit=20, field="footprint")


def test_within_the_limits_passes():
    check_geojson(collection(SQUARE, nested(2)), SMALL)


def test_an_invalid_polygon_over_the_repair_limit_is_refused_before_repair():
    with pytest.raises(LimitExceeded, match=r"invalid \(.*\).*15 is over the limit max_repair"):
        parse_footprint(star(14), limits=SMALL)
    assert parse_footprint(star(7), limits=SMALL).repairs
    # the budget counts the request's invalid polygons together: two of 8 are 16
    with pytest.raises(LimitExceeded, match=r"feature 1 is invalid.*16 is over the limit"):
        parse_footprint(collection(star(7), star(7)), limits=SMALL)


def _frame(*geoms):
    return gpd.GeoDataFrame(geometry=list(geoms), crs="EPSG:4326")


JURISDICTION = box(113.0, 37.5, 114.0, 38.5)


def test_zero_area_is_refused():
    flat = parse_footprint(
        {
            "type": "Polygon",
            "coordinates": [[[113.5, 37.8], [113.6, 37.9], [113.7, 38.0], [113.5, 37.8]]],
        }
    ).features
    with pytest.raises(GeometryError, match="encloses no area"):
        check_extent(flat, JURISDICTION, max_area_ratio=10, name="X")


def test_area_over_the_ratio_names_it():
    with pytest.raises(GeometryError, match=r"times that of X; at most max_area_ratio = 10"):
        check_extent(_frame(box(100, 30, 120, 45)), JURISDICTION, max_area_ratio=10, name="X")
    check_extent(_frame(box(100, 30, 120, 45)), JURISDICTION, max_area_ratio=1e6, name="X")


def test_outside_is_refused():
    with pytest.raises(GeometryError, match="outside X"):
        check_extent(_frame(box(2.2, 48.8, 2.4, 48.9)), JURISDICTION, max_area_ratio=10, name="X")


@pytest.mark.parametrize(
    ("west", "south", "east", "north"),
    [(0, 0, 1, 1), (113, 37.5, 114, 38.5), (-180, -90, 180, 90), (170, 60, 180, 80)],
)
def test_area_of_a_lon_lat_box_is_the_spheres(west, south, east, north):
    # A lon/lat box on a sphere of radius R: R² · Δλ · (sin φ2 − sin φ1)
    radius = 6_371_007.2
    expected = (
        radius**2
        * math.radians(east - west)
        * (math.sin(math.radians(north)) - math.sin(math.radians(south)))
    )
    assert area_m2(box(west, south, east, north)) == pytest.approx(expected, rel=1e-4)


def test_whole_world_clipped_keeps_the_box():
    world = _frame(box(-180, -90, 180, 90))
    clipped = clip_to_box(world, (113.0, 37.5, 114.0, 38.5))
    assert clipped.geometry.iloc[0].equals(JURISDICTION)
